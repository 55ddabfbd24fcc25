/* hopeit.engine Apps Visualizer: draws the events graph and keeps it up to date.
 *
 * The page's #cy element carries the JSON endpoint to poll and the current filters. Every
 * refresh replaces the elements' classes and labels; the graph is laid out again only when the set
 * of elements changed, so nodes stay where they are while nothing is added or removed.
 * window.appsVisualizer exposes the state (cytoscape instance, counters) for people and tests.
 */
(function () {
  "use strict";

  var FIRST_REFRESH_MS = 500;
  var REFRESH_EVERY_MS = 5000;
  var EDGE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  var holder = document.getElementById("cy");
  var state = {
    cy: null,
    refreshes: 0,
    layouts: 0,
    errors: 0,
    lastError: null,
    elementIds: "",
    endpoint: holder.getAttribute("data-refresh-endpoint")
  };
  window.appsVisualizer = state;

  if (window.cytoscapeKlay && window.cytoscape) {
    window.cytoscape.use(window.cytoscapeKlay);
  }

  function edgeColour(label) {
    var hash = 0;
    for (var i = 0; i < label.length; i++) {
      hash = (hash * 31 + label.charCodeAt(i)) | 0;
    }
    return EDGE_COLOURS[Math.abs(hash) % EDGE_COLOURS.length];
  }

  var style = [
    // fixed sizes: the layout then knows each node's size before its label is first drawn
    { selector: "node", style: {
      "content": "data(content)", "text-wrap": "wrap", "text-max-width": "164px", "text-overflow-wrap": "anywhere",
      "text-valign": "center", "text-halign": "center", "font-size": "9px", "width": "172px", "height": "40px",
      "border-width": 1, "border-color": "#555" } },
    { selector: "node.EVENT", style: { "shape": "rectangle", "background-color": "#b6e3b6" } },
    { selector: "node.STREAM", style: {
      "shape": "round-rectangle", "background-color": "#4f8fd6", "background-opacity": 0.35 } },
    { selector: "node.REQUEST", style: {
      "shape": "ellipse", "width": "44px", "height": "28px", "font-size": "7px", "background-color": "#ddd" } },
    { selector: "node.STARTED", style: { "border-width": 4 } },
    { selector: "node.RECENT", style: { "background-color": "#3cb043" } },
    { selector: "node.STREAM.RECENT", style: { "background-color": "#00bcd4", "background-opacity": 0.7 } },
    { selector: "node.PENDING", style: { "background-color": "#00bcd4" } },
    { selector: "node.IGNORED", style: { "background-color": "#f2d024" } },
    { selector: "node.FAILED", style: { "background-color": "#e53935" } },
    { selector: "edge", style: {
      "curve-style": "taxi", "taxi-direction": "rightward", "width": 1.5, "label": "data(label)",
      "font-size": "8px", "line-color": "data(colour)", "target-arrow-color": "data(colour)",
      "target-arrow-shape": "triangle" } },
    { selector: "edge.RECENT", style: { "width": 4, "line-color": "#3cb043", "target-arrow-color": "#3cb043" } },
    { selector: "edge.PENDING", style: { "width": 4, "line-color": "#00bcd4", "target-arrow-color": "#00bcd4" } },
    { selector: "edge.IGNORED", style: { "line-color": "#f2d024", "target-arrow-color": "#f2d024" } },
    { selector: "edge.FAILED", style: { "line-color": "#e53935", "target-arrow-color": "#e53935" } }
  ];

  state.cy = window.cytoscape({ container: holder, style: style, elements: [], wheelSensitivity: 0.3 });

  function elementsOf(graph) {
    var elements = [];
    Object.keys(graph.data).forEach(function (id) {
      var item = graph.data[id];
      var data = Object.assign({}, item.data);
      var isEdge = data.source !== undefined;
      if (isEdge) {
        data.colour = edgeColour(data.label || "");
      }
      elements.push({ group: isEdge ? "edges" : "nodes", data: data, classes: item.classes || "" });
    });
    return elements;
  }

  function layout() {
    state.layouts += 1;
    state.cy.layout({
      name: "klay", nodeDimensionsIncludeLabels: false, fit: true, padding: 20,
      // klay places a node by its top-left corner, cytoscape by its centre
      transform: function (node, pos) {
        return { x: pos.x + node.outerWidth() / 2, y: pos.y + node.outerHeight() / 2 };
      },
      klay: { direction: "RIGHT", edgeRouting: "ORTHOGONAL", spacing: 24, inLayerSpacingFactor: 0.6 }
    }).run();
  }

  function draw(graph) {
    var elements = elementsOf(graph);
    var ids = elements.map(function (e) { return e.data.id; }).sort().join("\n");
    if (ids !== state.elementIds) {
      state.cy.elements().remove();
      state.cy.add(elements);
      state.elementIds = ids;
      layout();
      return;
    }
    state.cy.batch(function () {
      elements.forEach(function (e) {
        var ele = state.cy.getElementById(e.data.id);
        var changed = Object.assign({}, e.data);
        delete changed.id;
        delete changed.source;
        delete changed.target;
        ele.classes(e.classes);
        ele.data(changed);
      });
    });
  }

  function pageLink(args) {
    var query = new URLSearchParams({
      app_prefix: holder.getAttribute("data-app-prefix"),
      host_filter: holder.getAttribute("data-host-filter"),
      expanded_view: holder.getAttribute("data-expanded-view"),
      live: holder.getAttribute("data-live")
    });
    Object.keys(args).forEach(function (key) { query.set(key, args[key]); });
    return holder.getAttribute("data-page-link") + "?" + query.toString();
  }

  function fillMenu(menuId, entries) {
    var menu = document.getElementById(menuId);
    menu.textContent = "";
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.className = "dropdown-item";
      link.href = entry.href;
      link.textContent = entry.text;
      item.appendChild(link);
      menu.appendChild(item);
    });
  }

  function fillMenus(runtimeApps) {
    var names = {};
    Object.keys(runtimeApps.apps).forEach(function (key) {
      names[runtimeApps.apps[key].app_config.app.name] = true;
    });
    var apps = [{ text: "All running apps", href: pageLink({ app_prefix: "" }) }];
    Object.keys(names).sort().forEach(function (name) {
      apps.push({ text: name, href: pageLink({ app_prefix: name }) });
    });
    fillMenu("apps-menu", apps);
    var servers = [{ text: "All servers", href: pageLink({ host_filter: "" }) }];
    Object.keys(runtimeApps.server_status).sort().forEach(function (host) {
      servers.push({ text: host + ": " + runtimeApps.server_status[host], href: pageLink({ host_filter: host }) });
    });
    fillMenu("servers-menu", servers);
  }

  function refresh() {
    return fetch(state.endpoint, { headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (result) {
        draw(result.graph);
        fillMenus(result.runtime_apps);
        state.refreshes += 1;
      })
      .catch(function (error) {
        state.errors += 1;
        state.lastError = String(error);
      });
  }

  document.querySelectorAll("[data-menu]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      var menu = document.getElementById(button.getAttribute("data-menu"));
      var open = menu.classList.contains("show");
      document.querySelectorAll(".dropdown-menu.show").forEach(function (m) { m.classList.remove("show"); });
      if (!open) { menu.classList.add("show"); }
    });
  });
  document.addEventListener("click", function () {
    document.querySelectorAll(".dropdown-menu.show").forEach(function (m) { m.classList.remove("show"); });
  });

  state.refresh = refresh;
  setTimeout(function () {
    refresh();
    setInterval(refresh, REFRESH_EVERY_MS);
  }, FIRST_REFRESH_MS);
})();

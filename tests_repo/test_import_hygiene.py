"""Import hygiene of the whole repo, read from the source (architecture.md section 2).

- The engine's subpackages import each other downward only: dataobjects <- contracts <- app <-
  streams/storage/toolkit <- server <- web <- cli/testing.
- No module imports another subpackage's private (underscore) module; plugins and examples import
  only public names of the engine, and nothing private of each other.
- There are no import cycles between modules, imports inside functions included.

Imports are read with ``ast`` (nothing is imported), so lazy imports count as much as top-level ones.
Imports under ``if TYPE_CHECKING:`` are left out: they never run.
"""

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest
from repo import ROOT

ENGINE_SRC = ROOT / "engine" / "src"

#: Rank of each engine subpackage: a module may import subpackages of a lower rank, or its own.
LAYERS: Dict[str, int] = {
    "dataobjects": 0,
    "contracts": 1,
    "app": 2,
    "streams": 3,
    "storage": 3,
    "toolkit": 3,
    "server": 4,
    "web": 5,
    "cli": 6,
    "testing": 6,
}

#: The 0.24 import paths that moved: each is a shim that re-exports (or aliases) its new home, so
#: it may point anywhere that is allowed for the package it stands for.
SHIM_LAYER: Dict[str, str] = {
    "hopeit.server.web": "web",
    "hopeit.server.wsgi": "web",
    "hopeit.server.api": "web",
}


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, where."""

    module: str
    target: str
    path: Path
    line: int


def _module_name(src: Path, path: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_lines(tree: ast.AST) -> Set[int]:
    lines: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(src: Path) -> Iterator[Import]:
    """Every ``hopeit`` import of the modules under ``src`` (a ``src`` folder of a package)."""
    for path in sorted(src.rglob("*.py")):
        module = _module_name(src, path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_lines(tree)
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skipped:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, node, path.name == "__init__.py")
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("hopeit.") or target.startswith("acme_"):
                    yield Import(module, target, path, node.lineno)


def _known_modules(src: Path) -> Set[str]:
    return {_module_name(src, path) for path in src.rglob("*.py")}


def _engine_imports() -> Tuple[Set[str], List[Import]]:
    modules = _known_modules(ENGINE_SRC)
    found = [imp for imp in imports_of(ENGINE_SRC) if imp.target in modules]
    return modules, found


def _subpackage(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def _private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split(".")[2:])


def _where(imp: Import) -> str:
    return f"{imp.path.relative_to(ROOT)}:{imp.line} {imp.module} -> {imp.target}"


def test_engine_layers_point_down() -> None:
    """An engine subpackage imports only its own modules and subpackages below it."""
    _, found = _engine_imports()
    wrong = []
    for imp in found:
        source = SHIM_LAYER.get(imp.module, _subpackage(imp.module))
        target = _subpackage(imp.target)
        if source == target or not target:
            continue
        if source not in LAYERS or target not in LAYERS:
            wrong.append(f"{_where(imp)} (subpackage not in the layer table)")
        elif LAYERS[target] >= LAYERS[source]:
            wrong.append(_where(imp))
    assert not wrong, "imports against the layer order:\n" + "\n".join(wrong)


def test_no_private_imports_across_engine_subpackages() -> None:
    """No engine module imports an underscore module of another subpackage."""
    _, found = _engine_imports()
    wrong = [
        _where(imp) for imp in found
        if _subpackage(imp.module) != _subpackage(imp.target) and _private(imp.target)
    ]
    assert not wrong, "private modules imported from another subpackage:\n" + "\n".join(wrong)


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles_in_the_engine() -> None:
    """No two engine modules import each other, directly or through others, lazy imports included."""
    modules, found = _engine_imports()
    graph: Dict[str, Set[str]] = {module: set() for module in modules}
    for imp in found:
        if imp.target != imp.module:
            graph[imp.module].add(imp.target)
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(cycle) for cycle in cycles)


def _own_prefixes(src: Path) -> List[str]:
    """Import prefixes a package ships: ``hopeit.<name>`` for each folder under ``src/hopeit``, else the folder."""
    prefixes = []
    for top in sorted(p for p in src.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if top.name == "hopeit":
            subs = sorted(sub for sub in top.iterdir() if sub.is_dir() and sub.name != "__pycache__")
            prefixes += [f"hopeit.{sub.name}" for sub in subs]
        elif not top.name.endswith(".egg-info"):
            prefixes.append(top.name)
    return prefixes


def _other_sources() -> List[Tuple[str, Path]]:
    """Source and test folders of every plugin and example, with the import prefixes they own."""
    found = []
    for kind in ("plugins", "examples"):
        for package in sorted(p for p in (ROOT / kind).iterdir() if (p / "src").is_dir()):
            own = ",".join(_own_prefixes(package / "src"))
            found += [(own, folder) for folder in (package / "src", package / "tests") if folder.is_dir()]
    return found


@pytest.mark.parametrize(
    "own, folder", _other_sources(), ids=lambda v: Path(v).relative_to(ROOT).as_posix() if isinstance(v, Path) else ""
)
def test_plugins_and_examples_import_public_names_only(own: str, folder: Path) -> None:
    """Plugins, examples and their tests import no private module of the engine or of another package."""
    wrong = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                mine = any(target == prefix or target.startswith(prefix + ".") for prefix in own.split(","))
                if not target.startswith("hopeit.") or mine:
                    continue
                if _private(target):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} -> {target}")
    assert not wrong, f"private names imported from outside {own}:\n" + "\n".join(wrong)

"""The HTTP side of hopeit.engine (extra ``web``): aiohttp server, routes, OpenAPI, workers.

==================== ===========================================================================
module               holds
==================== ===========================================================================
``server``           the web server: start-up, app routes and hooks, ``serve``/``main``
``routes``           one route per event: request to ``AppEngine`` to response
``request``          credentials, query args, JSON bodies and their limits
``multipart``        multipart uploads counted against their limits
``response``         bodies, track headers, hook headers and cookies, files, streams, errors
``tracking``         track ids from request headers
``mgmt``             ``/mgmt/<app>/<ver>/<event>/start|stop`` of STREAM and SERVICE events
``openapi``          the OpenAPI spec of the running apps (``openapi_schemas``, ``swagger``: loaded with a spec)
``args``             command-line arguments of ``hopeit_server run`` / ``python -m hopeit.web``
``process``          one server process: serve until a signal, then drain
``supervisor``       ``--workers N``: N processes on one port (loaded only then)
==================== ===========================================================================

``hopeit.server`` (the event runtime) never imports this package, so an engine installed without
the ``web`` extra never imports aiohttp. A server imports what its configuration uses, at start-up:
aiohttp-swagger3 and the spec tooling with ``--api-file``/``--api-auto``, PyJWT and cryptography
when auth is on or an event takes credentials, the supervisor with ``--workers`` above 1.

The 0.24 paths ``hopeit.server.web``, ``hopeit.server.api`` and ``hopeit.server.wsgi`` are shims of
``server``, ``openapi`` and the run functions.
"""

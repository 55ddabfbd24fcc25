"""The contracts every part of hopeit.engine and every plugin builds on, at the bottom of the engine.

It imports only the standard library and ``hopeit.dataobjects``:

- ``hopeit.contracts.settings``: the server settings models (``ServerConfig``, ``StreamsConfig``,
  ``LoggingConfig``, ``AuthConfig``, ``AuthType``, ``APIConfig``) and the stream message
  ``Serialization`` and ``Compression``;
- ``hopeit.contracts.discovery``: finding stream managers, storages, clients and plugin apps
  through entry points, and what was loaded from which distribution;
- ``hopeit.contracts.version``: the engine version and the API/route versions derived from it;
- ``hopeit.contracts.streams``, ``hopeit.contracts.storage``, ``hopeit.contracts.clients``,
  ``hopeit.contracts.hooks``: what stream managers, storage backends, app clients and multipart
  readers implement;
- ``hopeit.contracts.codecs``: payload codecs, which plugins register to give payloads of their
  types a stored form that travels through streams and web requests instead of them.

Apps import these names where 0.24 had them (``hopeit.server.config``, ``hopeit.streams``,
``hopeit.storage``, ``hopeit.app.client``...); plugins may import them from here.
"""

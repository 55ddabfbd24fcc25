"""legacy-app: an app written the way hopeit.engine 0.24 apps were, run unchanged on both engines.

Every import path, decorator, hook and test idiom here is one that 0.24-era apps use (collectors
from ``hopeit.server.collector``, errors from ``hopeit.server.web``, ``@dataobject`` over a stdlib
``@dataclass``, ``FileStorage.with_settings``); nothing may be rewritten for our engine.
"""

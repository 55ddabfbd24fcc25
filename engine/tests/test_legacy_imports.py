"""Every module hopeit.engine 0.24 shipped imports on ours, with the names apps, tests and plugins take from it.

``LEGACY_NAMES`` is the one table of issue #14: module -> names. It was drawn from ``dir()`` of each
0.24 module (run, never read): the classes, functions, errors and constants the module defined for
apps, tests and plugins, and the names of other modules it re-exported that apps of that era import
from it (``Unauthorized`` from ``hopeit.server.web``, ``EventPayloadType`` from ``hopeit.app.events``).
Incidental imports of 0.24 modules (``asyncio``, ``Optional``, aiohttp's ``web``...) are left out.

``NOT_CARRIED`` lists the names 0.24 defined that ours does not provide, each with its reason: they
served the inside of the 0.24 engine (its gunicorn wrapper, its dataclasses-jsonschema schemas, its
collector bookkeeping), not apps. Internal functions of ``hopeit.server.steps``/``events`` that ours
still has under the same name (``split_event_stages``...) are not in the table either: their 0.24
signatures served the 0.24 engine only.
"""

import importlib
import warnings
from typing import Dict, List

import pytest

LEGACY_NAMES: Dict[str, List[str]] = {
    "hopeit.app.api": [
        "APIError", "PayloadDef", "api_from_config", "app_base_route_name", "app_route_name", "datatype_schema",
        "event_api",
    ],
    "hopeit.app.client": [
        "AppConnectionNotFound", "Client", "ClientException", "UnhandledResponse", "app_call", "app_call_list",
        "app_client", "register_app_connections", "stop_app_connections",
    ],
    "hopeit.app.config": [
        "AppConfig", "AppConnection", "AppDescriptor", "AppEngineConfig", "AppSettings", "AuthType", "Compression",
        "Env", "EventConnection", "EventConnectionType", "EventDescriptor", "EventLoggingConfig", "EventPlugMode",
        "EventSettings", "EventStreamConfig", "EventType", "ReadStreamDescriptor", "Serialization", "ServerConfig",
        "StreamQueue", "StreamQueueStrategy", "WriteStreamDescriptor", "parse_app_config_json",
        "replace_config_args", "replace_env_vars",
    ],
    "hopeit.app.context": [
        "BodyPartReaderProtocol", "EventContext", "MultipartReaderProtocol", "NoopMultiparReader", "PostprocessHook",
        "PostprocessStreamResponseHook", "PostprocessTestingStreamResponseHook", "PreprocessFileHook",
        "PreprocessHeaders", "PreprocessHook", "TestingResp",
    ],
    "hopeit.app.errors": ["BadRequest", "Unauthorized"],
    "hopeit.app.events": [
        "Collector", "CollectorStepsDescriptor", "EventPayloadType", "SHUFFLE", "Spawn", "collector_step",
        "service_running",
    ],
    "hopeit.app.logger": ["app_extra_logger", "app_logger"],
    "hopeit.cli.openapi": ["create", "diff", "openapi", "update"],
    "hopeit.cli.server": ["run", "server"],
    "hopeit.dataobjects": [
        "BinaryAttachment", "BinaryDownload", "DataObject", "EventPayload", "EventPayloadType", "StreamEventParams",
        "copy_payload", "dataclass", "dataobject",
    ],
    "hopeit.dataobjects.jsonify": ["Json"],
    "hopeit.dataobjects.payload": ["Payload"],
    "hopeit.server.api": [
        "APIError", "METHOD_MAPPING", "OPEN_API_VERSION", "add_route", "app_route_name", "clear", "datatype_schema",
        "diff_specs", "enable_swagger", "init_auto_api", "init_empty_spec", "load_api_file", "register_apps",
        "register_server_config", "runtime_schemas", "save_api_file", "setup", "spec", "static_spec", "swagger",
    ],
    "hopeit.server.collector": ["AsyncCollector", "Collector", "CollectorStepType"],
    "hopeit.server.compression": ["compress", "decompress"],
    "hopeit.server.config": [
        "APIConfig", "AuthConfig", "AuthType", "LoggingConfig", "ServerConfig", "StreamsConfig",
        "parse_server_config_json", "replace_config_args", "replace_env_vars",
    ],
    "hopeit.server.engine": ["AppEngine", "Server", "StreamOSError"],
    "hopeit.server.errors": ["ErrorInfo", "format_exc", "json_exc"],
    "hopeit.server.events": ["EventHandler", "get_event_settings", "get_runtime_settings"],
    "hopeit.server.imports": ["find_datobject_type", "find_event_handler"],
    "hopeit.server.logger": [
        "EngineLoggerWrapper", "EventLoggerWrapper", "LOG_FORMAT", "combined", "engine_extra_logger",
        "engine_logger", "extra_logger", "extra_values", "format_extra_values", "setup_app_logger",
    ],
    "hopeit.server.metrics": ["StreamStats", "metrics", "stream_metrics"],
    "hopeit.server.names": ["auto_path", "auto_path_prefixed", "module_name", "route_name", "snakecase", "spinalcase"],
    "hopeit.server.runtime": ["Server", "server"],
    "hopeit.server.serialization": ["deserialize", "serialize"],
    "hopeit.server.steps": ["MAX_STEPS", "SHUFFLE", "AsyncCollector", "Collector", "CollectorStepsDescriptor"],
    "hopeit.server.version": ["APPS_API_VERSION", "APPS_ROUTE_VERSION", "ENGINE_NAME", "ENGINE_VERSION"],
    "hopeit.server.web": [
        "BadRequest", "ErrorInfo", "Unauthorized", "app_startup_hook", "init_web_server", "parse_args",
        "prepare_engine", "serve", "server_startup_hook", "stop_server", "stream_startup_hook", "web_server",
    ],
    "hopeit.server.wsgi": ["number_of_workers", "run_app"],
    "hopeit.streams": [
        "NoStreamManager", "StreamCircuitBreaker", "StreamConfigError", "StreamEvent", "StreamManager",
        "StreamOSError", "StreamsConfig", "stream_auth_info",
    ],
    "hopeit.testing.apps": [
        "TestingException", "apply_service_running_mock", "config", "create_test_context", "execute_event",
        "execute_service", "server_config", "service_running_mock",
    ],
    "hopeit.testing.encryption": ["decrypt", "encrypt", "key_file", "setup_encryption"],
    "hopeit.testing.hooks": ["MockField", "MockFileHook", "MockMultipartReader"],
    "hopeit.toolkit.auth": [
        "AuthType", "PrivateKeyNotFoundError", "PublicKeyNotFoundError", "app_private_key", "app_public_key",
        "decode_token", "init", "new_token", "validate_auth_method", "validate_token",
    ],
    "hopeit.toolkit.web": ["save_multipart_attachment"],
}

#: Modules 0.24 had already deprecated: importing them warns (DeprecationWarning), as in 0.24.
DEPRECATED = {"hopeit.dataobjects.jsonify"}

#: Names 0.24 defined that ours does not provide, and why (the CHANGELOG's compatibility section lists them).
NOT_CARRIED: Dict[str, Dict[str, str]] = {
    "hopeit.app.api": {
        "ArgDef": "typing alias of event_api's own query_args parameter",
        "ArgType": "type variable of ArgDef",
        "BUILTIN_TYPES": "0.24's table of OpenAPI types, an input of its schema generator",
    },
    "hopeit.app.events": {
        "AppEngine": "hopeit.app may not import the server (layering); import it from hopeit.server.engine",
        "server": "hopeit.app may not import the server (layering); import it from hopeit.server.runtime",
    },
    "hopeit.app.logger": {"DEFAULT_APP_LOGGER": "name of 0.24's placeholder logger"},
    "hopeit.dataobjects": {
        "StreamEventMixin": "base class 0.24's @dataobject added; ours adds event_id/event_ts to the class itself",
    },
    "hopeit.server.api": {
        "BUILTIN_TYPES": "input of 0.24's schema generator (dataclasses-jsonschema)",
        "TYPE_MAPPERS": "input of 0.24's schema generator (dataclasses-jsonschema)",
        "CustomizedObjectValidator": "0.24's patch of aiohttp-swagger3's validator",
        "OPEN_API_DEFAULTS": "defaults of --api-auto, kept as hopeit.web.openapi DEFAULT_TITLE/DEFAULT_DESCRIPTION",
    },
    "hopeit.server.collector": {
        "AbstractCollector": "base of 0.24's collector; steps take `collector: Collector`",
        "CollectorItem": "0.24's bookkeeping of one collector sub-step",
    },
    "hopeit.server.config": {
        "ConfigType": "type variable of 0.24's config parsing",
        "DEFAULT_STR": "placeholder of 0.24's config parsing",
    },
    "hopeit.server.logger": {
        "DEFAULT_ENGINE_LOGGER": "name of 0.24's placeholder logger",
        "WARNINGS_LOG_FORMAT": "format of 0.24's py.warnings handler; ours writes warnings as engine lines",
        "setup_extra_fields_extractor": "part of 0.24's setup_app_logger, which ours keeps",
    },
    "hopeit.server.steps": {
        "CollectorStepType": "kept in hopeit.server.collector",
        "StepExecutionList": "typing alias of 0.24's step engine",
        "event_and_step": "0.24's step engine; the event of a stage is hopeit.app.names.base_event_name",
        "execute_steps": "0.24's step engine; ours runs steps through EventHandler",
        "extract_event_stages": "0.24's step engine; ours is event_stages",
        "find_datatype_handler": "0.24's step engine; ours reads input types from the event's steps",
        "invoke_single_step": "0.24's step engine; ours runs steps through EventHandler",
    },
    "hopeit.server.web": {
        "AUTH_HEADER_EXTRACTORS": "0.24's request handling internals",
        "CONTENT_TYPE_BODY_SER": "0.24's response building internals",
        "ParsedArgs": "parse_args returns ServeArgs, with the options 0.24 had and --workers",
        "ResponseType": "typing alias of 0.24's response building",
        "auth_info_default": "0.24 shared one auth_info dict between requests; ours builds one per request",
        "init_logger": "the server's logging starts with the engine (hopeit.server.logger.init_server)",
    },
    "hopeit.server.wsgi": {"WSGIApplication": "0.24 served through gunicorn; ours runs its own worker processes"},
    "hopeit.toolkit.auth": {
        "AUTH_VALIDATION_METHODS": "internals of validate_auth_method, which apps call",
        "validate_auth_basic": "internals of validate_auth_method, which apps call",
        "validate_auth_bearer": "internals of validate_auth_method, which apps call",
        "validate_auth_none": "internals of validate_auth_method, which apps call",
        "validate_auth_refresh": "internals of validate_auth_method, which apps call",
        "auth_config": "0.24's module state; ours keeps keys per app (init, app_public_key...)",
        "private_keys": "0.24's module state; ours keeps keys per app (init, app_private_key...)",
        "public_keys": "0.24's module state; ours keeps keys per app (init, app_public_key...)",
        "rejected_apps": "0.24's module state; ours keeps keys per app (init, app_public_key...)",
    },
}


@pytest.mark.parametrize("module_name", sorted(LEGACY_NAMES))
def test_legacy_module_imports_with_its_names(module_name: str) -> None:
    """The 0.24 module imports and has every name of the table."""
    with warnings.catch_warnings():
        if module_name in DEPRECATED:
            warnings.simplefilter("ignore", DeprecationWarning)
        module = importlib.import_module(module_name)
    missing = [name for name in LEGACY_NAMES[module_name] if not hasattr(module, name)]
    assert missing == [], f"{module_name} lacks {missing}"


def test_not_carried_names_are_not_in_the_table() -> None:
    """A name is either provided or listed as a deliberate difference, never both."""
    both = {m: sorted(set(names) & set(LEGACY_NAMES.get(m, []))) for m, names in NOT_CARRIED.items()}
    assert {m: names for m, names in both.items() if names} == {}


def test_shims_re_export_the_one_implementation() -> None:
    """Old paths hold the same objects as the new ones: no second implementation, no stale copy."""
    from hopeit.app import errors, events
    from hopeit.server import collector, engine, runtime, steps, web
    from hopeit.web import server as web_server

    assert web is web_server
    assert (web.BadRequest, web.Unauthorized) == (errors.BadRequest, errors.Unauthorized)
    assert collector.Collector is collector.AsyncCollector is events.Collector is steps.Collector
    assert steps.CollectorStepsDescriptor is events.CollectorStepsDescriptor
    assert runtime.Server is engine.Server and isinstance(runtime.server, engine.Server)

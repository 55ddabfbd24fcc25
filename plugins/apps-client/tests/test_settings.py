import logging
from dataclasses import fields
from typing import Any, Dict

import pytest
from conftest import caller_config
from hopeit.apps_client import AppsClient, AppsClientConfigError, AppsClientSettings, ClientAuthStrategy
from hopeit.apps_client.settings import load_settings, parse_hosts

HOSTS = "http://h1:8020,http://h2:8020"


def test_defaults_follow_the_spec() -> None:
    settings = AppsClientSettings(connection_str=HOSTS)
    assert [f.name for f in fields(settings)][:1] == ["connection_str"]
    assert settings.circuit_breaker_open_failures == 10
    assert settings.circuit_breaker_failure_reset_seconds == 120
    assert settings.circuit_breaker_open_seconds == 60
    assert settings.retries == 1
    assert settings.retry_backoff_ms == 10
    assert settings.retry_last_backoff_ms == 1000
    assert settings.ssl is True
    assert settings.max_connections == 100
    assert settings.max_connections_per_host == 0
    assert settings.dns_cache_ttl == 10
    assert settings.routes_override == {}
    assert settings.auth_strategy == ClientAuthStrategy.CLIENT_APP_PUBLIC_KEY
    assert settings.request_timeout_seconds == 60.0
    assert settings.connect_timeout_seconds == 10.0


def test_settings_from_config() -> None:
    app_config = caller_config({"connection_str": HOSTS, "retries": 3, "auth_strategy": "UNSECURED"})
    settings = load_settings(app_config, "target_conn")
    assert settings.retries == 3
    assert settings.auth_strategy is ClientAuthStrategy.UNSECURED


def test_settings_section_named_by_connection() -> None:
    app_config = caller_config({"connection_str": "http://other:1"}, connection={"settings": "shared"},
                               extra={"settings": {"shared": {"connection_str": HOSTS}}})
    assert load_settings(app_config, "target_conn").connection_str == HOSTS


def test_missing_settings_section() -> None:
    app_config = caller_config({"connection_str": HOSTS}, connection={"settings": "nowhere"})
    with pytest.raises(AppsClientConfigError) as err:
        AppsClient(app_config, "target_conn")
    assert "app caller_app.1x0, app connection 'target_conn': settings section 'nowhere' not found" in str(err.value)


def test_unknown_key_names_the_closest_one() -> None:
    app_config = caller_config({"connection_str": HOSTS, "num_failures_to_open_circuit_breaker": 3})
    with pytest.raises(AppsClientConfigError) as err:
        load_settings(app_config, "target_conn")
    message = str(err.value)
    assert "unknown keys in settings 'target_conn': 'num_failures_to_open_circuit_breaker'" in message
    assert "did you mean 'circuit_breaker_open_failures'?" in message
    app_config = caller_config({"connection_str": HOSTS, "retry": 3})
    with pytest.raises(AppsClientConfigError, match="'retry' \\(did you mean 'retries'\\?\\)"):
        load_settings(app_config, "target_conn")


@pytest.mark.parametrize(("value", "problem"), [
    ({"retries": -1}, "retries must be 0 or more"),
    ({"auth_strategy": "TOKEN"}, "auth_strategy"),
    ({"request_timeout_seconds": 0}, "request_timeout_seconds must be more than 0"),
])
def test_invalid_values(value: Dict[str, Any], problem: str) -> None:
    app_config = caller_config({"connection_str": HOSTS, **value})
    with pytest.raises(AppsClientConfigError) as err:
        load_settings(app_config, "target_conn")
    assert "invalid settings 'target_conn'" in str(err.value)
    assert problem in str(err.value)


def test_connection_str_is_required() -> None:
    app_config = caller_config({"retries": 1})
    with pytest.raises(AppsClientConfigError, match="connection_str"):
        load_settings(app_config, "target_conn")


def test_hosts() -> None:
    assert parse_hosts(" http://h1:8020/ , https://h2 ,") == ["http://h1:8020", "https://h2"]
    with pytest.raises(AppsClientConfigError, match="connection_str is empty"):
        parse_hosts(" , ")
    for bad in ("h1:8020", "ftp://h1", "http://h1:port"):
        with pytest.raises(AppsClientConfigError, match="is not a base URL"):
            parse_hosts(bad)


def test_routes() -> None:
    app_config = caller_config({
        "connection_str": HOSTS,
        "routes_override": {"custom_route": "custom/route", "plain_text": "/root/text.v2"},
    })
    routes = AppsClient(app_config, "target_conn").routes.routes
    assert routes["query_something"] == "/api/target-app/1x0/query-something"
    assert routes["custom_route"] == "/api/custom/route"
    assert routes["plain_text"] == "/root/textxv2"
    assert AppsClient(app_config, "target_conn").routes.events["caller_event"]["save_something"].type == "POST"


def test_plugin_routes() -> None:
    app_config = caller_config({"connection_str": HOSTS}, connection={"plugin_name": "some-plugin"})
    routes = AppsClient(app_config, "target_conn").routes.routes
    assert routes["plugin_event"] == "/api/target-app/1x0/some-plugin/1x0/plugin-event"
    app_config = caller_config({"connection_str": HOSTS},
                               connection={"plugin_name": "some-plugin", "plugin_version": "2.1"})
    routes = AppsClient(app_config, "target_conn").routes.routes
    assert routes["plugin_event"] == "/api/target-app/1x0/some-plugin/2x1/plugin-event"


def test_plugin_version_needs_plugin_name() -> None:
    app_config = caller_config({"connection_str": HOSTS}, connection={"plugin_version": "2.1"})
    with pytest.raises(AppsClientConfigError, match="plugin_version is set but plugin_name is not"):
        AppsClient(app_config, "target_conn")


def _events(event: str, conn: str = "target_conn") -> Dict[str, Any]:
    return {"caller_event": {"type": "GET", "connections": [{"app_connection": conn, "event": event, "type": "GET"}]}}


def test_event_that_cannot_be_a_route() -> None:
    app_config = caller_config({"connection_str": HOSTS}, events=_events("query something?"))
    with pytest.raises(AppsClientConfigError) as err:
        AppsClient(app_config, "target_conn")
    assert str(err.value).startswith(
        "app caller_app.1x0, app connection 'target_conn', event 'caller_event': "
        "remote event 'query something?' is not an event name of app target-app"
    )


def test_event_naming_an_unknown_connection() -> None:
    app_config = caller_config({"connection_str": HOSTS}, events=_events("query_something", conn="nowhere_conn"))
    with pytest.raises(AppsClientConfigError) as err:
        AppsClient(app_config, "target_conn")
    assert "event 'caller_event': connections names app connection 'nowhere_conn'" in str(err.value)
    assert "known: target_conn" in str(err.value)


def test_empty_route_override() -> None:
    app_config = caller_config({"connection_str": HOSTS, "routes_override": {"query_something": "/"}})
    with pytest.raises(AppsClientConfigError, match="routes_override of 'query_something' is empty"):
        AppsClient(app_config, "target_conn")


def test_unused_route_override_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    app_config = caller_config({"connection_str": HOSTS, "routes_override": {"__list-somethings": "x/y"}})
    with caplog.at_level(logging.WARNING, logger="hopeit.apps_client"):
        AppsClient(app_config, "target_conn")
    assert "routes_override for events no event calls: __list-somethings" in caplog.text

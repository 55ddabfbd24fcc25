"""``${ENV}``, ``{path}`` and ``{auto}`` expansion of config files (spec engine §3.4-3.6)."""

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List

import pytest
from hopeit.app.config import parse_app_config_json
from hopeit.app.expansion import MissingEnvironmentVariables, replace_config_args, replace_env_vars


@dataclass
class Inner:
    name: str
    values: List[str] = field(default_factory=list)


@dataclass
class Root:
    title: str
    inner: Inner
    table: Dict[str, Any] = field(default_factory=dict)


def test_env_vars_are_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """``${NAME}`` is looked up upper-cased; several per text."""
    monkeypatch.setenv("HOPEIT_TEST_HOST", "example.com")
    monkeypatch.setenv("HOPEIT_TEST_PORT", "8020")
    text = '{"url": "http://${hopeit_test_host}:${HOPEIT_TEST_PORT}/"}'
    assert json.loads(replace_env_vars(text)) == {"url": "http://example.com:8020/"}


def test_env_var_with_quotes_and_backslashes_keeps_json_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values are JSON-escaped: quotes and Windows paths survive."""
    monkeypatch.setenv("HOPEIT_TEST_PATH", 'C:\\data\\"quoted"\n')
    assert json.loads(replace_env_vars('{"p": "${HOPEIT_TEST_PATH}"}')) == {"p": 'C:\\data\\"quoted"\n'}


def test_empty_env_var_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty value replaces the reference (HEAD behaviour)."""
    monkeypatch.setenv("HOPEIT_TEST_EMPTY", "")
    assert replace_env_vars('"${HOPEIT_TEST_EMPTY}"') == '""'


def test_missing_env_vars_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every missing variable is named once, upper-cased and sorted."""
    monkeypatch.delenv("HOPEIT_TEST_NOPE_B", raising=False)
    monkeypatch.delenv("HOPEIT_TEST_NOPE_A", raising=False)
    with pytest.raises(MissingEnvironmentVariables) as info:
        replace_env_vars("${HOPEIT_TEST_NOPE_B} ${hopeit_test_nope_a} ${HOPEIT_TEST_NOPE_B}")
    assert info.value.names == ["HOPEIT_TEST_NOPE_A", "HOPEIT_TEST_NOPE_B"]
    assert "HOPEIT_TEST_NOPE_A, HOPEIT_TEST_NOPE_B" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_text_without_env_refs_is_unchanged() -> None:
    """Plain ``$`` and ``{}`` are left alone."""
    text = '{"a": "$HOME {x} $ {}"}'
    assert replace_env_vars(text) == text


def test_path_args_resolve_attributes_and_dict_keys() -> None:
    """``{a.b}`` is replaced by the value at that path; unknown paths stay as they are."""
    root = Root(
        title="T",
        inner=Inner(name="{title}-n", values=["{inner.name}", "{nope.path}"]),
        table={"k.with.dots": "v", "ref": "{table.k.with.dots}/x", "num": 3, "use_num": "{table.num}"},
    )
    replace_config_args(root)
    assert root.inner.name == "T-n"
    assert root.inner.values == ["T-n", "{nope.path}"]
    assert root.table["ref"] == "v/x"
    assert root.table["use_num"] == "3"


def test_dict_keys_are_substituted() -> None:
    """A dict key may itself be a reference."""
    root = Root(title="T", inner=Inner(name="stream.a"), table={"{inner.name}": {"batch_size": 5}})
    replace_config_args(root)
    assert root.table == {"stream.a": {"batch_size": 5}}


def test_two_passes_resolve_chains_and_one_pass_does_not() -> None:
    """A value referring to a value that is itself a reference needs the second pass."""

    def build() -> Root:
        return Root(title="{inner.name}", inner=Inner(name="{table.base}"), table={"base": "B"})

    once = replace_config_args(build(), passes=1)
    assert once.title == "{inner.name}" and once.inner.name == "B"
    twice = replace_config_args(build())
    assert twice.title == "B"


def test_auto_uses_dict_keys_only() -> None:
    """``{auto}`` is the prefix plus the dict keys (split on dots) leading to the value."""
    root = Root(
        title="{auto}",
        inner=Inner(name="{auto}"),
        table={"streams.something_event": {"name": "{auto}"}, "CamelKey": "{auto}/x"},
    )
    replace_config_args(root, auto_prefix="simple_example.0x24")
    assert root.title == "simple_example.0x24"
    assert root.inner.name == "simple_example.0x24"
    # "name" is a dict key here (not an attribute), so it is part of the path
    assert root.table["streams.something_event"]["name"] == "simple_example.0x24.streams.something_event.name"
    assert root.table["CamelKey"] == "simple_example.0x24.camel_key/x"


def test_auto_without_prefix_is_left_alone() -> None:
    """Without an auto prefix (server config) ``{auto}`` is not expanded."""
    root = Root(title="{auto}", inner=Inner(name="x"))
    replace_config_args(root)
    assert root.title == "{auto}"


def test_app_config_expansion_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spec examples: auto stream names, auto env paths, settings keyed by an expanded stream name."""
    monkeypatch.setenv("TEST_TMP_FOLDER", "/tmp")
    config = parse_app_config_json(
        json.dumps(
            {
                "app": {"name": "simple_example", "version": "0.24"},
                "env": {
                    "fs": {"data_path": "${TEST_TMP_FOLDER}/{auto}/"},
                    "app": {"label": "{app.name}-{app.version}"},
                },
                "settings": {"{events.streams.something_event.write_stream.name}": {"batch_size": 9}},
                "events": {
                    "streams.something_event": {"type": "POST", "write_stream": {"name": "{auto}"}},
                    "consumer": {
                        "type": "STREAM",
                        "read_stream": {
                            "name": "{events.streams.something_event.write_stream.name}",
                            "consumer_group": "{auto}",
                        },
                    },
                },
            }
        )
    )
    assert config.events["streams.something_event"].write_stream.name == (  # type: ignore[union-attr]
        "simple_example.0x24.streams.something_event"
    )
    assert config.env["fs"]["data_path"] == "/tmp/simple_example.0x24.fs.data_path/"
    assert config.env["app"]["label"] == "simple_example-0.24"
    read = config.events["consumer"].read_stream
    assert read is not None
    assert read.name == "simple_example.0x24.streams.something_event"
    assert read.consumer_group == "simple_example.0x24.consumer"
    assert config.settings == {"simple_example.0x24.streams.something_event": {"batch_size": 9}}
    assert config.effective_settings is not None
    assert config.effective_settings["streams.something_event"]["stream"]["batch_size"] == 9
    assert config.effective_settings["consumer"]["stream"]["batch_size"] == 9

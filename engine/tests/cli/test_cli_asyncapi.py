"""``hopeit_asyncapi create | diff``."""

import json
import subprocess
import sys
from pathlib import Path

from asyncapi_support import check_document
from cli_support import (
    CONFIG,
    CONFIG_FILES,
    cli_env,  # noqa: F401 - the autouse fixture of these tests
)
from click.testing import CliRunner
from hopeit.cli.asyncapi import asyncapi, document_differences


def test_create_then_diff(tmp_path: Path) -> None:
    doc_file = tmp_path / "asyncapi.json"
    runner = CliRunner()
    result = runner.invoke(asyncapi, ["create", "--config-files", CONFIG_FILES, "--output-file", str(doc_file),
                                      "--api-version", "1.2", "--title", "Web test streams"])
    assert result.exit_code == 0, result.output
    assert f"AsyncAPI document saved to {doc_file}: 1 channel(s), 2 operation(s)" in result.output
    document = json.loads(doc_file.read_text())
    check_document(document)
    assert document["info"]["version"] == "1.2"
    assert document["info"]["title"] == "Web test streams"
    assert document["operations"]["web_test.1x0.consume.receive"]["x-hopeit-consumer-group"] == "web_test.1x0.consume"

    result = runner.invoke(asyncapi, ["diff", "--config-files", CONFIG_FILES, "--input-file", str(doc_file)])
    assert result.exit_code == 0, result.output
    assert "OK: AsyncAPI document and apps match." in result.output

    document["info"]["version"] = "9.9"  # the file's own: not compared
    document["channels"]["old.stream"] = {"address": "old.stream"}
    del document["operations"]["web_test.1x0.produce.send"]
    document["components"]["schemas"]["Item"]["description"] = "changed"
    doc_file.write_text(json.dumps(document))
    result = runner.invoke(asyncapi, ["diff", "--config-files", CONFIG_FILES, "--input-file", str(doc_file)])
    assert result.exit_code == 1
    assert result.output.splitlines()[1:4] == [
        "  channels.old.stream (only in file)",
        "  operations.web_test.1x0.produce.send (not in file)",
        "  components.schemas.Item",
    ]


def test_enabled_groups_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    doc_file = tmp_path / "asyncapi.json"
    result = runner.invoke(asyncapi, ["create", "--config-files", CONFIG_FILES, "--output-file", str(doc_file),
                                      "--enabled-groups", "extra"])
    assert result.exit_code == 0, result.output

    result = runner.invoke(asyncapi, ["create", "--config-files", ",", "--output-file", str(doc_file)])
    assert result.exit_code == 2
    assert "needs at least the server config file" in result.output
    result = runner.invoke(asyncapi, ["create", "--config-files", str(CONFIG / "missing.json"),
                                      "--output-file", str(doc_file)])
    assert result.exit_code == 1
    assert "missing.json" in result.output
    result = runner.invoke(asyncapi, ["create", "--config-files", CONFIG_FILES,
                                      "--output-file", str(tmp_path / "no" / "such" / "dir.json")])
    assert result.exit_code == 1
    assert "Cannot write" in result.output

    for content in ("not json", "[1, 2]"):
        doc_file.write_text(content)
        result = runner.invoke(asyncapi, ["diff", "--config-files", CONFIG_FILES, "--input-file", str(doc_file)])
        assert result.exit_code == 1
        assert "Cannot load AsyncAPI document" in result.output


def test_document_differences_compare_info_without_version() -> None:
    left = {"asyncapi": "3.0.0", "info": {"title": "a", "version": "1"}, "servers": {}}
    assert document_differences(left, {**left, "info": {"title": "a", "version": "2"}}) == []
    assert document_differences(left, {**left, "info": {"title": "b", "version": "1"}}) == ["info"]
    assert document_differences(left, {**left, "servers": {"streams": {}}}) == ["servers"]


def test_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "hopeit_asyncapi"
    doc_file = tmp_path / "asyncapi.json"
    done = subprocess.run([str(script), "create", "--config-files", CONFIG_FILES, "--output-file", str(doc_file)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    check_document(json.loads(doc_file.read_text()))

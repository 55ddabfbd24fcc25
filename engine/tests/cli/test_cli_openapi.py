"""``hopeit_openapi create | diff | update``."""

import json
from pathlib import Path

from cli_support import (
    CONFIG_FILES,
    cli_env,  # noqa: F401 - the autouse fixture of these tests
)
from click.testing import CliRunner
from hopeit.cli.openapi import openapi

PATH = "/api/web-test/1x0/get-item"


def test_create_diff_update(tmp_path: Path) -> None:
    spec_file = tmp_path / "openapi.json"
    runner = CliRunner()
    result = runner.invoke(openapi, ["create", "--api-version", "1.0", "--title", "Test", "--description", "Desc",
                                     "--config-files", CONFIG_FILES, "--output-file", str(spec_file)])
    assert result.exit_code == 0, result.output
    spec = json.loads(spec_file.read_text())
    assert spec["openapi"] == "3.0.3"
    assert spec["info"] == {"version": "1.0", "title": "Test", "description": "Desc"}
    assert PATH in spec["paths"]

    result = runner.invoke(openapi, ["diff", "--config-files", CONFIG_FILES, "--input-file", str(spec_file)])
    assert result.exit_code == 0, result.output
    assert "OK: API spec and running configuration match." in result.output

    del spec["paths"][PATH]
    spec_file.write_text(json.dumps(spec))
    result = runner.invoke(openapi, ["diff", "--config-files", CONFIG_FILES, "--input-file", str(spec_file)])
    assert result.exit_code == 1
    assert f"paths.{PATH} (not in file)" in result.output

    result = runner.invoke(openapi, ["update", "--config-files", CONFIG_FILES, "--input-file", str(spec_file)])
    assert result.exit_code == 1
    assert "set a new version" in result.output
    result = runner.invoke(openapi, ["update", "--api-version", "1.1", "--config-files", CONFIG_FILES,
                                     "--input-file", str(spec_file)])
    assert result.exit_code == 0, result.output
    updated = json.loads(spec_file.read_text())
    assert updated["info"]["version"] == "1.1"
    assert PATH in updated["paths"]


def test_create_prompts_for_missing_info_and_generates_placeholders(tmp_path: Path) -> None:
    spec_file = tmp_path / "openapi.json"
    result = CliRunner().invoke(openapi, ["create", "--config-files", CONFIG_FILES, "--output-file", str(spec_file),
                                          "--generate"], input="2.0\nPrompted\nA description\n")
    assert result.exit_code == 0, result.output
    spec = json.loads(spec_file.read_text())
    assert spec["info"]["title"] == "Prompted"
    assert spec["paths"]["/api/web-test/1x0/pid"]["get"]["description"] == "<<<pid>>>"


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(openapi, ["diff", "--config-files", str(tmp_path / "nope.json"),
                                          "--input-file", str(tmp_path / "spec.json")])
    assert result.exit_code == 1
    assert "Cannot load API spec file" in result.output


def test_diff_prints_the_values_on_each_side(tmp_path: Path) -> None:
    spec_file = tmp_path / "openapi.json"
    runner = CliRunner()
    result = runner.invoke(openapi, ["create", "--api-version", "1.0", "--title", "Test", "--description", "Desc",
                                     "--config-files", CONFIG_FILES, "--output-file", str(spec_file)])
    assert result.exit_code == 0, result.output
    spec = json.loads(spec_file.read_text())
    operation = next(iter(spec["paths"][PATH].values()))
    summary = operation.get("summary")
    operation["summary"] = "an old summary"
    spec["info"]["version"] = "0.9"  # the file's own: never a difference
    spec_file.write_text(json.dumps(spec))
    result = runner.invoke(openapi, ["diff", "--config-files", CONFIG_FILES, "--input-file", str(spec_file)])
    assert result.exit_code == 1
    method = next(iter(spec["paths"][PATH]))
    assert "Values (file, then what the apps give):" in result.output
    apps_side = json.dumps(summary) if summary else "(absent)"
    assert f'  paths.{PATH}.{method}.summary: file "an old summary", apps {apps_side}' in result.output
    assert "info.version" not in result.output

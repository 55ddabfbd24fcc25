"""The plugin skeleton: scripts/new-plugin turns _template/ into a package that installs and passes its tests."""

import os
import re
from pathlib import Path

import pytest
from repo import ROOT, python, run
from uv import find_uv_bin

NEW_PLUGIN = ROOT / "scripts" / "new-plugin"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plugin `demo-thing` rendered from the template into a temporary folder."""
    dest = tmp_path_factory.mktemp("plugins")
    run([python(), str(NEW_PLUGIN), "demo-thing", "--dest", str(dest), "--description", "A demo."], cwd=ROOT)
    return dest / "demo-thing"


def test_every_name_marker_is_filled_in(generated: Path) -> None:
    """No REPLACE-ME / REPLACE_ME is left in paths or contents; the names follow the anatomy."""
    leftovers = [str(p) for p in generated.rglob("*") if "REPLACE" in p.name]
    for path in (p for p in generated.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        leftovers += [f"{path}: {m}" for m in re.findall(r"REPLACE[-_]ME", text)]
        assert "<REPLACE ME: one-line description>" not in text
    assert leftovers == []
    assert (generated / "src" / "hopeit" / "demo_thing" / "version.py").is_file()
    assert 'name = "hopeit.demo-thing"' in (generated / "pyproject.toml").read_text(encoding="utf-8")


def test_generated_plugin_installs_and_passes_its_smoke_tests(generated: Path, tmp_path: Path) -> None:
    """Installed next to the local engine, the new plugin's own tests (entry points, version) pass."""
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    run([find_uv_bin(), "venv", "--quiet", "--python", python(), str(venv)], cwd=tmp_path, env=env)
    venv_python = str(venv / "bin" / "python")
    run([find_uv_bin(), "pip", "install", "--quiet", "--python", venv_python,
         "-e", str(ROOT / "engine"), "-e", f"{generated}[test]"], cwd=tmp_path, env=env)
    out = run([venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=generated, env=env)
    assert " passed" in out and "failed" not in out


@pytest.mark.parametrize("name", ["Bad_Name", "1plugin", "trailing-", "with space"])
def test_new_plugin_rejects_names_that_do_not_map_to_a_module(name: str, tmp_path: Path) -> None:
    """Names must be kebab case, so the dist -> module mapping stays mechanical."""
    with pytest.raises(AssertionError, match="must be kebab case"):
        run([python(), str(NEW_PLUGIN), name, "--dest", str(tmp_path)], cwd=ROOT)
    assert list(tmp_path.iterdir()) == []

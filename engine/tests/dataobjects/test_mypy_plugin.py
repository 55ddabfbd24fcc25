"""The mypy plugin makes the methods ``@dataobject`` adds at run time visible to type checking."""

from pathlib import Path
from typing import List

import pytest
from mypy import api as mypy_api  # the engine's test extra brings mypy

APP = Path(__file__).parent / "typed_app" / "uses_methods.py"
SRC = Path(__file__).resolve().parents[2] / "src"


def _mypy(tmp_path: Path, *options: str) -> List[str]:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n" + "".join(f"{option}\n" for option in options))
    out, err, _ = mypy_api.run([
        "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), "--config-file", str(config),
        str(APP),
    ])
    assert not err, err
    return [line for line in out.splitlines() if ": error:" in line]


def test_without_the_plugin_mypy_does_not_see_the_methods(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYPYPATH", str(SRC))
    errors = _mypy(tmp_path)
    assert any('has no attribute "from_json"' in line for line in errors), errors


def test_with_the_plugin_a_typed_app_calling_them_checks_clean(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYPYPATH", str(SRC))
    assert _mypy(tmp_path, "plugins = hopeit.dataobjects.mypy_plugin") == []

"""Package anatomy: the hopeit namespace stays PEP 420, versions agree, names map to folders."""

import os
import zipfile
from pathlib import Path
from typing import List

import pytest
from repo import ROOT, Package, examples, packages, plugins, python, read_version, run

PACKAGES = packages()
VERSIONED = [p for p in PACKAGES if p.version_file is not None]
SKIP_DIRS = {"node_modules", "build", "dist", "__pycache__"}


def test_no_hopeit_init_anywhere() -> None:
    """No folder ships hopeit/__init__.py: one would break the namespace in editable installs."""
    found: List[str] = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS]
        if Path(dirpath).name == "hopeit" and "__init__.py" in filenames:
            found.append(str(Path(dirpath, "__init__.py").relative_to(ROOT)))
    assert found == [], f"delete {found}: hopeit is a PEP 420 namespace shared by every package"


@pytest.mark.parametrize("package", VERSIONED, ids=[p.rel for p in VERSIONED])
def test_version_py_matches_what_hatchling_reports(package: Package) -> None:
    """`hatchling version` (the version built into the metadata) equals __version__ in version.py."""
    assert package.version_file is not None
    reported = run([python(), "-m", "hatchling", "version"], cwd=package.path).strip()
    assert reported == read_version(package.version_file)


@pytest.mark.parametrize("package", PACKAGES, ids=[p.rel for p in PACKAGES])
def test_wheel_keeps_the_namespace_and_the_version(package: Package, tmp_path: Path) -> None:
    """The built wheel has no hopeit/__init__.py, carries py.typed and the version of version.py."""
    run([python(), "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)], cwd=package.path)
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "hopeit/__init__.py" not in names
    if package.kind != "example":
        assert any(n.startswith("hopeit/") and n.endswith("/py.typed") for n in names), "py.typed missing"
    if package.version_file is not None:
        assert f"-{read_version(package.version_file)}-" in wheel.name


@pytest.mark.parametrize("package", plugins(), ids=[p.rel for p in plugins()])
def test_plugin_follows_the_package_anatomy(package: Package) -> None:
    """plugins/<name> is dist hopeit.<name>, module hopeit.<name with _>, with the standard files."""
    folder = package.path.name
    module = folder.replace("-", "_")
    assert package.name == f"hopeit.{folder}"
    assert package.version_file == package.path / "src" / "hopeit" / module / "version.py"
    expected = ["README.md", "CHANGELOG.md", f"src/hopeit/{module}/__init__.py", f"src/hopeit/{module}/py.typed"]
    missing = [name for name in expected if not (package.path / name).is_file()]
    assert missing == [], f"{package.rel} lacks {missing}"
    assert list((package.path / "tests").glob("**/test_*.py")), f"{package.rel}/tests has no test_*.py"


TESTED = plugins() + examples()


@pytest.mark.parametrize("package", TESTED, ids=[p.rel for p in TESTED])
def test_package_is_in_the_tox_matrix_and_type_checked(package: Package) -> None:
    """Each plugin and example has its tox block (factor = module name) and its src on the mypy path."""
    module = package.path.name.replace("-", "_")
    tox_ini = (ROOT / "tox.ini").read_text(encoding="utf-8")
    assert f"py3{{8,9,10,11,12}}-{module}\n" in tox_ini, f"tox.ini env_list lacks py3{{8,9,10,11,12}}-{module}"
    assert f"{package.rel}[test]" in tox_ini, f"tox.ini deps lack -e {{toxinidir}}/{package.rel}[test]"
    root_pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"{package.rel}/src"' in root_pyproject, f"add {package.rel}/src to [tool.mypy] mypy_path"

"""The test kit's pytest plugin: engine log files of a test run go to pytest's temporary folder.

Loaded by pytest through the ``pytest11`` entry point of hopeit.engine, in any project that has the
engine installed. Without it, every logger made during tests (``hopeit.testing.apps``, apps run
in-process, servers the tests start) wrote ``logs/*.log`` into the folder pytest ran in.

At start-up it sets ``HOPEIT_LOG_PATH`` (the log folder of configs that do not set
``logging.log_path``) to ``<pytest's basetemp>/hopeit-logs/``, for the test process and the
processes it starts, and says where in pytest's header. A ``HOPEIT_LOG_PATH`` set before pytest
started is kept: that is the user's choice.
"""

import os
import tempfile
from typing import Any, List, Optional

import pytest
from hopeit.contracts.settings import LOG_PATH_ENV

__all__ = ["LOG_FOLDER", "pytest_configure", "pytest_report_header", "pytest_unconfigure"]

#: The folder under pytest's basetemp
LOG_FOLDER = "hopeit-logs"

_SET_BY_PLUGIN = "_HOPEIT_LOG_PATH_SET_BY_PYTEST_PLUGIN"


def _log_folder(config: Any) -> str:
    # the temporary-folder factory is made by pytest's own tmpdir plugin in its pytest_configure
    factory = getattr(config, "_tmp_path_factory", None)
    base = str(factory.getbasetemp()) if factory is not None else tempfile.mkdtemp(prefix="pytest-hopeit-")
    folder = os.path.join(base, LOG_FOLDER)
    os.makedirs(folder, exist_ok=True)
    return folder + os.sep


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Point ``HOPEIT_LOG_PATH`` at pytest's temporary folder, unless the user set it."""
    if os.environ.get(LOG_PATH_ENV) and not os.environ.get(_SET_BY_PLUGIN):
        return
    os.environ[LOG_PATH_ENV] = _log_folder(config)
    os.environ[_SET_BY_PLUGIN] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave the environment as it was before the run."""
    if os.environ.pop(_SET_BY_PLUGIN, None):
        os.environ.pop(LOG_PATH_ENV, None)


def pytest_report_header(config: pytest.Config) -> Optional[List[str]]:
    """Where engine logs of this run go."""
    path = os.environ.get(LOG_PATH_ENV)
    return [f"hopeit: engine logs in {path}"] if path else None

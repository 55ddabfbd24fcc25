"""Fixtures of the compatibility suite: the two engines, a real Redis, a folder per server.

The oracle (hopeit.engine 0.24.0 from PyPI) is built on first use in ``HOPEIT_ORACLE_DIR``
(default ``.tox/oracle-py3X`` beside this folder); building it needs the network once.
"""

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest
from engines import Engine, build_oracle, ours
from hopeit.testing.redis import RedisServer, RedisServerNotAvailable

# legacy_app/tests are the legacy app's own tests: they run inside each engine's environment
# (test_legacy_app.py), never in this session.
collect_ignore = ["legacy_app"]


@pytest.fixture(scope="session")
def oracle() -> Engine:
    """hopeit.engine 0.24.0 in its own venv (built once per Python)."""
    default = Path(__file__).resolve().parent.parent / ".tox" / f"oracle-py{sys.version_info[0]}{sys.version_info[1]}"
    try:
        return build_oracle(Path(os.environ.get("HOPEIT_ORACLE_DIR", str(default))))
    except RuntimeError as exc:
        pytest.fail(f"the compatibility suite needs hopeit.engine 0.24.0 from PyPI: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def engine_ours() -> Engine:
    """Our engine (installed in the running environment)."""
    return ours()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server on a free port for the whole session; fails (never skips) when there is none."""
    try:
        server = RedisServer().start()
    except RedisServerNotAvailable as exc:
        pytest.fail(f"the compatibility suite needs a real Redis: {exc}", pytrace=False)
    try:
        yield server.url
    finally:
        server.close()

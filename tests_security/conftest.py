"""Fixtures of the security suite: real servers, real Redis, and the figures each test reports.

Every server is a ``hopeit_server run`` subprocess in its own process group (``harness.processes``);
the fixtures end the group at teardown whatever the test did to it. Redis servers come from
``hopeit.testing.redis``: a missing ``redis-server`` fails the test with what to install, never skips it.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Any, AsyncIterator, Iterator, List

import pytest
import redis.asyncio as aioredis
from harness.configs import Layout, simple_example_config
from harness.figures import REPORTED, Figures
from harness.processes import ServerFactory, ServerProcess
from hopeit.testing.redis import RedisServer, RedisServerNotAvailable

_OWN_BASETEMP = pytest.StashKey[str]()
_FAILED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    """Give the run its own temp folder, unless ``--basetemp`` names one.

    pytest's default, ``/tmp/pytest-of-<user>/pytest-N``, keeps the last three runs of *any* pytest
    of the user: another pytest starting meanwhile (a developer's unit tests) would delete the files
    of the servers this run is attacking.
    """
    if config.option.basetemp is None:
        config.option.basetemp = tempfile.mkdtemp(prefix="hopeit-security-")
        config.stash[_OWN_BASETEMP] = config.option.basetemp


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's own temp folder when every test passed (kept, for the servers' files, otherwise)."""
    own = config.stash.get(_OWN_BASETEMP, None)
    if own is not None and not config.stash.get(_FAILED, True):
        shutil.rmtree(own, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remember whether the run passed, for ``pytest_unconfigure``; say where the files are when it did not."""
    failed = session.config.stash[_FAILED] = exitstatus != 0
    own = session.config.stash.get(_OWN_BASETEMP, None)
    if failed and own is not None:
        print(f"\nsecurity suite: server configs, outputs and logs are kept in {own}")


def start_redis(*extra_args: str) -> RedisServer:
    """A started redis-server on a free port; fails the test (never skips) when there is none."""
    try:
        return RedisServer(extra_args=list(extra_args)).start()
    except RedisServerNotAvailable as exc:
        pytest.fail(f"the security suite needs a real Redis: {exc}", pytrace=False)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A Redis of this test alone, without persistence."""
    server = start_redis()
    yield server
    server.close()


@pytest.fixture
async def redis_client(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    """A client of ``redis_server``, closed at teardown: the view of someone with access to Redis."""
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


@pytest.fixture
def aof_redis() -> Iterator[RedisServer]:
    """A Redis that keeps every acknowledged write (AOF, fsync always): it survives SIGKILL and restart."""
    server = start_redis("--appendonly", "yes", "--appendfsync", "always")
    yield server
    server.close()


@pytest.fixture
def servers() -> Iterator[ServerFactory]:
    """``servers(layout, **options)`` starts a server; every one is ended (process group) at teardown."""
    started: List[ServerProcess] = []

    def start(layout: Layout, *, name: str = "server", **options: Any) -> ServerProcess:
        server = ServerProcess(layout.config_files, workdir=layout.folder, name=name, **options)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.kill()


@pytest.fixture(scope="session")
def simple_example_layout(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    """Files of the shared simple-example server (shipped config: in-process streams, Unsecured default)."""
    return simple_example_config(tmp_path_factory.mktemp("simple-example"))


@pytest.fixture(scope="session")
def simple_example(simple_example_layout: Layout) -> Iterator[ServerProcess]:
    """simple-example as its README runs it, shared by the attacks that leave it in a known state."""
    server = ServerProcess(simple_example_layout.config_files, workdir=simple_example_layout.folder,
                           name="simple-example")
    try:
        yield server.start()
    finally:
        server.kill()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    """Where a test reports what it measured (see ``harness.figures``)."""
    return Figures(request.node.nodeid, request.node.user_properties)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Every test's figures again, together, at the end of the run (and so in the tox log)."""
    if REPORTED:
        terminalreporter.section("security suite figures")
        for test_id, line in REPORTED:
            terminalreporter.write_line(f"{test_id}: {line}")

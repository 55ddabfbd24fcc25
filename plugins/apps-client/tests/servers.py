"""Real ``hopeit_server run`` processes of the test apps, on loopback ports."""

from pathlib import Path
from typing import Collection, Dict, List, Optional

from hopeit.testing.servers import HopeitServer

TESTS = Path(__file__).parent
SERVER_CONFIG = TESTS / "target_app" / "config" / "server.json"
TARGET_CONFIG = TESTS / "target_app" / "config" / "app-config.json"
CALLER_CONFIG = TESTS / "caller_app" / "config" / "app-config.json"
TARGET_BASE = "/api/target-app/1x0"
CALLER_BASE = "/api/caller-app/1x0"


class AppServer(HopeitServer):
    """A server of a test app, ready once ``ready_path`` answers 200."""

    def __init__(self, name: str, config_files: List[Path], env: Dict[str, str], workdir: Path,
                 ready_path: str, port: Optional[int] = None) -> None:
        super().__init__(name, config_files, workdir, env=env, pythonpath=[TESTS], port=port)
        self.ready_path = ready_path

    def wait_ready(self, path: Optional[str] = None, timeout: float = 30.0,
                   statuses: Collection[int] = (200,)) -> "AppServer":
        """Wait until ``path`` (default ``ready_path``) answers 200."""
        return super().wait_ready(path or self.ready_path, timeout, statuses)

    def wait_exit(self, timeout: float = 30.0) -> int:
        """The exit code, once the process ended by itself."""
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)


def start_all(servers: List[AppServer]) -> List[AppServer]:
    """Start processes together (start-up is mostly imports: they overlap well), then wait for each."""
    for server in servers:
        server.start()
    try:
        for server in servers:
            server.wait_ready()
    except AssertionError:
        for server in servers:
            server.stop()
        raise
    return servers


def target(name: str, workdir: Path, secrets: Path, port: Optional[int] = None) -> AppServer:
    """A host of ``target-app`` that names itself ``name`` in its answers."""
    env = {"APPS_CLIENT_TEST_SECRETS": str(secrets), "TARGET_HOST_NAME": name}
    return AppServer(name, [SERVER_CONFIG, TARGET_CONFIG], env, workdir, f"{TARGET_BASE}/whoami", port)


def caller(workdir: Path, secrets: Path, targets: List[AppServer],
           config: Path = CALLER_CONFIG) -> AppServer:
    """A host of ``caller-app`` whose connections reach ``targets``."""
    env = {"APPS_CLIENT_TEST_SECRETS": str(secrets), "TARGET_HOSTS": ",".join(t.url for t in targets),
           "TARGET_HOST_NAME": "unused"}
    return AppServer("caller", [SERVER_CONFIG, config], env, workdir, f"{CALLER_BASE}/ping")

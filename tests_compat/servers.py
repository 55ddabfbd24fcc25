"""legacy-app served by either engine: ``hopeit_server run`` processes on a free port, on a real Redis."""

from pathlib import Path
from typing import Dict, List, Optional, Sequence

from engines import LEGACY_APP, Engine
from simple_example.testing import RunningServer

__all__ = ["LegacyServer", "legacy_configs"]

CONFIG = LEGACY_APP / "config"


def legacy_configs(*apps: str) -> List[Path]:
    """Config files for a server running ``apps`` (``app-config``, ``consumer-config``), server config first."""
    return [CONFIG / "server.json", *(CONFIG / f"{app}.json" for app in apps)]


class LegacyServer(RunningServer):
    """A ``hopeit_server run`` of ``engine`` serving legacy-app configs.

    ``COMPAT_WORKDIR`` (logs, keys, data), ``COMPAT_REDIS_URL``, ``COMPAT_STREAM`` and the stream's
    ``COMPAT_COMPRESSION`` and ``COMPAT_SERIALIZATION`` (defaults lz4, json+base64; ``env`` may
    change them) reach the configs through their ``${...}`` variables, which both engines substitute.
    """

    def __init__(self, engine: Engine, apps: Sequence[str], *, workdir: Path, redis_url: str, stream: str,
                 api_args: Optional[List[str]] = None, env: Optional[Dict[str, str]] = None) -> None:
        compat_env = engine.env({"COMPAT_WORKDIR": str(workdir), "COMPAT_REDIS_URL": redis_url,
                                 "COMPAT_STREAM": stream, "COMPAT_COMPRESSION": "lz4",
                                 "COMPAT_SERIALIZATION": "json+base64", **(env or {})})
        super().__init__(legacy_configs(*apps), workdir=workdir, start_streams=True, api_auto=None, env=compat_env)
        self.engine = engine
        self.api_args = api_args or []

    def command(self) -> List[str]:
        """The engine's own ``hopeit_server``, with the api options the test asked for."""
        return [self.engine.script("hopeit_server"), *super().command()[1:], *self.api_args]

"""A real ``hopeit_server run`` process of df-app, with the dataframes plugin, on a loopback port."""

from pathlib import Path
from typing import Dict, Optional

from hopeit.testing.servers import HopeitServer

TESTS = Path(__file__).parent
CONFIG = TESTS / "df_app" / "config"
BASE = "/api/df-app/1x0"

__all__ = ["BASE", "CONFIG", "HopeitServer", "df_app_server"]


def df_app_server(workdir: Path, data_path: Path, server_config: Path = CONFIG / "server.json",
                  env: Optional[Dict[str, str]] = None) -> HopeitServer:
    """df-app with the dataframes plugin (datasets under ``<data_path>/datasets``), streams started."""
    files = [server_config, CONFIG / "plugin-config.json", CONFIG / "app-config.json"]
    return HopeitServer("df-app", files, workdir, env={"DF_APP_DATA": str(data_path), **(env or {})},
                        args=["--start-streams", "--api-auto", "1.0;df-app;tests"], pythonpath=[TESTS])

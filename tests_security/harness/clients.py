"""What a client of the attacked apps does: the session header, logging in, finding stored files."""

from __future__ import annotations

import base64
import json
import urllib.request
from pathlib import Path
from typing import Dict, List

from harness.configs import SIMPLE_EXAMPLE
from harness.processes import ServerProcess

__all__ = ["SESSION", "auth_headers", "data_files", "login"]

#: simple-example declares the track header ``session_id``: with OpenAPI on, every request sends it.
SESSION = {"X-Track-Session-Id": "security-suite"}


def login(server: ServerProcess, user: str = "demo", password: str = "hopeit") -> str:
    """An access token of simple-example's ``login`` (Basic credentials), as a client gets one."""
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(f"{server.base_url}{SIMPLE_EXAMPLE}/login",
                                     headers={**SESSION, "Authorization": f"Basic {credentials}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        token: str = json.loads(response.read())["access_token"]
    return token


def data_files(folder: Path, pattern: str) -> List[Path]:
    """Files under ``folder`` (any depth) matching ``pattern``; [] when the folder does not exist."""
    return sorted(folder.rglob(pattern)) if folder.exists() else []


def auth_headers(token: str, **more: str) -> Dict[str, str]:
    """Session header plus ``Authorization: Bearer <token>`` (and ``more``)."""
    return {**SESSION, "Authorization": f"Bearer {token}", **more}

"""The trace test app (``trace_app``) on sys.path, its config files, and waiting for what its events saw."""

import sys
from pathlib import Path
from typing import Any, Dict, List

from hopeit.testing.waiting import wait_until
from web_support import SERVER

TRACE_APP_DIR = Path(__file__).parent / "trace_app"
TRACE_CONFIGS = [SERVER, str(TRACE_APP_DIR / "config" / "app.json")]
TRACE_BASE = "/api/trace-test/1x0"

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"

if str(TRACE_APP_DIR) not in sys.path:
    sys.path.insert(0, str(TRACE_APP_DIR))

from trace_test_app import SEEN  # noqa: E402 - the app's folder goes on sys.path first

__all__ = ["PARENT_ID", "SEEN", "TRACEPARENT", "TRACE_BASE", "TRACE_CONFIGS", "TRACE_ID", "seen_by"]


async def seen_by(event: str, count: int = 1) -> List[Dict[str, Any]]:
    """What the runs of ``event`` saw, once there were ``count`` of them."""

    async def enough() -> List[Dict[str, Any]]:
        runs = SEEN.get(event, [])
        return list(runs) if len(runs) >= count else []

    found: List[Dict[str, Any]] = await wait_until(enough, timeout=10, interval=0.02, what=f"{count} runs of {event}")
    return found

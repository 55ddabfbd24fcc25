"""Headless Chromium (the system's, from Debian's ``chromium`` package) driven by Playwright.

Only the system binary is used: nothing is downloaded. A missing binary fails the test with the
command that installs it.
"""

import os
import shutil
from typing import Optional

__all__ = ["INSTALL_HINT", "chromium_path"]

INSTALL_HINT = (
    "Chromium is needed for the real-browser test of apps-visualizer: install Debian's package "
    "(apt-get update && apt-get install -y chromium), or point CHROMIUM_BIN at a Chromium/Chrome binary"
)


def chromium_path() -> Optional[str]:
    """``$CHROMIUM_BIN``, else ``chromium`` (Debian) or ``chromium-browser`` on PATH."""
    configured = os.getenv("CHROMIUM_BIN")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")

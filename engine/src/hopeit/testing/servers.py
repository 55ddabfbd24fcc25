"""What tests that start real ``hopeit_server`` processes need: a free port and the command to run.

::

    from hopeit.testing.servers import free_port, server_command

    port = free_port()
    process = subprocess.Popen([*server_command(), "run", "--port", str(port), "--config-files", files])
"""

import socket
import sys
from pathlib import Path
from typing import List

__all__ = ["free_port", "server_command"]


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command() -> List[str]:
    """``hopeit_server`` installed beside the running Python, else the same CLI run as a module."""
    script = Path(sys.executable).parent / "hopeit_server"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hopeit.cli.server"]

"""Loopback ports for test servers: one no other test can be handed meanwhile, and who listens on it.

A port found free by binding port 0 and closing is free again at once: any process of the machine
asking the kernel for a port (another test run in parallel, a client, a test server) can get the
same one before our server binds it, and the test then talks to somebody else's server.
``free_port`` closes that gap by leaving the port in TIME_WAIT, which keeps the kernel from handing
it out for about a minute, while a server that binds it with ``SO_REUSEADDR`` (aiohttp, asyncio,
uvicorn and redis-server all do) still can; a server that binds without it is refused the port
(``Address already in use``) until then.

``listening_here`` tells whether the socket listening on a port belongs to a given process or one
of its children, so a harness can refuse to take another process's answer for its server's.
"""

import os
import socket
from pathlib import Path
from typing import Dict, Optional, Set

__all__ = ["free_port", "listening_here"]

_PROC = Path("/proc")
_LISTEN = "0A"  # TCP state code of a listening socket in /proc/net/tcp*


def free_port() -> int:
    """A loopback TCP port nothing listens on, held back from other processes' port-0 binds for ~60 s."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = int(listener.getsockname()[1])
        # one connection, closed first on the accepting side: that side's socket (local address
        # 127.0.0.1:port) is the one left in TIME_WAIT
        with socket.create_connection(("127.0.0.1", port), timeout=5.0) as client:
            accepted, _ = listener.accept()
            accepted.close()
            client.recv(1)  # the peer's FIN: the close above went out before this side closes
    return port


def listening_here(port: int, pid: int) -> Optional[bool]:
    """Whether process ``pid`` or one of its descendants listens on TCP ``port``.

    None where it cannot be told (no Linux ``/proc``) or nothing listens on the port.
    """
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for owner in _with_descendants(pid):
        try:
            links = {os.readlink(fd) for fd in (_PROC / str(owner) / "fd").iterdir()}
        except OSError:  # exited meanwhile, or not ours to look at
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            return True
    return False


def _listening_inodes(port: int) -> Set[str]:
    inodes: Set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (_PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == _LISTEN:
                inodes.add(fields[9])
    return inodes


def _with_descendants(pid: int) -> Set[int]:
    parents: Dict[int, int] = {}
    for entry in _PROC.glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name (in parentheses) may hold spaces: the parent pid is the 2nd field after it
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found = {pid}
    grew = True
    while grew:
        children = {child for child, parent in parents.items() if parent in found} - found
        found |= children
        grew = bool(children)
    return found

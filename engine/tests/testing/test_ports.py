"""``hopeit.testing.ports``: ports no parallel test run can be handed, and who listens on a port."""

import socket
import subprocess
import sys
from typing import Iterator, Tuple

import pytest
from hopeit.testing.ports import free_port, listening_here

LISTENER = """
import socket, sys
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", int(sys.argv[1])))
sock.listen(1)
print("listening", flush=True)
sys.stdin.read()
"""


def _kernel_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_free_port_is_not_handed_to_other_port_0_binds_but_a_server_can_listen_on_it() -> None:
    reserved = {free_port() for _ in range(20)}
    assert len(reserved) == 20
    handed = [_kernel_port() for _ in range(5000)]
    assert reserved.isdisjoint(handed)
    port = next(iter(reserved))
    with socket.socket() as plain:  # a bind without SO_REUSEADDR is refused while the port is held back
        with pytest.raises(OSError):
            plain.bind(("127.0.0.1", port))
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp, uvicorn and redis-server bind
        server.bind(("127.0.0.1", port))
        server.listen(1)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


@pytest.fixture
def child_listener() -> Iterator[Tuple["subprocess.Popen[str]", int]]:
    """A child process listening on a free port: the process and the port."""
    port = free_port()
    child = subprocess.Popen([sys.executable, "-c", LISTENER, str(port)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "listening\n"
    yield child, port
    child.communicate("", timeout=10)


def test_who_listens_on_a_port(child_listener: Tuple["subprocess.Popen[str]", int]) -> None:
    child, port = child_listener
    assert listening_here(port, child.pid) is True
    with socket.socket() as own:
        own.bind(("127.0.0.1", 0))
        own.listen(1)
        own_port = own.getsockname()[1]
        assert listening_here(own_port, child.pid) is False  # a listener of this process, not the child's
    assert listening_here(free_port(), child.pid) is None  # nothing listens there

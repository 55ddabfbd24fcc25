"""Servers under load for the web and start-up benchmarks: start, pin, load with wrk, measure.

A ``Target`` is a server process started as a user starts it; ``run_load`` drives it from a second
process on loopback (``wrk`` when installed, else a small aiohttp-client load generator). On a
machine with two cores or more the server runs on the last core and the load generator on the
others, so the two do not take turns on one core and the server's CPU per request is its own
(``BENCH_NO_PIN=1`` leaves every process on every core).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from hopeit.testing.ports import free_port

__all__ = ["LOADGEN", "Target", "answers", "free_port", "loadgen_cpus", "run_load", "server_cpus"]

LOADGEN = '''
import asyncio, sys, time
import aiohttp

async def main(url, method, body, seconds, connections):
    count = 0
    deadline = time.monotonic() + seconds
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections)) as session:
        async def worker():
            nonlocal count
            while time.monotonic() < deadline:
                async with session.request(method, url, data=body, headers=headers) as resp:
                    await resp.read()
                    count += resp.status == 200
        await asyncio.gather(*(worker() for _ in range(connections)))
    print(count / seconds)

url, method, body_file, seconds, connections = sys.argv[1:6]
body = open(body_file, "rb").read() if body_file != "-" else None
asyncio.run(main(url, method, body, float(seconds), int(connections)))
'''


def _cpus() -> List[int]:
    if os.getenv("BENCH_NO_PIN"):  # compare with servers and load sharing every core
        return []
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


def server_cpus() -> Optional[Set[int]]:
    """The core a server runs on (the last one), or None when there is only one."""
    cpus = _cpus()
    return {cpus[-1]} if len(cpus) >= 2 else None


def loadgen_cpus() -> Optional[Set[int]]:
    """The cores the load generator runs on (all but the server's), or None when there is only one."""
    cpus = _cpus()
    return set(cpus[:-1]) if len(cpus) >= 2 else None


def answers(port: int, path: str) -> bool:
    """Whether a GET of ``path`` answers 200 on loopback ``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
            return sock.recv(16)[8:13] == b" 200 "
    except OSError:
        return False


class Target:
    """A server process under test, pinned to ``server_cpus()``, started and waited for.

    ``first_answer`` is the time from starting the process to the first 200 on ``ready_path``.
    """

    def __init__(self, name: str, command: List[str], env: Dict[str, str], port: int, ready_path: str,
                 *, timeout: float = 30.0) -> None:
        self.name = name
        self.port = port
        pinned = server_cpus()
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.sched_setaffinity(0, pinned)) if pinned else None,
        )
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.proc.communicate()[0].decode()[-2000:]}")
            if answers(port, ready_path):
                self.first_answer = time.perf_counter() - started
                break
            if time.perf_counter() - started > timeout:
                self.stop()
                raise RuntimeError(f"{name} did not answer {ready_path} within {timeout} s")
            time.sleep(0.005)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_kib(self) -> Tuple[int, int]:
        """Resident set size and unique (private) memory of the server process, KiB."""
        rss = next(int(line.split()[1]) for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS"))
        rollup = Path(f"/proc/{self.proc.pid}/smaps_rollup").read_text().splitlines()
        private = sum(int(line.split()[1]) for line in rollup if line.startswith(("Private_Clean", "Private_Dirty")))
        return rss, private

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()


def run_load(port: int, path: str, body_file: Optional[Path], seconds: float, connections: int,
             work: Path) -> float:
    """Requests per second answered 200 over ``seconds``, from a separate load-generator process.

    :raises RuntimeError: when any answer was not a 2xx (the figure would measure errors).
    """
    url = f"http://127.0.0.1:{port}{path}"
    pinned = loadgen_cpus()
    preexec = (lambda: os.sched_setaffinity(0, pinned)) if pinned else None
    wrk = shutil.which("wrk")
    if wrk:
        args = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", url]
        if body_file is not None:
            script = work / "post.lua"
            script.write_text(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = [[{body_file.read_text()}]]\n"
            )
            args[1:1] = ["-s", str(script)]
        out = subprocess.run(args, capture_output=True, text=True, check=True, preexec_fn=preexec).stdout
        if "Non-2xx" in out:
            raise RuntimeError(f"errors under load on {path}:\n{out}")
        return float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")))
    loadgen = work / "loadgen.py"
    loadgen.write_text(LOADGEN)
    method = "POST" if body_file is not None else "GET"
    out = subprocess.run([sys.executable, str(loadgen), url, method, str(body_file or "-"), str(seconds),
                          str(connections)], capture_output=True, text=True, check=True, preexec_fn=preexec).stdout
    return float(out.strip())

"""Issue #12 item 6: values from requests must not forge log lines (newlines, carriage returns, NUL)."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Dict, List

import aiohttp
from harness.clients import SESSION
from harness.configs import SIMPLE_EXAMPLE, simple_example_config
from harness.figures import Figures
from harness.http import exchange, request_head
from harness.processes import ServerFactory
from harness.streams import eventually

#: What an attacker wants an operator (or a log shipper) to read as a line of its own.
FORGED = "2099-01-01 00:00:00,000 | CRITICAL | simple_example | FORGED admin login ok | "
LINE_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def injected(tag: str, separator: str) -> str:
    """A value that ends a log line with ``separator`` and starts the forged one."""
    return f"inj-{tag}{separator}{FORGED}"


async def send_injections(base_url: str, port: int) -> Dict[str, int]:
    """Every way in the attack found: query ids, JSON ids (logged again by the consumer), Basic user, track header."""
    statuses: Dict[str, int] = {}
    async with aiohttp.ClientSession() as session:
        for tag, separator in (("lf", "\n"), ("cr", "\r"), ("crlf", "\r\n"), ("nul", "\x00")):
            value = injected(f"query-{tag}", separator)
            async with session.get(f"{base_url}{SIMPLE_EXAMPLE}/query-something", params={"item_id": value},
                                   headers=SESSION) as resp:
                statuses[f"query-id-{tag}"] = resp.status
            item = {"id": injected(f"stream-{tag}", separator), "user": {"id": "u", "name": "x"}}
            async with session.post(f"{base_url}{SIMPLE_EXAMPLE}/streams/something-event", json=item,
                                    headers=SESSION) as resp:
                statuses[f"stream-id-{tag}"] = resp.status
            user = base64.b64encode(f"{injected(f'user-{tag}', separator)}:wrong".encode()).decode()
            async with session.get(f"{base_url}{SIMPLE_EXAMPLE}/login",
                                   headers={**SESSION, "Authorization": f"Basic {user}"}) as resp:
                statuses[f"login-user-{tag}"] = resp.status
        # a header value cannot hold a line break, but an obsolete folded header continues on the next line
        folded = request_head("GET", f"{SIMPLE_EXAMPLE}/query-something?item_id=folded", port, {}, None)
        folded = folded[:-2] + f"X-Track-Session-Id: inj-header\r\n {FORGED}\r\n\r\n".encode()
        statuses["track-header-folded"] = (await exchange(port, folded)).status
        nul = request_head("GET", f"{SIMPLE_EXAMPLE}/query-something?item_id=nul", port,
                           {"X-Track-Session-Id": f"inj-header\x00{FORGED}"}, None)
        statuses["track-header-nul"] = (await exchange(port, nul)).status
        # the consumer reads in order: once this one is stored, the injected stream items were handled
        sentinel_id = "sentinel-after-injections"
        sentinel = {"id": sentinel_id, "user": {"id": "u", "name": "x"}}
        async with session.post(f"{base_url}{SIMPLE_EXAMPLE}/streams/something-event", json=sentinel,
                                headers=SESSION) as resp:
            assert resp.status == 200

        async def sentinel_stored() -> bool:
            async with session.get(f"{base_url}{SIMPLE_EXAMPLE}/query-something",
                                   params={"item_id": sentinel_id}, headers=SESSION) as resp:
                return resp.status == 200

        await eventually(sentinel_stored, timeout=30, what="the consumer to handle the injected items")
    return statuses


def broken_lines(log_files: List[Path]) -> List[str]:
    """Lines (split as Python's text mode does: LF, CR, CRLF) that are not the engine's own, or carry NUL."""
    found: List[str] = []
    for path in log_files:
        if b"\x00" in path.read_bytes():
            found.append(f"{path.name}: contains a NUL byte")
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if not LINE_START.match(line) or line.startswith("2099"):
                    found.append(f"{path.name}: {line.rstrip()[:160]!r}")
    return found


async def test_request_values_cannot_forge_log_lines(tmp_path: Path, servers: ServerFactory, figures: Figures) -> None:
    """After every injection the log files hold only the engine's lines: each starts with its time, none with 2099."""
    layout = simple_example_config(tmp_path)
    server = servers(layout, name="simple-example")
    statuses = await send_injections(server.base_url, server.port)
    bad = broken_lines(layout.log_files())
    reached = sum(path.read_text(errors="replace").count("FORGED") for path in layout.log_files())
    figures.report("log injection", attempts=len(statuses), logged_mentions=reached, broken_lines=len(bad),
                   statuses=",".join(f"{key}:{status}" for key, status in statuses.items()))
    assert not bad, "forged or broken log lines:\n" + "\n".join(bad[:20])

"""Issue #12 item 8, the operator's side: what a killed writer left is swept, and a stop closes politely."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from pathlib import Path
from typing import List

import aiohttp
from harness.clients import SESSION
from harness.configs import SIMPLE_EXAMPLE, STREAM_APP, simple_example_config, stream_app_config
from harness.figures import Figures
from harness.http import read_response, request_head
from harness.processes import ServerFactory
from harness.streams import eventually

TWO_DAYS = 2 * 24 * 3600


def plant_temp_file(folder: Path, size: int, age_seconds: float) -> Path:
    """A temp file as fs-storage's atomic write names it (``.<uuid hex>.tmp``), last modified ``age_seconds`` ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{uuid.uuid4().hex}.tmp"
    path.write_bytes(b"t" * size)
    when = time.time() - age_seconds
    os.utime(path, (when, when))
    return path


async def test_stale_temp_files_are_swept_at_start(tmp_path: Path, servers: ServerFactory, figures: Figures) -> None:
    """Temp files of writes a SIGKILL interrupted, days old, are removed when the storage starts; nothing else is."""
    layout = simple_example_config(tmp_path)
    partition = layout.somethings / "2024" / "01" / "02" / "03"
    stale: List[Path] = [plant_temp_file(layout.somethings, 4 * 1024 * 1024, TWO_DAYS),
                         plant_temp_file(partition, 4 * 1024 * 1024, TWO_DAYS),
                         plant_temp_file(partition, 1024, TWO_DAYS)]
    young = plant_temp_file(partition, 1024, 0)  # a write in progress in another process: never touched
    kept = partition / "kept.json"
    kept.write_text('{"id": "kept"}')
    server = servers(layout, name="simple-example")
    async with aiohttp.ClientSession() as session:  # any request on the storage: it has started by then
        async with session.get(f"{server.base_url}{SIMPLE_EXAMPLE}/query-something", params={"item_id": "any"},
                               headers=SESSION) as resp:
            assert resp.status == 404

    def swept() -> bool:
        return not any(path.exists() for path in stale)

    try:
        await eventually(swept, timeout=10, what="the stale temp files removed")
    finally:
        left = [path for path in stale if path.exists()]
        figures.report("temp sweep", planted_stale=len(stale), stale_left=len(left),
                       young_kept=young.exists(), data_kept=kept.exists())
    assert young.exists(), "a young temp file (a write in progress elsewhere) was removed"
    assert kept.exists(), "the sweep removed a stored item"


async def how_it_ends(reader: asyncio.StreamReader, timeout: float = 10.0) -> str:
    """How the server ends a connection we only read from: ``eof`` (closed), ``reset``, or ``open``."""
    try:
        data = await asyncio.wait_for(reader.read(1), timeout)
    except ConnectionResetError:
        return "reset"
    except asyncio.TimeoutError:
        return "open"
    return "eof" if data == b"" else f"more data: {data!r}"


async def test_sigterm_closes_connections_with_connection_close(
    tmp_path: Path, servers: ServerFactory, figures: Figures
) -> None:
    """SIGTERM: the request in flight is answered with ``Connection: close``; kept-alive ones are closed, not reset."""
    server = servers(stream_app_config(tmp_path, redis_url=None), name="stream-app")
    port = server.port
    idle_reader, idle_writer = await asyncio.open_connection("127.0.0.1", port)
    busy_reader, busy_writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        idle_writer.write(request_head("GET", f"{STREAM_APP}/slow?seconds=0", port, {}, None))
        first = await read_response(idle_reader)
        assert first.status == 200 and first.headers.get("connection", "").lower() != "close"
        in_flight_marker = server.workdir / "slow-in-flight"
        in_flight_marker.unlink()  # written by the first request
        busy_writer.write(request_head("GET", f"{STREAM_APP}/slow?seconds=2", port, {}, None))
        await busy_writer.drain()
        await eventually(lambda: in_flight_marker.exists() or None, timeout=10, what="the slow request in flight")
        server.signal(signal.SIGTERM)
        in_flight = await asyncio.wait_for(read_response(busy_reader), 20)
        busy_end = await how_it_ends(busy_reader)
        idle_end = await how_it_ends(idle_reader)
    finally:
        idle_writer.close()
        busy_writer.close()
    code = await asyncio.get_running_loop().run_in_executor(None, server.wait, 30.0)
    figures.report("shutdown", in_flight_status=in_flight.status,
                   in_flight_connection=in_flight.headers.get("connection", "(none)"),
                   in_flight_end=busy_end, kept_alive_end=idle_end, exit_code=code)
    assert in_flight.status == 200, f"the request in flight was not answered: {in_flight}"
    assert in_flight.headers.get("connection", "").lower() == "close", (
        f"the answer of the request in flight does not say Connection: close: {in_flight.headers}"
    )
    assert busy_end == "eof", f"after the in-flight answer the connection was {busy_end}"
    assert idle_end == "eof", f"the kept-alive connection was {idle_end} instead of closed"
    assert code == 0

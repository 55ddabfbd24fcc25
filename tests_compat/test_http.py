"""legacy-app served by both engines (``hopeit_server run``, real Redis): every request of
http_cases.py answers the same status, headers and body, with and without ``--api-auto``."""

from pathlib import Path
from typing import Any, Dict, Iterator, List

import aiohttp
import pytest
from engines import Engine
from expectations import HTTP, HTTP_API_AUTO, TRACK_IDS_ON_ERRORS, compare
from http_cases import CASES, record
from servers import LegacyServer

API_AUTO = ["--api-auto", "1.0;Legacy app;an app written for 0.24"]


def start(engine: Engine, workdir: Path, redis_url: str, api_args: List[str]) -> LegacyServer:
    server = LegacyServer(engine, ["app-config"], workdir=workdir, redis_url=redis_url,
                          stream=f"legacy.http.{engine.name}.{len(api_args)}", api_args=api_args)
    server.start()
    return server


async def answers(server: LegacyServer) -> Dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        # in order: save_something must come before the queries and the collector
        return {name: await record(session, server.base_url, case) for name, case in CASES.items()}


@pytest.fixture(params=["no_api", "api_auto"])
def servers(request: pytest.FixtureRequest, oracle: Engine, engine_ours: Engine, redis_url: str,
            tmp_path: Path) -> Iterator[Dict[str, Any]]:
    api_args = API_AUTO if request.param == "api_auto" else []
    started = []
    try:
        for engine in (oracle, engine_ours):
            started.append(start(engine, tmp_path / engine.name, redis_url, api_args))
        yield {"mode": request.param, "oracle": started[0], "ours": started[1]}
    finally:
        for server in started:
            server.stop()


async def test_http_answers_match_0_24(servers: Dict[str, Any]) -> None:
    differences = HTTP_API_AUTO if servers["mode"] == "api_auto" else HTTP
    theirs, ours = await answers(servers["oracle"]), await answers(servers["ours"])
    for name, answer in ours.items():
        if answer["status"] >= 400 and not set(TRACK_IDS_ON_ERRORS) & set(theirs[name]["headers"]):
            for header in TRACK_IDS_ON_ERRORS:
                answer["headers"].pop(header, None)
    compare(theirs, ours, differences)

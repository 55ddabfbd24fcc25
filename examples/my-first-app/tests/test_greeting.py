"""Tests of my-first-app: the event through the test kit, then over HTTP in the test process."""

from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import TestClient
from hopeit.server.web import init_web_server
from hopeit.testing.apps import config, execute_event
from my_first_app.greeting import Greeting

CONFIG = Path(__file__).parent.parent / "config"

AiohttpClient = Callable[[web.Application], Awaitable[TestClient]]


async def test_greeting_step() -> None:
    app_config = config(CONFIG / "app-config.json")
    result = await execute_event(app_config, "greeting", None, name="Ana")
    assert result == Greeting(message="Hello, Ana!", length=11)


async def test_greeting_word_comes_from_settings() -> None:
    app_config = config(CONFIG / "app-config.json")
    app_config.settings["greeting"]["word"] = "Hola"
    app_config.setup()
    result = await execute_event(app_config, "greeting", None)
    assert result == Greeting(message="Hola, World!", length=12)


async def test_greeting_over_http(aiohttp_client: AiohttpClient) -> None:
    web_app = init_web_server([str(CONFIG / "server.json"), str(CONFIG / "app-config.json")],
                              api_auto=["1.0", "My first app", "tour"])
    client = await aiohttp_client(web_app)
    resp = await client.get("/api/my-first-app/1x0/greeting", params={"name": "Ana"})
    assert resp.status == 200
    assert await resp.json() == {"message": "Hello, Ana!", "length": 11}
    assert resp.headers["X-Event-App"] == "my_first_app.1x0"
    resp = await client.get("/api/docs/swagger.json")
    spec = await resp.json()
    operation = spec["paths"]["/api/my-first-app/1x0/greeting"]["get"]
    assert operation["summary"] == "Say hello"
    assert operation["parameters"][0]["name"] == "name"

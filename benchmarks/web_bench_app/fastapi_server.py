"""FastAPI on uvicorn serving the bench routes as a FastAPI app usually does (pydantic models, async handlers).

``python -m web_bench_app.fastapi_server PORT``: one worker, no access log, uvicorn's default event
loop and HTTP parser for what is installed (httptools when present).
"""

import sys
from datetime import datetime
from typing import Dict, List, Optional

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, Field

PREFIX = "/api/bench/1x0"


class Small(BaseModel):
    """What the GET routes answer."""

    id: str
    count: int
    label: str


class Part(BaseModel):
    """A part of ``Nested``."""

    name: str
    weight: float
    tags: List[str] = Field(default_factory=list)


class Owner(BaseModel):
    """The owner of ``Nested``."""

    id: str
    email: str
    roles: List[str] = Field(default_factory=list)


class Nested(BaseModel):
    """The ~1 KB body the POST routes validate and echo."""

    id: str
    created: datetime
    parts: List[Part]
    attributes: Dict[str, str] = Field(default_factory=dict)
    owner: Optional[Owner] = None


app = FastAPI()


@app.get(f"{PREFIX}/get-plain")
@app.get(f"{PREFIX}/get-async")
async def get_small() -> Small:
    """A small data object."""
    return Small(id="item-1", count=42, label="a small data object")


@app.get(f"{PREFIX}/get-query")
async def get_query(item_id: str) -> Small:
    """A small data object named by a query argument."""
    return Small(id=item_id, count=42, label="a small data object")


@app.post(f"{PREFIX}/post-plain")
@app.post(f"{PREFIX}/post-async")
async def post_nested(payload: Nested) -> Nested:
    """The body, validated and echoed."""
    return payload


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)

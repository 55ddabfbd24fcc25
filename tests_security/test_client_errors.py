"""Issue #12 item 7: a client's mistake (or probe) is a 400 that says what was wrong, never a 500.

Storage keys are literal names: ``..``, absolute paths, NUL and empty ids are refused, and glob
characters in an id never reach another item.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Tuple

import aiohttp
import pytest
from harness.clients import SESSION, auth_headers, login
from harness.configs import SIMPLE_EXAMPLE
from harness.http import BOUNDARY, Part, RawResponse, exchange, multipart, request_head
from harness.processes import ServerProcess

STATUS = {"ts": "2024-01-01T00:00:00+00:00", "type": "PROCESSED"}


@pytest.fixture(scope="module")
def token(simple_example: ServerProcess) -> str:
    """An access token for the Bearer events."""
    return login(simple_example)


#: (method, event, query args, JSON body, needs a token): each one a client error
CASES: Dict[str, Tuple[str, str, Dict[str, str], Optional[Any], bool]] = {
    "query id with ..": ("GET", "query-something", {"item_id": "../../../etc/passwd"}, None, False),
    "query id absolute": ("GET", "query-something", {"item_id": "/etc/passwd"}, None, False),
    "query id with NUL": ("GET", "query-something", {"item_id": "a\x00b"}, None, False),
    "query id empty": ("GET", "query-something", {"item_id": ""}, None, False),
    "partition key with ..": ("GET", "query-something", {"item_id": "x", "partition_key": "../.."}, None, False),
    "update id with ..": ("POST", "query-something", {"item_id": "../x"}, STATUS, False),
    "save id with ..": ("POST", "save-something", {}, {"id": "../../x", "user": "u"}, True),
    "save id absolute": ("POST", "save-something", {}, {"id": "/tmp/x", "user": "u"}, True),
    "save id with NUL": ("POST", "save-something", {}, {"id": "a\x00b", "user": "u"}, True),
    "save id empty": ("POST", "save-something", {}, {"id": "", "user": "u"}, True),
    "list wildcard with ..": ("GET", "list-somethings", {"wildcard": "../*"}, None, True),
    "collector id empty": ("POST", "collector/query-concurrently", {}, {"item1_id": "", "item2_id": "x"}, False),
    "collector id with ..": ("POST", "collector/query-concurrently", {}, {"item1_id": "../x", "item2_id": "x"},
                             False),
    "undeclared query arg": ("GET", "query-something", {"item_id": "x", "foo": "bar"}, None, False),
    "query arg named context": ("GET", "query-something", {"item_id": "x", "context": "x"}, None, False),
    "query arg named payload on POST": ("POST", "query-something", {"item_id": "x", "payload": "x"}, STATUS, False),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_is_a_400_with_a_message(simple_example: ServerProcess, token: str, case: str) -> None:
    """Each case answers 400, and its message is about the input (not "Internal server error")."""
    method, event, params, body, needs_token = CASES[case]
    headers = auth_headers(token, **{"User-Agent": "probe"}) if needs_token else SESSION
    async with aiohttp.ClientSession() as session:
        async with session.request(method, f"{simple_example.base_url}{SIMPLE_EXAMPLE}/{event}", params=params,
                                   json=body, headers=headers) as resp:
            status, text = resp.status, await resp.text()
    assert status == 400, f"{case}: {status} {text[:300]}"
    assert text and "Internal server error" not in text, f"{case}: the 400 does not say what was wrong: {text}"


@pytest.mark.parametrize("item_id", ["tab\there", "esc\x1b[31m", "bell\x07", "del\x7f"])
async def test_control_characters_in_an_id_still_get_an_answer(
    simple_example: ServerProcess, token: str, item_id: str
) -> None:
    """save-something echoes the stored path in a header: an id with a control character must not drop the connection.

    Any answer below 500 will do (a 400 refusing the id, or a 200 with a header that holds no
    control character); schemathesis found the connection closed with no answer at all.
    """
    headers = auth_headers(token, **{"User-Agent": "probe"})
    async with aiohttp.ClientSession() as session:
        try:
            async with session.post(f"{simple_example.base_url}{SIMPLE_EXAMPLE}/save-something",
                                    json={"id": item_id, "user": "u"}, headers=headers) as resp:
                status, text = resp.status, await resp.text()
        except aiohttp.ClientError as exc:
            status, text = 0, f"no answer: {exc!r}"
    assert 0 < status < 500, f"id {item_id!r}: {status} {text[:300]}"


FORM_HEAD = {**SESSION, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
FILE = Part("attachment", b"content", filename="a.txt", content_type="text/plain")

#: malformed multipart bodies of upload-something
MULTIPART: Dict[str, bytes] = {
    "invalid JSON part": multipart([Part("id", b"{not json", content_type="application/json"),
                                    Part("user", b"u"), FILE]),
    "unknown charset": multipart([Part("id", b"x", content_type="text/plain; charset=x-no-such-charset"),
                                  Part("user", b"u"), FILE]),
    "invalid UTF-8": multipart([Part("id", b"\xff\xfe\xfd"), Part("user", b"u"), FILE]),
    "truncated body": multipart([Part("id", b"x"), Part("user", b"u")], close=False) + FILE.head() + b"cont",
    "no parts at all": f"--{BOUNDARY}--\r\n".encode(),
}


@pytest.mark.parametrize("case", list(MULTIPART))
async def test_malformed_multipart_is_a_400_with_a_message(simple_example: ServerProcess, case: str) -> None:
    """A broken form is the client's error: 400 with a message."""
    path = f"{SIMPLE_EXAMPLE}/upload-something"
    body = MULTIPART[case]
    response: RawResponse = await exchange(
        simple_example.port, request_head("POST", path, simple_example.port, FORM_HEAD, len(body)) + body
    )
    message = response.message()
    assert response.status == 400, f"{case}: {response.status} {message[:300]}"
    assert message and "Internal server error" not in message, f"{case}: {message}"


@pytest.fixture(scope="module")
def victim(simple_example: ServerProcess, token: str) -> Iterator[str]:
    """An item saved by its owner; the glob probes must neither read nor change it."""
    import urllib.request

    request = urllib.request.Request(
        f"{simple_example.base_url}{SIMPLE_EXAMPLE}/save-something", method="POST",
        data=b'{"id": "victim-glob", "user": "owner"}',
        headers={**auth_headers(token, **{"User-Agent": "owner"}), "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    yield "victim-glob"


@pytest.mark.parametrize("pattern", ["*", "victim-*", "victim-glo?", "[v]ictim-glob"])
async def test_glob_ids_neither_read_nor_overwrite_other_items(
    simple_example: ServerProcess, victim: str, pattern: str
) -> None:
    """An id with glob characters is a literal name: it finds nothing (404) or is refused (400)."""
    url = f"{simple_example.base_url}{SIMPLE_EXAMPLE}/query-something"
    async with aiohttp.ClientSession() as session:
        async with session.get(url, params={"item_id": pattern}, headers=SESSION) as resp:
            read = resp.status, await resp.text()
        async with session.post(url, params={"item_id": pattern}, json=STATUS, headers=SESSION) as resp:
            update = resp.status, await resp.text()
        async with session.get(url, params={"item_id": victim}, headers=SESSION) as resp:
            assert resp.status == 200
            stored = await resp.json()
    assert read[0] in (400, 404) and victim not in read[1], f"GET item_id={pattern} read another item: {read}"
    assert update[0] in (400, 404) and victim not in update[1], f"POST item_id={pattern} changed another item: {update}"
    assert [s["type"] for s in stored["history"]] == ["NEW"], f"the victim item was overwritten: {stored}"

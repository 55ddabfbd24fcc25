"""Every deliberate difference between our engine and hopeit.engine 0.24.0 that the suite observes.

Each is named, says why, and states what ours gives instead. A difference listed here is checked
both ways: ours must give the stated value, and 0.24 must still differ (a stale entry fails), so
this file stays the exact list of what users switching engines will see change. The engine
CHANGELOG's "Compatibility with 0.24" section lists the same differences for people.
"""

import json
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

__all__ = ["Difference", "compare", "error_answer"]


@dataclass(frozen=True)
class Difference:
    """Ours gives ``ours`` where 0.24 gives something else, for ``reason``."""

    reason: str
    ours: Any


#: test_http: on error answers (status >= 400) ours echoes the request's track ids like on any other
#: answer; 0.24 leaves them out there. Those headers are dropped from ours before comparing.
TRACK_IDS_ON_ERRORS = ("X-Track-Request-Id", "X-Track-Caller")


#: driver dataobjects_json: case -> difference
DATAOBJECTS: Dict[str, Difference] = {
    "to_json.list_with_none": Difference(
        "0.24 fails with AttributeError on a None inside a list; ours writes JSON null", "[1, null]"),
}

def error_answer(status: int, msg: str, exception: Optional[str] = "hopeit.app.errors.BadRequest") -> Dict[str, Any]:
    """An error answer of ours as test_http records it: ErrorInfo JSON text sent as text/plain."""
    tb = [f"{exception}: {msg}\n"] if exception else []
    body = json.dumps({"msg": msg, "tb": tb})
    return {"status": status, "body": body,
            "headers": {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body.encode()))}}


_HIDDEN_500 = "a 500 answers 'Internal server error' without the exception: 0.24 sent the error text and its " \
              "traceback line to the client, which can leak internals (issue #12)"
_BODY_MESSAGES = "messages about invalid request bodies are ours (each field and its problem, from pydantic); " \
                 "0.24's came from dataclasses-jsonschema. Status and content type are the same"
_SPEC_BODY_MESSAGES = "with a spec, 0.24's validator answered bodies with '400: {\"body\": ...}'; ours reads and " \
                      "validates the body with the data object and answers ErrorInfo (same status and content type)"

#: test_http without --api-auto: request case -> difference
HTTP: Dict[str, Difference] = {
    "get.fail.crash": Difference(_HIDDEN_500, error_answer(500, "Internal server error", None)),
    "get.fail.value": Difference(_HIDDEN_500, error_answer(500, "Internal server error", None)),
    "get.greet.missing_arg": Difference(
        "a missing required query arg answers 400 naming it; 0.24 answered 500 with Python's TypeError",
        error_answer(400, "Missing query arg 'name': greet requires name")),
    "get.greet.unknown_arg": Difference(
        "an unknown query arg answers 400 naming it and the accepted ones; 0.24 answered 500 with Python's TypeError",
        error_answer(400, "Unknown query arg 'bogus': greet accepts name, times")),
    "post.echo.empty": Difference(_BODY_MESSAGES, error_answer(
        400, "Invalid Message: Invalid JSON: EOF while parsing a value at line 1 column 0")),
    "post.echo.missing_field": Difference(_BODY_MESSAGES, error_answer(400, "Invalid Message: text: Field required")),
    "post.echo.not_json": Difference(_BODY_MESSAGES, error_answer(
        400, "Invalid Message: Invalid JSON: key must be a string at line 1 column 2")),
    "post.echo.wrong_type": Difference(_BODY_MESSAGES, error_answer(
        400, "Invalid Message: text: Input should be a valid string; length: Input should be a valid integer, "
             "unable to parse string as an integer")),
}

#: test_http with --api-auto (validation on): request case -> difference
HTTP_API_AUTO: Dict[str, Difference] = {
    **{case: HTTP[case] for case in ("get.fail.crash", "get.fail.value", "get.greet.unknown_arg")},
    **{case: Difference(_SPEC_BODY_MESSAGES, HTTP[case].ours)
       for case in ("post.echo.empty", "post.echo.missing_field", "post.echo.not_json", "post.echo.wrong_type")},
}

_API = "/api/legacy-app/1x0"

#: test_openapi, hopeit_openapi create: keys from the document's root -> difference
OPENAPI: Dict[Tuple[str, ...], Difference] = {
    ("paths", f"{_API}/upload", "post", "requestBody", "content", "multipart/form-data", "encoding", "attachment",
     "contentType"): Difference(
        "0.24 writes the content type of file fields as application/octect-stream (a typo)",
        "application/octet-stream"),
    ("paths", f"{_API}/numbers", "get", "responses", "200", "content", "application/json", "schema"): Difference(
        "0.24 documents a dict response as a $ref to #/components/schemas/dict, a schema it never adds "
        "(invalid OpenAPI); ours writes the schema. Ours accepts 0.24's file all the same",
        {"type": "object"}),
}

#: test_openapi, --api-file: (made by, served by) -> why it is refused
API_FILE_REFUSED = {
    ("ours", "0.24"): "0.24 compares the file with what it computes, typos included: the octet-stream content "
                      "type of legacy-app's upload field makes it refuse our file (ours accepts 0.24's)",
}


def compare(oracle: Mapping[str, Any], ours: Mapping[str, Any], differences: Mapping[str, Difference]) -> None:
    """Assert ``ours`` equals ``oracle`` case by case, except the named ``differences``.

    Reports every mismatch at once, each with both values.
    """
    problems = []
    for case in sorted(set(oracle) | set(ours)):
        expected, got = oracle.get(case, "<missing>"), ours.get(case, "<missing>")
        difference = differences.get(case)
        if difference is None:
            if got != expected:
                problems.append(f"{case}:\n    0.24: {expected!r}\n    ours: {got!r}")
        elif got != difference.ours:
            problems.append(f"{case} (known difference: {difference.reason}):\n    expected ours: "
                            f"{difference.ours!r}\n    ours: {got!r}")
        elif expected == got:
            problems.append(f"{case}: listed as a difference ({difference.reason}) but 0.24 now gives the same")
    assert not problems, "ours differs from hopeit.engine 0.24.0:\n" + "\n".join(problems)

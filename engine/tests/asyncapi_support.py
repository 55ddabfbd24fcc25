"""Checks of AsyncAPI documents: the official AsyncAPI 3.0.0 JSON schema, and references that resolve.

The schema is vendored under ``data/asyncapi`` (see its README for where it comes from).
"""

import functools
import json
from pathlib import Path
from typing import Any, Dict, List

import jsonschema

SCHEMA_FILE = Path(__file__).parent / "data" / "asyncapi" / "asyncapi-3.0.0-schema.json"


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def asyncapi_problems(document: Dict[str, Any]) -> List[str]:
    """Where ``document`` breaks the AsyncAPI 3.0.0 schema (empty: valid)."""
    return [f"/{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in _validator().iter_errors(document)]


def _resolve(document: Any, pointer: str) -> bool:
    node = document
    for part in pointer[2:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def unresolved_refs(document: Dict[str, Any]) -> List[str]:
    """``$ref`` values of ``document`` that point nowhere inside it."""
    found: List[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not (ref.startswith("#/") and _resolve(document, ref)):
                found.append(ref)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


def operation_messages_in_channel(document: Dict[str, Any]) -> List[str]:
    """Operations whose messages are not messages of their own channel (AsyncAPI 3 requires them to be)."""
    wrong = []
    for name, operation in document["operations"].items():
        channel = operation["channel"]["$ref"]
        if any(not message["$ref"].startswith(f"{channel}/messages/") for message in operation.get("messages", [])):
            wrong.append(name)
    return wrong


def check_document(document: Dict[str, Any]) -> None:
    """Assert ``document`` is valid AsyncAPI 3.0.0, its references resolve, operations use their channel's messages."""
    assert asyncapi_problems(document) == []
    assert unresolved_refs(document) == []
    assert operation_messages_in_channel(document) == []

"""Answers the auth info of the request (used with each auth method)."""

from typing import Any, Dict

from hopeit.app.context import EventContext

__steps__ = ["whoami"]


def whoami(payload: None, context: EventContext) -> Dict[str, Any]:
    info = context.auth_info
    return {"auth_type": str(info.get("auth_type").value), "allowed": info.get("allowed"),  # type: ignore[union-attr]
            "payload": info.get("payload"), "domain": info.get("domain")}

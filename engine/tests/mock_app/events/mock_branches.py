"""Branching by returned type, optional steps and None routing."""

from typing import Optional, Union

from hopeit.app.context import EventContext

from mock_app import MockData, MockResult

__steps__ = ["classify", "handle_data", "handle_text", "handle_none", "finish"]


def classify(payload: MockData, context: EventContext) -> Union[MockData, str, None]:
    if payload.value == "text":
        return f"text:{payload.id}"
    if payload.value == "none":
        return None
    return payload


def handle_data(payload: MockData, context: EventContext) -> MockResult:
    return MockResult(id=payload.id, processed="data")


def handle_text(payload: str, context: EventContext) -> MockResult:
    return MockResult(id=payload, processed="text")


def handle_none(payload: None, context: EventContext) -> MockResult:
    return MockResult(id="none", processed="none")


def finish(payload: MockResult, context: EventContext) -> Optional[MockResult]:
    payload.count += 1
    return payload

"""POST event publishing to a stream with queues."""

from hopeit.app.context import EventContext

from mock_app import MockData, MockResult

__steps__ = ["process"]


def process(payload: MockData, context: EventContext) -> MockResult:
    return MockResult(id=payload.id, processed=payload.value.upper(), count=len(payload.tags))

"""``@dataobject`` and ``StreamEventParams`` (spec engine §2.1-2.2); ``copy_payload`` is in test_copy_payload.py."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from dataobject_shapes import Event, Header, Leaf, PlainDataclass, Unsafe
from hopeit.dataobjects import (
    BinaryAttachment,
    BinaryDownload,
    StreamEventParams,
    dataobject,
    is_dataobject,
)


@dataobject(validate=False, schema=False)
@dataclass
class Options:
    value: int


def test_decorator_options_are_recorded() -> None:
    """``__data_object__`` keeps unsafe/validate/schema, ``__stream_event__`` the id/ts paths."""
    assert Leaf.__data_object__ == {"unsafe": False, "validate": True, "schema": True}  # type: ignore[attr-defined]
    assert Options.__data_object__ == {"unsafe": False, "validate": False, "schema": False}  # type: ignore[attr-defined]
    assert Unsafe.__data_object__["unsafe"] is True  # type: ignore[attr-defined]
    assert Event.__stream_event__ == StreamEventParams("header.id", "header.ts")  # type: ignore[attr-defined]
    assert Leaf.__stream_event__ == StreamEventParams(None, None)  # type: ignore[attr-defined]


def test_decorator_keeps_the_class_usable_as_a_dataclass() -> None:
    """Bare and called forms both return the class, which still builds and compares as a dataclass."""
    assert Leaf("a") == Leaf(name="a", tags=[])
    assert Leaf.__name__ == "Leaf" and Event.__name__ == "Event"
    assert is_dataobject(Leaf) and is_dataobject(Leaf("a"))
    assert not is_dataobject(PlainDataclass) and not is_dataobject({"a": 1})


def test_decorator_refuses_a_class_that_is_not_a_dataclass() -> None:
    """Forgetting ``@dataclass`` is a TypeError that says what to do."""

    class NotADataclass:
        pass

    with pytest.raises(TypeError, match=r"put @dataclass below @dataobject on .*NotADataclass"):
        dataobject(NotADataclass)
    with pytest.raises(TypeError, match="needs a dataclass"):
        dataobject(event_id="id")(NotADataclass)


def test_event_id_and_event_ts_follow_dotted_paths() -> None:
    """``event_id()``/``event_ts()`` read the configured dotted paths."""
    ts = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    event = Event(header=Header(id="h1", ts=ts))
    assert event.event_id() == "h1"  # type: ignore[attr-defined]
    assert event.event_ts() == ts  # type: ignore[attr-defined]


def test_event_id_stops_at_a_falsy_intermediate_value() -> None:
    """A falsy value on the path is returned as is (``str(None)`` for the id)."""
    event = Event(header=None)
    assert event.event_ts() is None  # type: ignore[attr-defined]
    assert event.event_id() == "None"  # type: ignore[attr-defined]
    assert StreamEventParams.extract_attr(event, "header.id") is None
    assert StreamEventParams.extract_attr(Leaf(name=""), "name") == ""


def test_event_id_without_configuration_is_a_new_uuid_each_call() -> None:
    """Without ``event_id`` every call returns a fresh uuid4; without ``event_ts`` None."""
    leaf = Leaf("a")
    first, second = leaf.event_id(), leaf.event_id()  # type: ignore[attr-defined]
    assert first != second
    assert uuid.UUID(first).version == 4
    assert leaf.event_ts() is None  # type: ignore[attr-defined]


def test_compat_methods_of_0_24_delegate_to_payload() -> None:
    """``to_json``/``to_dict``/``from_json``/``from_dict``/``json_schema`` exist on data objects."""
    leaf = Leaf("a", ["t"])
    assert leaf.to_json() == '{"name": "a", "tags": ["t"]}'  # type: ignore[attr-defined]
    assert leaf.to_dict() == {"name": "a", "tags": ["t"]}  # type: ignore[attr-defined]
    assert Leaf.from_json('{"name": "b"}') == Leaf("b")  # type: ignore[attr-defined]
    assert Leaf.from_dict({"name": "c"}) == Leaf("c")  # type: ignore[attr-defined]
    assert Leaf.json_schema()["required"] == ["name"]  # type: ignore[attr-defined]


def test_compat_methods_do_not_replace_methods_of_the_class() -> None:
    """A class defining its own ``to_json`` keeps it."""

    @dataobject
    @dataclass
    class Custom:
        value: int

        def to_json(self) -> str:
            return "custom"

    assert Custom(1).to_json() == "custom"
    assert Custom.from_dict({"value": 2}) == Custom(2)  # type: ignore[attr-defined]


def test_binary_markers() -> None:
    """``BinaryDownload`` subclasses set their content type; the base is octet-stream."""

    class Png(BinaryDownload):
        content_type = "image/png"

    assert BinaryDownload.content_type == "application/octet-stream"
    assert Png.content_type == "image/png"
    assert isinstance(BinaryAttachment(), BinaryAttachment)

"""``Payload`` conversions and the exact JSON text of hopeit.engine 0.24 (spec engine §2.4)."""

import json
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Dict, List, Optional, Set

import pytest
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.payload import DataObjectValidationError, Payload


class Status(str, Enum):
    NEW = "new"
    DONE = "done"


class Level(Enum):
    LOW = 1
    HIGH = 2


@dataobject
@dataclass
class Item:
    id: str
    qty: int = 0
    note: Optional[str] = None


@dataobject(event_id="id", event_ts="created")
@dataclass
class Order:
    id: str
    created: datetime
    items: List[Item]
    status: Status = Status.NEW
    level: Level = Level.LOW
    due: Optional[date] = None
    ref: Optional[uuid.UUID] = None
    extra: Dict[str, Item] = field(default_factory=dict)
    labels: Set[str] = field(default_factory=set)
    parent: Optional[Item] = None


@dataobject(validate=False)
@dataclass
class Lenient:
    value: int


@dataobject
@dataclass
class Money:
    amount: Decimal


class NotADataObject:
    pass


CREATED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2)))


def make_order() -> Order:
    return Order(
        id="o1",
        created=CREATED,
        items=[Item("i1", 2), Item("i2", note="n")],
        status=Status.DONE,
        level=Level.HIGH,
        due=date(2024, 6, 1),
        ref=uuid.UUID(int=1),
        extra={"k": Item("i3")},
        labels={"b", "a"},
        parent=None,
    )


@pytest.mark.parametrize(
    "value, text",
    [("ok", '{"value": "ok"}'), (42, '{"value": 42}'), (1.5, '{"value": 1.5}'), (True, '{"value": true}')],
    ids=["str", "int", "float", "bool"],
)
def test_atomic_json_text_and_round_trip(value: Any, text: str) -> None:
    """Atomic values travel as ``{"value": v}`` with ``": "`` separators and come back as the same type."""
    assert Payload.to_json(value) == text
    parsed = Payload.from_json(text, type(value))
    assert parsed == value and type(parsed) is type(value)


def test_atomic_under_other_key_or_bare() -> None:
    """``key`` names the wrapper; ``key=None`` writes the bare value."""
    assert Payload.to_json("ok", key="mock_event") == '{"mock_event": "ok"}'
    assert Payload.to_json(3, key=None) == "3"
    assert Payload.from_json('{"mock_event": "x"}', str, key="mock_event") == "x"
    assert Payload.to_obj("ok") == {"value": "ok"}
    assert Payload.to_obj(5, key=None) == 5


def test_atomic_from_json_converts_with_the_datatype() -> None:
    """``datatype(json.loads(s).get(key))``: a number sent for a str becomes its text."""
    assert Payload.from_json('{"value": 3}', str) == "3"
    assert Payload.from_json(b'{"value": "7"}', int) == 7


def test_atomic_missing_key_names_the_key() -> None:
    """A body without the key is a ValueError naming the key."""
    with pytest.raises(ValueError, match="value: Field required"):
        Payload.from_json("{}", str)
    with pytest.raises(ValueError, match="data: Field required"):
        Payload.from_obj({"value": 1}, int, key="data")


def test_collections_json_text() -> None:
    """Lists, sets (sorted) and dicts use the 0.24 separators; items are written bare."""
    assert Payload.to_json([1, "x", 2.5, None]) == '[1, "x", 2.5, null]'
    assert Payload.to_json({3, 1, 2}) == "[1, 2, 3]"
    assert Payload.to_json({"a": 1, "b": [True, "s"]}) == '{"a": 1, "b": [true, "s"]}'
    assert Payload.to_json({"k": Item("i")}) == '{"k": {"id": "i", "qty": 0}}'
    assert Payload.to_json([Item("a"), Item("b", 1)]) == '[{"id": "a", "qty": 0}, {"id": "b", "qty": 1}]'


def test_collections_round_trip() -> None:
    """dict/list/set come back with their own type."""
    assert Payload.from_json('{"a": [1, 2]}', dict) == {"a": [1, 2]}
    assert Payload.from_json("[1, 2, 2]", list) == [1, 2, 2]
    assert Payload.from_json("[1, 2, 2]", set) == {1, 2}
    assert Payload.to_obj({"b", "a"}) == ["a", "b"]
    assert Payload.to_obj((1, Item("x"))) == [1, {"id": "x", "qty": 0}]
    assert Payload.to_obj({"k": [Item("x")]}) == {"k": [{"id": "x", "qty": 0}]}
    assert Payload.to_obj(None) is None


def test_typed_collections_of_dataobjects_round_trip() -> None:
    """``List[T]``/``Dict[str, T]`` validate every item."""
    items = [Item("a", 1), Item("b")]
    assert Payload.from_json(Payload.to_json(items), List[Item]) == items
    assert Payload.from_obj({"x": {"id": "a"}}, Dict[str, Item]) == {"x": Item("a")}


def test_from_obj_with_item_datatype() -> None:
    """``item_datatype`` parses each value of a dict, or each item of a list/set."""
    assert Payload.from_obj({"k": {"id": "a"}}, dict, item_datatype=Item) == {"k": Item("a")}
    assert Payload.from_obj([{"id": "a"}, {"id": "b"}], list, item_datatype=Item) == [Item("a"), Item("b")]
    assert Payload.from_obj([{"value": 1}, {"value": 2}], set, item_datatype=int) == {1, 2}
    assert Payload.from_obj({"a": 1}, dict) == {"a": 1}
    assert Payload.from_obj(5, int) == 5


def test_dataobject_exact_json_text_omits_none() -> None:
    """Data objects: fields in declaration order, ``", "``/``": "`` separators, None fields left out."""
    order = Order(id="o1", created=CREATED, items=[Item("i1", 2, note=None)])
    assert Payload.to_json(order) == (
        '{"id": "o1", "created": "2024-05-06T07:08:09+02:00", "items": [{"id": "i1", "qty": 2}], '
        '"status": "new", "level": 1, "extra": {}, "labels": []}'
    )
    assert Payload.to_json(Item("x", note="n")) == '{"id": "x", "qty": 0, "note": "n"}'


def test_dataobject_round_trip_of_every_field_kind() -> None:
    """Nested objects, Optional, datetime with offset, date, UUID, str and int Enums, dict and set fields."""
    order = make_order()
    text = Payload.to_json(order)
    assert Payload.from_json(text, Order) == order
    assert Payload.from_obj(Payload.to_obj(order), Order) == order
    obj = json.loads(text)
    assert obj["status"] == "done" and obj["level"] == 2
    assert obj["due"] == "2024-06-01" and obj["ref"] == "00000000-0000-0000-0000-000000000001"
    assert obj["extra"] == {"k": {"id": "i3", "qty": 0}} and sorted(obj["labels"]) == ["a", "b"]
    assert "parent" not in obj


def test_datetimes_are_iso_8601_and_round_trip() -> None:
    """UTC datetimes read back equal; naive ones are written with ``Z`` and read back as UTC (as in 0.24)."""
    for created in (datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=timezone.utc), datetime(2024, 1, 2, 3, 4, 5)):
        order = Order(id="o", created=created, items=[])
        text = json.loads(Payload.to_json(order))["created"]
        assert text.startswith("2024-01-02T03:04:05")
        back = Payload.from_json(Payload.to_json(order), Order).created
        assert back == (created if created.tzinfo else created.replace(tzinfo=timezone.utc))


def test_decimal_is_written_as_a_number() -> None:
    """Decimal fields are JSON numbers, as in 0.24 (through float: ``1.10`` is written ``1.1``)."""
    assert Payload.to_json(Money(amount=Decimal("1.10"))) == '{"amount": 1.1}'


def test_decimal_round_trips() -> None:
    """Whatever its text, a Decimal field reads back equal."""
    money = Money(amount=Decimal("10.25"))
    assert Payload.from_json(Payload.to_json(money), Money) == money


def test_unknown_keys_are_ignored() -> None:
    """Extra keys in the input do not fail validation."""
    assert Payload.from_json('{"id": "a", "unknown": 1, "qty": 3}', Item) == Item("a", 3)


def test_validation_error_names_every_field_and_hides_pydantic_internals() -> None:
    """Each offending field is named with its problem; no pydantic URLs or input dumps."""
    with pytest.raises(ValueError) as info:
        Payload.from_json('{"id": 1, "created": "not a date", "items": [{"id": "a", "qty": "many"}]}', Order)
    message = str(info.value)
    assert message.startswith("Invalid Order: ")
    assert "id: Input should be a valid string" in message
    assert "created: Input should be a valid datetime" in message
    assert "items[0].qty: Input should be a valid integer" in message
    assert "pydantic" not in message and "http" not in message and "input_value" not in message
    assert isinstance(info.value, DataObjectValidationError)
    assert info.value.type_name == "Order"
    assert [path for path, _ in info.value.errors] == ["id", "created", "items[0].qty"]


def test_missing_required_fields_are_named() -> None:
    """Required fields absent from the input are listed."""
    with pytest.raises(ValueError, match=r"Invalid Order: created: Field required; items: Field required"):
        Payload.from_json('{"id": "a"}', Order)


def test_invalid_enum_value_is_a_validation_error() -> None:
    """Enum fields only accept their values."""
    with pytest.raises(ValueError, match="status: Input should be 'new' or 'done'"):
        Payload.from_obj({"id": "a", "created": CREATED.isoformat(), "items": [], "status": "old"}, Order)


def test_json_syntax_errors_are_value_errors() -> None:
    """Malformed JSON is a ValueError (the web layer answers 400)."""
    for datatype in (Item, str, dict, List[Item]):
        with pytest.raises(ValueError):
            Payload.from_json("{not json", datatype)  # type: ignore[arg-type]


def test_output_validation_of_wrong_field_types() -> None:
    """Writing a data object whose field holds the wrong type is a ValueError naming the field."""
    with pytest.raises(ValueError) as info:
        Payload.to_json(Item(id=123))  # type: ignore[arg-type]
    assert "Cannot convert to JSON" in str(info.value) and "id" in str(info.value)
    assert "id: Input should be a valid string" in str(info.value)
    with pytest.raises(ValueError, match="qty"):
        Payload.to_obj(Order(id="o", created=CREATED, items=[Item("i", qty="x")]))  # type: ignore[arg-type]


def test_json_bytes_output_validation_of_wrong_field_types() -> None:
    """The fast writer (web bodies, stream messages, storage) fails the same way, warning nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # a warning would show here instead of the error
        with pytest.raises(ValueError) as info:
            Payload.to_json_bytes(Item(id=123))  # type: ignore[arg-type]
        assert "Cannot convert to JSON" in str(info.value) and "id: Input should be a valid string" in str(info.value)
        with pytest.raises(ValueError, match="qty"):
            Payload.to_json_bytes(Order(id="o", created=CREATED, items=[Item("i", qty="x")]))  # type: ignore[arg-type]
    assert Payload.to_json_bytes(Lenient(value="raw")) == b'{"value":"raw"}'  # type: ignore[arg-type]
    assert Payload.to_json_bytes(Item("i", qty=2)) == b'{"id":"i","qty":2}'


def test_output_validation_is_skipped_with_validate_false() -> None:
    """``@dataobject(validate=False)`` writes what it holds."""
    assert Payload.to_json(Lenient(value="raw")) == '{"value": "raw"}'  # type: ignore[arg-type]


def test_objects_that_are_not_dataobjects_cannot_be_written() -> None:
    """A plain object (alone or inside a collection) is a ValueError naming its type."""
    with pytest.raises(ValueError, match="Cannot convert to JSON: NotADataObject is not a @dataobject"):
        Payload.to_json(NotADataObject())
    with pytest.raises(ValueError, match="NotADataObject"):
        Payload.to_json({"k": [NotADataObject()]})


def test_parse_form_field_from_text_or_dict() -> None:
    """Multipart fields hold JSON text or an already parsed dict."""
    assert Payload.parse_form_field('{"id": "a"}', Item) == Item("a")
    assert Payload.parse_form_field({"id": "b", "qty": 1}, Item) == Item("b", 1)
    assert Payload.parse_form_field('{"value": "x"}', str) == "x"
    with pytest.raises(ValueError, match="id: Field required"):
        Payload.parse_form_field({"qty": 1}, Item)


def test_dict_with_keys_json_cannot_write_is_a_value_error() -> None:
    """A dict keyed by tuples cannot be JSON: ValueError, not TypeError."""
    with pytest.raises(ValueError, match="Cannot convert to JSON: keys must be"):
        Payload.to_json({(1, 2): "pair"})

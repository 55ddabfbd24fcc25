"""The JSON text of datetimes and decimals in data objects, and how they read back (issue #14).

Expected texts are what hopeit.engine 0.24 writes for the same objects.
"""

import json
import pickle
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict, List, Optional, Union

import pytest
from dataobject_shapes import Something, Status
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.adapters import adapter
from hopeit.dataobjects.payload import Payload

UTC_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
PLUS_TWO = datetime(2020, 1, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=2)))
NAIVE = datetime(2020, 1, 1, 12, 0, 0)
WITH_MICROS = datetime(2020, 1, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)




@dataobject
@dataclass
class Moments:
    at: datetime
    maybe: Optional[datetime] = None
    many: List[datetime] = field(default_factory=list)
    named: Dict[str, datetime] = field(default_factory=dict)
    either: Union[datetime, str] = "none"


@dataobject
@dataclass
class Money:
    amount: Decimal
    parts: List[Decimal] = field(default_factory=list)
    fee: Optional[Decimal] = None


@dataobject
@dataclass
class Ratio:
    value: float
    values: List[float] = field(default_factory=list)


@pytest.mark.parametrize(
    "moment, text",
    [
        (UTC_EPOCH, "1970-01-01T00:00:00+00:00"),
        (PLUS_TWO, "2020-01-01T12:00:00+02:00"),
        (NAIVE, "2020-01-01T12:00:00Z"),
        (WITH_MICROS, "2020-01-01T12:00:00.123456+00:00"),
    ],
    ids=["utc", "offset", "naive", "micros"],
)
def test_datetime_text_is_isoformat_and_naive_gets_z(moment: datetime, text: str) -> None:
    """Aware datetimes are written with ``isoformat()``, naive ones with ``Z`` appended, on every write path."""
    status = Status(ts=moment, type="x")
    assert Payload.to_json(status) == f'{{"ts": "{text}", "type": "x"}}'
    assert Payload.to_obj(status) == {"ts": text, "type": "x"}
    assert Payload.to_json_bytes(status) == f'{{"ts":"{text}","type":"x"}}'.encode()


def test_datetime_text_of_nested_objects_and_collections() -> None:
    """Datetimes in nested objects, Optional, List and Dict fields are written like top-level ones."""
    something = Something(id="1", status=Status(UTC_EPOCH, "a"), history=[Status(PLUS_TWO, "b"), Status(NAIVE, "c")])
    expected = (
        '{"id": "1", "status": {"ts": "1970-01-01T00:00:00+00:00", "type": "a"}, '
        '"history": [{"ts": "2020-01-01T12:00:00+02:00", "type": "b"}, {"ts": "2020-01-01T12:00:00Z", "type": "c"}]}'
    )
    assert Payload.to_json(something) == expected
    assert Payload.to_obj(something) == json.loads(expected)
    assert json.loads(Payload.to_json_bytes(something)) == json.loads(expected)
    moments = Moments(at=NAIVE, maybe=UTC_EPOCH, many=[UTC_EPOCH, NAIVE], named={"k": PLUS_TWO}, either=NAIVE)
    assert Payload.to_json(moments) == (
        '{"at": "2020-01-01T12:00:00Z", "maybe": "1970-01-01T00:00:00+00:00", '
        '"many": ["1970-01-01T00:00:00+00:00", "2020-01-01T12:00:00Z"], '
        '"named": {"k": "2020-01-01T12:00:00+02:00"}, "either": "2020-01-01T12:00:00Z"}'
    )
    assert json.loads(Payload.to_json_bytes(moments)) == json.loads(Payload.to_json(moments))
    assert Payload.to_obj(Moments(at=UTC_EPOCH, either="text")) == {
        "at": "1970-01-01T00:00:00+00:00",
        "many": [],
        "named": {},
        "either": "text",
    }


def test_datetime_text_in_bare_collections_of_dataobjects() -> None:
    """Lists and dicts of data objects passed to Payload write their datetimes the same way."""
    statuses = [Status(UTC_EPOCH, "a"), Status(NAIVE, "b")]
    assert Payload.to_json(statuses) == (
        '[{"ts": "1970-01-01T00:00:00+00:00", "type": "a"}, {"ts": "2020-01-01T12:00:00Z", "type": "b"}]'
    )
    assert Payload.to_obj({"k": Status(UTC_EPOCH, "a")}) == {"k": {"ts": "1970-01-01T00:00:00+00:00", "type": "a"}}
    assert Payload.to_json({"k": Status(UTC_EPOCH, "a")}) == '{"k": {"ts": "1970-01-01T00:00:00+00:00", "type": "a"}}'
    assert json.loads(Payload.to_json_bytes(statuses)) == json.loads(Payload.to_json(statuses))


def test_typed_adapters_write_the_same_datetime_text() -> None:
    """``adapter(List[Status])`` (used for typed collections) writes 0.24 text too."""
    dumped = adapter(List[Status]).dump_python([Status(NAIVE, "x")], mode="json")
    assert dumped == [{"ts": "2020-01-01T12:00:00Z", "type": "x"}]
    assert adapter(Status).dump_python(Status(NAIVE, "x"))["ts"] is NAIVE  # python mode keeps the object


@pytest.mark.parametrize(
    "text",
    ["1970-01-01T00:00:00+00:00", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000+00:00", "1970-01-01 00:00:00Z"],
)
def test_utc_datetimes_read_back_with_the_standard_utc_timezone(text: str) -> None:
    """UTC values parse to ``datetime.timezone.utc`` (not pydantic's ``TzInfo``), from JSON and from objects."""
    for status in (
        Payload.from_json(json.dumps({"ts": text, "type": "x"}), Status),
        Payload.from_obj({"ts": text, "type": "x"}, Status),
    ):
        assert status.ts.tzinfo is timezone.utc
        assert status.ts == datetime(1970, 1, 1, tzinfo=timezone.utc)


def test_offset_datetimes_read_back_with_a_standard_timezone() -> None:
    """Other offsets parse to ``datetime.timezone(timedelta(...))``; naive text stays naive."""
    status = Payload.from_json('{"ts": "2020-01-01T12:00:00-05:30", "type": "x"}', Status)
    assert type(status.ts.tzinfo) is timezone
    assert status.ts.tzinfo == timezone(-timedelta(hours=5, minutes=30))
    assert Payload.from_json('{"ts": "2020-01-01T12:00:00", "type": "x"}', Status).ts.tzinfo is None


def test_datetimes_read_back_with_standard_timezones_in_every_position() -> None:
    """Nested, listed, Optional, dict and union datetimes, and unix timestamps, all get std lib timezones."""
    text = (
        '{"at": 0, "maybe": "2020-01-01T00:00:00Z", "many": ["2020-01-01T00:00:00+00:00", "2020-01-01T12:00:00+02:00"],'
        ' "named": {"k": "2020-01-01T00:00:00.5Z"}, "either": "2020-01-01T00:00:00Z"}'
    )
    moments = Payload.from_json(text, Moments)
    values = [moments.at, moments.maybe, *moments.many, *moments.named.values()]
    assert all(type(value.tzinfo) is timezone for value in values)  # type: ignore[union-attr]
    assert moments.at.tzinfo is timezone.utc and moments.maybe.tzinfo is timezone.utc  # type: ignore[union-attr]
    assert moments.many[1].utcoffset() == timedelta(hours=2)
    assert moments.either == "2020-01-01T00:00:00Z" or type(moments.either.tzinfo) is timezone  # type: ignore[union-attr]
    nested = Payload.from_json(Payload.to_json(Something(id="1", history=[Status(UTC_EPOCH, "a")])), Something)
    assert nested.history[0].ts.tzinfo is timezone.utc


def test_datetimes_round_trip_and_pickle() -> None:
    """Written text reads back equal (naive ones as UTC, as in 0.24) and the objects pickle."""
    for moment in (UTC_EPOCH, PLUS_TWO, WITH_MICROS):
        back = Payload.from_json(Payload.to_json(Status(moment, "x")), Status)
        assert back == Status(moment, "x")
        assert pickle.loads(pickle.dumps(back)) == back
    assert Payload.from_json(Payload.to_json(Status(NAIVE, "x")), Status).ts == NAIVE.replace(tzinfo=timezone.utc)


def test_invalid_datetime_text_is_still_a_validation_error() -> None:
    """Reading a datetime that is not one still names the field."""
    with pytest.raises(ValueError, match="ts: Input should be a valid datetime"):
        Payload.from_json('{"ts": "not a date", "type": "x"}', Status)


def test_writing_a_wrong_value_in_a_datetime_field_is_an_error() -> None:
    """``validate=True`` objects holding a non-datetime in a datetime field fail to write, naming the field."""
    with pytest.raises(ValueError, match="Cannot convert to JSON Status: ts: Input should be a valid datetime"):
        Payload.to_json(Status(ts="yesterday", type="x"))  # type: ignore[arg-type]
    valid_text = Status(ts="2020-01-01T00:00:00Z", type="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Cannot convert to JSON Status: ts: expected datetime, got str"):
        Payload.to_json_bytes(valid_text)
    nested = Something(id="1", history=[Status(UTC_EPOCH, "a"), valid_text])
    with pytest.raises(ValueError, match=r"Cannot convert to JSON Something: history\[1\]\.ts: expected datetime"):
        Payload.to_obj(nested)


@pytest.mark.parametrize(
    "amount, text",
    [("1.5", "1.5"), ("1.10", "1.1"), ("3", "3.0"), ("0.1", "0.1"), ("1E+2", "100.0")],
)
def test_decimals_are_written_as_json_numbers(amount: str, text: str) -> None:
    """Decimal fields are JSON numbers with the float's text, as 0.24 writes them."""
    money = Money(amount=Decimal(amount))
    assert Payload.to_json(money) == f'{{"amount": {text}, "parts": []}}'
    assert Payload.to_obj(money) == {"amount": float(text), "parts": []}
    assert json.loads(Payload.to_json_bytes(money)) == {"amount": float(text), "parts": []}


def test_decimals_in_collections_and_optional_fields_are_numbers() -> None:
    """List and Optional Decimal fields are numbers too."""
    money = Money(amount=Decimal("2"), parts=[Decimal("0.5"), Decimal("1.25")], fee=Decimal("0.01"))
    assert Payload.to_json(money) == '{"amount": 2.0, "parts": [0.5, 1.25], "fee": 0.01}'
    assert Payload.to_json_bytes(money) == b'{"amount":2.0,"parts":[0.5,1.25],"fee":0.01}'


@pytest.mark.parametrize("amount", ["1E+999", "NaN", "-Infinity"])
def test_decimals_no_float_holds_are_written_as_text_and_read_back(amount: str) -> None:
    """A Decimal past float range (or not a number) is not lost as ``null``: its text reads back the same."""
    money = Money(amount=Decimal(amount))
    assert Payload.to_json(money) == f'{{"amount": "{amount}", "parts": []}}'
    for text in (Payload.to_json(money), Payload.to_json_bytes(money)):
        back = Payload.from_json(text, Money).amount
        assert str(back) == amount


def test_decimals_read_back_from_numbers_and_from_strings() -> None:
    """Numbers read back into Decimal; strings (written by earlier versions of this engine) too."""
    assert Payload.from_json('{"amount": 1.5}', Money).amount == Decimal("1.5")
    assert Payload.from_json('{"amount": 1.10}', Money).amount == Decimal("1.1")
    assert Payload.from_json('{"amount": "1.10"}', Money).amount == Decimal("1.10")
    assert Payload.from_json('{"amount": 7}', Money).amount == Decimal(7)
    money = Money(amount=Decimal("10.25"), parts=[Decimal("0.5")])
    assert Payload.from_json(Payload.to_json(money), Money) == money


def test_huge_decimals_lose_digits_as_in_0_24() -> None:
    """More digits than a float holds are rounded by the float, as 0.24 does."""
    money = Money(amount=Decimal("123456789012345678901234567890.123456789"))
    assert Payload.to_json(money) == '{"amount": 1.2345678901234568e+29, "parts": []}'


def test_writing_a_wrong_value_in_a_decimal_field_is_an_error() -> None:
    """A str held in a Decimal field of a ``validate=True`` object fails to write."""
    with pytest.raises(ValueError, match="Cannot convert to JSON Money: amount: expected decimal, got str"):
        Payload.to_json(Money(amount="1.5"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Cannot convert to JSON Money: amount: expected decimal, got str"):
        Payload.to_json_bytes(Money(amount="1.5"))  # type: ignore[arg-type]


def test_float_fields_holding_ints_are_written_as_ints() -> None:
    """A float field holding an int is written as the int (``1``, not ``1.0``), as 0.24 does."""
    assert Payload.to_json(Ratio(value=1, values=[1, 2.5])) == '{"value": 1, "values": [1, 2.5]}'
    assert Payload.to_json_bytes(Ratio(value=2)) == b'{"value":2,"values":[]}'
    assert Payload.to_json(Ratio(value=1.0)) == '{"value": 1.0, "values": []}'
    assert Payload.from_json('{"value": 2}', Ratio).value == 2.0


def test_writing_a_wrong_value_in_a_float_field_is_an_error() -> None:
    """A str held in a float field of a ``validate=True`` object fails to write."""
    with pytest.raises(ValueError, match="Cannot convert to JSON Ratio: value: Input should be a valid number"):
        Payload.to_json(Ratio(value="x"))  # type: ignore[arg-type]


def test_values_of_any_fields_are_written_by_their_runtime_type() -> None:
    """``Any`` fields are written by pydantic's inference (0.24 could not write datetimes there)."""

    @dataobject
    @dataclass
    class Loose:
        value: Any = None

    assert Payload.to_json(Loose(value={"k": [1, "a"]})) == '{"value": {"k": [1, "a"]}}'


@dataobject
@dataclass
class Node:
    name: str
    ts: datetime
    children: List["Node"] = field(default_factory=list)


def test_self_referencing_types_read_and_write_0_24_datetimes() -> None:
    """Types that refer to themselves get the same datetime text and zones at every depth."""
    tree = Node("a", NAIVE, [Node("b", UTC_EPOCH)])
    text = Payload.to_json(tree)
    assert text == (
        '{"name": "a", "ts": "2020-01-01T12:00:00Z", "children": '
        '[{"name": "b", "ts": "1970-01-01T00:00:00+00:00", "children": []}]}'
    )
    back = Payload.from_json(Payload.to_json_bytes(tree), Node)
    assert back.ts.tzinfo is timezone.utc and back.children[0].ts.tzinfo is timezone.utc

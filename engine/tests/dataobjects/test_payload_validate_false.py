"""``@dataobject(validate=False)``: parsed without validation, written as held (issue #14).

Expected values are what hopeit.engine 0.24 gives for the same inputs, except where a test says so.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Dict, List, Optional

import pytest
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.payload import Payload


class Color(Enum):
    RED = "red"


@dataobject(validate=False)
@dataclass
class Loose:
    n: int
    s: str


@dataobject(validate=False)
@dataclass
class Inner:
    ts: datetime
    k: str


@dataobject
@dataclass
class StrictInner:
    x: int


@dataobject(validate=False)
@dataclass
class Holder:
    n: int
    s: str = "default"
    inner: Optional[Inner] = None
    inners: List[Inner] = field(default_factory=list)
    named: Dict[str, Inner] = field(default_factory=dict)
    color: Optional[Color] = None
    amount: Optional[Decimal] = None
    strict: Optional[StrictInner] = None


@dataobject
@dataclass
class StrictHolder:
    loose: Loose


def parse_both_ways(text: str, datatype: type) -> list:  # type: ignore[type-arg]
    return [Payload.from_json(text, datatype), Payload.from_obj(json.loads(text), datatype)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"n": null}', Loose(n=None, s=None)),  # type: ignore[arg-type]
        ("{}", Loose(n=None, s=None)),  # type: ignore[arg-type]
        ('{"n": "3"}', Loose(n=3, s=None)),  # type: ignore[arg-type]
        ('{"n": 1, "s": "x", "extra": 1}', Loose(n=1, s="x")),
    ],
    ids=["null", "missing", "convertible", "extra-key"],
)
def test_nulls_and_missing_fields_are_accepted(text: str, expected: Loose) -> None:
    """A null or missing field is None, values that convert are converted (0.24 gives the same objects)."""
    assert parse_both_ways(text, Loose) == [expected, expected]


def test_values_that_do_not_convert_are_kept_as_given() -> None:
    """Values of the wrong type are kept (0.24 converted some with ``int()``/``str()`` or raised)."""
    for loose in parse_both_ways('{"n": "abc", "s": 5}', Loose):
        assert loose == Loose(n="abc", s=5)  # type: ignore[arg-type]


def test_defaults_nested_objects_and_collections_are_converted() -> None:
    """Defaults fill missing fields; nested dicts become nested objects, datetimes and enums convert."""
    text = (
        '{"n": 1, "inner": {"ts": "2020-01-01T00:00:00+00:00", "k": "a"}, "inners": [{"ts": "2020-01-01T00:00:00Z",'
        ' "k": "b"}], "color": "red", "amount": 1.5, "named": {"a": {"k": "c"}}}'
    )
    for holder in parse_both_ways(text, Holder):
        moment = datetime(2020, 1, 1, tzinfo=timezone.utc)
        assert holder == Holder(
            n=1,
            inner=Inner(ts=moment, k="a"),
            inners=[Inner(ts=moment, k="b")],
            named={"a": Inner(ts=None, k="c")},  # type: ignore[arg-type]
            color=Color.RED,
            amount=Decimal("1.5"),
        )
        assert holder.inner.ts.tzinfo is timezone.utc  # type: ignore[union-attr]
    assert Payload.from_json('{"n": 1}', Holder) == Holder(n=1)


def test_nested_values_that_do_not_convert_are_kept() -> None:
    """Inside a loose object, bad nested values stay as given instead of failing the whole payload."""
    text = '{"n": 1, "inner": {"ts": "bad"}, "inners": [{"k": 1}, 5], "color": "blue", "amount": "x"}'
    for holder in parse_both_ways(text, Holder):
        assert holder.inner == Inner(ts="bad", k=None)  # type: ignore[arg-type]
        assert holder.inners == [Inner(ts=None, k=1), 5]  # type: ignore[arg-type,comparison-overlap]
        assert holder.color == "blue" and holder.amount == "x"  # type: ignore[comparison-overlap]
    holder = Payload.from_json('{"n": 1, "inner": 5, "inners": 7, "named": []}', Holder)
    assert (holder.inner, holder.inners, holder.named) == (5, 7, [])


def test_nested_validated_objects_in_a_loose_object_are_not_validated() -> None:
    """0.24 validates only against the outer class: a nested ``validate=True`` object is built as given."""
    assert Payload.from_json('{"n": 0, "strict": {}}', Holder).strict == StrictInner(x=None)  # type: ignore[arg-type]
    assert Payload.from_json('{"n": 0, "strict": {"x": "1"}}', Holder).strict == StrictInner(x=1)


def test_loose_objects_inside_a_validated_one_are_validated() -> None:
    """A ``validate=True`` outer class validates everything in it, loose parts included (as 0.24)."""
    with pytest.raises(ValueError, match=r"loose\.n: Input should be a valid integer"):
        Payload.from_json('{"loose": {"n": null}}', StrictHolder)
    assert Payload.from_json('{"loose": {"n": 1, "s": "a"}}', StrictHolder) == StrictHolder(Loose(1, "a"))


def test_typed_collections_of_loose_objects_are_not_validated() -> None:
    """``List[Loose]``/``Dict[str, Loose]`` parse their items without validation (0.24 could not parse them)."""
    assert Payload.from_json('[{"n": null}, {"n": 2, "s": "b"}]', List[Loose]) == [
        Loose(n=None, s=None),  # type: ignore[arg-type]
        Loose(n=2, s="b"),
    ]
    assert Payload.from_obj({"a": {}}, Dict[str, Loose]) == {"a": Loose(n=None, s=None)}  # type: ignore[arg-type]


def test_input_of_the_wrong_shape_is_still_an_error() -> None:
    """Something that is not an object cannot become a data object, validated or not."""
    for text in ("[1, 2]", '"text"', "5"):
        with pytest.raises(ValueError, match="Invalid Loose"):
            Payload.from_json(text, Loose)
    with pytest.raises(ValueError):
        Payload.from_json("{not json", Loose)
    with pytest.raises(ValueError, match=r"Invalid List\[Loose\]"):
        Payload.from_json('{"n": 1}', List[Loose])


def test_wrong_values_are_written_as_held() -> None:
    """Writing a loose object never validates: values are written as they are (0.24 gives the same text)."""
    assert Payload.to_json(Loose(n="abc", s=5)) == '{"n": "abc", "s": 5}'  # type: ignore[arg-type]
    assert Payload.to_json(Loose(n=None, s=None)) == "{}"  # type: ignore[arg-type]
    assert Payload.to_obj(Loose(n="abc", s=None)) == {"n": "abc"}  # type: ignore[arg-type]
    assert Payload.to_json_bytes(Loose(n="abc", s=5)) == b'{"n":"abc","s":5}'  # type: ignore[arg-type]
    holder = Holder(n=1, inner=Inner(ts="yesterday", k=2), amount="1.5")  # type: ignore[arg-type]
    assert Payload.to_json(holder) == (
        '{"n": 1, "s": "default", "inner": {"ts": "yesterday", "k": 2}, "inners": [], "named": {}, "amount": "1.5"}'
    )


def test_loose_object_round_trip_keeps_0_24_text() -> None:
    """Datetimes and enums of loose objects are written like validated ones."""
    holder = Holder(n=1, color=Color.RED, inner=Inner(ts=datetime(2020, 1, 1), k="k"))
    assert Payload.to_json(holder) == (
        '{"n": 1, "s": "default", "inner": {"ts": "2020-01-01T00:00:00Z", "k": "k"}, "inners": [], "named": {}, '
        '"color": "red"}'
    )

"""The JSON text of HTTP answers is exactly ``Payload.to_json``'s (0.24's text), written faster."""

import random
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Dict, List, Optional

import pytest
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.payload import Payload
from hopeit.web.json_text import json_text


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


@dataobject
@dataclass
class Leaf:
    name: str
    weight: float
    tags: List[str] = field(default_factory=list)


@dataobject
@dataclass
class Tree:
    id: str
    created: datetime
    leaves: List[Leaf]
    attributes: Dict[str, str] = field(default_factory=dict)
    color: Color = Color.RED
    price: Decimal = Decimal("1.5")
    note: Optional[str] = None
    counts: Dict[str, int] = field(default_factory=dict)
    values: List[float] = field(default_factory=list)
    scores: Dict[str, List[float]] = field(default_factory=dict)


@dataobject(validate=False)
@dataclass
class Loose:
    name: str
    count: int


TRICKY_TEXT = [
    "plain", "", 'quote " and backslash \\', 'looks like "a": 1, "b": 2', "comma,\nnewline\r\ttab",
    "caf\u00e9", "\u2028line\u2029sep", "emoji \U0001f600 end", "del \x7f and bell \x07", "e-5 and 0.00001",
    "1e-7", '": 0.00001', "[\n1,\n2\n]", "\u00ff\u0100\uffff", "slash /",
]


def _tree(text: str, values: List[float]) -> Tree:
    return Tree(
        id=text, created=datetime(2024, 5, 1, 10, 20, 30, tzinfo=timezone.utc),
        leaves=[Leaf(name=text, weight=1.25, tags=[text, "t"]), Leaf(name="b", weight=0.0)],
        attributes={text: text, "k": "v"}, note=text or None, counts={"a": 1, text: -2}, values=values,
        scores={text: values[:3], "last": [2e-5], "none": []},
    )


@pytest.mark.parametrize("text", TRICKY_TEXT)
def test_data_object_text_is_payload_to_json(text: str) -> None:
    tree = _tree(text, [0.1, -2.5, 1e16, 1e-5, -3.2e-7, 1e22, 123.456, 0.0001, 5e-324])
    assert json_text(tree, "tree") == Payload.to_json(tree, key="tree").encode()


def test_floats_are_written_as_python_writes_them() -> None:
    rng = random.Random(14)
    values = [rng.choice((-1, 1)) * 10 ** rng.uniform(-12, 24) for _ in range(3000)]
    values += [float(n) for n in range(-5, 5)] + [1e-4, 9.99e-5, 1e-5, 1e15, 1e16, 1.5e300, 2.2e-308]
    tree = _tree("floats", values)
    assert json_text(tree, "tree") == Payload.to_json(tree, key="tree").encode()


@pytest.mark.parametrize("value", [
    "text", 42, 1.5, True, None, [1, 2], {"a": [1, {"b": "caf\u00e9"}]}, [Leaf(name="x", weight=2.0)],
    {"leaf": Leaf(name="y", weight=1e-6)}, Leaf(name="", weight=-0.0), Loose(name="n", count=3),
])
def test_other_values_are_payload_to_json(value: Any) -> None:
    assert json_text(value, "event") == Payload.to_json(value, key="event").encode()


def test_a_field_of_the_wrong_type_fails_as_payload_does() -> None:
    leaf = Leaf(name="x", weight=1.0)
    leaf.weight = "heavy"  # type: ignore[assignment]
    with pytest.raises(ValueError) as expected:
        Payload.to_json(leaf)
    with pytest.raises(ValueError) as raised:
        json_text(leaf, "leaf")
    assert str(raised.value) == str(expected.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a filter put before this module's: still an error
        with pytest.raises(ValueError):
            json_text(leaf, "leaf")
    with warnings.catch_warnings():
        warnings.resetwarnings()  # this module's filter gone, only filters naming modules by name left
        warnings.filters[:] = [("default", None, DeprecationWarning, "__main__", 0)]  # type: ignore[index]
        with pytest.raises(ValueError):
            json_text(leaf, "leaf")


def test_a_data_object_that_does_not_validate_is_written_as_it_is() -> None:
    loose = Loose(name="n", count=1)
    loose.count = "many"  # type: ignore[assignment]
    expected = b'{"name": "n", "count": "many"}'
    assert json_text(loose, "loose") == Payload.to_json(loose, key="loose").encode() == expected


class Ratio(float, Enum):
    HALF = 0.5


class Size(Enum):
    SMALL = 1
    LARGE = 2


@dataobject
@dataclass
class Plain:
    name: str
    count: int
    when: datetime
    size: Size = Size.SMALL
    labels: Dict[str, List[str]] = field(default_factory=dict)
    child: Optional["Plain"] = None


@pytest.mark.parametrize("datatype, expected", [
    (Plain, False), (Leaf, True), (Tree, True), (Loose, True), (Ratio, True), (Size, False),
    (List[int], False), (Dict[str, Optional[float]], True), (Any, True), (Decimal, True),
])
def test_may_hold_float_tells_types_whose_json_has_no_float(datatype: Any, expected: bool) -> None:
    from hopeit.web.json_text import may_hold_float

    assert may_hold_float(datatype) is expected


@pytest.mark.parametrize("text", TRICKY_TEXT)
def test_objects_that_hold_no_float_keep_text_that_looks_like_one(text: str) -> None:
    plain = Plain(name=text, count=-7, when=datetime(2024, 5, 1, tzinfo=timezone.utc), labels={text: [text, "1e-7"]},
                  child=Plain(name="0.00001", count=1, when=datetime(2024, 5, 2, tzinfo=timezone.utc)))
    assert json_text(plain, "plain") == Payload.to_json(plain, key="plain").encode()


def test_an_object_that_does_not_validate_is_looked_at_for_floats() -> None:
    loose = Loose(name="n", count=1)
    loose.count = 1e-7  # type: ignore[assignment]
    assert json_text(loose, "loose") == Payload.to_json(loose, key="loose").encode() == b'{"name": "n", "count": 1e-07}'

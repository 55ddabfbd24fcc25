"""``copy_payload`` (spec engine §2.3): deep copies decided by the values held, never shared with the original."""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Dict, List, Optional, Set, Tuple

import pytest
from dataobject_shapes import Event, Header, Leaf, PlainDataclass, Something, Status, Unsafe
from hopeit.dataobjects import copy_payload, dataobject
from hopeit.dataobjects.payload import Payload


class Color(Enum):
    RED = "red"
    BLUE = "blue"



@dataobject
@dataclass
class Atomic:
    """Only immutable field types: a shallow copy is enough."""

    text: str
    number: int
    amount: Decimal
    when: datetime
    day: date
    uid: uuid.UUID
    color: Color
    maybe: Optional[str] = None


@dataobject
@dataclass
class Holder:
    """A bare ``tuple`` annotation may still hold mutable items."""

    items: tuple  # type: ignore[type-arg]


@dataobject
@dataclass
class Mixed:
    leaf: Leaf
    values: Dict[str, List[int]]
    seen: Set[int]
    pairs: Tuple[List[int], ...] = ()


@dataobject
@dataclass(frozen=True)
class Frozen:
    items: List[int]


def _atomic() -> Atomic:
    return Atomic(text="t", number=1, amount=Decimal("2.5"), when=datetime(2024, 1, 1, tzinfo=timezone.utc),
                  day=date(2024, 1, 1), uid=uuid.UUID(int=7), color=Color.RED)


@pytest.mark.parametrize(
    "value",
    ["text", 1, 1.5, True, (1, 2), Decimal("1.1")],
    ids=["str", "int", "float", "bool", "tuple", "decimal"],
)
def test_copy_of_atomic_values_is_the_same_object(value: Any) -> None:
    """Atomic values (and tuples, Decimals) are immutable: copy_payload returns them as they are."""
    assert copy_payload(value) is value


def test_copy_of_none_is_none() -> None:
    """None stays None."""
    assert copy_payload(None) is None


@pytest.mark.parametrize(
    "value, mutate",
    [
        ({"a": [1]}, lambda c: c["a"].append(2)),
        ([[1]], lambda c: c[0].append(2)),
        ({1, 2}, lambda c: c.add(3)),
    ],
    ids=["dict", "list", "set"],
)
def test_copy_of_collections_is_deep(value: Any, mutate: Any) -> None:
    """dict/list/set are deep copied: changing the copy (even nested) leaves the original alone."""
    before = repr(value)
    duplicate = copy_payload(value)
    assert duplicate == value and duplicate is not value
    mutate(duplicate)
    assert repr(value) == before


def test_copy_of_frozen_dataclass_is_the_same_object() -> None:
    """Frozen dataclasses cannot be changed by a step: no copy."""
    frozen = Frozen(items=[1])
    assert copy_payload(frozen) is frozen


def test_copy_of_unsafe_dataobject_is_the_same_object() -> None:
    """``unsafe=True`` opts out of copies."""
    unsafe = Unsafe(items=[1])
    assert copy_payload(unsafe) is unsafe


def test_copy_of_dataobject_with_immutable_fields_is_equal_and_independent() -> None:
    """A data object with only immutable fields is copied; setting a field of the copy keeps the original."""
    original = _atomic()
    duplicate = copy_payload(original)
    assert duplicate == original and duplicate is not original
    duplicate.text = "changed"  # type: ignore[union-attr]
    duplicate.color = Color.BLUE  # type: ignore[union-attr]
    assert original.text == "t" and original.color is Color.RED


def test_copy_of_mutable_nested_dataobject_is_deep() -> None:
    """Nested data objects, dicts of lists, sets and tuples of lists are all copied deeply."""
    original = Mixed(leaf=Leaf("a", ["x"]), values={"k": [1]}, seen={1}, pairs=([1],))
    duplicate = copy_payload(original)
    assert duplicate == original
    assert duplicate is not None
    duplicate.leaf.tags.append("y")
    duplicate.leaf.name = "b"
    duplicate.values["k"].append(2)
    duplicate.seen.add(2)
    duplicate.pairs[0].append(2)
    assert original == Mixed(leaf=Leaf("a", ["x"]), values={"k": [1]}, seen={1}, pairs=([1],))


def test_copy_of_plain_dataclass_is_deep() -> None:
    """A dataclass that is not a data object is deep copied as well."""
    original = PlainDataclass(items=[1])
    duplicate = copy_payload(original)
    assert duplicate is not None
    duplicate.items.append(2)
    assert original.items == [1]


def test_copy_of_bare_tuple_field_holding_lists_is_independent() -> None:
    """Mutating a list inside a ``tuple`` field of the copy must not change the original."""
    original = Holder(items=([1],))
    duplicate = copy_payload(original)
    assert duplicate is not None
    duplicate.items[0].append(2)
    assert original.items == ([1],)


def test_payload_round_trip_of_copied_object() -> None:
    """A copy serializes exactly like its original."""
    event = Event(header=Header(id="1"), leaves=[Leaf("a")])
    assert Payload.to_json(copy_payload(event)) == Payload.to_json(event)


@dataobject
@dataclass
class Unresolved:
    """Its annotation names a type that does not exist: copies fall back to deep copies."""

    items: "UndefinedType"  # type: ignore[name-defined]  # noqa: F821


def test_copy_with_unresolvable_annotations_is_deep() -> None:
    """When field types cannot be resolved the copy is deep."""
    original = Unresolved(items=[1])
    duplicate = copy_payload(original)
    assert duplicate is not None and duplicate is not original
    duplicate.items.append(2)
    assert original.items == [1]


@dataobject
@dataclass
class OptionalLists:
    names: Optional[List[str]] = None
    counts: Dict[str, int] = field(default_factory=dict)
    flags: Set[str] = field(default_factory=set)


def test_copy_of_optional_and_flat_collections_is_independent() -> None:
    """Optional lists, flat dicts and sets are copied, not shared."""
    original = OptionalLists(names=["a"], counts={"a": 1}, flags={"x"})
    duplicate = copy_payload(original)
    assert duplicate == original and duplicate is not None
    duplicate.names.append("b")  # type: ignore[union-attr]
    duplicate.counts["b"] = 2
    duplicate.flags.add("y")
    assert original == OptionalLists(names=["a"], counts={"a": 1}, flags={"x"})
    assert copy_payload(OptionalLists()) == OptionalLists()


def test_copy_keeps_attributes_that_are_not_fields() -> None:
    """Values cached on an instance outside its fields travel with the copy."""
    original = Atomic(
        text="t",
        number=1,
        amount=Decimal(1),
        when=datetime(2024, 1, 1),
        day=date(2024, 1, 1),
        uid=uuid.UUID(int=1),
        color=Color.RED,
    )
    original.__dict__["_cached"] = ("key",)
    duplicate = copy_payload(original)
    assert duplicate is not None and duplicate.__dict__["_cached"] == ("key",)




@dataobject(validate=False)
@dataclass
class LooseSomething:
    id: str
    status: Optional[Status] = None
    history: List[Status] = field(default_factory=list)


@dataobject
@dataclass
class LooselyTyped:
    """Fields whose annotations say little about what a step may put in them."""

    items: list  # type: ignore[type-arg]
    names: List[str] = field(default_factory=list)
    anything: Any = None
    text: Optional[str] = None
    table: dict = field(default_factory=dict)  # type: ignore[type-arg]


@dataobject
@dataclass
class Names:
    names: List[str]


@dataobject
@dataclass
class Text:
    text: Optional[str]


@dataobject
@dataclass
class Table:
    table: Dict[str, str]


@dataobject
@dataclass
class Anything:
    anything: Any


def _status(day: int) -> Status:
    return Status(ts=datetime(2024, 1, day, tzinfo=timezone.utc), type=f"s{day}")


def test_copies_of_something_do_not_share_its_history() -> None:
    """Setting ``copy.history[0].ts`` changes neither the original nor another copy (issue #14)."""
    original = Something(id="1", status=_status(1), history=[_status(2), _status(3)])
    first, second = copy_payload(original), copy_payload(original)
    assert first == original and second == original
    first.history[0].ts = datetime(2030, 1, 1, tzinfo=timezone.utc)  # type: ignore[union-attr]
    first.status.type = "changed"  # type: ignore[union-attr]
    first.history.append(_status(4))  # type: ignore[union-attr]
    assert original == Something(id="1", status=_status(1), history=[_status(2), _status(3)])
    assert second == original


def test_copies_of_a_loose_object_holding_anything_are_deep() -> None:
    """``validate=False`` objects may hold other values than their annotations: copies are still deep."""
    original = LooseSomething(id=[1], status={"ts": [2]}, history=[[_status(1)]])  # type: ignore[arg-type,list-item]
    duplicate = copy_payload(original)
    assert duplicate == original
    duplicate.id.append(9)  # type: ignore[union-attr,attr-defined]
    duplicate.status["ts"].append(9)  # type: ignore[union-attr,index]
    duplicate.history[0][0].type = "changed"  # type: ignore[union-attr,index]
    expected = LooseSomething(id=[1], status={"ts": [2]}, history=[[_status(1)]])  # type: ignore[arg-type,list-item]
    assert original == expected


@pytest.mark.parametrize(
    "holder, nested",
    [
        (lambda: Names(names=[_status(1)]), lambda obj: obj.names[0]),  # type: ignore[list-item]
        (lambda: Text(text=_status(1)), lambda obj: obj.text),  # type: ignore[arg-type]
        (lambda: Table(table={"k": _status(1)}), lambda obj: obj.table["k"]),  # type: ignore[dict-item]
        (lambda: Anything(anything=[_status(1)]), lambda obj: obj.anything[0]),
        (lambda: LooselyTyped(items=[_status(1)]), lambda obj: obj.items[0]),
    ],
    ids=["List[str]", "Optional[str]", "Dict[str, str]", "Any", "list"],
)
def test_copies_follow_the_values_held_not_the_annotations(holder: Any, nested: Any) -> None:
    """A step may put data objects in a ``List[str]``, ``Optional[str]``, ``Dict[str, str]``, ``Any`` field."""
    original = holder()
    duplicate = copy_payload(original)
    assert duplicate == original
    nested(duplicate).type = "changed"
    assert nested(original).type == "s1"


def test_copies_share_immutable_values() -> None:
    """Immutable values (str, datetime, Decimal, UUID, Enum...) are shared, containers are new."""
    original = _atomic()
    duplicate = copy_payload(original)
    assert duplicate is not None
    for name in ("text", "amount", "when", "day", "uid", "color"):
        assert getattr(duplicate, name) is getattr(original, name)
    mixed = Mixed(leaf=Leaf("a", ["x"]), values={"k": [1]}, seen={1}, pairs=([1],))
    copied = copy_payload(mixed)
    assert copied is not None
    assert copied.leaf is not mixed.leaf and copied.leaf.tags is not mixed.leaf.tags
    assert copied.values["k"] is not mixed.values["k"] and copied.pairs[0] is not mixed.pairs[0]


class Opaque:
    """Not a dataclass: copied by pickle."""

    def __init__(self, items: List[int]) -> None:
        self.items = items

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and other.items == self.items


def test_copies_of_unknown_values_use_pickle() -> None:
    """Objects the copier does not know are deep copied by pickle."""
    original = LooselyTyped(items=[Opaque([1])], anything=bytearray(b"ab"))
    duplicate = copy_payload(original)
    assert duplicate == original and duplicate is not None
    duplicate.items[0].items.append(2)
    duplicate.anything[0] = 0
    assert original == LooselyTyped(items=[Opaque([1])], anything=bytearray(b"ab"))


def test_copies_of_self_referencing_values_are_deep() -> None:
    """A list holding itself is copied (by pickle), not followed forever."""
    cycle: List[Any] = [1]
    cycle.append(cycle)
    duplicate = copy_payload(LooselyTyped(items=cycle))
    assert duplicate is not None and duplicate.items is not cycle
    assert duplicate.items[1] is duplicate.items


@dataobject
@dataclass(frozen=True)
class FrozenLeaf:
    tags: List[str]


def test_frozen_objects_nested_in_a_copy_are_copied() -> None:
    """A frozen object is returned as is only at the top; nested, it is copied like any other."""
    original = LooselyTyped(items=[FrozenLeaf(["a"])])
    duplicate = copy_payload(original)
    assert duplicate is not None and duplicate == original
    duplicate.items[0].tags.append("b")
    assert original.items[0].tags == ["a"]


def test_copies_of_collections_holding_dataobjects_are_deep() -> None:
    """A list or dict payload of data objects is copied item by item."""
    statuses = [_status(1)]
    duplicate = copy_payload(statuses)
    assert duplicate == statuses
    duplicate[0].type = "changed"  # type: ignore[index]
    assert statuses[0].type == "s1"
    table = {"k": _status(1)}
    copied_table = copy_payload(table)
    copied_table["k"].type = "changed"  # type: ignore[index]
    assert table["k"].type == "s1"

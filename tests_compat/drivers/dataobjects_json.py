"""Driver: the JSON that data objects become, and what JSON becomes, on the engine that runs it.

Prints one JSON object ``{case: output}`` on its last line. Written for the 0.24 API only, so that
it runs unchanged on both engines (tests_compat/test_dataobjects.py compares the two outputs).
"""

import json
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, Dict, List, Optional

from hopeit.dataobjects import copy_payload, dataobject
from hopeit.dataobjects.payload import Payload

warnings.simplefilter("ignore")


class Color(str, Enum):
    RED = "red"
    BLUE = "blue"


class Level(Enum):
    LOW = 1
    HIGH = 2


@dataobject
@dataclass
class Status:
    ts: datetime
    type: str


@dataobject
@dataclass
class Something:
    id: str
    status: Optional[Status] = None
    history: List[Status] = field(default_factory=list)
    by_name: Dict[str, Status] = field(default_factory=dict)
    note: Optional[str] = None


@dataobject
@dataclass
class Kinds:
    color: Color
    level: Level
    ref: uuid.UUID
    amount: Decimal
    ratio: float
    count: int
    flag: bool
    words: List[str]
    numbers: Dict[str, int]


@dataobject(validate=False)
@dataclass
class Loose:
    n: int
    s: str


UTC = datetime(1970, 1, 1, tzinfo=timezone.utc)
NAIVE = datetime(2020, 1, 1, 12, 0, 0)
PLUS2 = datetime(2021, 6, 1, 8, 30, 15, 250000, tzinfo=timezone(timedelta(hours=2)))
REF = uuid.UUID("12345678-1234-5678-1234-567812345678")


def kinds(amount: Decimal) -> Kinds:
    return Kinds(color=Color.RED, level=Level.HIGH, ref=REF, amount=amount, ratio=0.25, count=3, flag=True,
                 words=["a", "b"], numbers={"x": 1})


def something() -> Something:
    return Something(id="s1", status=Status(UTC, "new"), history=[Status(NAIVE, "old"), Status(PLUS2, "older")],
                     by_name={"k": Status(UTC, "named")})


def outcome(make: Callable[[], Any]) -> Any:
    """What ``make`` returns, ``"ValueError"`` when it raises one (any subclass), or the error's class name."""
    try:
        return make()
    except ValueError:
        return "ValueError"
    except Exception as exc:  # noqa: BLE001 - the difference is what is compared
        return f"error: {type(exc).__name__}"  # not a ValueError


def read_back(text: str) -> Dict[str, Any]:
    item = Payload.from_json(text, Something)
    assert item.status is not None
    return {
        "utcoffset": str(item.status.ts.utcoffset()),
        "naive_read_offset": str(item.history[0].ts.utcoffset()),
        "plus2_offset": str(item.history[1].ts.utcoffset()),
        "rewritten": Payload.to_json(item),
    }


def copy_is_deep() -> Dict[str, bool]:
    original = something()
    first, second = copy_payload(original), copy_payload(original)
    assert first is not None and second is not None
    first.history[0].type = "changed"
    first.by_name["k"].type = "changed"
    first.history.append(Status(UTC, "added"))
    return {
        "original_untouched": original.history[0].type == "old" and original.by_name["k"].type == "named"
        and len(original.history) == 2,
        "other_copy_untouched": second.history[0].type == "old" and len(second.history) == 2,
    }


def dataobject_methods() -> List[Any]:
    """``to_json``, ``from_json`` and ``to_dict``: methods 0.24 data objects had (not in our type stubs)."""
    status: Any = Status(UTC, "m")
    status_type: Any = Status
    return [status.to_json(), status_type.from_json('{"ts": "1970-01-01T00:00:00+00:00", "type": "m"}').type,
            status.to_dict()]


def cases() -> Dict[str, Any]:
    item = something()
    return {
        "to_json.nested_datetimes": Payload.to_json(item),
        "to_obj.nested_datetimes": Payload.to_obj(item),
        "to_json.list_of_dataobjects": Payload.to_json([Status(UTC, "a"), Status(NAIVE, "b")]),
        "to_json.dict_of_dataobjects": Payload.to_json({"a": Status(UTC, "a")}),
        "to_obj.list_of_dataobjects": Payload.to_obj([Status(UTC, "a")]),
        "to_json.kinds": Payload.to_json(kinds(Decimal("1.5"))),
        "to_json.decimal_point_one": Payload.to_json(kinds(Decimal("0.1"))),
        "to_json.decimal_integral": Payload.to_json(kinds(Decimal("2"))),
        "to_obj.kinds": Payload.to_obj(kinds(Decimal("1.5"))),
        "to_json.atomic": [Payload.to_json("x"), Payload.to_json(3), Payload.to_json(2.5), Payload.to_json(True),
                           Payload.to_json("x", key="name"), Payload.to_json(3, key=None)],
        "to_json.collections": [Payload.to_json({"a": 1, "b": [1, 2]}), Payload.to_json([1, "a"]),
                                Payload.to_json({3, 1, 2})],
        "to_obj.collections": [Payload.to_obj({"a": 1}), Payload.to_obj([1, 2]), Payload.to_obj({3, 1, 2}),
                               Payload.to_obj("x"), Payload.to_obj(1, key=None)],
        "read_back": read_back(Payload.to_json(item)),
        "from_json.kinds": outcome(lambda: Payload.to_json(Payload.from_json(Payload.to_json(kinds(Decimal("1.5"))),
                                                                             Kinds))),
        "from_json.atomic": [Payload.from_json('{"value": 3}', int), Payload.from_json('{"value": "x"}', str),
                             Payload.from_json('{"a": 1}', dict), Payload.from_json("[1, 2]", list)],
        "from_json.extra_keys_ignored": outcome(lambda: Payload.to_json(Payload.from_json(
            '{"ts": "1970-01-01T00:00:00+00:00", "type": "t", "unknown": 1}', Status))),
        "from_json.missing_field": outcome(lambda: Payload.from_json('{"type": "t"}', Status)),
        "from_json.wrong_type": outcome(lambda: Payload.from_json('{"ts": "yesterday", "type": "t"}', Status)),
        "from_json.not_json": outcome(lambda: Payload.from_json("{nope", Status)),
        "from_obj.nested": outcome(lambda: Payload.to_json(Payload.from_obj(
            {"id": "s", "history": [{"ts": "2020-01-01T00:00:00Z", "type": "t"}]}, Something))),
        "validate_false.null_and_missing": outcome(lambda: repr(Payload.from_json('{"n": null}', Loose))),
        "validate_false.from_obj": outcome(lambda: repr(Payload.from_obj({"n": 5}, Loose))),
        "validate_false.write_wrong_type": outcome(lambda: Payload.to_json(Loose(n="five", s=5))),  # type: ignore[arg-type]
        "validate_true.write_wrong_type": outcome(lambda: Payload.to_json(Status(ts="now", type=1))),  # type: ignore[arg-type]
        "to_json.list_with_none": outcome(lambda: Payload.to_json([1, None])),
        "copy_payload": copy_is_deep(),
        "dataobject_methods": dataobject_methods(),
        "event_id_default_is_uuid": len(Something(id="x").event_id()) == 36,  # type: ignore[attr-defined]
    }


if __name__ == "__main__":
    print(json.dumps(cases(), default=str))

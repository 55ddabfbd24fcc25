"""Data objects of many shapes: 0.24 described them in ``compat024_schemas-024.json``."""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Any, Dict, List, Literal, Optional, Set, Tuple, Union
from uuid import UUID

from hopeit.dataobjects import dataobject


class Level(IntEnum):
    ONE = 1
    TWO = 2


class Mixed(Enum):
    A = "a"
    B = 2


class Color(str, Enum):
    RED = "red"


@dataobject
@dataclass
class Inner:
    x: int


@dataclass
class PlainBase:
    """Not a data object"""

    y: str


@dataobject
@dataclass
class Base:
    """Base"""

    a: int
    b: str = "b"


@dataobject
@dataclass
class Child(Base):
    """Child"""

    c: str = "c"


@dataobject
@dataclass
class GrandChild(Child):
    """Grand child"""

    d: int = 4


@dataobject
@dataclass
class NoNewFields(Child):
    pass


@dataobject
@dataclass
class Multi(Base, Inner):
    m: str = "m"


@dataobject
@dataclass
class FromPlain(PlainBase):
    z: int


@dataobject
@dataclass
class AllDefault:
    """All default"""

    a: int = 1
    b: Optional[str] = None


@dataobject
@dataclass
class Empty:
    pass


@dataobject
@dataclass
class Types:
    """Field types"""

    u: Union[int, str]
    u2: Union[Inner, str]
    a: Any
    da: Dict[str, Any]
    d: dict  # type: ignore[type-arg]  # a bare dict: 0.24 wrote {"type": "object"}
    lst: list  # type: ignore[type-arg]  # a bare list: 0.24 wrote {"type": "array"}
    ol: Optional[List[Inner]]
    s: Set[str]
    tv: Tuple[int, ...]
    level: Level
    mixed: Mixed
    dd: Dict[str, List[Inner]]
    ld: List[Dict[str, int]]
    lit: Literal["x", "y"]
    grand: GrandChild
    multi: Multi
    no_new: NoNewFields
    from_plain: FromPlain
    empty: Empty


@dataobject
@dataclass
class Defaults:
    """Defaults"""

    f: float = 1
    i: int = 0
    s: str = "x"
    ou: Optional[Union[int, str]] = None
    ln: List[Optional[int]] = field(default_factory=list)
    df: Dict[str, int] = field(default_factory=dict)
    inner: Inner = field(default_factory=lambda: Inner(x=3))
    all_default: AllDefault = field(default_factory=AllDefault)
    level: Level = Level.TWO
    on: Optional[int] = 5
    naive: datetime = datetime(2020, 1, 1)
    aware: datetime = datetime(2020, 1, 1, tzinfo=timezone.utc)
    ls: List[str] = field(default_factory=lambda: ["a", "b"])
    li: List[Inner] = field(default_factory=lambda: [Inner(x=1)])
    dec: Decimal = Decimal("1.5")
    uid: UUID = UUID(int=5)  # noqa: RUF009 - immutable, written as 0.24 apps did
    color: Color = Color.RED
    neg: float = -1.5
    big: int = 10**12


@dataobject
@dataclass
class Holder:
    types: Types
    defaults: Defaults

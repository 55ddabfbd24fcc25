"""Deep copies of payloads, decided by the values they hold, not by their annotations.

A field may hold something else than its annotation says (a ``validate=False`` object, a step that
put data objects in a ``list`` or ``Any`` field), so a copy looks at each value: values of immutable
types are shared, lists, dicts, sets, tuples and dataclass instances are copied item by item, and
anything else goes through pickle, as the original engine copied everything. Each class is looked
at once; a copy is then one dict lookup per value.
"""

import pickle
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, Dict, Optional

__all__ = ["deep_copy"]

#: types whose instances cannot change: a copy shares them (exact types: a subclass may add state)
_IMMUTABLE = (str, int, float, bool, bytes, complex, type(None), Decimal, datetime, date, time, timedelta, uuid.UUID)

_Copier = Callable[[Any], Any]


def _share(value: Any) -> Any:
    return value


def _pickled(value: Any) -> Any:
    return pickle.loads(pickle.dumps(value, protocol=4))


def _copy_list(value: Any) -> Any:
    get = _copiers.get
    result = []
    for item in value:
        copier = get(item.__class__) or _learn(item.__class__)
        result.append(item if copier is _share else copier(item))
    return result


def _copy_tuple(value: Any) -> Any:
    return tuple(_copy_list(value))


def _copy_dict(value: Any) -> Any:
    get = _copiers.get
    result = {}
    for key, item in value.items():
        if (get(key.__class__) or _learn(key.__class__)) is not _share:
            return _pickled(value)  # a key that can change: keep pickle's exact semantics
        copier = get(item.__class__) or _learn(item.__class__)
        result[key] = item if copier is _share else copier(item)
    return result


def _copy_set(value: Any) -> Any:
    get = _copiers.get
    for item in value:
        if (get(item.__class__) or _learn(item.__class__)) is not _share:
            return _pickled(value)
    return value.copy()


def _copy_frozenset(value: Any) -> Any:
    get = _copiers.get
    for item in value:
        if (get(item.__class__) or _learn(item.__class__)) is not _share:
            return _pickled(value)
    return value


def _copy_instance(value: Any) -> Any:
    """A dataclass instance pickled by default rules: a new instance with a deep copy of its ``__dict__``."""
    duplicate = object.__new__(value.__class__)
    duplicate.__dict__.update(_copy_dict(value.__dict__))  # update: a frozen class refuses __dict__ = ...
    return duplicate


_copiers: Dict[type, _Copier] = {
    list: _copy_list,
    dict: _copy_dict,
    set: _copy_set,
    frozenset: _copy_frozenset,
    tuple: _copy_tuple,
    **{cls: _share for cls in _IMMUTABLE},
}


def _pickles_its_dict(cls: type) -> bool:
    """True when pickle would copy an instance of ``cls`` as a new object with its ``__dict__``."""
    for name in ("__new__", "__reduce_ex__", "__reduce__", "__getstate__"):
        if getattr(cls, name, None) is not getattr(object, name, None):
            return False
    if any(hasattr(cls, name) for name in ("__setstate__", "__deepcopy__", "__getnewargs__", "__getnewargs_ex__")):
        return False
    # slots hold values outside __dict__; empty slots (typing.Generic) hold nothing
    return cls.__dictoffset__ != 0 and all(not vars(klass).get("__slots__", ()) for klass in cls.__mro__[:-1])


def _learn(cls: type) -> _Copier:
    """How to copy instances of ``cls`` (decided once per class)."""
    copier: _Copier
    if issubclass(cls, Enum):
        copier = _share  # members are singletons: pickle gives the same member back
    elif hasattr(cls, "__dataclass_fields__") and _pickles_its_dict(cls):
        copier = _copy_instance
    else:
        copier = _pickled
    _copiers[cls] = copier
    return copier


def deep_copy(value: Any) -> Optional[Any]:
    """A deep copy of ``value``: immutable values shared, containers and dataclasses copied."""
    copier = _copiers.get(value.__class__) or _learn(value.__class__)
    if copier is _share:
        return value
    try:
        return copier(value)
    except RecursionError:  # a value that holds itself: pickle keeps the cycle
        return _pickled(value)

"""``hopeit.dataobjects.jsonify``: the deprecated ``Json`` alias of ``Payload`` that 0.24 apps import."""

import importlib
import sys
from dataclasses import dataclass

import pytest
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.payload import Payload


@dataobject
@dataclass
class Thing:
    x: int


def _import_jsonify() -> object:
    sys.modules.pop("hopeit.dataobjects.jsonify", None)
    with pytest.warns(DeprecationWarning, match=r"use Payload from hopeit\.dataobjects\.payload"):
        return importlib.import_module("hopeit.dataobjects.jsonify")


def test_importing_jsonify_warns_it_is_deprecated() -> None:
    """Importing the module emits a DeprecationWarning naming ``Payload`` as the replacement."""
    module = _import_jsonify()
    assert issubclass(module.Json, Payload)  # type: ignore[attr-defined]


def test_json_works_like_payload() -> None:
    """``Json``'s static methods are ``Payload``'s (0.24 gives the same texts)."""
    json_class = _import_jsonify().Json  # type: ignore[attr-defined]
    assert json_class.to_json(Thing(1)) == '{"x": 1}'
    assert json_class.from_json('{"x": 2}', Thing) == Thing(2)
    assert json_class.to_obj(Thing(3)) == {"x": 3}
    assert json_class.from_obj({"x": 4}, Thing) == Thing(4)
    assert json_class.to_json("s") == '{"value": "s"}'
    assert json_class.to_json([Thing(1)]) == '[{"x": 1}]'

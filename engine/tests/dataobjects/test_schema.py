"""JSON schemas of payload types for OpenAPI components."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from hopeit.dataobjects import dataobject
from hopeit.dataobjects.schema import REF_TEMPLATE, json_schema, schema_with_components


@dataobject
@dataclass
class Part:
    """A part."""

    name: str


@dataobject
@dataclass
class Assembly:
    """Parts put together."""

    id: str
    parts: List[Part] = field(default_factory=list)
    main: Optional[Part] = None


@dataobject
@dataclass
class Node:
    """A tree: refers to itself."""

    value: int
    children: List["Node"] = field(default_factory=list)


def test_ref_template_points_at_components() -> None:
    """Nested data objects are referenced under ``#/components/schemas``."""
    assert REF_TEMPLATE.format(model="X") == "#/components/schemas/X"


def test_dataobject_schema_is_a_ref_plus_components() -> None:
    """A data object comes back as ``$ref`` with itself and nested types among the components."""
    schema, components = schema_with_components(Assembly)
    assert schema == {"$ref": "#/components/schemas/Assembly"}
    assert set(components) == {"Assembly", "Part"}
    assembly = components["Assembly"]
    assert assembly["type"] == "object" and assembly["required"] == ["id"]
    assert assembly["x-module-name"] == __name__
    assert assembly["properties"]["parts"]["items"] == {"$ref": "#/components/schemas/Part"}
    assert components["Part"]["properties"]["name"]["type"] == "string"


def test_list_schema_refers_to_item_component() -> None:
    """``List[T]`` is an array of ``$ref`` with T among the components."""
    schema, components = schema_with_components(List[Part])
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/Part"}}
    assert set(components) == {"Part"}


def test_builtin_schema_has_no_components() -> None:
    """Builtins need no components."""
    assert schema_with_components(int) == ({"type": "integer"}, {})


def test_json_schema_is_self_contained() -> None:
    """``json_schema`` keeps nested types under ``$defs``."""
    schema = json_schema(Assembly)
    assert schema["required"] == ["id"]
    assert set(schema["$defs"]) == {"Part"}


def test_recursive_dataobject_component_is_its_schema() -> None:
    """The component of a recursive type holds its properties, not a reference to itself."""
    _, components = schema_with_components(Node)
    assert components["Node"].get("type") == "object"
    assert "$ref" not in components["Node"]


class Opaque:
    """A type neither 0.24 nor pydantic can describe."""


def test_type_without_schema_is_any_value() -> None:
    """0.24 wrote ``{}`` (any value) for types it could not describe, and so do we when pydantic cannot."""
    assert schema_with_components(Opaque) == ({}, {})


def test_bare_containers() -> None:
    """Unparameterised containers, as 0.24 wrote them."""
    assert schema_with_components(list)[0] == schema_with_components(List)[0] == {"type": "array"}
    assert schema_with_components(dict)[0] == schema_with_components(Dict)[0] == {"type": "object"}

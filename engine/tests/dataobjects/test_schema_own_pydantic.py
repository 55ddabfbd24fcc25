"""A data object that gives pydantic its own schema is documented as pydantic describes it."""

from dataclasses import dataclass
from typing import Any

from hopeit.dataobjects import dataobject
from hopeit.dataobjects.schema import schema_with_components
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema


@dataobject
@dataclass
class Tag:
    label: str


@dataobject
@dataclass
class Tagged:
    """Sent as a list of tags, whatever its fields are."""

    tags: str

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.list_schema(handler.generate_schema(Tag))


def test_described_by_its_own_schema() -> None:
    schema, components = schema_with_components(Tagged)
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}
    assert components["Tag"]["properties"] == {"label": {"type": "string"}}


def test_other_data_objects_keep_the_024_description() -> None:
    schema, components = schema_with_components(Tag)
    assert schema == {"$ref": "#/components/schemas/Tag"}
    assert components["Tag"]["x-module-name"] == __name__

"""JSON schemas of payload types, shaped for OpenAPI ``components.schemas``."""

from typing import Any, Dict, Tuple

from hopeit.dataobjects.adapters import adapter

__all__ = ["REF_TEMPLATE", "json_schema", "schema_with_components"]

#: Where references to nested data objects point in an OpenAPI document.
REF_TEMPLATE = "#/components/schemas/{model}"


def schema_with_components(datatype: Any) -> Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """Schema of ``datatype`` and the component schemas it refers to.

    A data object comes back as a ``$ref`` with itself among the components, so every data object
    appears once in ``components.schemas`` however deep it is nested.
    """
    schema = adapter(datatype).json_schema(ref_template=REF_TEMPLATE, mode="serialization")
    components: Dict[str, Dict[str, Any]] = dict(schema.pop("$defs", {}))
    if hasattr(datatype, "__dataclass_fields__"):
        name = datatype.__name__
        schema.setdefault("x-module-name", datatype.__module__)
        if set(schema) - {"x-module-name"} != {"$ref"}:
            components[name] = schema  # a self-referencing type is already complete in $defs
        return {"$ref": REF_TEMPLATE.format(model=name)}, components
    return schema, components


def json_schema(datatype: Any) -> Dict[str, Any]:
    """Self-contained JSON schema of ``datatype`` (nested types under ``$defs``)."""
    return adapter(datatype).json_schema(mode="serialization")

"""JSON schemas from pydantic (draft 2020-12) rewritten as OpenAPI 3.0 schema objects."""

from typing import Any, Dict, List, Tuple

__all__ = ["openapi3_schema"]

_NAMED_MAPPINGS = ("properties", "patternProperties", "$defs", "definitions")


def _without_null(variants: List[Any]) -> Tuple[List[Any], bool]:
    # variants are converted first, so ``{"type": "null"}`` already reads ``{"nullable": True}``
    rest = [v for v in variants if not (isinstance(v, dict) and v in ({"type": "null"}, {"nullable": True}))]
    return rest, len(rest) != len(variants)


def openapi3_schema(schema: Any) -> Any:
    """Rewrite a JSON schema from pydantic into an OpenAPI 3.0 schema object.

    ``anyOf [X, {type: null}]`` becomes ``X`` with ``nullable: true``; ``$ref`` with sibling keys is
    wrapped in ``allOf``; ``const`` becomes a one-value ``enum``; numeric ``exclusiveMinimum`` /
    ``exclusiveMaximum`` become the boolean form; ``prefixItems`` becomes ``items: {anyOf}``;
    ``examples`` becomes ``example``; property titles are dropped (they repeat the names).
    """
    if not isinstance(schema, dict):
        return schema
    out: Dict[str, Any] = {}
    for key, value in schema.items():
        if key in _NAMED_MAPPINGS and isinstance(value, dict):
            out[key] = {name: _property(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = openapi3_schema(value)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            out[key] = [openapi3_schema(v) for v in value]
        else:
            out[key] = value
    for combinator in ("anyOf", "oneOf"):
        if combinator in out:
            rest, had_null = _without_null(out[combinator])
            if had_null:
                del out[combinator]
                out["nullable"] = True
                if len(rest) == 1 and "$ref" in rest[0]:
                    out["allOf"] = rest
                elif len(rest) == 1:
                    out = {**rest[0], **out}
                elif rest:
                    out[combinator] = rest
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        if len(types) != len(out["type"]):
            out["nullable"] = True
        if len(types) == 1:
            out["type"] = types[0]
        else:
            del out["type"]
            out["anyOf"] = [{"type": t} for t in types]
    if out.get("type") == "null":
        del out["type"]
        out["nullable"] = True
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), (int, float)) and not isinstance(out.get(bound), bool):
            out[plain] = out[bound]
            out[bound] = True
    if "prefixItems" in out:
        variants = out.pop("prefixItems")
        out.setdefault("items", {"anyOf": variants} if variants else {})
    if "examples" in out:
        examples = out.pop("examples")
        if isinstance(examples, list) and examples:
            out["example"] = examples[0]
    out.pop("$defs", None)
    if "$ref" in out and len(out) > 1:
        ref = {"$ref": out.pop("$ref")}
        out["allOf"] = [ref, *out.get("allOf", [])]
    return out


def _property(schema: Any) -> Any:
    converted = openapi3_schema(schema)
    if isinstance(converted, dict):
        converted.pop("title", None)
    return converted

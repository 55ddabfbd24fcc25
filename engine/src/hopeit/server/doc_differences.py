"""Where two API documents differ (an OpenAPI spec, an AsyncAPI document): paths, then values.

``hopeit_openapi diff`` and ``hopeit_asyncapi diff`` compare the file a team keeps with what the
apps give now. ``document_differences`` names where they differ, down to the named entries of the
sections given (``paths./api/x.get``, ``channels.orders``, ``components.schemas.Order``);
``value_differences`` shows each differing value on both sides. The document's ``info.version``
belongs to the file and is never compared.
"""

import json
from typing import Any, Dict, List, Mapping

__all__ = ["difference_report", "document_differences", "value_differences"]

_ABSENT = object()
_SHOWN = 100  # characters of a value shown in a difference
_SHOWN_VALUES = 50  # values ``difference_report`` lists (a renamed schema can differ in hundreds of places)


def _without_version(value: Any) -> Any:
    return {k: v for k, v in value.items() if k != "version"} if isinstance(value, dict) else value


def document_differences(expected: Dict[str, Any], actual: Dict[str, Any], nested: Mapping[str, int]) -> List[str]:
    """Where ``expected`` (the file) and ``actual`` (the apps) differ, as JSON paths; empty when they match.

    ``nested`` names the top-level sections looked into, with how many levels of names deep
    (``{"paths": 2}``: ``paths.<path>.<method>``); any other differing key is named whole.
    """
    found: List[str] = []
    for key in dict.fromkeys([*expected, *actual]):
        left, right = expected.get(key), actual.get(key)
        if key == "info":
            left, right = _without_version(left), _without_version(right)
        if left == right:
            continue
        if key in nested and isinstance(left, dict) and isinstance(right, dict):
            found += _named_differences(key, left, right, nested[key])
        else:
            found.append(key)
    return found


def _named_differences(prefix: str, left: Dict[str, Any], right: Dict[str, Any], depth: int) -> List[str]:
    found: List[str] = []
    for key in dict.fromkeys([*left, *right]):
        a, b = left.get(key), right.get(key)
        if a == b:
            continue
        where = f"{prefix}.{key}"
        if a is None:
            found.append(f"{where} (not in file)")
        elif b is None:
            found.append(f"{where} (only in file)")
        elif depth > 1 and isinstance(a, dict) and isinstance(b, dict):
            found += _named_differences(where, a, b, depth - 1)
        else:
            found.append(where)
    return found


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def value_differences(file: Any, apps: Any, where: str = "") -> List[str]:
    """Each value that differs, down to the leaves: ``<path>: file <value>, apps <value>``.

    Dicts are compared key by key, lists of the same length item by item (``[i]`` in the path);
    anything else is shown whole (JSON, cut at 100 characters).
    """
    if file == apps:
        return []
    if isinstance(file, dict) and isinstance(apps, dict):
        found: List[str] = []
        for key in dict.fromkeys([*file, *apps]):
            left, right = file.get(key, _ABSENT), apps.get(key, _ABSENT)
            if not where and key == "info":
                left, right = _without_version(left), _without_version(right)
            found += value_differences(left, right, f"{where}.{key}" if where else key)
        return found
    if isinstance(file, list) and isinstance(apps, list) and len(file) == len(apps):
        pairs = enumerate(zip(file, apps))
        return [line for index, (a, b) in pairs for line in value_differences(a, b, f"{where}[{index}]")]
    return [f"{where}: file {_show(file)}, apps {_show(apps)}"]


def difference_report(title: str, where: List[str], values: List[str]) -> List[str]:
    """Lines a ``diff`` command prints: ``title``, each place that differs, then the values on each side."""
    lines = [title, *(f"  {path}" for path in where), "Values (file, then what the apps give):"]
    lines += [f"  {line}" for line in values[:_SHOWN_VALUES]]
    if len(values) > _SHOWN_VALUES:
        lines.append(f"  ... and {len(values) - _SHOWN_VALUES} more")
    return lines

"""``${ENV}`` and ``{dotted.path}`` / ``{auto}`` expansion in config files."""

import json
import os
import re
from dataclasses import fields, is_dataclass
from typing import Any, Dict, List, Optional

from hopeit.app.names import auto_path_prefixed

__all__ = ["MissingEnvironmentVariables", "replace_config_args", "replace_env_vars"]

_ENV_VAR = re.compile(r"\$\{([^{}]+)\}")
_CONFIG_ARG = re.compile(r"\{([^{}$]+)\}")


class MissingEnvironmentVariables(ValueError):
    """Config refers to environment variables that are not set."""

    def __init__(self, names: List[str]) -> None:
        self.names = names
        listed = ", ".join(names)
        super().__init__(f"environment variable(s) not set: {listed} (export them, or remove the ${{...}} references)")


def replace_env_vars(config_json: str) -> str:
    """Replace each ``${NAME}`` with ``os.getenv(NAME.upper())``, JSON-escaped.

    :raises MissingEnvironmentVariables: naming every variable that is not set.
    """
    missing: List[str] = []

    def value_of(match: "re.Match[str]") -> str:
        name = match.group(1).strip().upper()
        value = os.getenv(name)
        if value is None:
            missing.append(name)
            return match.group(0)
        # escape so a value with quotes or backslashes (Windows paths) keeps the JSON valid
        return json.dumps(value)[1:-1]

    result = _ENV_VAR.sub(value_of, config_json)
    if missing:
        raise MissingEnvironmentVariables(sorted(set(missing)))
    return result


def _index(node: Any, path: str, out: Dict[str, str]) -> None:
    if isinstance(node, str):
        out[path] = node
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        out[path] = str(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            _index(value, f"{path}.{key}" if path else str(key), out)
    elif is_dataclass(node) and not isinstance(node, type):
        for f in fields(node):
            _index(getattr(node, f.name), f"{path}.{f.name}" if path else f.name, out)


class _Replacer:
    def __init__(self, root: Any, auto_prefix: Optional[str]) -> None:
        self.values: Dict[str, str] = {}
        _index(root, "", self.values)
        self.auto_prefix = auto_prefix

    def text(self, value: str, keys: List[str]) -> str:
        if "{" not in value:
            return value

        def arg_value(match: "re.Match[str]") -> str:
            name = match.group(1)
            if name == "auto" and self.auto_prefix is not None:
                parts = [part for key in keys for part in str(key).split(".")]
                return auto_path_prefixed(self.auto_prefix, *parts)
            found = self.values.get(name)
            # a value that still holds references is expanded on the next pass
            return found if found is not None and "{" not in found else match.group(0)

        return _CONFIG_ARG.sub(arg_value, value)

    def walk(self, node: Any, keys: List[str]) -> Any:
        if isinstance(node, str):
            return self.text(node, keys)
        if isinstance(node, dict):
            items = [(self.text(k, keys) if isinstance(k, str) else k, v) for k, v in node.items()]
            node.clear()
            for key, value in items:
                node[key] = self.walk(value, [*keys, key])
        elif isinstance(node, list):
            node[:] = [self.walk(item, keys) for item in node]
        elif is_dataclass(node) and not isinstance(node, type):
            for f in fields(node):
                # attribute names are not part of {auto} paths; only dict keys are
                setattr(node, f.name, self.walk(getattr(node, f.name), keys))
        return node


def replace_config_args(root: Any, *, auto_prefix: Optional[str] = None, passes: int = 2) -> Any:
    """Expand ``{dotted.path}`` references and ``{auto}`` in every string (and dict key) of ``root``.

    Runs twice so a value that refers to an expanded value resolves as well.
    """
    for _ in range(passes):
        _Replacer(root, auto_prefix).walk(root, [])
    return root

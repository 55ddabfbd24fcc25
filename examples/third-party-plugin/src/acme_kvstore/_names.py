"""Checks on keys, partitions and table names, and glob matching of stored paths."""

import fnmatch
import re

__all__ = ["check_key", "check_partition", "check_table", "glob_match"]

_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def check_key(value: str, what: str = "key") -> str:
    """``value`` if it is a plain name (what a file name could be in the fs backend), else ValueError."""
    if not isinstance(value, str) or value in ("", ".", ".."):
        raise ValueError(f"acme-sqlite storage: {what} must be a non-empty name, got {value!r}")
    if "/" in value or "\\" in value or "\x00" in value:
        raise ValueError(f"acme-sqlite storage: {what} {value!r} must not contain '/', '\\' or NUL")
    return value


def check_partition(partition_key: str) -> str:
    """A partition key without surrounding ``/``; each part must be a plain name ("" when not partitioned)."""
    partition = partition_key.strip("/")
    if partition:
        for part in partition.split("/"):
            check_key(part, "partition key part")
    return partition


def check_table(table: str) -> str:
    """``table`` if it is a safe SQL identifier (it is put in statements, not bound as a parameter)."""
    if not _TABLE.match(table):
        raise ValueError(f"acme-sqlite storage: table {table!r} must be letters, digits and _ (not first digit)")
    return table


def glob_match(pattern: str, path: str) -> bool:
    """Match ``path`` (``[partition/]key``) like a filesystem glob: ``*`` never crosses a ``/``."""
    pattern_parts = pattern.split("/")
    path_parts = path.split("/")
    return len(pattern_parts) == len(path_parts) and all(
        fnmatch.fnmatchcase(part, pat) for part, pat in zip(path_parts, pattern_parts)
    )

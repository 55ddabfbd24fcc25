"""Checks on keys, partitions and table names, and glob matching of stored paths."""

import fnmatch
import re

from hopeit.storage import check_key as check_portable_key

__all__ = ["check_key", "check_partition", "check_table", "glob_match"]

_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def check_key(value: str, what: str = "key") -> str:
    """``value`` if it is a plain name (the engine's rule for every backend), else ``InvalidKeyError``.

    ``hopeit.storage.InvalidKeyError`` is a ``ValueError`` that the web server answers with 400: keys
    usually come from a request, so a bad one is the client's mistake, not a server failure.
    """
    return check_portable_key(value, what=what, backend="acme-sqlite storage")


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

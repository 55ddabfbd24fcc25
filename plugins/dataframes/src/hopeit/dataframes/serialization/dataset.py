"""The ``Dataset`` pointer that travels instead of a dataframe, and the settings that say where datasets go."""

import importlib
from typing import Any, Dict, Optional

from hopeit.dataobjects import dataclass, dataobject, field

__all__ = ["Dataset", "DatasetSerialization", "find_protocol_impl"]


@dataobject
@dataclass
class Dataset:
    """Where a saved dataframe is: the storage protocol that saved it, its partition and key, and its type.

    ``datatype`` is ``<module>.<qualname>`` of the ``@dataframe`` class. A reader that knows the type
    it expects checks it against this name; nothing is imported from a pointer that came from outside.
    """

    protocol: str
    partition_key: str
    key: str
    datatype: str


@dataobject
@dataclass
class DatasetSerialization:
    """Settings ``dataset_serialization`` of the dataframes plugin.

    :param protocol: class that saves and loads datasets (``DatasetObjectStorage`` or the 0.24 name
        ``hopeit.dataframes.serialization.files.DatasetFileStorage``).
    :param location: base folder (``path`` of the storage backend).
    :param partition_dateformat: datasets go in a partition of the time they were saved, e.g. ``%Y/%m/%d/%H/``.
    :param storage: storage backend name (``hopeit.storage`` entry point) for ``DatasetObjectStorage``.
    :param storage_settings: more settings for the backend; on fs, dataset files are not fsynced
        unless ``{"fsync": true}`` is given.
    """

    protocol: str
    location: str
    partition_dateformat: Optional[str] = None
    storage: str = "fs"
    storage_settings: Dict[str, Any] = field(default_factory=dict)


def find_protocol_impl(qualified_name: str) -> type:
    """The class named by the dotted path ``qualified_name`` (from the plugin's configuration, a trusted source).

    :raises ImportError: naming the path, when it cannot be imported.
    """
    module_name, _, class_name = qualified_name.rpartition(".")
    try:
        found: type = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ImportError(f"dataset serialization protocol '{qualified_name}' cannot be imported: {exc}") from None
    return found

"""Where uploaded files go: the ``uploads`` settings section, shared by the upload and download events."""

import re
from pathlib import Path
from typing import Optional

from hopeit.app.context import EventContext
from hopeit.dataobjects import dataclass, dataobject

from simple_example.model import SomethingFile

__all__ = ["UploadSettings", "find_file", "safe_file_name", "upload_settings"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataobject
@dataclass
class UploadSettings:
    """``settings.uploads``: folder of uploaded files and the chunk size used to move them."""

    save_path: str
    chunk_size: int = 65536


def upload_settings(context: EventContext) -> UploadSettings:
    """The ``uploads`` section (events list it in ``setting_keys``)."""
    return context.settings(key="uploads", datatype=UploadSettings)


def safe_file_name(name: str) -> str:
    """A file name that cannot leave the upload folder: base name only, unusual characters replaced."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).lstrip(".")
    return base or "file"


def find_file(settings: UploadSettings, file_name: str) -> Optional[SomethingFile]:
    """The uploaded file called ``file_name``, or None (names that are not safe are never found)."""
    if not file_name or safe_file_name(file_name) != file_name:
        return None
    path = Path(settings.save_path) / file_name
    if not path.is_file():
        return None
    return SomethingFile(file_name=file_name, path=str(path), size=path.stat().st_size)

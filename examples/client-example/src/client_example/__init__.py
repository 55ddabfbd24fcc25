"""client-example: a hopeit.engine app that calls simple-example through apps-client.

It reuses simple-example's data objects (``simple_example.model``): the data model of the app it
calls, imported instead of copied.
"""

from hopeit.dataobjects import dataclass, dataobject

from client_example.version import __version__

__all__ = ["CountAndSaveResult", "__version__"]


@dataobject
@dataclass
class CountAndSaveResult:
    """Answer of ``count_and_save``: how many items simple-example had, and where the new one went."""

    count: int
    save_path: str

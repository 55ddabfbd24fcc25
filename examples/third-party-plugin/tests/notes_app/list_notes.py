"""List notes: every note in the configured storage backend."""

from typing import List

from hopeit.app.context import EventContext

from notes_app import Note, notes_storage

__steps__ = ["load_all"]


async def load_all(payload: None, context: EventContext) -> List[Note]:
    """Load every stored note, in every partition."""
    storage = notes_storage(context)
    notes: List[Note] = []
    for locator in await storage.list_objects("*/*/*"):
        note = await storage.get(locator.item_id, datatype=Note, partition_key=locator.partition_key)
        if note is not None:
            notes.append(note)
    return notes

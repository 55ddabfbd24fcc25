"""Save note: store a note in the configured storage backend."""

from hopeit.app.context import EventContext

from notes_app import Note, notes_storage

__steps__ = ["save"]


async def save(payload: Note, context: EventContext) -> str:
    """Store the note; returns where."""
    return await notes_storage(context).store(payload.id, payload)

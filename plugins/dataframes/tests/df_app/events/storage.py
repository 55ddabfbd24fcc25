"""Where df-app keeps its summaries: fs-storage under the ``summaries`` settings path."""

from typing import Optional

from hopeit.app.context import EventContext
from hopeit.fs_storage import FileStorage, FileStorageSettings

from df_app import Summary


def summaries(context: EventContext) -> "FileStorage[Summary]":
    settings = context.settings(key="summaries", datatype=FileStorageSettings)
    return FileStorage.with_settings(settings)


async def save(summary: Summary, context: EventContext, suffix: str = "") -> Summary:
    await summaries(context).store(summary.batch_id + suffix, summary)
    return summary


async def load(key: str, context: EventContext) -> Optional[Summary]:
    return await summaries(context).get(key, datatype=Summary)

"""Download something streamed: send an uploaded file, chunk by chunk, from the event itself.

Where ``download_something`` hands a path to the server, this event writes the response body
itself (``PostprocessHook.prepare_stream_response``): the way to send data that is produced on
the fly or read from somewhere that is not a local file. Chunk size: ``settings.uploads``.
"""

from typing import Optional

import aiofiles
from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook

from simple_example.model import SomethingFile
from simple_example.uploads import find_file, upload_settings

__steps__ = ["find_uploaded_file"]

__api__ = event_api(
    summary="Download something, streamed",
    query_args=[("file_name", str, "Name of an uploaded file")],
    responses={200: (SomethingFile, "the file"), 404: (str, "no such file")},
)


def find_uploaded_file(payload: None, context: EventContext, *, file_name: str) -> Optional[SomethingFile]:
    """The uploaded file, or None when there is no such file."""
    return find_file(upload_settings(context), file_name)


async def __postprocess__(
    payload: Optional[SomethingFile], context: EventContext, response: PostprocessHook
) -> str:
    """Stream the file in chunks, or answer 404."""
    if payload is None:
        response.set_status(404)
        return "File not found"
    stream = await response.prepare_stream_response(
        context,
        content_disposition=f'attachment; filename="{payload.file_name}"',
        content_type=SomethingFile.content_type,
        content_length=payload.size,
    )
    chunk_size = upload_settings(context).chunk_size
    async with aiofiles.open(payload.path, "rb") as source:
        chunk = await source.read(chunk_size)
        while chunk:
            await stream.write(chunk)
            chunk = await source.read(chunk_size)
    return f"File {payload.file_name}"

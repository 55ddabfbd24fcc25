"""Download something: send back an uploaded file.

``file_name`` is a name listed by ``upload_something``. The server sends the file from disk
(``PostprocessHook.set_file_response``) with the content type guessed from its name.
"""

import mimetypes
from typing import Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook

from simple_example.model import SomethingFile
from simple_example.uploads import find_file, upload_settings

__steps__ = ["find_uploaded_file"]

__api__ = event_api(
    summary="Download something",
    query_args=[("file_name", str, "Name of an uploaded file")],
    responses={200: (SomethingFile, "the file"), 404: (str, "no such file")},
)


def find_uploaded_file(payload: None, context: EventContext, *, file_name: str) -> Optional[SomethingFile]:
    """The uploaded file, or None when there is no such file."""
    return find_file(upload_settings(context), file_name)


async def __postprocess__(
    payload: Optional[SomethingFile], context: EventContext, response: PostprocessHook
) -> str:
    """Answer with the file itself, or 404."""
    if payload is None:
        response.set_status(404)
        return "File not found"
    content_type = mimetypes.guess_type(payload.file_name)[0] or SomethingFile.content_type
    response.set_header("Content-Disposition", f'attachment; filename="{payload.file_name}"')
    response.set_content_type(content_type)
    response.set_file_response(payload.path)
    return f"File {payload.file_name}"

"""Upload something: receive files in a multipart form and stream them to disk.

Form fields: ``id`` and ``user`` (text) and ``attachment`` (a file; more file fields are
accepted). ``__preprocess__`` reads the form as it arrives: each file is written to the upload
folder chunk by chunk (``hopeit.toolkit.web.save_multipart_attachment``), so large files never
sit in memory. Saved files are named ``<id>-<file name>`` (``<field>-<file name>`` when the file
comes before the ``id`` field): the answer lists the names to pass to ``download_something``.

An upload that is refused leaves no file behind: when a required field is missing (400 below), or
the server refuses the request part way (a body over ``max_body_size`` or a text field over
``max_field_size``: 413; more than ``max_parts`` parts: 413; a malformed part: 400), the server
removes the files ``save_multipart_attachment`` saved for it.
"""

from typing import Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PreprocessHook
from hopeit.app.logger import app_extra_logger
from hopeit.dataobjects import BinaryAttachment
from hopeit.toolkit.web import save_multipart_attachment

from simple_example.model import FileUploadInfo, UploadedFile
from simple_example.uploads import safe_file_name, upload_settings

__steps__ = ["register_upload"]

logger, extra = app_extra_logger()

REQUIRED_FIELDS = ("id", "user", "attachment")

__api__ = event_api(
    summary="Upload something",
    fields=[
        ("id", str, "Id of the item the files belong to"),
        ("user", str, "Who uploads"),
        ("attachment", BinaryAttachment, "A file"),
    ],
    responses={200: (FileUploadInfo, "fields and files received"), 400: (str, "missing fields")},
)


async def __preprocess__(
    payload: None, context: EventContext, request: PreprocessHook
) -> Union[FileUploadInfo, str]:
    """Save every file of the form while reading it; 400 when a required field is missing."""
    settings = upload_settings(context)
    uploaded = []
    async for file_hook in request.files():
        # fields sent before this file are known already (forms send them in order: id, user, files)
        prefix = (await request.parsed_args()).get("id") or file_hook.name
        file_name = f"{safe_file_name(str(prefix))}-{safe_file_name(file_hook.file_name)}"
        size = await save_multipart_attachment(
            file_hook, f"{settings.save_path}/{file_name}", chunk_size=settings.chunk_size
        )
        uploaded.append(UploadedFile(field_name=file_hook.name, file_name=file_name, size=size))
    fields = await request.parsed_args()
    if any(name not in fields for name in REQUIRED_FIELDS):
        request.set_status(400)
        return f"Missing required fields: {', '.join(REQUIRED_FIELDS)}"
    return FileUploadInfo(id=str(fields["id"]), user=str(fields["user"]), uploaded_files=uploaded)


def register_upload(payload: FileUploadInfo, context: EventContext) -> FileUploadInfo:
    """Log what arrived and answer with it."""
    for item in payload.uploaded_files:
        logger.info(context, f"uploaded {item.file_name} ({item.size} bytes)", extra=extra(something_id=payload.id))
    return payload

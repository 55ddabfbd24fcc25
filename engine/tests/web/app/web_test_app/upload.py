"""Receives files and fields of a multipart form, saving files to the folder named in env."""

from pathlib import Path

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PreprocessHook
from hopeit.dataobjects import BinaryAttachment
from hopeit.toolkit.web import save_multipart_attachment

from web_test_app import UploadResult, state

__steps__ = ["done"]

__api__ = event_api(
    fields=[("name", str, "A name"), ("file", BinaryAttachment, "A file")],
    responses={200: UploadResult},
)


async def __preprocess__(payload: None, context: EventContext, request: PreprocessHook) -> UploadResult:
    folder = Path(str(context.env["upload"]["path"]))
    files = {}
    async for file_hook in request.files():
        chunk_size = state.UPLOAD_CHUNK_SIZE[0] or 8192
        files[file_hook.name] = await save_multipart_attachment(file_hook, folder / file_hook.file_name,
                                                                chunk_size=chunk_size)
    args = await request.parsed_args()
    fields = {k: str(v) for k, v in args.items() if k not in files}
    if "refuse_with" in fields:  # the event refuses the upload itself, after its files were saved
        request.set_status(int(fields["refuse_with"]))
    return UploadResult(fields=fields, files=files)


def done(payload: UploadResult, context: EventContext) -> UploadResult:
    return payload

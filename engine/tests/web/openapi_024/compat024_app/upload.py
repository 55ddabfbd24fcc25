"""
Compat: upload

Multipart upload with fields
and a file.
"""
from typing import Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PreprocessHook
from hopeit.dataobjects import BinaryAttachment

from compat024_app.model import Labeled, Part, UploadInfo

__steps__ = ["done"]

__api__ = event_api(
    fields=[
        ("name", str, "Name field"),
        ("part", Part, "A part as json"),
        ("attachment", BinaryAttachment, "A file"),
    ],
    responses={200: (UploadInfo, "what was uploaded"), 400: (str, "missing fields")},
)


async def __preprocess__(payload: None, context: EventContext, request: PreprocessHook) -> Union[str, UploadInfo]:
    """Names of the uploaded files."""
    names = []
    async for file_hook in request.files():
        names.append(file_hook.file_name)
    args = await request.parsed_args()
    return UploadInfo(name=str(args.get("name")), file_names=names, labeled=Labeled(name="x"))


def done(payload: UploadInfo, context: EventContext) -> UploadInfo:
    """What was uploaded."""
    return payload

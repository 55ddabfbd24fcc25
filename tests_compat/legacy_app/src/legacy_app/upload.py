"""Upload: a multipart form with an id field and files; answers the size of each file."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PreprocessHook
from hopeit.dataobjects import BinaryAttachment

from legacy_app.model import UploadInfo

__steps__ = ["done"]

__api__ = event_api(
    fields=[("id", str, "upload id"), ("attachment", BinaryAttachment, "a file")],
    responses={200: (UploadInfo, "sizes of the files received")},
)


async def __preprocess__(payload: None, context: EventContext, request: PreprocessHook) -> UploadInfo:
    sizes = {}
    async for file_hook in request.files():
        size = 0
        async for chunk in file_hook.read_chunks(chunk_size=1024):
            size += len(chunk)
        sizes[file_hook.name] = size
    args = await request.parsed_args()
    return UploadInfo(id=args["id"], files=sizes)


def done(payload: UploadInfo, context: EventContext) -> UploadInfo:
    return payload

"""Download: streams ``chunks`` chunks of 1 KiB as an attachment."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.dataobjects import BinaryDownload

__steps__ = ["prepare"]


class Chunks(BinaryDownload):
    content_type = "application/octet-stream"


__api__ = event_api(query_args=[("chunks", int, "how many chunks")], responses={200: (Chunks, "the bytes")})


def prepare(payload: None, context: EventContext, chunks: str) -> int:
    return int(chunks)


async def __postprocess__(payload: int, context: EventContext, response: PostprocessHook) -> str:
    stream = await response.prepare_stream_response(
        context, content_disposition='attachment; filename="chunks.bin"',
        content_type="application/octet-stream", content_length=payload * 1024,
    )
    for i in range(payload):
        await stream.write(bytes([65 + i % 26]) * 1024)
    return f"{payload} chunks"

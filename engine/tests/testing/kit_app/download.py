"""A streamed download: ``__postprocess__`` writes ten bytes in two chunks."""

from hopeit.app.context import EventContext, PostprocessHook
from hopeit.dataobjects import BinaryDownload, dataclass, dataobject

__steps__ = ["image"]


@dataobject
@dataclass
class ImagePng(BinaryDownload):
    content_type = "image/png"
    file_name: str


async def image(payload: None, context: EventContext, file_name: str = "a.png") -> ImagePng:
    return ImagePng(file_name=file_name)


async def __postprocess__(img: ImagePng, context: EventContext, response: PostprocessHook) -> str:
    stream = await response.prepare_stream_response(
        context, content_disposition=f'attachment; filename="{img.file_name}"', content_type=img.content_type,
        content_length=10,
    )
    await stream.write(b"01234")
    await stream.write(b"56789")
    return "done"

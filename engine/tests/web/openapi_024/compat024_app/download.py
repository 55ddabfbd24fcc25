"""Compat: download an image"""
from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook

from compat024_app.model import ImagePng

__steps__ = ["find"]

__api__ = event_api(
    query_args=[("file_name", str, "File name")],
    responses={200: (ImagePng, "The image"), 400: (str, "bad")},
)


def find(payload: None, context: EventContext, file_name: str) -> ImagePng:
    """Step of the test event."""
    return ImagePng(file_name=file_name)


async def __postprocess__(payload: ImagePng, context: EventContext, response: PostprocessHook) -> str:
    """Step of the test event."""
    response.set_content_type(ImagePng.content_type)
    response.set_file_response("/dev/null")
    return payload.file_name

"""POST event with __preprocess__ (multipart fields and files) and __postprocess__."""

from typing import Optional

from hopeit.app.context import EventContext, PostprocessHook, PreprocessHook

from mock_app import MockData, MockResult

__steps__ = ["process"]


async def __preprocess__(payload: Optional[MockData], context: EventContext, request: PreprocessHook,
                         mode: str = "json") -> Optional[MockData]:
    if mode == "reject":
        request.set_status(400)
        return None
    if mode == "multipart":
        sizes = []
        async for file_hook in request.files():
            data = await file_hook.read()
            sizes.append(f"{file_hook.name}:{file_hook.file_name}:{len(data)}")
        args = await request.parsed_args()
        return MockData(id=str(args["id"]), value=",".join(sizes))
    return payload


def process(payload: MockData, context: EventContext, mode: str = "json") -> MockResult:
    return MockResult(id=payload.id, processed=payload.value)


async def __postprocess__(payload: MockResult, context: EventContext, response: PostprocessHook) -> str:
    response.set_header("X-Processed", payload.id)
    response.set_cookie("seen", payload.id)
    response.set_status(201)
    return f"processed {payload.id}"

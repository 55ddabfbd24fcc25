"""Downloads: a file (kind=file) or a streamed response (kind=stream)."""

from pathlib import Path

from hopeit.app.context import EventContext, PostprocessHook

__steps__ = ["pick"]


def pick(payload: None, context: EventContext, kind: str = "file", name: str = "data.bin") -> str:
    return f"{kind}:{name}"


async def __postprocess__(payload: str, context: EventContext, response: PostprocessHook) -> str:
    kind, name = payload.split(":", 1)
    path = Path(str(context.env["upload"]["path"])) / name
    if kind == "file":
        response.set_content_type("application/octet-stream")
        response.set_file_response(path)
        return ""
    stream = await response.prepare_stream_response(
        context, content_disposition=f'attachment; filename="{name}"', content_type="text/plain",
    )
    for i in range(5):
        await stream.write(f"line {i}\n".encode())
    return ""

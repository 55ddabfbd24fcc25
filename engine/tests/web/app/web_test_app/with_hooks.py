"""Sets headers, cookies, status and content type in __postprocess__."""

from hopeit.app.context import EventContext, PostprocessHook

__steps__ = ["hello"]


def hello(payload: None, context: EventContext, status: str = "200") -> str:
    return f"hello {status}"


async def __postprocess__(payload: str, context: EventContext, response: PostprocessHook) -> str:
    status = int(payload.split(" ")[1])
    response.set_header("X-Custom", "custom-value")
    response.set_cookie("session", "abc", path="/")
    response.del_cookie("old")
    response.set_content_type("text/plain")
    response.set_status(status)
    return payload.upper()

"""GET: the caller's identity (served Unsecured, Bearer and Basic under three event names)."""

from hopeit.app.context import EventContext

from target_app import Identity, host_name

__steps__ = ["identify"]


def identify(payload: None, context: EventContext) -> Identity:
    info = context.auth_info
    auth_type = info.get("auth_type")
    principal = info.get("payload")
    if isinstance(principal, dict):  # Bearer: the claims of a verified token
        principal = principal.get("app", "")
    return Identity(
        host=host_name(context),
        auth_type=str(getattr(auth_type, "value", auth_type)),
        principal=str(principal or ""),
        track={k: v for k, v in context.track_ids.items() if k.startswith("track.")},
    )

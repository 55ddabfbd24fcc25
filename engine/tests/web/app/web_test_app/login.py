"""Basic login: issues an access token and sets a refresh cookie."""

from datetime import datetime, timedelta, timezone
from typing import Dict

from hopeit.app.context import EventContext, PostprocessHook
from hopeit.toolkit.auth import AuthType, new_token

__steps__ = ["login"]


def login(payload: None, context: EventContext, ttl: str = "60") -> Dict[str, str]:
    user = str(context.auth_info["payload"])
    exp = datetime.now(tz=timezone.utc) + timedelta(seconds=int(ttl))
    refresh_exp = exp + timedelta(hours=1)
    return {"access_token": new_token(context.app_key, {"user": user, "exp": exp}),
            "refresh_token": new_token(context.app_key, {"user": user, "refresh": True, "exp": refresh_exp},
                                       token_type=AuthType.REFRESH)}


async def __postprocess__(payload: Dict[str, str], context: EventContext, response: PostprocessHook) -> Dict[str, str]:
    response.set_cookie(f"{context.app_key}.refresh", f"Refresh {payload['refresh_token']}", httponly=True)
    return payload

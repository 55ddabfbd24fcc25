"""Login: Basic credentials (any user, password ``secret``) for an access token and a refresh token."""

import base64
from datetime import datetime, timedelta, timezone
from typing import Dict

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.errors import Unauthorized
from hopeit.toolkit import auth

__steps__ = ["issue_tokens"]

__api__ = event_api(
    summary="Issue an access token and a refresh token",
    responses={200: (Dict[str, str], "access_token and refresh_token"), 401: (str, "wrong password")},
)


def issue_tokens(payload: None, context: EventContext) -> Dict[str, str]:
    """Both tokens of the user, signed by this app: the access one for Bearer events, the other for Refresh."""
    user, _, password = base64.b64decode(str(context.auth_info.get("payload", ""))).decode().partition(":")
    if password != "secret":
        raise Unauthorized("wrong password")
    now = datetime.now(tz=timezone.utc)
    claims = {"user": user, "iat": now}
    return {
        "access_token": auth.new_token(context.app_key, {**claims, "exp": now + timedelta(minutes=10)}),
        "refresh_token": auth.new_token(context.app_key, {**claims, "exp": now + timedelta(hours=1)},
                                        token_type=auth.AuthType.REFRESH),
    }

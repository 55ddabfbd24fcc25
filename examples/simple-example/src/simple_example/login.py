"""Login: trade Basic credentials for a bearer token.

Send ``Authorization: Basic base64(user:password)``; the answer carries an ``access_token`` to
send as ``Authorization: Bearer <token>`` to the events that require it (``save_something``,
``list_somethings``). Users are listed in the ``login`` settings section as the SHA-256 of their
password: a demo of the flow, not a user store (use salted hashes and a real store in an app).

The token is a JWT signed with this app's private key (``hopeit.toolkit.auth.new_token``); the
server verifies it with the app's public key. Keys live in the server config's
``auth.secrets_location`` (created on first start when ``auth.create_keys`` is true).
"""

import base64
import binascii
import hashlib
import hmac
from datetime import timedelta
from typing import Dict, Tuple

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.errors import Unauthorized
from hopeit.app.logger import app_logger
from hopeit.dataobjects import dataclass, dataobject, field
from hopeit.toolkit import auth

from simple_example.model import AuthInfo
from simple_example.storage import now

__steps__ = ["issue_token"]

logger = app_logger()


@dataobject
@dataclass
class LoginSettings:
    """``settings.login``: user name -> SHA-256 hex of the password, and token lifetime."""

    users: Dict[str, str] = field(default_factory=dict)
    token_expiration_seconds: int = 3600


__api__ = event_api(
    summary="Login",
    description="Exchange Basic credentials for a bearer token.",
    responses={200: (AuthInfo, "bearer token"), 401: (str, "unknown user or wrong password")},
)


def _credentials(context: EventContext) -> Tuple[str, str]:
    """User and password of the request's Basic credentials (the server keeps them base64 encoded)."""
    try:
        decoded = base64.b64decode(str(context.auth_info.get("payload", ""))).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("Basic credentials are not valid base64 of user:password") from None
    user, sep, password = decoded.partition(":")
    if not sep or not user:
        raise Unauthorized("Basic credentials must be user:password")
    return user, password


def issue_token(payload: None, context: EventContext) -> AuthInfo:
    """Check the Basic credentials against ``settings.login.users`` and sign a token."""
    settings = context.settings(datatype=LoginSettings)
    user, password = _credentials(context)
    expected = settings.users.get(user)
    given = hashlib.sha256(password.encode()).hexdigest()
    if expected is None or not hmac.compare_digest(expected, given):
        logger.warning(context, f"login failed for user {user}")
        raise Unauthorized("unknown user or wrong password")
    issued = now()
    token = auth.new_token(context.app_key, {
        "user": user,
        "iat": issued,
        "exp": issued + timedelta(seconds=settings.token_expiration_seconds),
    })
    logger.info(context, f"token issued for {user}")
    return AuthInfo(
        access_token=token, token_type="bearer", expires_in=settings.token_expiration_seconds, user=user
    )

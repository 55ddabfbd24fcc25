"""``Authorization`` header of a call, per auth strategy."""

import time
from typing import Any, Dict, Optional

from hopeit.app.context import EventContext
from hopeit.apps_client.errors import AppsClientConfigError, AppsClientException
from hopeit.apps_client.settings import ClientAuthStrategy

__all__ = ["ClientAuth"]

#: lifetime of a client token; it is renewed some seconds before it expires
TOKEN_LIFETIME_SECONDS = 60
TOKEN_RENEW_SECONDS = 50


class ClientAuth:
    """Makes the ``Authorization`` header of one connection's calls."""

    __slots__ = ("app_key", "strategy", "token", "token_expiry", "where")

    def __init__(self, *, app_key: str, strategy: ClientAuthStrategy, where: str) -> None:
        self.app_key = app_key
        self.strategy = strategy
        self.where = where
        self.token: Optional[str] = None
        self.token_expiry = 0.0

    def start(self) -> None:
        """Issue the first token (public-key strategy), so a missing key fails the app start."""
        if self.strategy == ClientAuthStrategy.CLIENT_APP_PUBLIC_KEY:
            self._renew(time.time())

    def stop(self) -> None:
        """Forget the token."""
        self.token = None
        self.token_expiry = 0.0

    def _renew(self, now: float) -> str:
        # imported here: PyJWT and cryptography are only needed by the public-key strategy
        from hopeit.toolkit.auth import PrivateKeyNotFoundError, new_token

        issued = int(now)
        try:
            token = new_token(self.app_key, {"iat": issued, "exp": issued + TOKEN_LIFETIME_SECONDS})
        except PrivateKeyNotFoundError as exc:
            raise AppsClientConfigError(
                f"{self.where}: auth_strategy CLIENT_APP_PUBLIC_KEY signs calls with the private key of "
                f"{self.app_key}, which is not loaded ({exc}). Enable auth in server config "
                f'("auth": {{"secrets_location": ..., "auth_passphrase": ...}}) or set another auth_strategy'
            ) from None
        self.token = token
        self.token_expiry = issued + TOKEN_RENEW_SECONDS
        return token

    def header(self, context: EventContext) -> Optional[str]:
        """Value of ``Authorization`` for a call made while serving ``context`` (None: no header)."""
        if self.strategy == ClientAuthStrategy.UNSECURED:
            return None
        if self.strategy == ClientAuthStrategy.CLIENT_APP_PUBLIC_KEY:
            now = time.time()
            token = self.token if self.token is not None and now < self.token_expiry else self._renew(now)
            return f"Bearer {token}"
        return self._forwarded(context.auth_info)

    def _forwarded(self, auth_info: Dict[str, Any]) -> Optional[str]:
        auth_type = auth_info.get("auth_type")
        scheme = getattr(auth_type, "value", auth_type)
        if scheme is None or str(scheme).lower() == "unsecured":
            return None
        payload = auth_info.get("payload")
        if not isinstance(payload, str):
            # Bearer contexts keep the token's claims, not the token: nothing can be forwarded
            raise AppsClientException(
                f"{self.where}: auth_strategy FORWARD_CONTEXT cannot forward {scheme} credentials "
                "(only Basic credentials are kept as sent); use CLIENT_APP_PUBLIC_KEY for apps called with tokens"
            )
        return f"{scheme} {payload}"

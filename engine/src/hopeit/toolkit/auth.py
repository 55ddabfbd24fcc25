"""App keys and JWTs: sign tokens for an app, verify tokens of any app, authorize requests.

Each app has an RSA key pair under the server's ``auth.secrets_location``::

    <secrets_location>/.private/<app_key>.pem      private key, encrypted with auth.auth_passphrase
    <secrets_location>/public/<app_key>_pub.pem    public key

``init`` loads (or, with ``auth.create_keys``, creates) the pair of an app when its engine starts.
Tokens are RS256 JWTs carrying an ``app`` claim naming the app that signed them; ``decode_token``
verifies a token with the public key of that app, so an app can accept tokens issued by another
app of the same deployment. ``exp`` is enforced.
"""

import logging
from pathlib import Path
from typing import Any, Dict, Optional, Set

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hopeit.app._server_models import AuthConfig, AuthType
from hopeit.app.context import EventContext

__all__ = [
    "AuthType",
    "PrivateKeyNotFoundError",
    "PublicKeyNotFoundError",
    "app_private_key",
    "app_public_key",
    "decode_token",
    "init",
    "new_token",
    "validate_auth_method",
    "validate_token",
]

logger = logging.getLogger("hopeit.toolkit.auth")

_ALGORITHM = "RS256"  # AuthConfig.encryption_algorithm is informational: keys are RSA

_private_keys: Dict[str, Any] = {}
_public_keys: Dict[str, Any] = {}
_missing_public_keys: Set[str] = set()
_secrets_location: Optional[Path] = None


class PrivateKeyNotFoundError(LookupError):
    """No private key was loaded for the app that wants to sign a token."""


class PublicKeyNotFoundError(LookupError):
    """No public key exists for the app named in a token."""


def _private_path(location: Path, app_key: str) -> Path:
    return location / ".private" / f"{app_key}.pem"


def _public_path(location: Path, app_key: str) -> Path:
    return location / "public" / f"{app_key}_pub.pem"


def _create_keys(location: Path, app_key: str, passphrase: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.TraditionalOpenSSL,
        encryption_algorithm=encryption,
    )
    public_pem = key.public_key().public_bytes(
        encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_path, public_path = _private_path(location, app_key), _public_path(location, app_key)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.write_bytes(private_pem)
    private_path.chmod(0o600)
    public_path.write_bytes(public_pem)
    logger.info("Created RSA key pair of %s in %s", app_key, location)


def _load_public_key(path: Path) -> Any:
    return serialization.load_pem_public_key(path.read_bytes())


def init(app_key: str, auth_config: AuthConfig) -> None:
    """Load the key pair of ``app_key`` (creating it when missing and ``create_keys`` is set).

    With auth disabled the key caches are cleared and tokens cannot be issued or verified.

    :raises FileNotFoundError: when a key file is missing and ``create_keys`` is false; the message
        says which file and how to get one.
    """
    global _secrets_location
    if not auth_config.enabled:
        _private_keys.clear()
        _public_keys.clear()
        _missing_public_keys.clear()
        _secrets_location = None
        logger.warning("Auth is disabled in server config: tokens are neither issued nor verified (app=%s)", app_key)
        return
    location = Path(auth_config.secrets_location)
    _secrets_location = location
    private_path, public_path = _private_path(location, app_key), _public_path(location, app_key)
    if auth_config.create_keys and not (private_path.exists() and public_path.exists()):
        _create_keys(location, app_key, auth_config.auth_passphrase)
    for path in (private_path, public_path):
        if not path.exists():
            raise FileNotFoundError(
                f"Key file of app {app_key} not found: {path}. Copy the app keys there, "
                f'or set "create_keys": true in the auth section of server config to generate them.'
            )
    passphrase = auth_config.auth_passphrase.encode() if auth_config.auth_passphrase else None
    try:
        _private_keys[app_key] = serialization.load_pem_private_key(private_path.read_bytes(), password=passphrase)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Cannot load private key {private_path} (check auth.auth_passphrase): {exc}") from None
    _public_keys[app_key] = _load_public_key(public_path)
    _missing_public_keys.discard(app_key)


def app_private_key(app_key: str) -> Any:
    """Private key of an app initialised with ``init``.

    :raises PrivateKeyNotFoundError: when the app has no loaded private key.
    """
    try:
        return _private_keys[app_key]
    except KeyError:
        raise PrivateKeyNotFoundError(
            f"No private key loaded for app {app_key}: is auth enabled in server config?"
        ) from None


def app_public_key(app_key: str) -> Any:
    """Public key of any app, loaded from ``public/<app_key>_pub.pem`` on first use.

    :raises PublicKeyNotFoundError: when the file does not exist or cannot be read (remembered).
    """
    key = _public_keys.get(app_key)
    if key is not None:
        return key
    if app_key in _missing_public_keys or _secrets_location is None:
        raise PublicKeyNotFoundError(f"No public key for app {app_key}")
    try:
        key = _load_public_key(_public_path(_secrets_location, app_key))
    except (OSError, ValueError) as exc:
        _missing_public_keys.add(app_key)
        raise PublicKeyNotFoundError(f"No public key for app {app_key}: {exc}") from None
    _public_keys[app_key] = key
    return key


def new_token(app_key: str, payload: Dict[str, Any]) -> str:
    """A JWT with ``payload`` claims plus ``"app": app_key``, signed with the app's private key.

    Put ``exp`` (a datetime or epoch seconds) in ``payload`` to make it expire.
    """
    return jwt.encode({**payload, "app": app_key}, app_private_key(app_key), algorithm=_ALGORITHM)


def decode_token(token: str) -> Dict[str, Any]:
    """Claims of a token, verified with the public key of the app named in its ``app`` claim.

    :raises jwt.InvalidTokenError: bad signature, expired, or malformed token.
    :raises PublicKeyNotFoundError: the signing app is unknown here.
    """
    unverified = jwt.decode(token, options={"verify_signature": False})
    app_key = unverified.get("app")
    if not isinstance(app_key, str):
        raise jwt.InvalidTokenError("token has no app claim")
    claims: Dict[str, Any] = jwt.decode(token, app_public_key(app_key), algorithms=[_ALGORITHM])
    return claims


def validate_token(token: str, context: EventContext) -> Optional[Dict[str, Any]]:
    """Claims of a valid token, or None (logged as a warning) when it cannot be trusted."""
    try:
        return decode_token(token)
    except (jwt.InvalidTokenError, PublicKeyNotFoundError) as exc:
        logger.warning("Invalid token for %s %s: %s", context.app_key, context.event_name, exc)
        return None


def validate_auth_method(auth_type: AuthType, data: str, context: EventContext) -> None:
    """Check credentials ``data`` of scheme ``auth_type``; on success fill ``context.auth_info``.

    Unsecured always passes. Basic passes any non-empty value, kept in ``payload`` for the event to
    check. Bearer and Refresh pass a valid token and keep its claims in ``payload``.
    """
    info = context.auth_info
    if auth_type == AuthType.UNSECURED:
        info["auth_type"] = auth_type
        info["allowed"] = True
    elif auth_type == AuthType.BASIC:
        if data:
            info["auth_type"] = auth_type
            info["allowed"] = True
            info["payload"] = data
    elif auth_type in (AuthType.BEARER, AuthType.REFRESH):
        claims = validate_token(data, context)
        if claims is not None:
            info["auth_type"] = auth_type
            info["allowed"] = True
            info["payload"] = claims

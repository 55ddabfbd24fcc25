"""App keys and JWTs: sign tokens for an app, verify tokens of any app, authorize requests.

Each app has an RSA key pair under the server's ``auth.secrets_location``::

    <secrets_location>/.private/<app_key>.pem      private key, encrypted with auth.auth_passphrase
    <secrets_location>/public/<app_key>_pub.pem    public key

``init`` loads (or, with ``auth.create_keys``, creates) the pair of an app when its engine starts,
and lists every ``*_pub.pem`` file in ``public/``: those are the apps whose tokens this server
trusts. Tokens are RS256 JWTs carrying an ``app`` claim naming the app that signed them;
``decode_token`` looks that name up among the listed keys (a claim is only ever a key into that
table, never part of a file path), so an app can accept tokens issued by another app of the same
deployment. The folder is listed again when it changed (one ``stat`` per token tells): keys
another server created later are found, removed ones stop verifying, and unknown names are never
remembered.

Every token must carry ``exp`` (tokens without it are refused) and a ``typ`` claim: ``Bearer``
for access tokens, ``Refresh`` for refresh tokens. ``new_token`` stamps it (access by default);
an event accepting Bearer refuses refresh tokens and the other way round.
"""

import logging
from pathlib import Path
from typing import Any, Dict, Optional

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hopeit.app.context import EventContext
from hopeit.contracts.settings import AuthConfig, AuthType
from hopeit.toolkit._public_keys import PUBLIC_SUFFIX, PublicKeys

__all__ = [
    "AuthType",
    "PrivateKeyNotFoundError",
    "PublicKeyNotFoundError",
    "app_private_key",
    "app_public_key",
    "decode_token",
    "init",
    "new_token",
    "refusal_reason",
    "validate_auth_method",
    "validate_token",
]

logger = logging.getLogger("hopeit.toolkit.auth")

_ALGORITHM = "RS256"  # AuthConfig.encryption_algorithm is informational: keys are RSA
_TOKEN_TYPES = (AuthType.BEARER, AuthType.REFRESH)
_TYPE_CLAIM = "typ"
_SHOWN_CLAIM = 80  # characters of an unknown app claim put in messages (it is attacker text)

_private_keys: Dict[str, Any] = {}
#: public keys by app key, as listed in ``<secrets_location>/public/``
_public_keys = PublicKeys()


class PrivateKeyNotFoundError(LookupError):
    """No private key was loaded for the app that wants to sign a token."""


class PublicKeyNotFoundError(LookupError):
    """No public key exists for the app named in a token."""


def _private_path(location: Path, app_key: str) -> Path:
    return location / ".private" / f"{app_key}.pem"


def _public_path(location: Path, app_key: str) -> Path:
    return location / "public" / f"{app_key}{PUBLIC_SUFFIX}"


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


def init(app_key: str, auth_config: AuthConfig) -> None:
    """Load the key pair of ``app_key`` (creating it when missing and ``create_keys`` is set).

    Also lists the public keys of every app in ``<secrets_location>/public/`` again: the tokens
    ``decode_token`` accepts are those signed by one of them. With auth disabled the key tables
    are cleared and tokens can be neither issued nor verified.

    :raises FileNotFoundError: when a key file is missing and ``create_keys`` is false; the message
        says which file and how to get one.
    :raises ValueError: when a key of the app cannot be read (e.g. a wrong passphrase).
    """
    global _public_keys
    if not auth_config.enabled:
        _private_keys.clear()
        _public_keys = PublicKeys()
        logger.warning("Auth is disabled in server config: tokens are neither issued nor verified (app=%s)", app_key)
        return
    location = Path(auth_config.secrets_location)
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
    if _public_keys.folder != public_path.parent:
        _public_keys = PublicKeys(public_path.parent)
    _public_keys.scan()
    if _public_keys.get(app_key) is None:
        raise ValueError(f"Cannot load public key {public_path}: see the warning logged above")


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
    """Public key of an app, among the ``<app_key>_pub.pem`` files in ``<secrets_location>/public/``.

    :raises PublicKeyNotFoundError: when the folder has no key of that app (nothing is remembered
        of the names asked for: a token can name anything).
    """
    key = _public_keys.get(app_key)
    if key is None:
        raise PublicKeyNotFoundError(
            f"No public key for app {app_key!r:.{_SHOWN_CLAIM}}: the keys known here are the "
            f"<app_key>{PUBLIC_SUFFIX} files in the public folder of auth.secrets_location"
        )
    return key


def new_token(app_key: str, payload: Dict[str, Any], *, token_type: AuthType = AuthType.BEARER) -> str:
    """A JWT with ``payload`` claims plus ``"app": app_key`` and ``"typ"``, signed with the app's private key.

    ``payload`` must hold ``exp`` (a datetime or epoch seconds): tokens that never expire are
    refused by ``decode_token``. ``token_type`` is ``AuthType.BEARER`` (an access token, the
    default) or ``AuthType.REFRESH`` and is written as the ``typ`` claim, which events check. A
    ``typ`` already in ``payload`` must name the same type: the type is never taken from the
    payload, so that the claims of a user cannot turn a token into another kind.

    :raises PrivateKeyNotFoundError: the app has no loaded private key.
    :raises ValueError: ``exp`` is missing, ``token_type`` is not Bearer or Refresh, or ``payload``
        has another ``typ``.
    """
    key = app_private_key(app_key)
    if token_type not in _TOKEN_TYPES:
        raise ValueError(f"new_token({app_key}): token_type must be Bearer or Refresh, not {token_type.value}")
    if payload.get("exp") is None:
        raise ValueError(
            f"new_token({app_key}): payload has no exp claim. Tokens without expiry are refused; "
            'add "exp": <datetime or epoch seconds> to the payload'
        )
    given = payload.get(_TYPE_CLAIM, token_type.value)
    if given != token_type.value:
        raise ValueError(
            f"new_token({app_key}): payload has typ={given!r} but token_type is {token_type.value}: leave typ "
            "out of the payload and pass token_type=AuthType.REFRESH (or AuthType.BEARER, the default)"
        )
    claims = {**payload, "app": app_key, _TYPE_CLAIM: token_type.value}
    return jwt.encode(claims, key, algorithm=_ALGORITHM)


def decode_token(token: str) -> Dict[str, Any]:
    """Claims of a token, verified with the public key of the app named in its ``app`` claim.

    Only RS256 signatures are accepted, and the token must carry an unexpired ``exp``. The token
    type (``typ``) is checked by ``validate_auth_method``, not here.

    :raises jwt.InvalidTokenError: bad signature or algorithm, expired, no ``exp``, or malformed.
    :raises PublicKeyNotFoundError: the signing app is not among the keys known here.
    """
    unverified = jwt.decode(token, options={"verify_signature": False})
    app_key = unverified.get("app")
    if not isinstance(app_key, str):
        raise jwt.InvalidTokenError("token has no app claim")
    claims: Dict[str, Any] = jwt.decode(
        token, app_public_key(app_key), algorithms=[_ALGORITHM], options={"require": ["exp"]}
    )
    return claims


def refusal_reason(exc: Exception) -> str:
    """What was wrong with a token, in words safe to answer to its sender.

    The categories of RFC 6750's ``error_description`` practice: malformed, expired, bad signature,
    missing claim. They tell a client what to fix and an attacker nothing it did not send itself
    (which keys exist and why a signature failed stay in the server log).
    """
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "token expired"
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "token not valid yet"
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"token has no {exc.claim} claim"
    if isinstance(exc, (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError, PublicKeyNotFoundError)):
        return "bad signature"  # an unknown signer cannot be verified: to the sender, the same thing
    return "malformed token"


def validate_token(token: str, context: EventContext) -> Optional[Dict[str, Any]]:
    """Claims of a valid token, or None (logged as a warning) when it cannot be trusted.

    The reason (``refusal_reason``) is kept in ``context.auth_info["refused"]`` for the answer.
    """
    try:
        return decode_token(token)
    except (jwt.InvalidTokenError, PublicKeyNotFoundError) as exc:
        logger.warning("Invalid token for %s %s: %s", context.app_key, context.event_name, exc)
        context.auth_info["refused"] = refusal_reason(exc)
        return None


def _has_type(claims: Dict[str, Any], auth_type: AuthType, context: EventContext) -> bool:
    typ = claims.get(_TYPE_CLAIM)
    if typ == auth_type.value:
        return True
    if typ is None:
        logger.warning(
            "Token refused for %s %s: it has no typ claim, so it is neither a Bearer nor a Refresh token. "
            "Tokens must be issued by hopeit.toolkit.auth.new_token of engine 1.0 or later (which stamps "
            "typ), or carry typ=%s",
            context.app_key, context.event_name, auth_type.value,
        )
        context.auth_info["refused"] = f"token has no {_TYPE_CLAIM} claim"
    else:
        logger.warning(
            "Token refused for %s %s: a %.20r token was sent where %s is expected",
            context.app_key, context.event_name, typ, auth_type.value,
        )
        context.auth_info["refused"] = f"not a {auth_type.value} token"
    return False


def validate_auth_method(auth_type: AuthType, data: str, context: EventContext) -> None:
    """Check credentials ``data`` of scheme ``auth_type``; on success fill ``context.auth_info``.

    Unsecured always passes. Basic passes any non-empty value, kept in ``payload`` for the event to
    check. Bearer passes a valid access token (``typ`` Bearer) and Refresh a valid refresh token
    (``typ`` Refresh), keeping its claims in ``payload``; a token of the other type, or with no
    ``typ``, is refused and logged.
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
    elif auth_type in _TOKEN_TYPES:
        claims = validate_token(data, context)
        if claims is not None and _has_type(claims, auth_type, context):
            info["auth_type"] = auth_type
            info["allowed"] = True
            info["payload"] = claims

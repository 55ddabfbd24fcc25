"""Attacks on token verification (issue #12, item 1): a token names its signer, never a key file.

``decode_token`` used to build ``<secrets>/public/{app}_pub.pem`` from the token's own unverified
``app`` claim, so ``../`` or an absolute path chose any file ending ``_pub.pem`` (an upload folder
can hold one), remembered every unknown claim forever, took tokens without ``exp`` and let access
and refresh tokens stand in for each other.
"""

import gc
import hashlib
import hmac
import json
import logging
import re
import tracemalloc
import uuid
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from hopeit.app.config import AppConfig, AppDescriptor, EventDescriptor, EventSettings, EventType
from hopeit.app.context import EventContext
from hopeit.server.config import AuthConfig, AuthType

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # cryptography's Python 3.8 deprecation warning, on import
    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from hopeit.toolkit import auth
    from hopeit.toolkit._public_keys import PublicKeys

APP_KEY = "victim.1x0"


@pytest.fixture
def secrets(tmp_path: Path) -> Iterator[Path]:
    """Keys of ``victim.1x0`` created under ``tmp_path/secrets``; auth state cleared afterwards."""
    location = tmp_path / "secrets"
    auth.init(APP_KEY, AuthConfig(secrets_location=str(location), auth_passphrase="pass", create_keys=True))
    yield location
    auth.init(APP_KEY, AuthConfig.no_auth())


def _context() -> EventContext:
    app_config = AppConfig(app=AppDescriptor(name="victim", version="1.0"),
                           events={"e": EventDescriptor(type=EventType.GET)})
    return EventContext(app_config=app_config, plugin_config=app_config, event_name="e",
                        settings=EventSettings(), track_ids={}, auth_info={})


def _in(seconds: int) -> datetime:
    return datetime.now(tz=timezone.utc) + timedelta(seconds=seconds)


def _attacker_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _plant_public_key(key: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.public_key().public_bytes(
        encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo))


def _encoded(claims: Dict[str, Any]) -> str:
    return jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()


def _forged(key: Any, app_claim: str, **claims: Any) -> str:
    payload: Dict[str, Any] = {"user": "admin", "exp": _in(60), "typ": "Bearer", "app": app_claim, **claims}
    return jwt.encode(payload, key, algorithm="RS256")


def test_relative_path_in_app_claim_does_not_pick_a_planted_key(secrets: Path) -> None:
    key = _attacker_key()
    _plant_public_key(key, secrets.parent / "uploads" / "k-evil_pub.pem")  # as an upload would land
    token = _forged(key, "../../uploads/k-evil")
    assert (secrets / "public" / "../../uploads/k-evil_pub.pem").exists()  # the path the old code read
    with pytest.raises(auth.PublicKeyNotFoundError):
        auth.decode_token(token)
    context = _context()
    auth.validate_auth_method(AuthType.BEARER, token, context)
    assert context.auth_info == {"refused": "bad signature"}  # an unknown signer, to the sender


def test_absolute_path_in_app_claim_does_not_pick_a_planted_key(secrets: Path) -> None:
    key = _attacker_key()
    planted = secrets.parent / "elsewhere" / "k-evil_pub.pem"
    _plant_public_key(key, planted)
    token = _forged(key, str(planted)[: -len("_pub.pem")])
    with pytest.raises(auth.PublicKeyNotFoundError):
        auth.decode_token(token)
    assert auth.validate_token(token, _context()) is None


def test_keys_added_to_public_later_are_found_and_unknown_names_cost_no_listing(
    secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another server of the deployment may create its keys after this one started."""
    scans: List[Path] = []
    original = PublicKeys.scan

    def counted(self: PublicKeys) -> None:
        scans.append(Path(str(self.folder)))
        original(self)

    monkeypatch.setattr(PublicKeys, "scan", counted)
    key = _attacker_key()
    token = _forged(key, "late.1x0")
    for _ in range(3):
        assert auth.validate_token(token, _context()) is None
    assert scans == []  # public/ unchanged since it was listed: nothing to list again
    _plant_public_key(key, secrets / "public" / "late.1x0_pub.pem")
    claims = auth.validate_token(token, _context())
    assert claims is not None and claims["app"] == "late.1x0"
    assert scans == [secrets / "public"]
    (secrets / "public" / "late.1x0_pub.pem").unlink()  # an operator revokes the app's key
    assert auth.validate_token(token, _context()) is None


def test_keys_of_other_apps_listed_at_start_verify_their_tokens(secrets: Path) -> None:
    other = _attacker_key()  # a trusted app of the same deployment: its key is in public/ at start
    _plant_public_key(other, secrets / "public" / "other-app.2x1_pub.pem")
    (secrets / "public" / "notes.txt").write_text("not a key")
    (secrets / "public" / "broken_pub.pem").write_text("not a key either")
    auth.init(APP_KEY, AuthConfig(secrets_location=str(secrets), auth_passphrase="pass"))
    token = _forged(other, "other-app.2x1")
    assert auth.decode_token(token)["app"] == "other-app.2x1"
    with pytest.raises(auth.PublicKeyNotFoundError):
        auth.decode_token(_forged(other, "broken"))


def _table_sizes() -> Dict[str, int]:
    """Sizes of the module's tables (key caches, and any other the module or its key table keeps)."""
    table = auth._public_keys
    found = {name: getattr(table, name) for name in PublicKeys.__slots__}
    found.update({name: value for name, value in vars(auth).items() if not name.startswith("__")})
    return {name: len(value) for name, value in found.items() if isinstance(value, (dict, set, list))}


def test_unknown_claims_are_not_remembered(secrets: Path, caplog: pytest.LogCaptureFixture) -> None:
    """20,000 random ``app`` claims leave the key tables as they were (they grew by one each)."""
    # the claim is looked up before any signature is checked: a made-up signature will do
    header = jwt.utils.base64url_encode(b'{"alg":"RS256","typ":"JWT"}').decode()
    exp = int(_in(60).timestamp())
    tokens = [f"{header}.{_encoded({'app': str(uuid.uuid4()), 'exp': exp})}.c2ln" for _ in range(20_000)]
    context = _context()
    caplog.set_level(logging.ERROR, logger="hopeit.toolkit.auth")  # 20,000 warnings kept by caplog
    before = _table_sizes()
    for token in tokens:
        assert auth.validate_token(token, context) is None
    assert _table_sizes() == before
    # and nothing else keeps them: memory of 2,000 more (tracemalloc is slow; unfixed this kept 0.7 MB)
    sample = [f"{header}.{_encoded({'app': str(uuid.uuid4()), 'exp': exp})}.c2ln" for _ in range(2_000)]
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        for token in sample:
            assert auth.validate_token(token, context) is None
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert end - start < 50_000, f"{end - start} bytes kept after 2,000 unknown claims"


def test_tokens_without_exp_are_refused(secrets: Path) -> None:
    token = jwt.encode({"user": "u1", "app": APP_KEY, "typ": "Bearer"}, auth.app_private_key(APP_KEY),
                       algorithm="RS256")
    with pytest.raises(jwt.MissingRequiredClaimError, match="exp"):
        auth.decode_token(token)
    assert auth.validate_token(token, _context()) is None


def test_alg_none_is_refused(secrets: Path) -> None:
    token = jwt.encode({"user": "admin", "app": APP_KEY, "exp": _in(60), "typ": "Bearer"}, None, algorithm="none")
    with pytest.raises(jwt.InvalidTokenError):
        auth.decode_token(token)
    assert auth.validate_token(token, _context()) is None


def test_hs256_signed_with_the_public_key_is_refused(secrets: Path) -> None:
    """Algorithm confusion: the public key (no secret) used as an HMAC secret."""
    public_pem = (secrets / "public" / f"{APP_KEY}_pub.pem").read_bytes()
    header = jwt.utils.base64url_encode(b'{"alg":"HS256","typ":"JWT"}')
    payload = jwt.utils.base64url_encode(
        f'{{"user":"admin","app":"{APP_KEY}","typ":"Bearer","exp":{int(_in(60).timestamp())}}}'.encode())
    signature = jwt.utils.base64url_encode(hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest())
    token = b".".join([header, payload, signature]).decode()
    with pytest.raises(jwt.InvalidAlgorithmError):
        auth.decode_token(token)
    assert auth.validate_token(token, _context()) is None


def test_new_token_stamps_the_token_type(secrets: Path) -> None:
    access = auth.new_token(APP_KEY, {"user": "u1", "exp": _in(60)})  # the 0.24 positional call
    refresh = auth.new_token(APP_KEY, {"user": "u1", "exp": _in(600)}, token_type=AuthType.REFRESH)
    assert auth.decode_token(access)["typ"] == "Bearer"
    assert auth.decode_token(refresh)["typ"] == "Refresh"
    same = auth.new_token(APP_KEY, {"user": "u1", "exp": _in(60), "typ": "Bearer"})
    assert auth.decode_token(same)["typ"] == "Bearer"


def test_new_token_refuses_what_would_never_be_accepted(secrets: Path) -> None:
    with pytest.raises(ValueError, match="exp"):
        auth.new_token(APP_KEY, {"user": "u1"})
    with pytest.raises(ValueError, match=re.escape("token_type=AuthType.REFRESH")):
        auth.new_token(APP_KEY, {"user": "u1", "exp": _in(60), "typ": "Refresh"})
    with pytest.raises(ValueError, match="Bearer or Refresh"):
        auth.new_token(APP_KEY, {"user": "u1", "exp": _in(60)}, token_type=AuthType.BASIC)


def test_access_and_refresh_tokens_do_not_stand_in_for_each_other(secrets: Path) -> None:
    access = auth.new_token(APP_KEY, {"user": "u1", "exp": _in(60)})
    refresh = auth.new_token(APP_KEY, {"user": "u1", "exp": _in(600)}, token_type=AuthType.REFRESH)
    for method, token, accepted in [
        (AuthType.BEARER, access, True), (AuthType.REFRESH, refresh, True),
        (AuthType.BEARER, refresh, False), (AuthType.REFRESH, access, False),
    ]:
        context = _context()
        auth.validate_auth_method(method, token, context)
        assert context.auth_info.get("allowed", False) is accepted, (method, accepted)


def test_tokens_without_a_type_are_refused_with_a_warning(secrets: Path, caplog: pytest.LogCaptureFixture) -> None:
    untyped = jwt.encode({"user": "u1", "app": APP_KEY, "exp": _in(60)}, auth.app_private_key(APP_KEY),
                         algorithm="RS256")
    assert auth.decode_token(untyped)["user"] == "u1"  # a valid signature...
    context = _context()
    with caplog.at_level(logging.WARNING, logger="hopeit.toolkit.auth"):
        auth.validate_auth_method(AuthType.BEARER, untyped, context)
    assert context.auth_info == {"refused": "token has no typ claim"}  # ...but no type: not an access token
    assert any("no typ claim" in record.getMessage() for record in caplog.records)

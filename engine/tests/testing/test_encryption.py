"""Test secrets encrypted with a Fernet key file (``hopeit.testing.encryption``, as in 0.24)."""

import stat
from pathlib import Path
from typing import Iterator

import pytest
from cryptography.fernet import Fernet, InvalidToken
from hopeit.testing import encryption
from hopeit.testing.encryption import decrypt, encrypt, setup_encryption


@pytest.fixture(autouse=True)
def restore_key_file() -> Iterator[None]:
    original = encryption.key_file
    yield
    encryption.key_file = original


def test_default_key_file_is_in_the_home_folder() -> None:
    """Without ``setup_encryption`` the key is ``~/.hopeit/test.key``."""
    assert encryption.key_file == Path.home() / ".hopeit" / "test.key"


def test_round_trip_with_an_existing_key(tmp_path: Path) -> None:
    """A key file written by ``Fernet.generate_key`` is used; tokens are Fernet tokens of that key."""
    key = Fernet.generate_key()
    (tmp_path / "app.key").write_bytes(key + b"\n")
    setup_encryption(tmp_path / "app.key")
    token = encrypt("hello")
    assert isinstance(token, str) and token.startswith("gAAAAA") and len(token) == 100
    assert decrypt(token) == "hello"
    assert Fernet(key).decrypt(token.encode()) == b"hello"
    assert decrypt(Fernet(key).encrypt("ñandú €".encode()).decode()) == "ñandú €"
    assert decrypt(encrypt("")) == ""


def test_missing_key_file_is_created_for_its_owner_only(tmp_path: Path) -> None:
    """A key is written where none exists (0.24 raised FileNotFoundError); later calls reuse it."""
    key_path = tmp_path / "new" / "test.key"
    setup_encryption(str(key_path))
    assert encryption.key_file == key_path and not key_path.exists()
    token = encrypt("secret")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    key = key_path.read_bytes()
    assert decrypt(token) == "secret" and Fernet(key).decrypt(token.encode()) == b"secret"
    setup_encryption(key_path)
    assert decrypt(encrypt("again")) == "again" and key_path.read_bytes() == key


def test_setup_expands_the_home_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``~`` in the path is the user's home folder."""
    monkeypatch.setenv("HOME", str(tmp_path))
    setup_encryption("~/keys/app.key")
    assert encryption.key_file == tmp_path / "keys" / "app.key"


def test_token_of_another_key_is_refused(tmp_path: Path) -> None:
    """Decrypting with the wrong key, or something that is not a token, raises ``InvalidToken``."""
    setup_encryption(tmp_path / "one.key")
    token = encrypt("hello")
    setup_encryption(tmp_path / "two.key")
    with pytest.raises(InvalidToken):
        decrypt(token)
    with pytest.raises(InvalidToken):
        decrypt("garbage")

"""Encrypt and decrypt test secrets with a Fernet key kept out of the repository.

Apps keep secrets their tests need (passwords, tokens of test accounts) encrypted in test data or
config, and decrypt them in the tests::

    from hopeit.testing.encryption import decrypt, encrypt, setup_encryption

    setup_encryption("~/.hopeit/my-app.key")  # optional: this is where the key is read from
    password = decrypt(ENCRYPTED_PASSWORD)

The key is read from ``key_file`` (``~/.hopeit/test.key`` unless ``setup_encryption`` names another)
on every call. When the file does not exist, a new key is written there (readable by its owner only);
0.24 raised ``FileNotFoundError`` instead. Needs ``cryptography`` (``pip install "hopeit.engine[test]"``).
"""

import os
from pathlib import Path
from typing import Union

from cryptography.fernet import Fernet

__all__ = ["decrypt", "encrypt", "key_file", "setup_encryption"]

#: The key file ``encrypt`` and ``decrypt`` use.
key_file: Path = Path.home() / ".hopeit" / "test.key"


def setup_encryption(path_to_key_file: Union[str, Path]) -> None:
    """Use the Fernet key in ``path_to_key_file`` (``~`` is expanded) from now on."""
    global key_file
    key_file = Path(path_to_key_file).expanduser()


def _create_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another test process created it first: use that one
        return
    with os.fdopen(fd, "wb") as file:
        file.write(Fernet.generate_key())


def _fernet() -> Fernet:
    path = key_file
    if not path.exists():
        _create_key(path)
    return Fernet(path.read_bytes().strip())


def encrypt(text: str) -> str:
    """``text`` encrypted with the test key, as a URL-safe base64 token."""
    return _fernet().encrypt(text.encode()).decode()


def decrypt(text: str) -> str:
    """The text ``encrypt`` turned into the token ``text``.

    :raises cryptography.fernet.InvalidToken: when ``text`` was not encrypted with the current key.
    """
    return _fernet().decrypt(text.encode()).decode()

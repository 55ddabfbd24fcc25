from pathlib import Path

import pytest
from batch_app import Detail, Something, something

__all__ = ["Detail", "Something", "something"]


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return tmp_path / "storage"

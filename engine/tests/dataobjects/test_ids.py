"""Unique ids and UTC timestamps (``hopeit.dataobjects.ids``)."""

import subprocess
import sys
import textwrap
import uuid
from datetime import datetime, timedelta, timezone

from hopeit.dataobjects import ids as _unique


def test_ids_are_unique_uuid_shaped() -> None:
    ids = [_unique.new_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 4 for i in ids[:100])


def test_forked_child_gets_another_prefix() -> None:
    # in a fresh interpreter: forking the test process could copy threads of other tests
    code = textwrap.dedent("""
        import os
        from hopeit.dataobjects.ids import new_id
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(write, new_id().encode())
            os._exit(0)
        os.waitpid(pid, 0)
        child = os.read(read, 100).decode()
        print(child[:24] != new_id()[:24])
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "True"


def test_utc_now_iso_matches_datetime_isoformat() -> None:
    text = _unique.utc_now_iso()
    parsed = datetime.fromisoformat(text)
    assert parsed.tzinfo == timezone.utc
    assert abs(datetime.now(tz=timezone.utc) - parsed) < timedelta(seconds=1)
    assert len(text) == len("2024-05-01T10:20:30.123456+00:00")


def test_utc_now_iso_across_seconds() -> None:
    """The date part written once a second follows the clock; microseconds keep six digits."""
    texts = set()
    start = datetime.now(tz=timezone.utc)
    while datetime.now(tz=timezone.utc) - start < timedelta(seconds=1.2):
        texts.add(_unique.utc_now_iso()[:19])
    assert len(texts) >= 2
    assert all(len(_unique.utc_now_iso()) == 32 for _ in range(1000))

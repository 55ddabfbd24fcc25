from datetime import datetime, timezone

from conftest import Something
from hopeit.fs_storage.partition import get_file_partition_key, get_partition_key


def test_partition_key_from_event_ts() -> None:
    item = Something(id="1", ts=datetime(2020, 5, 1, 0, 0, tzinfo=timezone.utc))
    assert get_partition_key(item, "%Y/%m/%d/%H") == "2020/05/01/00/"
    assert get_partition_key(item, "/%Y/%m/") == "2020/05/"


def test_partition_key_converts_to_utc() -> None:
    from datetime import timedelta

    item = Something(id="1", ts=datetime(2020, 5, 1, 1, 0, tzinfo=timezone(timedelta(hours=3))))
    assert get_partition_key(item, "%Y/%m/%d/%H") == "2020/04/30/22/"


def test_no_format_is_no_partition_not_root() -> None:
    # hopeit.engine 0.24 returned "/" here (the filesystem root once joined to a path)
    item = Something(id="1", ts=datetime(2020, 5, 1, tzinfo=timezone.utc))
    assert get_partition_key(item, "") == ""
    assert get_partition_key(item, None) == ""
    assert get_file_partition_key("") == ""


def test_no_event_ts_uses_current_time() -> None:
    now = datetime.now(tz=timezone.utc)
    assert get_partition_key(Something(id="1"), "%Y") in (f"{now.year}/", f"{now.year + 1}/")
    assert get_file_partition_key("%Y") in (f"{now.year}/", f"{now.year + 1}/")
    assert get_file_partition_key("%Y/%m", partition_dt=datetime(2021, 2, 3, tzinfo=timezone.utc)) == "2021/02/"

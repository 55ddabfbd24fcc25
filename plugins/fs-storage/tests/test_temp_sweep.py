"""Temp files left by writers killed mid-write are removed when a storage starts; live ones are kept."""

import logging
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from batch_app import CONFIG, something
from hopeit.fs_storage import DEFAULT_STALE_TEMP_SECONDS, FileStorage, FileStorageSettings
from hopeit.fs_storage.events._buffers import buffers
from hopeit.testing.apps import config, execute_event

#: Size of the payload the killed writer was writing (the issue saw 4 MB writes pile up).
PAYLOAD_SIZE = 4 * 1024 * 1024

#: A real writer process: stores a 4 MB file with fsync on, and stops inside the atomic write
#: (after the fsync of the temp file, before the rename) until it is SIGKILLed.
WRITER = """
import asyncio, io, os, sys
from hopeit.fs_storage import FileStorage

real_fsync = os.fsync

def fsync_then_hold(fd):
    real_fsync(fd)
    sys.stdout.write("fsynced\\n")
    sys.stdout.flush()
    sys.stdin.read()  # never returns: the test kills this process here

os.fsync = fsync_then_hold
storage = FileStorage(path=sys.argv[1], fsync=True, stale_temp_seconds=0)
asyncio.run(storage.store_file("big.bin", io.BytesIO(b"x" * int(sys.argv[2]))))
"""


def kill_writer_mid_write(base: Path) -> Path:
    """Run the writer, SIGKILL it inside its write; the temp file it leaves behind."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(base), str(PAYLOAD_SIZE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"fsynced\n"  # the writer is inside its write now
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                pipe.close()
    left = [path for path in base.iterdir() if path.name.startswith(".")]
    assert len(left) == 1, left
    assert not (base / "big.bin").exists()
    return left[0]


def temp_file(folder: Path, age_seconds: float, name: str = "") -> Path:
    """A file named like the storage's temp files (or ``name``), last modified ``age_seconds`` ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f".{uuid.uuid4().hex}.tmp")
    path.write_bytes(b"partial")
    moment = time.time() - age_seconds
    os.utime(path, (moment, moment))
    return path


def test_sigkilled_writer_temp_file_is_swept_at_start(
    base: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    left = kill_writer_mid_write(base)
    assert re.fullmatch(r"\.[0-9a-f]{32}\.tmp", left.name)
    assert left.stat().st_size == PAYLOAD_SIZE
    stale_age = DEFAULT_STALE_TEMP_SECONDS + 60
    os.utime(left, (time.time() - stale_age, time.time() - stale_age))
    stale_in_partition = temp_file(base / "2024" / "03", stale_age)
    live = temp_file(base, 5)  # another process is writing this one right now
    live_in_partition = temp_file(base / "2024" / "03", 5)
    not_ours = [temp_file(base, stale_age, ".keep.tmp"), temp_file(base, stale_age, f".{uuid.uuid4().hex}.tmpx")]
    old_item = temp_file(base / "2024" / "03", stale_age, "item.json")
    outside = temp_file(tmp_path / "elsewhere", stale_age)
    (base / "link").symlink_to(outside.parent, target_is_directory=True)  # sweeping never follows links

    with caplog.at_level(logging.INFO, logger="hopeit.fs_storage"):
        storage: FileStorage[object] = FileStorage(path=str(base), partition_dateformat="%Y/%m")
        assert storage.temp_sweep is not None
        removed = storage.temp_sweep.result(timeout=60)

    assert sorted(removed) == sorted([str(left), str(stale_in_partition)])
    assert not left.exists() and not stale_in_partition.exists()
    for kept in [live, live_in_partition, old_item, outside, *not_ours]:
        assert kept.exists(), kept
    logged = [r.getMessage() for r in caplog.records if r.name == "hopeit.fs_storage"]
    assert any("removed 2 stale temp file(s)" in line and str(PAYLOAD_SIZE + 7) in line for line in logged), logged


async def test_start_sweep_runs_once_per_folder_and_can_be_run_again(base: Path) -> None:
    first = FileStorage(path=str(base))  # type: ignore[var-annotated]
    assert first.temp_sweep is not None
    assert first.temp_sweep.result(timeout=60) == []
    stale = temp_file(base, DEFAULT_STALE_TEMP_SECONDS + 1)
    again = FileStorage(path=str(base))  # type: ignore[var-annotated]
    assert again.temp_sweep is None  # this process already swept this folder
    assert stale.exists()
    assert await again.sweep_temp_files() == [str(stale)]
    assert not stale.exists()


async def test_sweep_age_is_configurable_and_zero_disables(tmp_path: Path) -> None:
    settings = FileStorageSettings(path=str(tmp_path / "a"), stale_temp_seconds=60)
    two_minutes = temp_file(tmp_path / "a", 120)
    thirty_seconds = temp_file(tmp_path / "a", 30)
    storage = FileStorage.with_settings(settings)
    assert storage.temp_sweep is not None
    assert storage.temp_sweep.result(timeout=60) == [str(two_minutes)]
    assert thirty_seconds.exists()
    assert await storage.sweep_temp_files(older_than_seconds=10) == [str(thirty_seconds)]

    old = temp_file(tmp_path / "b", 10 * DEFAULT_STALE_TEMP_SECONDS)
    disabled = FileStorage.from_settings({"path": str(tmp_path / "b"), "stale_temp_seconds": 0})
    assert disabled.temp_sweep is None
    assert old.exists()


async def test_sweep_refuses_a_negative_age(base: Path) -> None:
    with pytest.raises(ValueError, match="stale_temp_seconds"):
        FileStorage(path=str(base), stale_temp_seconds=-1)
    storage = FileStorage(path=str(base), stale_temp_seconds=0)  # type: ignore[var-annotated]
    with pytest.raises(ValueError, match="older_than_seconds"):
        await storage.sweep_temp_files(older_than_seconds=-5)


def test_default_age_is_ten_minutes() -> None:
    assert DEFAULT_STALE_TEMP_SECONDS == 600
    assert FileStorageSettings(path="x").stale_temp_seconds == DEFAULT_STALE_TEMP_SECONDS


async def test_batch_storage_event_sweeps_its_folder_on_first_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FS_STORAGE_TEST_PATH", str(tmp_path))
    buffers.clear()
    try:
        app_config = config(CONFIG)
        path = Path(app_config.effective_settings["save_batch"]["extras"]["_"]["path"])  # type: ignore[index]
        stale = temp_file(path / "2024" / "03" / "01", DEFAULT_STALE_TEMP_SECONDS + 60)
        live = temp_file(path / "2024" / "03" / "01", 1)
        await execute_event(app_config, "save_batch", something("1", day=1))
        sweep = buffers[("batch_app.1x0", "save_batch")].temp_sweep
        assert sweep is not None and sweep.result(timeout=60) == [str(stale)]
        assert live.exists()
    finally:
        buffers.clear()

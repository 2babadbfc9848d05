"""SQLite faults (issue 15, item 7): a bad file at start-up is one clear line naming the file
and the fix; ``check --store`` says what is wrong; a file deleted or corrupted while the bot
runs is created again (the corrupt one moved aside) and logged, and the store goes on."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.storage.sessions.base import SessionRecord
from bot.storage.sessions.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, database: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"sessions:\n  store: sqlite\n  sqlite_path: {json.dumps(str(database))}\n",
        encoding="utf-8",
    )
    return config


def bot(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def corrupt_file(path: Path) -> None:
    path.write_bytes(b"this is not a database, just some bytes " * 200)


def record(key: str, data: str = '{"x": 1}') -> SessionRecord:
    return SessionRecord(key=key, user=f"user-of-{key}", last_seen=time.time(), data=data)


# --------------------------------------------------------------------------- at start-up


@pytest.mark.parametrize("command", [["chat", "--jsonl"], ["run", "--platform", "http"]])
def test_corrupt_file_at_start_up_is_one_clear_line(tmp_path: Path, command: list[str]) -> None:
    database = tmp_path / "bot.sqlite3"
    corrupt_file(database)
    result = bot(
        "--config",
        str(write_config(tmp_path, database)),
        *command,
        stdin=json.dumps({"user": "a", "text": "你好"}) + "\n",
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert "Traceback" not in result.stderr
    assert str(database) in line
    assert "corrupt" in line
    assert "move it aside" in line
    assert "python -m bot check --store" in line
    assert database.read_bytes().startswith(b"this is not a database")  # left as it was


def test_unusable_path_at_start_up_is_one_clear_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    database.mkdir()  # a directory where the file should be: cannot be opened
    result = bot(
        "--config",
        str(write_config(tmp_path, database)),
        "chat",
        "--jsonl",
        stdin='{"user": "a", "text": "你好"}\n',
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(database) in lines[0]
    assert "Traceback" not in result.stderr


def test_check_store_says_what_is_wrong(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    config = str(write_config(tmp_path, database))

    missing = bot("--config", config, "check", "--store")
    assert missing.returncode == 0
    assert "store OK: sqlite" in missing.stdout and "not created yet" in missing.stdout

    corrupt_file(database)
    corrupt = bot("--config", config, "check", "--store")
    assert corrupt.returncode == 1
    assert str(database) in corrupt.stderr and "corrupt" in corrupt.stderr
    assert "move it aside" in corrupt.stderr
    assert "Traceback" not in corrupt.stderr

    database.unlink()
    started = bot(
        "--config", config, "chat", "--jsonl", stdin='{"user": "a", "text": "催收的人在门口"}\n'
    )
    assert started.returncode == 0, started.stderr
    healthy = bot("--config", config, "check", "--store")
    assert healthy.returncode == 0
    assert f"store OK: sqlite {database}" in healthy.stdout


# --------------------------------------------------------------------------- while running


async def test_file_deleted_while_running_is_created_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await SqliteStore.open(path, 600)
    try:
        await store.put(record("before"))
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{path}{suffix}")
        with caplog.at_level(logging.WARNING):
            await store.put(record("after"))
        assert "deleted or replaced while the bot ran" in caplog.text
        assert str(path) in caplog.text
        assert path.is_file()
        assert await store.get("after") is not None  # later data is kept, in the new file
        assert await store.get("before") is None  # what the deleted file held is gone
    finally:
        await store.close()
    reopened = await SqliteStore.open(path, 600)
    try:
        assert await reopened.get("after") is not None  # really on disk
    finally:
        await reopened.close()


async def test_file_corrupted_while_running_is_moved_aside_and_recreated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await SqliteStore.open(path, 600)
    try:
        await store.put(record("before"))
        await store._file.checkpoint()  # everything in the main file, the WAL empty
        # Damage the file in place (same inode: not a "deleted" file).
        with path.open("r+b") as file:
            file.write(b"\x00garbage" * 512)
            file.flush()
            os.fsync(file.fileno())
        # Let the connection forget the pages it holds in memory, as it does in time.
        await store._file.run(lambda db: db.execute("PRAGMA shrink_memory"), write=False)
        with caplog.at_level(logging.ERROR):
            await store.put(record("after"))
        assert "is corrupt" in caplog.text and "moved it aside" in caplog.text
        names = os.listdir(tmp_path)
        assert any(".corrupt-" in name for name in names), names
        assert await store.get("after") is not None
        # It goes on working: more puts, no error.
        for i in range(5):
            await store.put(record(f"k{i}"))
        assert await store.count() == 6
    finally:
        await store.close()


async def test_file_replaced_by_garbage_while_running_is_recovered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await SqliteStore.open(path, 600)
    try:
        await store.put(record("before"))
        garbage = tmp_path / "garbage"
        corrupt_file(garbage)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{path}{suffix}")
        os.replace(garbage, path)  # a new inode, and not a database
        with caplog.at_level(logging.WARNING):
            await store.put(record("after"))
        assert "deleted or replaced" in caplog.text and "moved it aside" in caplog.text
        assert await store.get("after") is not None
    finally:
        await store.close()

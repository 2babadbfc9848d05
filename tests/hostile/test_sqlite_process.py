"""The SQLite store under a real bot process: ``report`` run beside it, then SIGKILL, loses no
committed conversation; a second server on the file is refused; ``backup`` copies it."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bot(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--config", str(config), *args]


def _env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "XDG_DATA_HOME": str(tmp / "data"),
        "BOT_HTTP_TOKEN": "",
    }


def _run(config: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _bot(config, *args),
        cwd=tmp,
        env=_env(tmp),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _post(port: int, conversation: str, text: str) -> dict[str, object]:
    body = json.dumps({"conversation": conversation, "user": "u", "text": text}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/messages",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _wait_up(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the bot did not start within 60 s")


def test_report_beside_a_live_bot_then_sigkill_loses_nothing(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    config = tmp_path / "config.yaml"
    config.write_text(
        f"sessions:\n  store: sqlite\n  sqlite_path: {database}\n"
        "platforms:\n  enabled: [http]\n  http:\n    host: 127.0.0.1\n"
        "    require_token: false\nreload:\n  watch: false\n",
        encoding="utf-8",
    )
    port = _free_port()
    server = subprocess.Popen(
        _bot(config, "run", "--port", str(port)),
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    conversations = [f"c{i}" for i in range(20)]
    try:
        _wait_up(port, server)
        for name in conversations[:10]:
            _post(port, name, "我欠招商银行5万，催收的说明天上门")
        for _ in range(2):  # the documented report, run while the bot runs
            report = _run(config, tmp_path, "report", "--json")
            assert report.returncode == 0, report.stderr
        for name in conversations[10:]:
            _post(port, name, "我欠招商银行5万，催收的说明天上门")

        # A second server on the same file is refused, with a sentence.
        second = _run(config, tmp_path, "run", "--port", str(_free_port()))
        assert second.returncode == 1
        assert "another bot server" in second.stderr and "redis" in second.stderr

        # backup: a consistent copy while the server runs
        copy = tmp_path / "copy.sqlite3"
        done = _run(config, tmp_path, "backup", str(copy))
        assert done.returncode == 0, done.stderr
        with sqlite3.connect(copy) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 20
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(30)
        if server.stderr is not None:
            server.stderr.close()

    db = sqlite3.connect(database)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        keys = [row[0] for row in db.execute("SELECT key FROM sessions")]
    finally:
        db.close()
    missing = [n for n in conversations if not any(f"{n}/u" in key for key in keys)]
    assert not missing, (missing, keys)

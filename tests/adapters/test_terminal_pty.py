"""Ctrl-C at the chat prompt in a real terminal (a pseudo-terminal: the key goes through the
terminal's line discipline and arrives as SIGINT, as when a person presses it). It used to
abort with "Fatal Python error: _enter_buffered_busy" (exit 134): the thread waiting for the
line held stdin's buffer lock at interpreter shutdown."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

from tests.harness import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a Linux pty")


def _read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child is gone (EIO on Linux)
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _chat_in_a_pty(tmp_path: Path, keys: list[bytes]) -> tuple[int, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "LANG": "C.UTF-8",
        "TERM": "xterm",
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: a session leader with the pty as its controlling terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "chat", "--memory"], env)
    output = b""
    try:
        output += _read_until(fd, "你：".encode(), 120)
        assert "你：".encode() in output, output.decode("utf-8", "replace")
        time.sleep(0.3)  # the reader thread is now blocked in its read
        for key in keys:
            os.write(fd, key)
            time.sleep(0.3)
        output += _read_until(fd, b"\x00never", 15)
    finally:
        deadline = time.monotonic() + 20
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if not done:
            os.kill(pid, 9)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def test_ctrl_c_at_the_prompt_leaves_cleanly(tmp_path: Path) -> None:
    code, output = _chat_in_a_pty(tmp_path, [b"\x03"])  # Ctrl-C, as the key sends it
    assert "Fatal Python error" not in output and "_enter_buffered_busy" not in output, output
    assert code == 0, output
    assert "保重" in output


def test_ctrl_d_and_a_typed_line_still_work(tmp_path: Path) -> None:
    code, output = _chat_in_a_pty(tmp_path, ["催收的人在门口\n".encode(), b"\x04"])
    assert code == 0, output
    assert "110" in output and "Fatal Python error" not in output

"""Modules small enough to read in one sitting: no Python file in bot/ passes 800 lines
(issue 26). Split one by responsibility when it grows past it."""

from __future__ import annotations

from pathlib import Path

MAX_LINES = 800
BOT = Path(__file__).resolve().parent.parent / "bot"


def test_no_module_in_bot_passes_800_lines() -> None:
    long = {
        str(path.relative_to(BOT.parent)): lines
        for path in BOT.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long

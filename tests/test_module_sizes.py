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


def test_every_package_is_installed() -> None:
    """pyproject.toml lists the packages by hand: a new package folder must be in the list
    (else the installed bot cannot import it; tests/e2e/test_install.py shows it, slowly)."""
    import tomllib

    listed = set(
        tomllib.loads((BOT.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
            "setuptools"
        ]["packages"]
    )
    folders = {
        ".".join(init.parent.relative_to(BOT.parent).parts) for init in BOT.rglob("__init__.py")
    }
    assert folders <= listed, folders - listed

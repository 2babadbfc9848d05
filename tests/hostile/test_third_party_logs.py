"""Other libraries never log below WARNING, whatever ``log_level`` says: Pillow logs a photo's
EXIF (GPS included) at DEBUG, aiohttp.access every request line. A real process with
``log_level: DEBUG`` reads a photo with GPS data and serves a request."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.harness import ROOT

SCRIPT = textwrap.dedent(
    """
    import argparse, io, logging
    from PIL import Image
    from bot.cli import _setup_logging
    from bot.config import Config

    _setup_logging(Config(log_level="DEBUG"), "run", argparse.Namespace(platform=["http"]))
    logging.getLogger("bot.adapters.http").debug("the bot's own debug line")

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "JPEG", exif=exif)
    from bot.photo.intake import load_photo
    load_photo(buffer.getvalue())
    logging.getLogger("aiohttp.access").info('127.0.0.1 "GET /onebot?access_token=secret"')
    """
)


def test_third_party_loggers_stay_at_warning(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "the bot's own debug line" in done.stderr  # log_level DEBUG holds for the bot
    for leaked in ("PIL", "GPS", "access_token", "STREAM", "tag:"):
        assert leaked not in done.stderr, done.stderr

"""A headless Debian Chromium (/usr/bin/chromium) for page tests, started here and driven by
Playwright over the Chrome DevTools Protocol (``connect_over_cdp``): Playwright never downloads
a browser of its own.

Without Chromium (or Playwright) the tests are skipped, except under CI=true where they fail:
./scripts/test.sh installs both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
]
START_TIMEOUT_SECONDS = 20.0


def chromium_path() -> str | None:
    """The Chromium to use: $CHROMIUM, else chromium on the PATH, else None."""
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if os.access(candidate, os.X_OK) else None


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it under CI (where a missing browser is a broken set-up)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            f"{reason} (scripts/test.sh installs it; CI must not skip the page test)", pytrace=False
        )
    pytest.skip(reason)


@contextlib.contextmanager
def chromium() -> Iterator[str]:
    """Start Chromium with a fresh profile; yield its DevTools endpoint (http://127.0.0.1:N)."""
    path = chromium_path()
    if path is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with tempfile.TemporaryDirectory(prefix="chromium-test-") as profile:
        log_path = Path(profile) / "chromium.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                [path, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,  # its own process group: stopped as one below
            )
            try:
                yield _wait_for_endpoint(process, Path(profile), log_path)
            finally:
                _stop(process)


def _wait_for_endpoint(process: subprocess.Popen[bytes], profile: Path, log_path: Path) -> str:
    """Chromium writes the port it chose to DevToolsActivePort in the profile."""
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError, ValueError, IndexError):
            port = int(port_file.read_text().splitlines()[0])
            return f"http://127.0.0.1:{port}"
        time.sleep(0.05)
    output = log_path.read_text(errors="replace")[-2000:]
    raise AssertionError(f"chromium did not start (exit code {process.poll()}):\n{output}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)

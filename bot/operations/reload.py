"""Live reload: watch the intents directory and swap in new content when a file changes.

:class:`ContentWatcher` (started by ``python -m bot run``) waits for changes to the content
files with watchfiles, then asks the engine to reload (:meth:`Engine.reload_content`, which
validates the new content and builds the new understanding in a thread while answering goes
on). Content that does not validate is rejected: the old content keeps serving, the problems
are logged and kept as a notice for the admins (:meth:`Engine.notify_admins`).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from watchfiles import Change, awatch

from bot import admin

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger(__name__)

#: The files the content is made of (see bot/content.py).
CONTENT_SUFFIXES = (".yaml", ".yml", ".txt")


def is_content_file(change: Change, path: str) -> bool:
    """True for a content file (not an editor's hidden or backup file)."""
    name = Path(path).name
    return name.endswith(CONTENT_SUFFIXES) and not name.startswith((".", "#", "~"))


class ContentWatcher:
    """Reloads the engine's content whenever a file in ``directory`` changes.

    ``debounce_ms`` is how long a burst of changes (an editor saving several files) must be
    quiet before one reload; ``step_ms`` how often watchfiles looks. :meth:`stop` (or
    cancelling the task running :meth:`run`) ends it.
    """

    def __init__(
        self,
        engine: Engine,
        directory: Path | None = None,
        *,
        debounce_ms: int = 1000,
        step_ms: int = 50,
        force_polling: bool | None = None,
    ) -> None:
        self.engine = engine
        self.directory = directory or engine.config.intents_path
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self.force_polling = force_polling
        self.reloads = 0  # reload attempts made so far
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Watch until :meth:`stop`; a failed reload is reported and watching goes on."""
        if not self.directory.is_dir():
            log.error("cannot watch %s for content changes: not a directory", self.directory)
            return
        log.info("watching %s for content changes", self.directory)
        try:
            async for changes in awatch(
                self.directory,
                watch_filter=is_content_file,
                debounce=self.debounce_ms,
                step=self.step_ms,
                stop_event=self._stop,
                force_polling=self.force_polling,
            ):
                names = sorted({Path(path).name for _change, path in changes})
                log.info("content files changed (%s): reloading", ", ".join(names))
                await self._reload()
        except Exception:
            log.exception("watching %s for content changes stopped", self.directory)
        finally:
            log.info("stopped watching %s", self.directory)

    async def _reload(self) -> None:
        outcome = await self.engine.reload_content(trigger="files")
        self.reloads += 1
        if not outcome.ok:
            await self.engine.admin.notify(admin.reload_notice(outcome))

    async def stop(self) -> None:
        """Make :meth:`run` return (within about ``step_ms``)."""
        self._stop.set()

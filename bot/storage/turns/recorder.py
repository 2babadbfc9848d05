"""Recording turns without ever making an answer wait for the store.

The engine hands each record to :meth:`TurnRecorder.record`, which returns at once: an
in-memory log keeps it on the spot; for SQLite and Redis it joins a bounded buffer that one
background task writes in batches. A store that is down, or any other failure, is logged
and the records are dropped; answering goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from bot.storage.errors import StoreUnavailable
from bot.storage.turns.base import TurnLog, TurnRecord

log = logging.getLogger(__name__)

#: At most this many records wait to be written; when the store lags further, new ones drop.
MAX_PENDING = 1000
#: A failing store is reported at most this often.
WARN_INTERVAL = 60.0
#: The writer gathers records this long before writing them in one transaction, so the log's
#: writes seldom compete with the session store's for the SQLite file's write lock.
GATHER_SECONDS = 0.25


class TurnRecorder:
    """Feeds a :class:`TurnLog` from the engine, in the background."""

    def __init__(
        self,
        turn_log: TurnLog | None,
        *,
        max_pending: int = MAX_PENDING,
        gather_seconds: float = GATHER_SECONDS,
    ) -> None:
        self.log = turn_log  # None: recording is off
        self.max_pending = max_pending
        self.gather_seconds = gather_seconds
        self.dropped = 0
        self._buffer: list[TurnRecord] = []
        self._writer: asyncio.Task[None] | None = None
        self._last_warning = -WARN_INTERVAL

    def record(self, turn: TurnRecord) -> None:
        """Keep ``turn``; never raises and never waits."""
        if self.log is None:
            return
        try:
            if self.log.record_immediately(turn):
                return
        except Exception:
            log.exception("could not record a turn")
            return
        if len(self._buffer) >= self.max_pending:
            self._drop(1, "the turn log is falling behind")
            return
        self._buffer.append(turn)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        assert self.log is not None
        while self._buffer:
            if self.gather_seconds > 0 and len(self._buffer) < self.max_pending // 2:
                await asyncio.sleep(self.gather_seconds)
            batch, self._buffer = self._buffer, []
            try:
                await self.log.record_many(batch)
            except StoreUnavailable as exc:
                self._drop(len(batch), str(exc))
            except Exception:
                if len(batch) == 1:
                    self.dropped += 1
                    log.exception("could not record a turn (skipped)")
                else:  # one bad record must not cost the others: write them one by one
                    await self._write_singly(batch)

    async def _write_singly(self, batch: list[TurnRecord]) -> None:
        assert self.log is not None
        for turn in batch:
            try:
                await self.log.record(turn)
            except StoreUnavailable as exc:
                self._drop(1, str(exc))
            except Exception as exc:
                self.dropped += 1
                log.warning(
                    "skipped a turn record that could not be written (%s: %s); "
                    "the rest of its batch is kept",
                    type(exc).__name__,
                    exc,
                )

    def _drop(self, count: int, reason: str) -> None:
        self.dropped += count
        now = time.monotonic()
        if now - self._last_warning >= WARN_INTERVAL:
            self._last_warning = now
            log.warning("turns not recorded for the report (%d so far): %s", self.dropped, reason)

    async def forget(self, user: str) -> int:
        """Clear the texts of ``user``'s records ("删除我的记录"): those waiting to be written
        and those in the log; return how many. Raises :class:`StoreUnavailable` when the log
        cannot be reached."""
        if self.log is None:
            return 0
        await self.flush()  # what waits to be written is written (then cleared) first
        return await self.log.forget_user(user)

    async def tag_of(self, user: str) -> str | None:
        """The salted hash the records keep for ``user`` (None without a log)."""
        return None if self.log is None else await self.log.tag_of(user)

    async def flush(self) -> None:
        """Wait until every record handed in so far is written (or dropped)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def close(self, drain_seconds: float = 3.0) -> None:
        """Write what is pending (for at most ``drain_seconds``), then close the log."""
        if self.log is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), drain_seconds)
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
        try:
            await self.log.close()
        except Exception:
            log.exception("could not close the turn log")

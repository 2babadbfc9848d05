"""A deadline on every call of a session store, so a stalled store never stalls the answers.

:class:`DeadlineStore` wraps any :class:`SessionStore`: a call that has not finished within
``timeout`` seconds is abandoned and raised as :class:`StoreUnavailable` (the engine then
answers without memory and logs it). "Stalled" means silent: while other calls are being
answered (a burst of messages queues calls behind each other) or the event loop itself runs
late, a call is given more time, up to ``MAX_STRETCH`` deadlines. After a timeout the store
is given up to ``pause`` seconds of rest: calls meanwhile fail at once instead of each waiting
out the deadline, so a hung Redis costs one deadline, not one per message; the rest ends as
soon as any call still in flight is answered. Each call
waits on its own: one stalled conversation never holds another.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import TypeVar

from bot.storage.errors import StoreUnavailable
from bot.storage.sessions.base import SessionRecord, SessionStore

log = logging.getLogger(__name__)

T = TypeVar("T")

#: After a call ran out of time, calls fail at once for this long (seconds).
PAUSE_SECONDS = 1.0
#: When the event loop itself runs late (a burst of messages), a call may be given up to this
#: many deadlines: the deadline is for a stalled store, not for a busy bot.
MAX_STRETCH = 50


#: How often the event loop's own lateness is sampled (seconds).
TICK = 0.05


class LoopLag:
    """How late the event loop runs: a callback every ``TICK`` seconds notes how late it ran.
    A busy loop (a burst of messages) delays every answer, store or not; a deadline must not
    count that against the store."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.last = 0.0  # how late the last tick ran (seconds)
        self._expected = loop.time() + TICK
        self._handle = loop.call_at(self._expected, self._tick)

    def _tick(self) -> None:
        now = self.loop.time()
        self.last = now - self._expected
        self._expected = now + TICK
        self._handle = self.loop.call_at(self._expected, self._tick)

    def busy(self, threshold: float) -> bool:
        """True when the loop ran (or is running) more than ``threshold`` seconds late."""
        overdue = self.loop.time() - self._expected
        return max(self.last, overdue) > threshold

    def stop(self) -> None:
        """Stop sampling."""
        self._handle.cancel()


class DeadlineStore(SessionStore):
    """``inner`` with a deadline of ``timeout`` seconds on each call."""

    def __init__(
        self,
        inner: SessionStore,
        timeout: float,
        *,
        pause: float = PAUSE_SECONDS,
        name: str = "session store",
    ) -> None:
        super().__init__(inner.idle_seconds)
        self.inner = inner
        self.timeout = timeout
        self.pause = pause
        self.name = name
        self.timeouts = 0  # calls abandoned at the deadline so far
        self._resting_until = 0.0
        self._rest_began = 0.0
        self._lag: LoopLag | None = None
        self._last_answer = float("-inf")  # loop time of the last call that ended
        self._answered_at = float("-inf")  # the same, on the monotonic clock

    async def _within(self, call: Awaitable[T]) -> T:
        now = time.monotonic()
        # Resting ends early as soon as any call in flight is answered (a burst, not a stall).
        if now < self._resting_until and self._answered_at < self._rest_began:
            if asyncio.iscoroutine(call):
                call.close()
            raise StoreUnavailable(
                f"{self.name} did not answer within "
                f"{self.timeout * 1000:.0f} ms a moment ago; resting it"
            )
        loop = asyncio.get_running_loop()
        if self._lag is None or self._lag.loop is not loop:
            self._lag = LoopLag(loop)
        lag = self._lag
        started = loop.time()
        checker: asyncio.TimerHandle | None = None
        try:
            # In this task (no task of its own: under a burst every extra hop through the
            # event loop costs a whole turn of it).
            async with asyncio.timeout(None) as limit:

                def check() -> None:
                    """Stalled means no answer at all for a deadline: while other calls are
                    being answered (a burst queues calls behind each other) or the event loop
                    itself runs late, the call gets more time, up to a limit."""
                    nonlocal checker
                    now = loop.time()
                    silent = now - max(self._last_answer, started)
                    if (
                        silent < self.timeout or lag.busy(self.timeout / 4)
                    ) and now - started < self.timeout * MAX_STRETCH:
                        checker = loop.call_at(
                            now + max(self.timeout - silent, self.timeout / 4), check
                        )
                    else:
                        limit.reschedule(now)

                checker = loop.call_at(started + self.timeout, check)
                try:
                    result = await call
                except Exception:
                    self._answered()  # it answered, with an error
                    raise
                self._answered()
                return result
        except TimeoutError:
            if not limit.expired():
                raise
            self.timeouts += 1
            self._rest_began = time.monotonic()
            self._resting_until = self._rest_began + self.pause
            raise StoreUnavailable(
                f"{self.name} did not answer within {self.timeout * 1000:.0f} ms"
            ) from None
        finally:
            if checker is not None:
                checker.cancel()

    def _answered(self) -> None:
        self._last_answer = asyncio.get_running_loop().time()
        self._answered_at = time.monotonic()

    async def get(self, key: str) -> SessionRecord | None:
        return await self._within(self.inner.get(key))

    async def put(self, record: SessionRecord) -> None:
        await self._within(self.inner.put(record))

    async def delete(self, key: str) -> bool:
        return await self._within(self.inner.delete(key))

    async def delete_user(self, user: str) -> int:
        # A deletion the person asked for gets longer than an answer's deadline.
        limit = max(self.timeout * 10, 2.0)
        try:
            async with asyncio.timeout(limit):
                return await self.inner.delete_user(user)
        except TimeoutError:
            raise StoreUnavailable(f"{self.name} did not delete within {limit:g} s") from None

    async def close(self) -> None:
        if self._lag is not None:
            self._lag.stop()
        await self.inner.close()

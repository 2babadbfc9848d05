"""Log lines that cannot flood the log: at most one line per key and interval, the next one
saying how many were held back."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class RateLimitedLog:
    """At most one line per ``interval`` seconds for each ``key``; the lines held back in
    between are counted and reported with the next line that gets through."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger
        self._interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def log(self, key: str, level: int, message: str, *args: object) -> bool:
        """Log ``message % args`` unless a line with ``key`` went out less than ``interval``
        seconds ago; True when it was logged."""
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        held = self._held.pop(key, 0)
        if held:
            message += " (%d similar line(s) held back in the last %.0f s)"
            args = (*args, held, self._interval)
        self._log.log(level, message, *args)
        return True


class AcceptErrorFilter(logging.Filter):
    """Rate-limits asyncio's "socket.accept() out of system resource" lines (one per
    ``interval`` seconds, without the traceback): out of file descriptors, the event loop
    retries every second per listening socket and each retry used to log a traceback."""

    MESSAGE = "socket.accept() out of system resource"

    def __init__(self, interval: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__("asyncio")
        self._interval = interval
        self._clock = clock
        self._last: float | None = None
        self._held = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """Let through one accept error per interval, with the count of those held back."""
        if not str(record.msg).startswith(self.MESSAGE):
            return True
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            self._held += 1
            return False
        self._last = now
        reason = record.exc_info[1] if record.exc_info else None
        record.msg = (
            "%s (%s): new connections are refused until descriptors are free; "
            "%d similar line(s) held back"
        )
        record.args = (self.MESSAGE, reason or "no detail", self._held)
        record.exc_info = None
        record.exc_text = None
        self._held = 0
        return True


_accept_filter: AcceptErrorFilter | None = None


def install_accept_error_filter() -> AcceptErrorFilter:
    """Install the :class:`AcceptErrorFilter` on the ``asyncio`` logger (once per process)."""
    global _accept_filter
    if _accept_filter is None:
        _accept_filter = AcceptErrorFilter()
        logging.getLogger("asyncio").addFilter(_accept_filter)
    return _accept_filter

"""Platform-free sending with rate limits, so a burst of replies never floods an account.

An adapter hands every reply to an :class:`Outbox` and gives it a ``send`` coroutine that
delivers one :class:`Outgoing` message. The outbox splits long texts (:func:`split_message`),
queues everything (nothing is dropped; a very long queue is logged as a warning) and sends
in order per conversation, keeping to two sliding-window limits: at most
``per_room_per_minute`` messages to any one conversation (a group, or a person in a private
chat) and at most ``overall_per_minute`` in total. A conversation that is at its limit does
not hold up the others. The clock and the sleep function are injectable for tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import time
import unicodedata
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import SendingConfig

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One chat message to send.

    ``conversation`` is the group id when ``in_room`` is true, else the id of the person in a
    private chat. ``mention_ids`` are the people to @mention (only on a group message).
    """

    conversation: str
    text: str
    in_room: bool = False
    mention_ids: tuple[str, ...] = ()


Send = Callable[[Outgoing], Awaitable[None]]
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class SlidingWindow:
    """A sliding-window log: at most ``limit`` events in any ``period`` seconds."""

    def __init__(self, limit: int, period: float = WINDOW_SECONDS) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a sliding window needs limit >= 1 and period > 0")
        self.limit = limit
        self.period = period
        self._times: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._times and self._times[0] <= now - self.period:
            self._times.popleft()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event is allowed (0 when it is allowed now)."""
        self._expire(now)
        if len(self._times) < self.limit:
            return 0.0
        return max(self._times[0] + self.period - now, 0.0)

    def record(self, now: float) -> None:
        """Count one event at ``now``."""
        self._times.append(now)

    def is_idle(self, now: float) -> bool:
        """True when no event is left in the window (the window can be forgotten)."""
        self._expire(now)
        return not self._times


@dataclass(order=True)
class _Queued:
    seq: int
    message: Outgoing = field(compare=False)
    urgent: bool = field(default=False, compare=False)


class Outbox:
    """Queue replies and send them within the rate limits, in order per conversation."""

    def __init__(
        self,
        send: Send,
        *,
        per_room_per_minute: int,
        overall_per_minute: int,
        max_message_chars: int,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        warn_queue_size: int = 100,
    ) -> None:
        if per_room_per_minute < 1 or overall_per_minute < 1 or max_message_chars < 1:
            raise ValueError("rate limits and max_message_chars must be at least 1")
        self._send = send
        self._per_room = per_room_per_minute
        self._overall = SlidingWindow(overall_per_minute)
        self._max_chars = max_message_chars
        self._clock = clock
        self._sleep = sleep
        self._warn_queue_size = warn_queue_size
        self._next_warning = warn_queue_size
        self._queues: dict[str, deque[_Queued]] = {}
        self._windows: dict[str, SlidingWindow] = {}
        self._seq = itertools.count()
        self._unfinished = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._wakeup = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._closed = False

    @classmethod
    def from_config(cls, send: Send, sending: SendingConfig) -> Outbox:
        """An outbox for ``send`` with the limits of the ``sending`` section of the config."""
        return cls(
            send,
            per_room_per_minute=sending.per_room_per_minute,
            overall_per_minute=sending.overall_per_minute,
            max_message_chars=sending.max_message_chars,
        )

    @property
    def pending(self) -> int:
        """Messages queued or being sent."""
        return self._unfinished

    def submit(
        self,
        conversation: str,
        texts: Sequence[str],
        *,
        in_room: bool = False,
        mention_ids: Sequence[str] = (),
        urgent: bool = False,
    ) -> int:
        """Queue ``texts`` for one conversation; return how many chat messages that makes.

        Each text is split to fit ``max_message_chars``. ``mention_ids`` go on the first
        message only. A conversation with ``urgent`` messages queued is served before the
        others (its own messages stay in order). Must be called from the event loop.
        """
        if self._closed:
            raise RuntimeError("the outbox is closed")
        parts = [part for text in texts for part in split_message(text, self._max_chars)]
        if not parts:
            return 0
        queue = self._queues.setdefault(conversation, deque())
        mentions = tuple(mention_ids) if in_room else ()
        for index, part in enumerate(parts):
            message = Outgoing(conversation, part, in_room, mentions if index == 0 else ())
            queue.append(_Queued(next(self._seq), message, urgent))
        self._unfinished += len(parts)
        self._idle.clear()
        self._warn_if_long()
        self._ensure_worker()
        self._wakeup.set()
        return len(parts)

    async def join(self) -> None:
        """Wait until everything submitted so far has been sent (or has failed)."""
        await self._idle.wait()

    async def close(self, drain_seconds: float = 0) -> None:
        """Stop sending: wait up to ``drain_seconds`` for the queue to drain, then give up.

        Messages still queued are logged as dropped (a count, not their content).
        """
        self._closed = True
        if self._unfinished and drain_seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.join(), drain_seconds)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._unfinished:
            log.warning("outbox closed with %d unsent message(s); they are dropped",
                        self._unfinished)
        self._queues.clear()
        self._unfinished = 0
        self._idle.set()

    def _ensure_worker(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(
                self._run(), name="outbox-sender"
            )

    def _warn_if_long(self) -> None:
        if self._unfinished >= self._next_warning:
            log.warning(
                "outbox: %d messages are waiting to be sent (rate limits %d per conversation, "
                "%d overall per minute); nothing is dropped",
                self._unfinished, self._per_room, self._overall.limit,
            )
            self._next_warning *= 2

    def _window(self, conversation: str) -> SlidingWindow:
        window = self._windows.get(conversation)
        if window is None:
            window = self._windows[conversation] = SlidingWindow(self._per_room)
        return window

    def _take_next(self, now: float) -> tuple[Outgoing | None, float]:
        """The oldest message whose conversation may send now (conversations with urgent
        messages first), else the time to wait."""
        best: str | None = None
        best_rank = (True, 0)
        wait = float("inf")
        for conversation, queue in self._queues.items():
            conversation_wait = self._window(conversation).wait_time(now)
            if conversation_wait > 0:
                wait = min(wait, conversation_wait)
                continue
            rank = (not any(q.urgent for q in queue), queue[0].seq)
            if best is None or rank < best_rank:
                best, best_rank = conversation, rank
        if best is None:
            return None, wait
        queue = self._queues[best]
        message = queue.popleft().message
        if not queue:
            del self._queues[best]
        return message, 0.0

    def _forget_idle_windows(self, now: float) -> None:
        for conversation in [c for c, w in self._windows.items()
                             if c not in self._queues and w.is_idle(now)]:
            del self._windows[conversation]

    async def _sleep_or_wakeup(self, seconds: float) -> None:
        """Sleep, but wake up early when a new message is submitted."""
        self._wakeup.clear()
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        waker = asyncio.ensure_future(self._wakeup.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    async def _run(self) -> None:
        while True:
            if not self._queues:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            now = self._clock()
            wait = self._overall.wait_time(now)
            message = None
            if wait <= 0:
                message, wait = self._take_next(now)
            if message is None:
                await self._sleep_or_wakeup(wait)
                continue
            self._overall.record(now)
            self._window(message.conversation).record(now)
            try:
                await self._send(message)
            except asyncio.CancelledError:
                raise  # close(): the message counts as unsent
            except Exception:
                log.exception("outbox: sending a message to %s failed (it may not have arrived); "
                              "going on with the next one", message.conversation)
            self._finished_one()
            self._forget_idle_windows(self._clock())

    def _finished_one(self) -> None:
        self._unfinished -= 1
        if self._unfinished < self._warn_queue_size:
            self._next_warning = self._warn_queue_size
        if self._unfinished == 0:
            self._idle.set()


# Sentence ends after which a long line may be cut (Chinese and ASCII punctuation).
_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)\"']*|$)")
_ZWJ = "\u200d"


def split_message(text: str, max_chars: int) -> list[str]:
    """Split ``text`` into chat messages of at most ``max_chars`` characters.

    Cuts at paragraph breaks first, then line breaks, then sentence ends, and only as a last
    resort inside a sentence (never inside a character or before a combining mark). Parts are
    stripped of surrounding whitespace; empty parts are never returned.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    text = text.strip()
    if not text:
        return []
    if len(text) <= max_chars:
        return [text]
    parts = _split(text, max_chars, level=0)
    return [part for part in (p.strip() for p in parts) if part]


_LEVELS = ("\n\n", "\n", "sentence", "hard")


def _split(text: str, max_chars: int, level: int) -> list[str]:
    if len(text.strip()) <= max_chars:
        return [text]
    how = _LEVELS[level]
    if how == "hard":
        return _hard_split(text, max_chars)
    if how == "sentence":
        pieces = [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]
        separator = ""
    else:
        pieces = text.split(how)
        separator = how
    if len(pieces) <= 1:
        return _split(text, max_chars, level + 1)
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate.strip()) <= max_chars:
            current = candidate
            continue
        if current.strip():
            out.append(current)
        if len(piece.strip()) <= max_chars:
            current = piece
        else:
            out.extend(_split(piece, max_chars, level + 1))
            current = ""
    if current.strip():
        out.append(current)
    return out


def _joins_previous(char: str) -> bool:
    """True for a character that must stay with the one before it."""
    return (unicodedata.combining(char) != 0 or char == _ZWJ
            or "\ufe00" <= char <= "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff")


def _hard_split(text: str, max_chars: int) -> list[str]:
    text = text.strip()
    out: list[str] = []
    while len(text) > max_chars:
        cut = next((i for i in range(max_chars, 0, -1)
                    if not _joins_previous(text[i]) and text[i - 1] != _ZWJ), max_chars)
        out.append(text[:cut])
        text = text[cut:].lstrip()
    if text:
        out.append(text)
    return out

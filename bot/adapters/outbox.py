"""Platform-free sending with rate limits, so a burst of replies never floods an account.

An adapter hands every reply to an :class:`Outbox` and gives it a ``send`` coroutine that
delivers one :class:`Outgoing` message. The outbox splits long texts (:func:`split_message`),
queues them and sends in order per conversation, keeping to two sliding-window limits: at most
``per_room_per_minute`` messages to any one conversation (a group, or a person in a private
chat) and at most ``overall_per_minute`` in total. A conversation that is at its limit does
not hold up the others. The clock and the sleep function are injectable for tests.

Urgent replies (threats, violence, self-harm: ``Response.urgent``) jump the queue: within
their conversation they go before the ordinary replies still waiting, and a conversation with
an urgent reply waiting is served before the others. They also have a reserved share outside
the ordinary windows, ``urgent_reserve_per_minute`` more messages a minute (in all, and to any
one conversation): when the ordinary budget of the minute is spent, an urgent message goes
out of the reserve at once, so it never waits behind ordinary replies.

The queues are bounded: at most ``max_queued_per_conversation`` messages for one conversation
and ``max_queued`` in all. Beyond a bound the OLDEST ORDINARY reply (all its parts) is dropped
(for a conversation, its own; overall, the oldest of all): the person gets the answers to
their latest messages. Urgent replies are never dropped (they may exceed the
bounds). Drops are counted and logged with the figures, at most one line a minute.

A message whose ``send`` fails is sent once more, in parts: its lines, the urgent ones (110,
12356, ...) first, so one bad line or a too long message cannot swallow the rest.

:meth:`Outbox.close` waits up to ``drain_seconds`` for the queue to drain; what is left is
saved to ``unsent_file`` (JSON) and :meth:`Outbox.restore` queues it again on the next start.
Without a file the count is logged as dropped: never silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import re
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.adapters.hygiene import clean_text, log_id
from bot.adapters.ratelog import RateLimitedLog
from bot.conversation.numbers import EMERGENCY_LINE

if TYPE_CHECKING:
    from bot.config import Config, SendingConfig

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
#: lines that carry an emergency number go first when a failed message is sent in parts
_URGENT_LINE = EMERGENCY_LINE


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


@dataclass(slots=True)
class _Queued:
    seq: int
    message: Outgoing
    urgent: bool = False
    reply: int = 0  # the submit it came from: a reply is dropped whole
    retried: bool = False


def urgent_lines_first(text: str) -> list[str]:
    """The non-empty lines of ``text``, those with an emergency number first (each group in
    its order)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    urgent = [line for line in lines if _URGENT_LINE.search(line)]
    return urgent + [line for line in lines if not _URGENT_LINE.search(line)]


def unsent_file(config: Config, adapter: str) -> Path | None:
    """Where ``adapter`` saves the replies still unsent at a stop: ``sending.unsent_dir``, else
    the per-user data directory; None for a bot that keeps nothing on disk (sessions in
    memory and no directory set)."""
    directory = config.sending.unsent_dir.strip()
    if directory:
        return Path(directory).expanduser() / f"unsent-{adapter}.json"
    if config.sessions.store == "memory":
        return None
    from platformdirs import user_data_dir

    return Path(user_data_dir("cuishou-bot")) / f"unsent-{adapter}.json"


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
        max_queued_per_conversation: int = 30,
        max_queued: int = 2000,
        unsent_file: Path | None = None,
        urgent_reserve_per_minute: int = 10,
    ) -> None:
        if per_room_per_minute < 1 or overall_per_minute < 1 or max_message_chars < 1:
            raise ValueError("rate limits and max_message_chars must be at least 1")
        if max_queued_per_conversation < 1 or max_queued < 1:
            raise ValueError("queue bounds must be at least 1")
        if urgent_reserve_per_minute < 1:
            raise ValueError("urgent_reserve_per_minute must be at least 1")
        self._send = send
        self._per_room = per_room_per_minute
        self._overall = SlidingWindow(overall_per_minute)
        self._max_chars = max_message_chars
        self._clock = clock
        self._sleep = sleep
        self._warn_queue_size = warn_queue_size
        self._next_warning = warn_queue_size
        self._max_per_conversation = max_queued_per_conversation
        self._max_queued = max_queued
        self._unsent_file = unsent_file
        self._queues: dict[str, deque[_Queued]] = {}
        #: ordinary replies still (partly) queued, oldest first: reply → conversation
        self._ordinary: OrderedDict[int, str] = OrderedDict()
        self._windows: dict[str, SlidingWindow] = {}
        #: the urgent replies' reserve: in all, and per conversation
        self._reserve_limit = urgent_reserve_per_minute
        self._reserve = SlidingWindow(urgent_reserve_per_minute)
        self._reserve_windows: dict[str, SlidingWindow] = {}
        self._seq = itertools.count()
        self._replies = itertools.count(1)
        self._queued = 0  # messages in the queues (not the one being sent)
        self._unfinished = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._wakeup = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._current: _Queued | None = None
        self._closed = False
        self._limits_log = RateLimitedLog(log, clock=clock)
        #: ordinary messages dropped because a queue was full (since the start)
        self.dropped = 0

    @classmethod
    def from_config(
        cls, send: Send, sending: SendingConfig, unsent_file: Path | None = None
    ) -> Outbox:
        """An outbox for ``send`` with the limits of the ``sending`` section of the config."""
        return cls(
            send,
            per_room_per_minute=sending.per_room_per_minute,
            overall_per_minute=sending.overall_per_minute,
            max_message_chars=sending.max_message_chars,
            max_queued_per_conversation=sending.max_queued_per_conversation,
            max_queued=sending.max_queued,
            unsent_file=unsent_file,
            urgent_reserve_per_minute=sending.urgent_reserve_per_minute,
        )

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called (``submit`` is refused then)."""
        return self._closed

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

        Each text is cleaned of unencodable characters and split to fit ``max_message_chars``.
        ``mention_ids`` go on the first message only. ``urgent`` messages go before the
        ordinary ones of their conversation, and their conversation before the others. Must be
        called from the event loop.
        """
        if self._closed:
            raise RuntimeError("the outbox is closed")
        parts = [
            part for text in texts for part in split_message(clean_text(text), self._max_chars)
        ]
        if not parts:
            return 0
        mentions = tuple(mention_ids) if in_room else ()
        reply = next(self._replies)
        items = [
            _Queued(
                next(self._seq),
                Outgoing(conversation, part, in_room, mentions if index == 0 else ()),
                urgent,
                reply,
            )
            for index, part in enumerate(parts)
        ]
        self._enqueue(conversation, items)
        if not urgent:
            self._ordinary[reply] = conversation
        self._enforce_bounds(conversation)
        self._warn_if_long()
        self._ensure_worker()
        self._wakeup.set()
        return len(parts)

    def _enqueue(self, conversation: str, items: list[_Queued], *, front: bool = False) -> None:
        queue = self._queues.setdefault(conversation, deque())
        if front:
            queue.extendleft(reversed(items))
        elif items[0].urgent:
            # after the urgent messages already waiting, before the ordinary ones
            position = next((i for i, q in enumerate(queue) if not q.urgent), len(queue))
            for offset, item in enumerate(items):
                queue.insert(position + offset, item)
        else:
            queue.extend(items)
        self._queued += len(items)
        self._unfinished += len(items)
        self._idle.clear()

    def _drop_oldest_ordinary_reply(self, conversation: str) -> int:
        """Drop the oldest ordinary reply (all its queued parts) of ``conversation``."""
        queue = self._queues.get(conversation)
        oldest = min((q.reply for q in queue if not q.urgent), default=None) if queue else None
        return 0 if oldest is None else self._drop_reply(conversation, oldest)

    def _drop_reply(self, conversation: str, reply: int) -> int:
        """Drop the queued ordinary parts of ``reply`` in ``conversation``; how many."""
        self._ordinary.pop(reply, None)
        queue = self._queues.get(conversation)
        if not queue:
            return 0
        kept = deque(q for q in queue if q.reply != reply or q.urgent)
        dropped = len(queue) - len(kept)
        if kept:
            self._queues[conversation] = kept
        else:
            del self._queues[conversation]
        self._queued -= dropped
        for _ in range(dropped):
            self._finished_one()
        return dropped

    def _enforce_bounds(self, conversation: str) -> None:
        dropped = 0
        while len(self._queues.get(conversation, ())) > self._max_per_conversation:
            count = self._drop_oldest_ordinary_reply(conversation)
            if not count:
                break
            dropped += count
        while self._queued > self._max_queued and self._ordinary:
            reply, owner = next(iter(self._ordinary.items()))  # the oldest ordinary reply
            dropped += self._drop_reply(owner, reply)
        if dropped:
            self.dropped += dropped
            self._limits_log.log(
                "drop",
                logging.WARNING,
                "outbox: queue full (%d queued for %s, %d in all; limits %d per conversation, "
                "%d in all): dropped %d older ordinary message(s), %d since the start; urgent "
                "replies are never dropped",
                len(self._queues.get(conversation, ())),
                log_id(conversation),
                self._queued,
                self._max_per_conversation,
                self._max_queued,
                dropped,
                self.dropped,
            )

    async def join(self) -> None:
        """Wait until everything submitted so far has been sent (or has failed)."""
        await self._idle.wait()

    async def close(self, drain_seconds: float = 0) -> None:
        """Stop sending: wait up to ``drain_seconds`` for the queue to drain, then save what
        is left to ``unsent_file`` (or log it as dropped, with the count, when there is none).
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
        left = [q for queue in self._queues.values() for q in queue]
        if left:
            self._save_unsent(left)
        self._queues.clear()
        self._ordinary.clear()
        self._queued = 0
        self._unfinished = 0
        self._idle.set()

    def _save_unsent(self, left: list[_Queued]) -> None:
        urgent = sum(q.urgent for q in left)
        if self._unsent_file is None:
            log.warning(
                "outbox closed with %d unsent message(s) (%d urgent) and nowhere to "
                "save them; they are dropped",
                len(left),
                urgent,
            )
            return
        records = [{**asdict(q.message), "urgent": q.urgent, "reply": q.reply} for q in left]
        try:
            self._unsent_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._unsent_file.with_suffix(".tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(records, file, ensure_ascii=False)
            temporary.replace(self._unsent_file)
        except OSError as exc:
            log.error(
                "outbox closed with %d unsent message(s) (%d urgent); saving them to %s "
                "failed (%s): they are dropped",
                len(left),
                urgent,
                self._unsent_file,
                exc.strerror or type(exc).__name__,
            )
            return
        log.warning(
            "outbox closed with %d unsent message(s) (%d urgent); saved to %s, they "
            "are sent on the next start",
            len(left),
            urgent,
            self._unsent_file,
        )

    def restore(self) -> int:
        """Queue again what the last :meth:`close` saved (then delete the file); return how
        many messages that is. A damaged file is moved aside with a log line."""
        path = self._unsent_file
        if path is None or not path.exists():
            return 0
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
            batches: dict[int, list[_Queued]] = {}
            order: list[tuple[str, int]] = []
            for record in records:
                message = Outgoing(
                    str(record["conversation"]),
                    clean_text(str(record["text"])),
                    bool(record["in_room"]),
                    tuple(str(m) for m in record["mention_ids"]),
                )
                key = int(record.get("reply", 0))
                if key not in batches:
                    order.append((message.conversation, key))
                batches.setdefault(key, []).append(
                    _Queued(
                        next(self._seq),
                        message,
                        bool(record["urgent"]),
                        next(self._replies) if key == 0 else -key,
                    )
                )
        except (OSError, ValueError, TypeError, KeyError) as exc:
            aside = path.with_suffix(".damaged")
            with contextlib.suppress(OSError):
                path.replace(aside)
            log.error(
                "outbox: the saved unsent messages in %s cannot be read (%s); moved to %s",
                path,
                type(exc).__name__,
                aside,
            )
            return 0
        count = 0
        for conversation, key in order:
            batch = batches[key]
            self._enqueue(conversation, batch)
            if not batch[0].urgent:
                self._ordinary[batch[0].reply] = conversation
            count += len(batch)
        with contextlib.suppress(OSError):
            path.unlink()
        if count:
            log.info("outbox: %d message(s) saved at the last stop are queued again", count)
            self._ensure_worker()
            self._wakeup.set()
        return count

    def _ensure_worker(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run(), name="outbox-sender")

    def _warn_if_long(self) -> None:
        if self._unfinished >= self._next_warning:
            log.warning(
                "outbox: %d messages are waiting to be sent (rate limits %d per conversation, "
                "%d overall per minute; at most %d queued per conversation, %d in all)",
                self._unfinished,
                self._per_room,
                self._overall.limit,
                self._max_per_conversation,
                self._max_queued,
            )
            self._next_warning *= 2

    def _window(self, conversation: str) -> SlidingWindow:
        window = self._windows.get(conversation)
        if window is None:
            window = self._windows[conversation] = SlidingWindow(self._per_room)
        return window

    def _reserve_window(self, conversation: str) -> SlidingWindow:
        window = self._reserve_windows.get(conversation)
        if window is None:
            window = self._reserve_windows[conversation] = SlidingWindow(self._reserve_limit)
        return window

    def _take_next(self, now: float) -> tuple[_Queued | None, bool, float]:
        """The next message of a conversation that may send now (conversations with urgent
        messages first, then the oldest) and whether it goes out of the urgent reserve; else
        the time to wait. An urgent message uses the ordinary budget while it lasts, then the
        reserve."""
        best: str | None = None
        best_rank = (True, 0)
        best_reserved = False
        wait = float("inf")
        overall_wait = self._overall.wait_time(now)
        reserve_wait = self._reserve.wait_time(now)
        for conversation, queue in self._queues.items():
            ordinary_wait = max(overall_wait, self._window(conversation).wait_time(now))
            reserved = False
            if ordinary_wait > 0:
                if not queue[0].urgent:
                    wait = min(wait, ordinary_wait)
                    continue
                urgent_wait = max(reserve_wait, self._reserve_window(conversation).wait_time(now))
                if urgent_wait > 0:
                    wait = min(wait, ordinary_wait, urgent_wait)
                    continue
                reserved = True
            rank = (not queue[0].urgent, queue[0].seq)
            if best is None or rank < best_rank:
                best, best_rank, best_reserved = conversation, rank, reserved
        if best is None:
            return None, False, wait
        queue = self._queues[best]
        item = queue.popleft()
        self._queued -= 1
        if not queue:
            del self._queues[best]
        if not item.urgent and (not queue or queue[0].reply != item.reply):
            self._ordinary.pop(item.reply, None)  # its last part: nothing left to drop
        return item, best_reserved, 0.0

    def _forget_idle_windows(self, now: float) -> None:
        for windows in (self._windows, self._reserve_windows):
            for conversation in [
                c for c, w in windows.items() if c not in self._queues and w.is_idle(now)
            ]:
                del windows[conversation]

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

    def _put_back(self, item: _Queued) -> None:
        """An unsent message back at the front of its conversation (it is still pending)."""
        self._queues.setdefault(item.message.conversation, deque()).appendleft(item)
        self._queued += 1

    async def _run(self) -> None:
        while True:
            if not self._queues:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            now = self._clock()
            item, reserved, wait = self._take_next(now)
            if item is None:
                await self._sleep_or_wakeup(wait)
                continue
            if reserved:
                self._reserve.record(now)
                self._reserve_window(item.message.conversation).record(now)
            else:
                self._overall.record(now)
                self._window(item.message.conversation).record(now)
            self._current = item
            try:
                await self._send(item.message)
            except asyncio.CancelledError:
                self._put_back(item)  # close(): saved with the rest (it may arrive twice)
                raise
            except Exception as exc:
                if self._closed:  # the adapter is going away: keep it for the next start
                    self._put_back(item)
                    return
                self._failed(item, exc)
            finally:
                self._current = None
            self._finished_one()
            self._forget_idle_windows(self._clock())

    def _failed(self, item: _Queued, exc: Exception) -> None:
        """Send a failed message once more, in parts (urgent lines first)."""
        message = item.message
        if item.retried:
            log.error(
                "outbox: sending part of a message to %s failed again (%s); that part is not sent",
                log_id(message.conversation),
                type(exc).__name__,
            )
            return
        parts = urgent_lines_first(message.text) or [message.text]
        log.warning(
            "outbox: sending a message to %s failed (%s); sending it once more in %d "
            "part(s), urgent lines first",
            log_id(message.conversation),
            type(exc).__name__,
            len(parts),
        )
        retries = [
            _Queued(
                next(self._seq),
                replace(message, text=part, mention_ids=message.mention_ids if index == 0 else ()),
                item.urgent,
                item.reply,
                retried=True,
            )
            for index, part in enumerate(parts)
        ]
        self._enqueue(message.conversation, retries, front=True)

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
    return (
        unicodedata.combining(char) != 0
        or char == _ZWJ
        or "\ufe00" <= char <= "\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def _hard_split(text: str, max_chars: int) -> list[str]:
    text = text.strip()
    out: list[str] = []
    while len(text) > max_chars:
        cut = next(
            (
                i
                for i in range(max_chars, 0, -1)
                if not _joins_previous(text[i]) and text[i - 1] != _ZWJ
            ),
            max_chars,
        )
        out.append(text[:cut])
        text = text[cut:].lstrip()
    if text:
        out.append(text)
    return out

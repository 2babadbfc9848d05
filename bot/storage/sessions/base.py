"""Conversation state and the interface every session store implements.

A :class:`Session` is plain data (JSON-serialisable) so that every store keeps it the same way.
Stores expire sessions that have been idle longer than their ``idle_seconds``: an expired
session is never returned, so nobody is left with a stale pending question.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Pending:
    """A question the bot asked and is waiting for an answer to.

    ``kind`` is ``follow_up`` (an intent's follow-up question ``follow_up`` of ``intent``),
    ``clarify`` (which of ``choices`` intents was meant) or ``menu`` (a topic by number).
    """

    kind: str
    intent: str | None = None
    follow_up: str | None = None
    choices: list[str] = field(default_factory=list)


@dataclass
class Session:
    """What the bot remembers of one conversation."""

    key: str
    active_intent: str | None = None
    pending: Pending | None = None
    details: dict[str, Any] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)  # follow-up ids asked on the active intent
    last_seen: float = field(default_factory=time.time)
    last_non_text_note: float = 0.0
    turns: int = 0
    user: str = ""  # the user id (stores index sessions by user for "删除我的记录")

    def to_json(self) -> str:
        """Serialise for a store."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str | bytes) -> Session:
        """Rebuild a session a store kept (unknown fields from newer versions are ignored)."""
        raw = json.loads(data)
        pending = raw.get("pending")
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in raw.items() if k in known}
        values["pending"] = Pending(**pending) if isinstance(pending, dict) else None
        return cls(**values)

    def copy(self) -> Session:
        """An independent copy (stores hand out copies so unsaved changes never leak in)."""
        return Session(
            key=self.key,
            active_intent=self.active_intent,
            pending=None if self.pending is None else Pending(
                self.pending.kind, self.pending.intent, self.pending.follow_up,
                list(self.pending.choices)),
            details={k: list(v) if isinstance(v, list) else v for k, v in self.details.items()},
            asked=list(self.asked),
            last_seen=self.last_seen,
            last_non_text_note=self.last_non_text_note,
            turns=self.turns,
            user=self.user,
        )

    def reset(self) -> None:
        """Forget the topic, the pending question and the details."""
        self.active_intent = None
        self.pending = None
        self.details = {}
        self.asked = []


class SessionStore(ABC):
    """Where sessions live. Every implementation passes tests/storage/test_session_stores.py."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds

    def expired(self, session: Session, now: float | None = None) -> bool:
        """True when ``session`` has been idle for longer than the store keeps sessions."""
        return ((time.time() if now is None else now) - session.last_seen) > self.idle_seconds

    @abstractmethod
    async def get(self, key: str) -> Session | None:
        """The live session for ``key``, or None (never an expired one)."""

    @abstractmethod
    async def put(self, session: Session) -> None:
        """Save ``session`` (replacing any earlier state for its key)."""

    @abstractmethod
    async def delete(self, key: str) -> bool:
        """Delete the session for ``key``; True if there was one."""

    @abstractmethod
    async def delete_user(self, user: str) -> int:
        """Delete every session of ``user`` (private and in groups); return how many."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files."""

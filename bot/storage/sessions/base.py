"""The interface every session store implements, and the record it keeps.

A store keeps :class:`SessionRecord` s: the conversation key, the person it belongs to, when it
was last active and the conversation's state as JSON text, which the store never reads (the
conversation owns its shape: bot/conversation/state.py). Stores expire records idle longer
than ``idle_seconds``: an expired one is never returned, so nobody is left with a stale
pending question.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One conversation as a store keeps it."""

    key: str  # the conversation (SessionKey.conversation)
    user: str  # the person (SessionKey.user), for "删除我的记录"
    last_seen: float  # epoch seconds of the last message
    data: str  # the conversation's state, JSON text


class SessionStore(ABC):
    """Where sessions live. Every implementation passes tests/storage/test_session_stores.py."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds

    def expired(self, record: SessionRecord, now: float | None = None) -> bool:
        """True when ``record`` has been idle for longer than the store keeps sessions."""
        return ((time.time() if now is None else now) - record.last_seen) > self.idle_seconds

    @abstractmethod
    async def get(self, key: str) -> SessionRecord | None:
        """The live record for ``key``, or None (never an expired one)."""

    @abstractmethod
    async def put(self, record: SessionRecord) -> None:
        """Save ``record`` (replacing any earlier state for its key)."""

    @abstractmethod
    async def delete(self, key: str) -> bool:
        """Delete the record for ``key``; True if there was one."""

    @abstractmethod
    async def delete_user(self, user: str) -> int:
        """Delete every record of ``user`` (private and in groups); return how many."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files."""

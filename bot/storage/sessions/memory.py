"""An in-memory session store: fast, bounded, and gone when the process ends."""

from __future__ import annotations

from collections import OrderedDict

from bot.storage.sessions.base import SessionRecord, SessionStore


class MemoryStore(SessionStore):
    """Keeps at most ``max_sessions`` sessions, dropping the least recently used first."""

    def __init__(self, idle_seconds: float, max_sessions: int = 10_000) -> None:
        super().__init__(idle_seconds)
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, SessionRecord] = OrderedDict()

    async def get(self, key: str) -> SessionRecord | None:
        record = self._sessions.get(key)
        if record is None:
            return None
        if self.expired(record):
            del self._sessions[key]
            return None
        self._sessions.move_to_end(key)
        return record  # immutable: a caller's unsaved changes cannot leak in

    async def put(self, record: SessionRecord) -> None:
        self._sessions[record.key] = record
        self._sessions.move_to_end(record.key)
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)

    async def delete(self, key: str) -> bool:
        return self._sessions.pop(key, None) is not None

    async def delete_user(self, user: str) -> int:
        keys = [k for k, s in self._sessions.items() if s.user == user]
        for key in keys:
            del self._sessions[key]
        return len(keys)

    def __len__(self) -> int:
        return len(self._sessions)

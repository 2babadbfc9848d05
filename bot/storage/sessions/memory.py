"""An in-memory session store: fast, bounded, and gone when the process ends."""

from __future__ import annotations

from collections import OrderedDict

from bot.storage.sessions.base import Session, SessionStore


class MemoryStore(SessionStore):
    """Keeps at most ``max_sessions`` sessions, dropping the least recently used first."""

    def __init__(self, idle_seconds: float, max_sessions: int = 10_000) -> None:
        super().__init__(idle_seconds)
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    async def get(self, key: str) -> Session | None:
        session = self._sessions.get(key)
        if session is None:
            return None
        if self.expired(session):
            del self._sessions[key]
            return None
        self._sessions.move_to_end(key)
        # A copy, so a caller's unsaved changes never leak into the store (as with the others).
        return session.copy()

    async def put(self, session: Session) -> None:
        self._sessions[session.key] = session.copy()
        self._sessions.move_to_end(session.key)
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

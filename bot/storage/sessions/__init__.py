"""Session stores: in-memory, SQLite (the embedded default) and Redis, behind one interface."""

from bot.storage.sessions.base import SessionRecord, SessionStore

__all__ = ["SessionRecord", "SessionStore"]

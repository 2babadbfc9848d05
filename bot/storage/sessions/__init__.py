"""Session stores: in-memory, SQLite (the embedded default) and Redis, behind one interface."""

from bot.storage.sessions.base import Pending, Session, SessionStore

__all__ = ["Pending", "Session", "SessionStore"]

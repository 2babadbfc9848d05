"""Errors a session store raises."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """The store cannot be reached or used right now (Redis down, database locked or unreadable).

    The engine catches it and answers without memory of the conversation; the store keeps
    trying to reconnect on later calls.
    """

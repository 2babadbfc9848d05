"""What every platform adapter provides, so ``python -m bot run`` can start any of them."""

from __future__ import annotations

from typing import Protocol


class Adapter(Protocol):
    """A platform connection: turns platform events into Incoming messages for the engine and
    sends the replies back. ``run`` returns only after ``stop`` (or on a fatal error)."""

    name: str

    async def run(self) -> None:
        """Serve until stopped; reconnect by itself when the platform drops."""

    async def stop(self) -> None:
        """Finish sending what is queued, disconnect, and make ``run`` return."""

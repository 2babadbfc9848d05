"""What every platform adapter provides, so ``python -m bot run`` can start any of them."""

from __future__ import annotations

from typing import Protocol

from bot.messages import Incoming, Response


class MessageHandler(Protocol):
    """What an adapter needs from the engine (the Engine, or a test's stand-in)."""

    async def handle(self, incoming: Incoming) -> Response:
        """Answer one message; never raises."""
        ...


class Adapter(Protocol):
    """A platform connection: turns platform events into Incoming messages for the engine and
    sends the replies back. ``run`` returns only after ``stop`` (or on a fatal error)."""

    name: str

    async def run(self) -> None:
        """Serve until stopped; reconnect by itself when the platform drops."""

    async def stop(self) -> None:
        """Finish sending what is queued, disconnect, and make ``run`` return."""


def describe_turn(message_id: object, incoming: Incoming, response: Response) -> str:
    """One log line about a handled message: ids, kind and intent, never the text."""
    where = f"group {incoming.room}" if incoming.room is not None else "private chat"
    count = len(response.replies)
    return (f"message {message_id} from {incoming.user} in {where} ({incoming.kind.value}"
            f"{'' if incoming.addressed else ', not addressed'}) -> "
            f"{response.intent or 'no intent'}, {count} repl{'y' if count == 1 else 'ies'}")

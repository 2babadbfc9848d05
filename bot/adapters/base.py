"""What every platform adapter provides, so ``python -m bot run`` can start any of them.

An adapter turns a platform's events into :class:`~bot.messages.Incoming` messages for the
engine and sends the replies back. To add a platform: subclass :class:`Adapter` in a module
of its own under bot/adapters/, give it a settings section in bot/config.py if it needs one,
and add one line to bot/adapters/registry.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Protocol

from bot.adapters.hygiene import log_id
from bot.messages import Incoming, Response


class MessageHandler(Protocol):
    """What an adapter needs from the engine (the Engine, or a test's stand-in)."""

    async def handle(self, incoming: Incoming) -> Response:
        """Answer one message; never raises."""
        ...


class Adapter(ABC):
    """A platform connection. ``run`` returns only after ``stop`` (or on a fatal error).

    Optional capabilities have defaults here, so the runner asks rather than probes:
    :meth:`state` (None: the runner shows whether ``run`` is still going) and
    :meth:`send_private` (when ``sends_private``: admin notices are pushed through it).
    """

    #: the platform's name in ``platforms.enabled`` and ``run --platform``
    name: ClassVar[str]
    #: the platform of its Incoming messages (ids in ``admins``: "<platform>:<user>")
    platform: ClassVar[str]
    #: True when :meth:`send_private` can reach a person who did not write first
    sends_private: ClassVar[bool] = False

    @abstractmethod
    async def run(self) -> None:
        """Serve until stopped; reconnect by itself when the platform drops."""

    @abstractmethod
    async def stop(self) -> None:
        """Finish sending what is queued, disconnect, and make ``run`` return."""

    def state(self) -> str | None:
        """The connection's state for the admin status ("logged_in", …), if it has one."""
        return None

    async def send_private(self, user: str, text: str) -> None:
        """Send ``text`` to ``user`` in a private chat (only when ``sends_private``)."""
        raise NotImplementedError(f"{self.name} cannot send private messages")


def describe_turn(message_id: object, incoming: Incoming, response: Response) -> str:
    """One log line about a handled message: ids (cut to a sensible length), kind and intent,
    never the text.

    ``incoming.addressed`` is what the platform saw (an @mention); a trigger word is read by the
    engine, so the line says "no @mention" for the one and tells by the reply whether the bot
    took the message as addressed to it ("left alone" when it stayed silent)."""
    where = f"group {log_id(incoming.room)}" if incoming.room is not None else "private chat"
    count = len(response.replies)
    mention = "" if incoming.addressed or incoming.room is None else ", no @mention"
    outcome = (
        "left alone (not addressed)"
        if response.silent
        else f"{response.intent or 'no intent'}, {count} repl{'y' if count == 1 else 'ies'}"
    )
    return (
        f"message {log_id(message_id)} from {log_id(incoming.user)} in {where} "
        f"({incoming.kind.value}{mention}) -> {outcome}"
    )

"""Test harness shared by the suites: configurations, a say-a-line chat, the CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config import Config
from bot.conversation.state import Session
from bot.engine import Engine
from bot.messages import Incoming

ROOT = Path(__file__).resolve().parent.parent


def memory_config(**updates: object) -> Config:
    """A configuration that keeps sessions in memory (and does not retrain the learned models
    in the background after a content change: tests/learning tests that on its own)."""
    config = Config()
    config = config.model_copy(
        update={
            "sessions": config.sessions.model_copy(update={"store": "memory"}),
            "learning": config.learning.model_copy(update={"retrain_on_change": False}),
        }
    )
    return config.model_copy(update=updates) if updates else config


class Chat:
    """Say a line, get the replies (errbot testbot style)."""

    def __init__(self, engine: Engine, user: str = "alice", room: str | None = None) -> None:
        self.engine = engine
        self.user = user
        self.room = room

    async def say(self, text: str, **kwargs: object) -> list[str]:
        response = await self.engine.handle(
            Incoming(user=self.user, text=text, room=self.room, **kwargs)
        )  # type: ignore[arg-type]
        self.last = response
        return response.replies

    async def text(self, text: str, **kwargs: object) -> str:
        return "\n".join(await self.say(text, **kwargs))


def run(
    *args: str,
    stdin: bytes = b"",
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        env=full_env,
        check=False,
    )


async def stored_session(engine: Engine, key: str) -> Session | None:
    """The conversation state the engine's store holds for ``key`` (as the engine reads it)."""
    record = await engine.store.get(key)
    return None if record is None else Session.from_json(record.data)

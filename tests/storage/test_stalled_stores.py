"""A stalled store never stalls the answers (issue 15, item 6).

(a) A "Redis" that accepts connections and never answers (a silent TCP server), and a real
    redis-server frozen with SIGSTOP mid-conversation: the urgent reply still comes within
    about half a second, other conversations are not held, and the log says the bot answered
    without memory.
(b) A SQLite file locked by another process (``BEGIN EXCLUSIVE`` in a subprocess): the same.
(c) The deadline wrapper itself: a call past the deadline is StoreUnavailable, the store then
    rests briefly (calls fail at once), and a healthy store is untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import SessionsConfig
from bot.engine import Engine, Understanding
from bot.messages import Incoming, Response
from bot.storage.errors import StoreUnavailable
from bot.storage.factory import open_store
from bot.storage.sessions.base import SessionRecord
from bot.storage.sessions.deadline import DeadlineStore
from bot.storage.sessions.memory import MemoryStore
from tests.fakes.redis_server import RedisServer, redis_server_executable
from tests.harness import memory_config

URGENT = "我想问怎么分期，但是催收的人现在在砸门不肯走"
AT_DOOR = "催收的人在门口"
#: How long the urgent reply may take with the store stalled (the deadline is 200 ms).
URGENT_WITHIN = 0.6
#: How long 40 other conversations, sent at once, may take together.
OTHERS_WITHIN = 1.5


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections, reads, and never answers."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.connections = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._swallow, "127.0.0.1", 0)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{port}/0"

    async def _swallow(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        with contextlib.suppress(ConnectionError):
            while await reader.read(4096):
                pass

    async def close(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()


async def timed(engine: Engine, incoming: Incoming) -> tuple[Response, float]:
    started = time.monotonic()
    response = await engine.handle(incoming)
    return response, time.monotonic() - started


async def assert_answers_in_time(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    """The urgent reply within URGENT_WITHIN, 40 other conversations not held."""
    response, elapsed = await timed(engine, Incoming(user="urgent", text=URGENT))
    assert response.urgent
    assert "110" in response.replies[0]
    assert elapsed < URGENT_WITHIN, f"urgent reply took {elapsed:.2f} s"

    started = time.monotonic()
    others = await asyncio.gather(
        *(engine.handle(Incoming(user=f"p{i}", text=AT_DOOR)) for i in range(40))
    )
    elapsed = time.monotonic() - started
    assert all(r.replies and r.intent == "collector_at_door" for r in others)
    assert elapsed < OTHERS_WITHIN, f"40 conversations took {elapsed:.2f} s"
    assert "answering without memory" in caplog.text or "not remembered" in caplog.text


# --------------------------------------------------------------------------- (a) Redis


async def test_silent_redis_never_delays_the_urgent_reply(
    understanding: Understanding, caplog: pytest.LogCaptureFixture
) -> None:
    server = SilentServer()
    await server.start()
    store = await open_store(SessionsConfig(store="redis", redis_url=server.url))
    engine = Engine(memory_config(), understanding, store)
    try:
        with caplog.at_level(logging.WARNING):
            await assert_answers_in_time(engine, caplog)
        assert server.connections >= 1  # it was really asked, and never answered
        assert "200 ms" in caplog.text  # the log says why
    finally:
        await engine.close()
        await server.close()


@pytest.fixture
def frozen_redis() -> Iterator[RedisServer]:
    server = RedisServer(redis_server_executable())
    server.start()
    yield server
    if server.process is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(server.process.pid, signal.SIGCONT)
    server.cleanup()


async def test_frozen_redis_mid_conversation(
    frozen_redis: RedisServer, understanding: Understanding, caplog: pytest.LogCaptureFixture
) -> None:
    store = await open_store(SessionsConfig(store="redis", redis_url=frozen_redis.url))
    engine = Engine(memory_config(), understanding, store)
    try:
        await engine.handle(Incoming(user="urgent", text=AT_DOOR))
        assert await store.get("terminal:u:urgent") is not None  # remembered while it ran
        assert frozen_redis.process is not None
        os.kill(frozen_redis.process.pid, signal.SIGSTOP)  # stops answering, sockets open
        with caplog.at_level(logging.WARNING):
            await assert_answers_in_time(engine, caplog)
        os.kill(frozen_redis.process.pid, signal.SIGCONT)
        await asyncio.sleep(1.2)  # the store's rest after the timeouts
        await engine.handle(Incoming(user="later", text=AT_DOOR))
        assert await store.get("terminal:u:later") is not None  # remembered again
    finally:
        await engine.close()


# --------------------------------------------------------------------------- (b) SQLite

LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(60)
"""


@contextlib.contextmanager
def locked_by_another_process(path: Path) -> Iterator[None]:
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert locker.stdout is not None
        assert locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.kill()
        locker.wait()


@pytest.fixture
async def sqlite_engine(
    tmp_path: Path, understanding: Understanding
) -> AsyncIterator[tuple[Engine, Path]]:
    path = tmp_path / "bot.sqlite3"
    store = await open_store(SessionsConfig(store="sqlite", sqlite_path=str(path)))
    engine = Engine(memory_config(), understanding, store)
    yield engine, path
    await engine.close()


async def test_locked_sqlite_file_never_delays_the_urgent_reply(
    sqlite_engine: tuple[Engine, Path], caplog: pytest.LogCaptureFixture
) -> None:
    engine, path = sqlite_engine
    await engine.handle(Incoming(user="before", text=AT_DOOR))
    with locked_by_another_process(path), caplog.at_level(logging.WARNING):
        await assert_answers_in_time(engine, caplog)
    # The lock is gone: the next conversation is remembered again.
    await asyncio.sleep(1.2)
    await engine.handle(Incoming(user="after", text=AT_DOOR))
    assert await engine.store.get("terminal:u:after") is not None
    assert await engine.store.get("terminal:u:before") is not None


# --------------------------------------------------------------------------- (c) the wrapper


class SlowStore(MemoryStore):
    """A memory store whose calls take ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        super().__init__(600)
        self.delay = delay

    async def get(self, key: str) -> SessionRecord | None:
        await asyncio.sleep(self.delay)
        return await super().get(key)


async def test_deadline_then_a_short_rest() -> None:
    slow = SlowStore(5.0)
    store = DeadlineStore(slow, 0.05, pause=0.3)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="within 50 ms"):
        await store.get("k")
    with pytest.raises(StoreUnavailable, match="resting"):
        await store.get("k")  # fails at once while the store rests
    assert time.monotonic() - started < 0.5
    assert store.timeouts == 1
    await asyncio.sleep(0.35)
    slow.delay = 0.0
    assert await store.get("k") is None  # after the rest it is asked again
    await store.put(SessionRecord("k", "u", time.time(), "{}"))
    assert (await store.get("k")) is not None

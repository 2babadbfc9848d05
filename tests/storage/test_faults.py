"""Faults: the bot killed mid-traffic, Redis restarted under it, a component that raises.

(a) ``python -m bot chat --jsonl`` with the SQLite store is SIGKILLed while it answers many
    conversations; restarted on the same file, every conversation whose reply had come out
    still has its pending question, and the file is intact.
(b) Redis is killed while messages flow: every message is still answered (without memory);
    Redis comes back on the same port and conversations are remembered again, by themselves.
(c) An exception inside the handling becomes the apology and an ERROR log with the
    traceback; the next message is answered normally.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import SessionsConfig
from bot.conversation import texts
from bot.engine import Engine, Understanding
from bot.messages import Incoming, Response
from bot.storage.factory import open_store
from tests.fakes.redis_server import RedisServer, redis_server_executable
from tests.harness import memory_config

ROOT = Path(__file__).resolve().parents[2]

AT_DOOR = "催收的人在门口"
QUESTION = "他们出示工作证和银行的委托书了吗"
DENY_BRANCH = "先不要谈钱"

# --------------------------------------------------------------------------- (a) SIGKILL

CONVERSATIONS = 1500
KILL_AFTER = 300


def write_config(tmp_path: Path, database: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"sessions:\n  store: sqlite\n  sqlite_path: {json.dumps(str(database))}\n",
        encoding="utf-8",
    )
    return config


async def start_bot(config: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "chat",
        "--jsonl",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def line(conversation: str, text: str) -> bytes:
    return (
        json.dumps({"conversation": conversation, "text": text}, ensure_ascii=False) + "\n"
    ).encode()


def integrity(database: Path) -> tuple[str, int]:
    with sqlite3.connect(database) as db:
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        count = db.execute("SELECT count(*) FROM sessions").fetchone()[0]
    return check, count


async def test_sigkill_mid_traffic_loses_no_committed_turn(tmp_path: Path) -> None:
    database = tmp_path / "sessions.sqlite3"
    config = write_config(tmp_path, database)
    names = [f"c{i:04d}" for i in range(CONVERSATIONS)]

    bot = await start_bot(config)
    assert bot.stdin is not None and bot.stdout is not None and bot.stderr is not None

    async def feed() -> None:
        assert bot.stdin is not None
        for name in names:
            bot.stdin.write(line(name, AT_DOOR))
            await bot.stdin.drain()

    feeder = asyncio.create_task(feed())
    answered: list[str] = []
    try:
        while len(answered) < KILL_AFTER:
            raw = await asyncio.wait_for(bot.stdout.readline(), timeout=60)
            assert raw, (await bot.stderr.read()).decode(errors="replace")[-2000:]
            out = json.loads(raw)
            assert out["intent"] == "collector_at_door", out
            assert QUESTION in out["replies"][-1]
            answered.append(out["conversation"])
    finally:
        bot.send_signal(signal.SIGKILL)  # mid-traffic: more lines are waiting to be handled
        await bot.wait()
        feeder.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionResetError, BrokenPipeError):
            await feeder
    assert bot.returncode == -signal.SIGKILL
    assert answered == names[:KILL_AFTER]  # in order, one reply per line

    check, stored = integrity(database)
    print(
        f"\n[sigkill] killed after {len(answered)} replies of {CONVERSATIONS} lines; "
        f"{stored} sessions committed; integrity {check}"
    )
    assert check == "ok"
    # Every answered turn was committed; the bot was killed before it had handled all.
    assert KILL_AFTER <= stored < CONVERSATIONS

    # Restarted on the same file: each answered conversation still has its question pending.
    bot = await start_bot(config)
    stdin = b"".join(line(name, "没有") for name in answered)
    stdout, stderr = await asyncio.wait_for(bot.communicate(stdin), timeout=120)
    assert bot.returncode == 0, stderr.decode(errors="replace")[-2000:]
    outs = [json.loads(raw) for raw in stdout.splitlines()]
    assert [o["conversation"] for o in outs] == answered
    for out in outs:
        assert out["intent"] == "collector_at_door", out
        assert DENY_BRANCH in out["replies"][0], out
    assert integrity(database)[0] == "ok"


# --------------------------------------------------------------------------- (b) Redis


@pytest.fixture
def restartable_redis() -> Iterator[RedisServer]:
    server = RedisServer(redis_server_executable())
    server.start()
    yield server
    server.cleanup()


@pytest.fixture
async def redis_engine(
    understanding: Understanding, restartable_redis: RedisServer
) -> AsyncIterator[Engine]:
    store = await open_store(SessionsConfig(store="redis", redis_url=restartable_redis.url))
    engine = Engine(memory_config(), understanding, store)
    yield engine
    await engine.close()


async def topic_then_no(engine: Engine, user: str) -> tuple[Response, Response]:
    first = await engine.handle(Incoming(user=user, text=AT_DOOR))
    second = await engine.handle(Incoming(user=user, text="没有"))
    return first, second


async def test_redis_restart_mid_traffic(
    redis_engine: Engine, restartable_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    engine = redis_engine
    # Up: conversations are remembered.
    for i in range(10):
        _, second = await topic_then_no(engine, f"before{i}")
        assert DENY_BRANCH in second.replies[0]

    responses: list[tuple[float, Response]] = []
    stop = asyncio.Event()

    async def traffic(worker: int) -> None:
        n = 0
        while not stop.is_set():
            for text in (AT_DOOR, "没有"):
                started = time.monotonic()
                response = await engine.handle(Incoming(user=f"w{worker}-{n}", text=text))
                responses.append((time.monotonic() - started, response))
            n += 1
            await asyncio.sleep(0.005)

    caplog.set_level(logging.WARNING, logger="bot")
    workers = [asyncio.create_task(traffic(w)) for w in range(8)]
    await asyncio.sleep(0.3)
    await asyncio.to_thread(restartable_redis.kill)  # as a crash would
    down_from = len(responses)
    await asyncio.sleep(1.5)
    # Down: answered all the same, without memory ("没有" may not be understood).
    first, second = await topic_then_no(engine, "while-down")
    assert first.intent == "collector_at_door" and QUESTION in first.replies[-1]
    assert second.replies and second.intent != "error"
    during = len(responses) - down_from
    assert during > 10, "traffic kept flowing while Redis was down"

    await asyncio.to_thread(restartable_redis.start)  # same port
    started = time.monotonic()
    recovered_after = None
    attempt = 0
    while time.monotonic() - started < 10:
        attempt += 1
        _, second = await topic_then_no(engine, f"after{attempt}")
        if DENY_BRANCH in second.replies[0]:
            recovered_after = time.monotonic() - started
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*workers)
    print(
        f"\n[redis restart] {len(responses)} messages, {during} while down; "
        f"remembered again {recovered_after and round(recovered_after, 2)} s after restart"
    )

    assert recovered_after is not None, "conversations not remembered 10 s after Redis is back"
    # And it stays recovered: several conversations in a row are remembered.
    for i in range(5):
        _, second = await topic_then_no(engine, f"later{i}")
        assert DENY_BRANCH in second.replies[0]

    assert all(r.replies and r.intent != "error" for _, r in responses)
    assert engine.admin.stats.errors == 0
    assert max(seconds for seconds, _ in responses) < 5  # down means fast "no", not a hang
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("session store unavailable" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- (c) exceptions


def raise_once(original: Callable[..., Any]) -> Callable[..., Any]:
    """``original``, except that its first call raises."""
    calls = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom in a component")
        return original(*args, **kwargs)

    async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom in a component")
        return await original(*args, **kwargs)

    return async_wrapper if asyncio.iscoroutinefunction(original) else wrapper


@pytest.mark.parametrize(
    ("component", "method"),
    [
        ("classifier", "classify"),
        ("dialogue", "respond"),
        ("store", "get"),
        ("store", "put"),
    ],
)
async def test_exception_becomes_apology_and_logged_traceback(
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    component: str,
    method: str,
) -> None:
    target = engine.store if component == "store" else getattr(engine.understanding, component)
    monkeypatch.setattr(target, method, raise_once(getattr(target, method)))
    secret = f"我的电话13812345678，{AT_DOOR}"

    with caplog.at_level(logging.INFO, logger="bot"):
        response = await engine.handle(Incoming(user="alice", text=secret))
    assert response.replies == [texts.APOLOGY]
    assert response.intent == "error"
    assert engine.admin.stats.errors == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    [error] = errors
    assert error.name == "bot.engine" and error.exc_info is not None
    traceback = logging.Formatter().formatException(error.exc_info)
    assert "RuntimeError: boom in a component" in traceback
    assert f"in {method}" in traceback or "wrapper" in traceback
    logged = caplog.text
    assert "13812345678" not in logged and AT_DOOR not in logged  # still no message text
    assert len(engine._locks) == 0  # the conversation is not left locked

    # The next message is answered normally, and the conversation goes on.
    first = await engine.handle(Incoming(user="alice", text=AT_DOOR))
    assert first.intent == "collector_at_door" and QUESTION in first.replies[-1]
    second = await engine.handle(Incoming(user="alice", text="没有"))
    assert DENY_BRANCH in second.replies[0]
    assert engine.admin.stats.errors == 1

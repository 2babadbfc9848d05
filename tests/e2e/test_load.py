"""Load: 1 000 conversations × 20 messages at once through one engine, with SQLite and Redis.

Every conversation states its own debt ("我欠{amount}元", the amount unique to it) early on and
later asks for repayment calculations that need that amount from the stored session. Under
full concurrency nothing may cross from one conversation into another and no turn may be lost:

* every conversation gets exactly one response per message, each with replies, and the same
  intents as the same script gets alone in a fresh in-memory engine;
* every reply that shows money is a calculation of the conversation's *own* amount (exactly
  the calculator's text for that amount and the months asked for);
* afterwards each stored session holds its own amount, the last months asked for and all 20
  turns.

The figures (messages/s, seconds, latency p50/p99) are shown at the end of the test run.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.config import Config, SessionsConfig
from bot.conversation.calculator import calculator_reply
from bot.engine import Engine, Understanding
from bot.messages import Incoming, Response
from bot.storage.factory import open_store
from bot.storage.sessions.base import SessionStore
from bot.storage.sessions.memory import MemoryStore
from bot.understanding.details import Details
from tests.fakes.redis_server import RedisServer, redis_server_executable
from tests.harness import memory_config, stored_session

pytestmark = pytest.mark.slow

CONVERSATIONS = 1000
#: Wall-clock budget per store on a small (2-core) machine; a run takes a fraction of it.
BUDGET_SECONDS = 120

#: Twenty messages; the amount is stated once (message 2) and every later calculation must
#: take it from the stored session. Months asked for are noted for the calculations.
SCRIPT: list[tuple[str, int | None]] = [
    ("你好", None),
    ("我欠{amount}元", None),
    ("分12期每月还多少", 12),
    ("没有", None),
    ("那分24期呢", 24),
    ("详细", None),
    ("催收的人在门口", None),
    ("没有", None),
    ("1", None),
    ("他们说要上门", None),
    ("菜单", None),
    ("3", None),
    ("分36期每月还多少", 36),
    ("谢谢", None),
    ("天天打电话骚扰我家人", None),
    ("2", None),
    ("征信会不会受影响", None),
    ("人工", None),
    ("分6期每月还多少", 6),
    ("那分18期呢", 18),
]
assert len(SCRIPT) == 20
LAST_MONTHS = [m for _, m in SCRIPT if m is not None][-1]

#: Money as the calculator writes it ("30,517.00元"); only calculations show it.
MONEY = re.compile(r"\d{1,3}(?:,\d{3})*\.\d{2}元")


def amount_of(conversation: int) -> int:
    """A debt unique to each conversation."""
    return 30_000 + 7 * conversation


def user_of(conversation: int) -> str:
    return f"load-{conversation:04d}"


async def run_conversation(
    engine: Engine, conversation: int, latencies: list[float]
) -> list[Response]:
    """Send the script in order, each message after the previous one is answered."""
    responses = []
    for text, _months in SCRIPT:
        incoming = Incoming(
            user=user_of(conversation), text=text.format(amount=amount_of(conversation))
        )
        started = time.perf_counter()
        responses.append(await engine.handle(incoming))
        latencies.append(time.perf_counter() - started)
    return responses


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@pytest.fixture(scope="module")
def reference(understanding: Understanding) -> list[Response]:
    """The script alone in a fresh in-memory engine: what each conversation should get."""
    config = memory_config()

    async def run() -> list[Response]:
        engine = Engine(config, understanding, MemoryStore(3600))
        try:
            return await run_conversation(engine, 0, [])
        finally:
            await engine.close()

    responses = asyncio.run(run())
    # The script exercises what it is meant to: calculations from the remembered amount.
    calculations = [
        i for i, r in enumerate(responses) if any("期（" in x and "算：" in x for x in r.replies)
    ]
    assert calculations == [i for i, (_, m) in enumerate(SCRIPT) if m is not None]
    return responses


async def load(
    engine: Engine, reference: list[Response], label: str, report: Callable[[str], None]
) -> None:
    latencies: list[float] = []
    started = time.perf_counter()
    results = await asyncio.gather(
        *(run_conversation(engine, n, latencies) for n in range(CONVERSATIONS))
    )
    elapsed = time.perf_counter() - started
    messages = CONVERSATIONS * len(SCRIPT)
    report(
        f"[load {label}] {CONVERSATIONS} conversations × {len(SCRIPT)} messages = "
        f"{messages} messages in {elapsed:.2f} s: {messages / elapsed:.0f} messages/s, "
        f"latency p50 {percentile(latencies, 0.5) * 1000:.2f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms, "
        f"max {max(latencies) * 1000:.2f} ms"
    )

    assert len(results) == CONVERSATIONS
    assert len(latencies) == messages
    assert engine.admin.stats.errors == 0
    assert len(engine._locks) == 0  # no lock left behind
    expected_intents = [r.intent for r in reference]
    expected_counts = [len(r.replies) for r in reference]
    for conversation, responses in enumerate(results):
        amount = amount_of(conversation)
        assert len(responses) == len(SCRIPT)
        assert all(r.replies for r in responses), conversation
        assert [r.intent for r in responses] == expected_intents, conversation
        assert [len(r.replies) for r in responses] == expected_counts, conversation
        for (_text, months), response in zip(SCRIPT, responses, strict=True):
            money = [reply for reply in response.replies if MONEY.search(reply)]
            if months is None:
                assert money == [], (conversation, response.replies)
            else:
                # Exactly this conversation's calculation, from its own remembered amount.
                expected = calculator_reply(
                    Details(amount=float(amount), months=months),
                    engine.config.calculator,
                    in_group=False,
                )
                assert money == expected[:1], (conversation, money)
                assert f"按{amount // 1000},{amount % 1000:03d}.00元、分{months}期" in money[0]

    # Nothing lost: each session holds its own details and every one of its turns.
    for conversation in range(CONVERSATIONS):
        key = engine.session_key(Incoming(user=user_of(conversation), text=""))
        session = await stored_session(engine, key)
        assert session is not None, conversation
        assert session.details.amount == amount_of(conversation), session.details
        assert session.details.months == LAST_MONTHS, session.details
        assert session.turns == len(SCRIPT), (conversation, session.turns)
        assert session.user == f"terminal:{user_of(conversation)}"
    assert elapsed < BUDGET_SECONDS, f"{label}: {elapsed:.1f} s"


def store_config(**updates: object) -> Config:
    config = memory_config()
    return config.model_copy(update={"sessions": config.sessions.model_copy(update=updates)})


@pytest.fixture(scope="module")
def load_redis_server() -> Iterator[RedisServer]:
    server = RedisServer(redis_server_executable())
    server.start()
    yield server
    server.cleanup()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SessionStore]:
    store = await open_store(
        SessionsConfig(store="sqlite", sqlite_path=str(tmp_path / "load.sqlite3"))
    )
    yield store
    await store.close()


async def test_load_sqlite(
    understanding: Understanding,
    reference: list[Response],
    sqlite_store: SessionStore,
    report_figure: Callable[[str], None],
) -> None:
    engine = Engine(store_config(store="sqlite"), understanding, sqlite_store)
    await load(engine, reference, "sqlite", report_figure)


async def test_load_redis(
    understanding: Understanding,
    reference: list[Response],
    load_redis_server: RedisServer,
    report_figure: Callable[[str], None],
) -> None:
    async with Redis.from_url(load_redis_server.url) as client:
        await client.flushdb()
    store = await open_store(SessionsConfig(store="redis", redis_url=load_redis_server.url))
    engine = Engine(
        store_config(store="redis", redis_url=load_redis_server.url), understanding, store
    )
    try:
        await load(engine, reference, "redis", report_figure)
    finally:
        await engine.close()


async def test_redis_store_queues_more_calls_than_connections(
    load_redis_server: RedisServer,
) -> None:
    """Far more calls at once than the store has connections: all succeed, in turn (the
    redis-py default pool refused the 101st with "Too many connections")."""
    from bot.storage.sessions.base import SessionRecord
    from bot.storage.sessions.redis import MAX_CONNECTIONS, RedisStore

    store = RedisStore(load_redis_server.url, 600)
    try:
        calls = 10 * MAX_CONNECTIONS
        await asyncio.gather(
            *(
                store.put(SessionRecord(f"many:{i}", f"u{i}", time.time(), str(i)))
                for i in range(calls)
            )
        )
        got = await asyncio.gather(*(store.get(f"many:{i}") for i in range(calls)))
        assert [int(s.data) if s else None for s in got] == list(range(calls))
        async with Redis.from_url(load_redis_server.url) as client:
            clients = await client.client_list()
        assert len(clients) <= MAX_CONNECTIONS + 1  # + the client asking
    finally:
        await store.close()

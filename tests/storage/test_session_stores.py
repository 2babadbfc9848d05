"""One contract for every session store, run against memory, SQLite and a real redis-server.

Then what only one backend promises: SQLite survives a restart (even SIGKILL) and bounds its
file; Redis expires keys itself, raises StoreUnavailable while down and recovers by itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import re
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.config import SessionsConfig
from bot.conversation.state import Paper, Pending, PendingKind, Session
from bot.storage import factory
from bot.storage.errors import StoreUnavailable
from bot.storage.factory import open_store
from bot.storage.sessions.base import SessionRecord, SessionStore
from bot.storage.sessions.deadline import DeadlineStore
from bot.storage.sessions.memory import MemoryStore
from bot.storage.sessions.redis import SESSION_PREFIX, USER_PREFIX, RedisStore
from bot.storage.sessions.sqlite import SqliteStore
from bot.understanding.details import Details
from tests.fakes.redis_server import RedisServer, free_port, redis_server_executable

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------- a real redis-server


@pytest.fixture
def own_redis_server() -> Iterator[RedisServer]:
    """A redis-server of the test's own, which it may stop and restart."""
    server = RedisServer(redis_server_executable())
    server.start()
    yield server
    server.cleanup()


# --------------------------------------------------------------------------- the stores


class Sessions:
    """A store seen as the engine uses it: a conversation's Session goes in as JSON text and
    comes back whole, so every field must survive every backend (the JSON trap)."""

    def __init__(self, store: SessionStore) -> None:
        self.store = store

    async def put(self, session: Session) -> None:
        await self.store.put(
            SessionRecord(
                key=session.key,
                user=session.user,
                last_seen=session.last_seen,
                data=session.to_json(),
            )
        )

    async def get(self, key: str) -> Session | None:
        record = await self.store.get(key)
        return None if record is None else Session.from_json(record.data)

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


MakeStore = Callable[..., Awaitable[Sessions]]


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MakeStore]:
    """Opens stores of one kind; with SQLite every store of a test shares one file."""
    kind: str = request.param
    opened: list[Sessions] = []
    url = ""
    if kind == "redis":
        url = request.getfixturevalue("redis_server").url
        async with Redis.from_url(url) as client:
            await client.flushdb()

    async def make(idle_seconds: float = 600, max_sessions: int = 1000) -> Sessions:
        store: SessionStore
        if kind == "memory":
            store = MemoryStore(idle_seconds, max_sessions)
        elif kind == "sqlite":
            store = await SqliteStore.open(
                tmp_path / "sessions.sqlite3", idle_seconds, max_sessions
            )
        else:
            store = RedisStore(url, idle_seconds, max_sessions)
        opened.append(Sessions(store))
        return opened[-1]

    yield make
    for store in opened:
        await store.close()


@pytest.fixture
async def store(make_store: MakeStore) -> Sessions:
    return await make_store()


def full_session(key: str = "wechat:u1", user: str = "u1") -> Session:
    """A session with every field away from its default."""
    return Session(
        key=key,
        active_intent="harassment",
        pending=Pending(
            kind=PendingKind.FOLLOW_UP,
            intent="harassment",
            follow_up="who_called",
            choices=["harassment", "negotiate"],
        ),
        details=Details(
            amount=12000.5,
            amount_approx=True,
            months=36,
            lender="借呗",
            lenders=("借呗", "花呗"),
            overdue_months=3,
            overdue_approx=False,
            present=True,
            role="helper",
            credentials=False,
            police="called",
            left=False,
            let_in=False,
            paid="personal",
            document="还款承诺书",
            place="home",
            night=True,
            visit_when="下周一",
            annual_rate=0.1825,
            rate_written="日息万分之五",
            debts=(("借呗", 8000.25), ("花呗", 4000.25)),
            budget=1500.0,
            income=5500.25,
            costs=(("房租", 1500.25), ("吃饭", 1200.0)),
            received=2100.5,
            repaid=5000.5,
            down_payment=500.0,
            down_share=0.1,
            convention="等额本金",
            signed=True,
            lender_type="licensed_online",
        ),
        asked=["who_called", "how_often"],
        last_seen=time.time(),
        last_non_text_note=time.time() - 42.25,
        turns=7,
        user=user,
        crisis="threat",
        sent=["a1b2c3d4e5f6", "0f0f0f0f0f0f"],
        noticed=["pii", "helper"],
        last_answer="open_door",
        safety_check="self_harm",
        crisis_basis="sign",
        case=["legal_consequences", "harassment"],
        paper=Paper(
            "collection_letter", "招商银行", 12345.67, "2026年12月5日前", True, ("pay_person",)
        ),
        told=["5张信用卡全面逾期", "催收说要去我老家"],
    )


def test_full_session_sets_every_session_field() -> None:
    from dataclasses import fields

    session, default = full_session(), Session(key="k")
    unset = [
        f.name
        for f in fields(Session)
        if f.name not in ("key", "last_seen")
        and getattr(session, f.name) == getattr(default, f.name)
    ]
    assert unset == []


# --------------------------------------------------------------------------- the contract


async def test_round_trip_keeps_every_field(store: SessionStore) -> None:
    session = full_session()
    await store.put(session)
    got = await store.get(session.key)
    assert got == session
    assert got is not session
    assert got is not None
    assert isinstance(got.pending, Pending)


def test_full_session_sets_every_detail() -> None:
    details = full_session().details
    assert all(getattr(details, f.name) is not None for f in dataclasses.fields(details))


@pytest.mark.parametrize(
    "details",
    [
        Details(annual_rate=0.1825, rate_written="日息万分之五"),
        Details(annual_rate=0.12, rate_written="月息1分"),
        Details(debts=(("招商银行", 20000.0), ("平安银行", 18000.5)), amount=38000.5),
        Details(budget=1500.0),
        Details(income=5500.0, costs=(("房租", 1500.0), ("吃饭", 1200.5))),
        Details(down_payment=5000.0),
        Details(down_share=0.1),
        Details(convention="免息分期"),
        Details(months=0),
        Details(months=-3),
        Details(amount=0.0),
    ],
    ids=[
        "daily-rate",
        "monthly-rate",
        "debts",
        "budget",
        "income-and-costs",
        "down-payment",
        "down-share",
        "convention",
        "zero-months",
        "negative-months",
        "zero-amount",
    ],
)
async def test_each_calculator_detail_survives_a_store(store: Sessions, details: Details) -> None:
    session = Session(key="web:calc", user="calc", details=details)
    await store.put(session)
    got = await store.get("web:calc")
    assert got is not None and got.details == details
    for pairs in (got.details.debts, got.details.costs):  # tuples of (str, float), not lists
        assert all(isinstance(pair, tuple) for pair in pairs or ())


@pytest.mark.parametrize(
    "pending",
    [
        None,
        Pending(kind=PendingKind.CLARIFY, choices=["a", "b", "c"]),
        Pending(kind=PendingKind.MENU),
    ],
    ids=["none", "clarify", "menu"],
)
async def test_round_trip_of_each_pending_kind(store: SessionStore, pending: Pending) -> None:
    session = Session(key="qq:u9", user="u9", pending=pending)
    await store.put(session)
    assert await store.get("qq:u9") == session


async def test_missing_key_is_none(store: SessionStore) -> None:
    assert await store.get("nobody") is None
    assert await store.delete("nobody") is False
    assert await store.delete_user("nobody") == 0


async def test_put_overwrites(store: SessionStore) -> None:
    session = full_session()
    await store.put(session)
    session.active_intent = "negotiate"
    session.pending = None
    session.details = Details(amount=1.0)
    session.turns += 1
    await store.put(session)
    got = await store.get(session.key)
    assert got is not None
    assert (got.active_intent, got.pending, got.details, got.turns) == (
        "negotiate",
        None,
        Details(amount=1.0),
        8,
    )


async def test_unsaved_changes_do_not_leak_into_the_store(store: SessionStore) -> None:
    session = full_session()
    await store.put(session)
    session.details = Details(amount=0.0)  # changed after put, not saved
    got = await store.get(session.key)
    assert got is not None
    got.turns = 99  # changed after get, not saved
    again = await store.get(session.key)
    assert again is not None
    assert (again.details.amount, again.turns) == (12000.5, 7)


async def test_delete(store: SessionStore) -> None:
    await store.put(full_session("wechat:u1"))
    await store.put(full_session("wechat:u2", user="u2"))
    assert await store.delete("wechat:u1") is True
    assert await store.get("wechat:u1") is None
    assert await store.delete("wechat:u1") is False
    assert await store.get("wechat:u2") is not None


async def test_delete_user_removes_only_that_users_sessions(store: SessionStore) -> None:
    keys = {
        "wechat:u1": "u1",
        "wechat:room1:u1": "u1",
        "wechat:room2:u1": "u1",
        "wechat:u2": "u2",
        "wechat:room1:u2": "u2",
        "wechat:room1": "u10",
    }
    for key, user in keys.items():
        await store.put(full_session(key, user))
    assert await store.delete_user("u1") == 3
    for key, user in keys.items():
        assert (await store.get(key) is None) == (user == "u1"), key
    assert await store.delete_user("u1") == 0
    # The user can start again afterwards, and be deleted again.
    await store.put(full_session("wechat:u1", "u1"))
    assert await store.get("wechat:u1") is not None
    assert await store.delete_user("u1") == 1
    assert await store.get("wechat:u1") is None


async def test_delete_user_follows_a_session_that_changed_hands(store: SessionStore) -> None:
    # In a group shared by everyone (group_key: room) the session's user is the last speaker.
    await store.put(full_session("wechat:room1", "u1"))
    await store.put(full_session("wechat:room1", "u2"))
    assert await store.delete_user("u1") == 0
    assert await store.get("wechat:room1") is not None
    assert await store.delete_user("u2") == 1
    assert await store.get("wechat:room1") is None


async def test_session_idle_too_long_is_gone(make_store: MakeStore) -> None:
    store = await make_store(idle_seconds=60)
    stale = full_session("wechat:old", "u1")
    stale.last_seen = time.time() - 3600
    fresh = full_session("wechat:new", "u1")
    fresh.last_seen = time.time() - 30
    await store.put(stale)
    await store.put(fresh)
    assert await store.get("wechat:old") is None
    assert await store.get("wechat:old") is None  # still gone (not resurrected by a read)
    assert await store.get("wechat:new") == fresh


async def test_session_expires_as_time_passes(make_store: MakeStore) -> None:
    store = await make_store(idle_seconds=0.3)
    await store.put(full_session())
    assert await store.get("wechat:u1") is not None
    await asyncio.sleep(0.45)
    assert await store.get("wechat:u1") is None


async def test_unicode_keys_users_and_content(store: SessionStore) -> None:
    session = Session(
        key="wechat:群聊「债务互助」:用户😀",
        user="用户😀",
        details=Details(
            lender="他说“三天内不还就上门”\n换行\t制表 \\ 反斜杠 \u0000 零字符 [捂脸]",
            lenders=("微粒贷", "美团月付", "１２０００元"),
        ),
        asked=["催收电话频率"],
    )
    await store.put(session)
    assert await store.get(session.key) == session
    assert await store.delete_user("用户😀") == 1


async def test_many_keys(store: SessionStore) -> None:
    sessions = [Session(key=f"qq:g{i % 7}:u{i}", user=f"u{i % 30}", turns=i) for i in range(300)]
    for session in sessions:
        await store.put(session)
    for session in sessions:
        got = await store.get(session.key)
        assert got is not None
        assert got.turns == session.turns
    assert await store.delete_user("u3") == 10
    assert await store.get("qq:g3:u3") is None
    assert await store.get("qq:g4:u4") is not None


async def test_concurrent_puts_and_gets(store: SessionStore) -> None:
    sessions = [Session(key=f"web:u{i}", user=f"u{i}", turns=i) for i in range(50)]
    await asyncio.gather(*(store.put(s) for s in sessions))
    got = await asyncio.gather(*(store.get(s.key) for s in sessions))
    assert [g.turns if g else None for g in got] == list(range(50))


@pytest.mark.parametrize("make_store", ["memory", "sqlite"], indirect=True)
async def test_size_is_bounded_dropping_the_least_recent(make_store: MakeStore) -> None:
    store = await make_store(max_sessions=5)
    start = time.time() - 100
    for i in range(8):
        await store.put(Session(key=f"k{i}", user="u", last_seen=start + i))
    kept = [i for i in range(8) if await store.get(f"k{i}") is not None]
    assert kept == [3, 4, 5, 6, 7]
    # Overwriting a kept session does not evict another.
    await store.put(Session(key="k7", user="u", last_seen=start + 20))
    assert [i for i in range(8) if await store.get(f"k{i}") is not None] == [3, 4, 5, 6, 7]


# --------------------------------------------------------------------------- SQLite only


def _rows(path: Path) -> list[tuple[str, str, float]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT key, user, last_seen FROM sessions ORDER BY key").fetchall()


async def test_sqlite_survives_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = Sessions(await SqliteStore.open(path, 600))
    session = full_session()
    await store.put(session)
    await store.close()
    await store.close()  # closing twice is harmless
    reopened = Sessions(await SqliteStore.open(path, 600))
    try:
        assert await reopened.get(session.key) == session
        assert await reopened.delete_user("u1") == 1
    finally:
        await reopened.close()


_CHILD = """
import asyncio, sys
import time
from bot.conversation.state import Session
from bot.storage.sessions.base import SessionRecord
from bot.storage.sessions.deadline import DeadlineStore
from bot.storage.sessions.sqlite import SqliteStore
from bot.understanding.details import Details

async def main():
    store = await SqliteStore.open(sys.argv[1], 3600)
    for i in range(20):
        session = Session(key=f"k{i}", user="u", turns=i, details=Details(months=i + 1))
        await store.put(SessionRecord(f"k{i}", "u", time.time(), session.to_json()))
    print("stored", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_sqlite_put_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _CHILD,
        str(path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), timeout=30)
        assert line.strip() == b"stored", (await child.stderr.read()).decode()  # type: ignore[union-attr]
    finally:
        child.send_signal(signal.SIGKILL)
        await child.wait()
    assert child.returncode == -signal.SIGKILL
    store = Sessions(await SqliteStore.open(path, 3600))
    try:
        for i in range(20):
            got = await store.get(f"k{i}")
            assert got is not None
            assert (got.turns, got.details) == (i, Details(months=i + 1))
    finally:
        await store.close()


async def test_sqlite_file_layout(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "sessions.sqlite3"
    store = Sessions(await SqliteStore.open(path, 600))
    await store.put(full_session())
    try:
        assert path.is_file()
        assert path.stat().st_mode & 0o777 == 0o600  # personal data: only this user
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            columns = [row[1] for row in db.execute("PRAGMA table_info(sessions)")]
            assert columns == ["key", "user", "last_seen", "data"]
            indexed = {
                db.execute(f"PRAGMA index_info({name})").fetchone()[2]
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='sessions'"
                    " AND name NOT LIKE 'sqlite_autoindex%'"
                )
            }
            assert indexed == {"user", "last_seen"}
            (data,) = db.execute("SELECT data FROM sessions").fetchone()
        assert Session.from_json(data).key == "wechat:u1"
        assert "借呗" in data  # the JSON keeps Chinese as it is
    finally:
        await store.close()


async def test_sqlite_reading_an_expired_session_deletes_its_row(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = Sessions(await SqliteStore.open(path, 60))
    old = full_session("wechat:old")
    old.last_seen = time.time() - 3600
    await store.put(old)
    await store.put(full_session("wechat:new"))
    assert await store.get("wechat:old") is None
    assert [row[0] for row in _rows(path)] == ["wechat:new"]
    await store.close()


async def test_sqlite_purges_expired_rows_without_reading_them(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = Sessions(await SqliteStore.open(path, 60, purge_interval=3600))
    for i in range(5):
        await store.put(Session(key=f"old{i}", user="u", last_seen=time.time() - 3600))
    await store.put(Session(key="new", user="u"))
    assert await store.count() == 6  # the amortised purge ran when the store opened
    assert await store.purge_expired() == 5
    assert [row[0] for row in _rows(path)] == ["new"]

    # Opening the file again purges what expired meanwhile.
    await store.put(Session(key="old", user="u", last_seen=time.time() - 3600))
    await store.close()
    assert len(_rows(path)) == 2
    await (await SqliteStore.open(path, 60, purge_interval=3600)).close()
    assert [row[0] for row in _rows(path)] == ["new"]

    # With a zero interval every put purges.
    eager = Sessions(await SqliteStore.open(path, 60, purge_interval=0))
    await eager.put(Session(key="old", user="u", last_seen=time.time() - 3600))
    await eager.put(Session(key="new2", user="u"))
    assert [row[0] for row in _rows(path)] == ["new", "new2"]
    await eager.close()


async def test_sqlite_overwrites_do_not_grow_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = Sessions(await SqliteStore.open(path, 600, max_sessions=3))
    for turn in range(50):
        await store.put(Session(key="k", user="u", turns=turn))
    assert await store.count() == 1
    for i in range(10):
        await store.put(Session(key=f"k{i}", user="u", last_seen=time.time() + i))
    assert await store.count() == 3
    assert [row[0] for row in _rows(path)] == ["k7", "k8", "k9"]
    await store.close()


async def test_sqlite_bound_counts_rows_already_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = Sessions(await SqliteStore.open(path, 600, max_sessions=10))
    for i in range(10):
        await store.put(Session(key=f"k{i}", user="u", last_seen=time.time() - 100 + i))
    await store.close()
    smaller = Sessions(await SqliteStore.open(path, 600, max_sessions=4))
    await smaller.put(Session(key="latest", user="u"))
    assert [row[0] for row in _rows(path)] == ["k7", "k8", "k9", "latest"]
    await smaller.close()


async def test_sqlite_unreadable_row_is_dropped(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = Sessions(await SqliteStore.open(path, 600))
    await store.put(full_session())
    with sqlite3.connect(path) as db:
        db.execute("UPDATE sessions SET last_seen = 'soon', data = x'00ff'")
    with caplog.at_level(logging.WARNING, logger="bot.storage.sessions.sqlite"):
        assert await store.get("wechat:u1") is None
    assert "unreadable session" in caplog.text
    assert _rows(path) == []
    await store.close()


async def test_sqlite_unusable_path_raises_store_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="a-file"):
        await SqliteStore.open(blocker / "sessions.sqlite3", 600)
    not_a_db = tmp_path / "garbage.sqlite3"
    not_a_db.write_bytes(b"this is not a database file" * 100)
    with pytest.raises(StoreUnavailable, match=r"garbage\.sqlite3"):
        await SqliteStore.open(not_a_db, 600)


# --------------------------------------------------------------------------- Redis only


async def test_redis_key_layout_and_ttls(redis_server: RedisServer) -> None:
    async with Redis.from_url(redis_server.url) as client:
        await client.flushdb()
        store = Sessions(RedisStore(redis_server.url, 600))
        try:
            older = full_session("wechat:room1:u1", "u1")
            older.last_seen = time.time() - 300
            await store.put(older)
            await store.put(full_session("wechat:u1", "u1"))
            session_ttl = await client.pttl(SESSION_PREFIX + "wechat:u1")
            older_ttl = await client.pttl(SESSION_PREFIX + "wechat:room1:u1")
            assert 590_000 < session_ttl <= 600_000
            assert 290_000 < older_ttl <= 300_000  # counted from the session's last_seen
            members = await client.smembers(USER_PREFIX + "u1")
            assert members == {
                f"{SESSION_PREFIX}wechat:u1".encode(),
                f"{SESSION_PREFIX}wechat:room1:u1".encode(),
            }
            # The user's set lives as long as the newest session, never shorter.
            assert 590_000 < await client.pttl(USER_PREFIX + "u1") <= 600_000
            await store.put(older)
            assert 590_000 < await client.pttl(USER_PREFIX + "u1") <= 600_000
            stored = await client.get(SESSION_PREFIX + "wechat:u1")
            assert stored is not None
            assert Session.from_json(json.loads(stored)["data"]) == await store.get("wechat:u1")
            assert await store.delete("wechat:u1") is True
            assert await client.smembers(USER_PREFIX + "u1") == {
                f"{SESSION_PREFIX}wechat:room1:u1".encode()
            }
        finally:
            await store.close()


async def test_redis_expires_idle_sessions_itself(redis_server: RedisServer) -> None:
    async with Redis.from_url(redis_server.url) as client:
        await client.flushdb()
        store = Sessions(RedisStore(redis_server.url, 0.2))
        try:
            await store.put(full_session())
            expired = full_session("wechat:old")
            expired.last_seen = time.time() - 10
            await store.put(expired)
            assert await client.exists(SESSION_PREFIX + "wechat:old") == 0  # never stored
            assert await client.exists(SESSION_PREFIX + "wechat:u1") == 1
            await asyncio.sleep(0.35)
            assert await client.exists(SESSION_PREFIX + "wechat:u1") == 0
            assert await client.exists(USER_PREFIX + "u1") == 0
        finally:
            await store.close()


async def test_redis_unreadable_value_is_dropped(redis_server: RedisServer) -> None:
    async with Redis.from_url(redis_server.url) as client:
        await client.flushdb()
        await client.set(SESSION_PREFIX + "broken", b"\xff not json")
        store = Sessions(RedisStore(redis_server.url, 600))
        try:
            assert await store.get("broken") is None
            assert await client.exists(SESSION_PREFIX + "broken") == 0
        finally:
            await store.close()


async def test_redis_down_raises_store_unavailable_then_recovers(
    own_redis_server: RedisServer,
) -> None:
    server = own_redis_server
    store = Sessions(RedisStore(server.url, 600, timeout=1))
    try:
        await store.put(full_session())
        assert await store.get("wechat:u1") is not None

        # Restarted between two calls: the pooled connection is dead, the next call still works.
        await asyncio.to_thread(server.stop)
        await asyncio.to_thread(server.start)
        assert await store.get("wechat:u1") is None  # no persistence: the data went with it
        restarted = full_session()
        await store.put(restarted)
        assert await store.get("wechat:u1") == restarted

        # Down: every operation says so, quickly, with the one exception type.
        await asyncio.to_thread(server.stop)
        calls: list[Callable[[], Awaitable[object]]] = [
            lambda: store.get("wechat:u1"),
            lambda: store.put(full_session()),
            lambda: store.delete("wechat:u1"),
            lambda: store.delete_user("u1"),
            store.ping,
        ]
        for call in calls:
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match=re.escape(f"127.0.0.1:{server.port}")):
                await call()
            assert time.monotonic() - started < 5

        # Back up: the very next get and put work without any help.
        await asyncio.to_thread(server.start)
        assert await store.get("wechat:u1") is None
        session = full_session()
        await store.put(session)
        assert await store.get("wechat:u1") == session
    finally:
        await store.close()


async def test_redis_error_does_not_reveal_the_password() -> None:
    store = Sessions(RedisStore(f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0", 600, timeout=1))
    try:
        with pytest.raises(StoreUnavailable) as caught:
            await store.get("wechat:u1")
        assert "s3cret-pw" not in str(caught.value)
        assert "unavailable" in str(caught.value)
    finally:
        await store.close()


# --------------------------------------------------------------------------- open_store


async def test_open_store_memory() -> None:
    store = await open_store(
        SessionsConfig(
            store="memory",
            idle_minutes=2,
            retention_hours=0.5,
            max_sessions=7,
            return_notice_minutes=3,
        )
    )
    assert isinstance(store, MemoryStore)
    # kept the retention window + the return notice time: the engine clears the details
    # after the retention window itself
    assert (store.idle_seconds, store.max_sessions) == (1980, 7)


async def test_open_store_sqlite_at_the_configured_path(tmp_path: Path) -> None:
    path = tmp_path / "x" / "s.sqlite3"
    store = await open_store(
        SessionsConfig(
            store="sqlite",
            sqlite_path=str(path),
            idle_minutes=1,
            retention_hours=1 / 60,
            return_notice_minutes=0,
        )
    )
    try:
        assert isinstance(store, DeadlineStore)  # every call has a deadline
        assert isinstance(store.inner, SqliteStore)
        assert store.inner.timeout == 0.2  # sessions.timeout_ms, kept on the store's thread
        assert store.idle_seconds == pytest.approx(60)
        assert path.is_file()  # opened at start-up
    finally:
        await store.close()


async def test_open_store_sqlite_defaults_to_the_user_data_dir(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def fake_user_data_dir(appname: str) -> str:
        asked.append(appname)
        return str(tmp_path / "data" / appname)

    monkeypatch.setattr(factory, "user_data_dir", fake_user_data_dir)
    wrapped = await open_store(SessionsConfig())  # sqlite is the default store
    assert isinstance(wrapped, DeadlineStore)
    store = wrapped.inner
    try:
        assert isinstance(store, SqliteStore)
        assert asked == ["cuishou-bot"]
        assert store.path == tmp_path / "data" / "cuishou-bot" / "sessions.sqlite3"
        assert store.path.is_file()
    finally:
        await store.close()


async def test_open_store_redis(redis_server: RedisServer) -> None:
    store = await open_store(SessionsConfig(store="redis", redis_url=redis_server.url))
    try:
        assert isinstance(store, DeadlineStore)
        assert isinstance(store.inner, RedisStore)
        await Sessions(store).put(full_session("open-store:u1"))
        assert await store.get("open-store:u1") is not None
    finally:
        await store.close()


async def test_open_store_redis_down_still_opens(caplog: pytest.LogCaptureFixture) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with caplog.at_level(logging.WARNING, logger="bot.storage.factory"):
        store = await open_store(SessionsConfig(store="redis", redis_url=url))
    try:
        assert isinstance(store, DeadlineStore)
        assert isinstance(store.inner, RedisStore)
        assert "not remembered" in caplog.text
        with pytest.raises(StoreUnavailable):
            await store.get("wechat:u1")
    finally:
        await store.close()

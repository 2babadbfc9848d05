"""The turn log behind the report: one contract run against memory, SQLite and a real
redis-server; then the engine's recording (masked text for unanswered messages only, never a
broken or slowed answer when the log fails)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.config import Config, InsightsConfig, SessionsConfig
from bot.conversation import texts
from bot.engine import Engine, Understanding
from bot.messages import Incoming, MessageKind, RankedIntent
from bot.storage.errors import StoreUnavailable
from bot.storage.factory import open_turn_log
from bot.storage.sessions.base import SessionRecord
from bot.storage.sessions.memory import MemoryStore
from bot.storage.sessions.sqlite import SqliteStore
from bot.storage.turns.base import UNANSWERED_INTENTS, TurnLog, TurnRecord
from bot.storage.turns.memory import MemoryTurnLog
from bot.storage.turns.recorder import TurnRecorder
from bot.storage.turns.redis import TURNS_KEY, RedisTurnLog
from bot.storage.turns.sqlite import SqliteTurnLog
from tests.fakes.redis_server import RedisServer, free_port
from tests.harness import memory_config

PHONE, ID_CARD, BANK_CARD = "13812345678", "110101199003071234", "6222021234567890123"
#: An off-topic message carrying a phone, an ID card and a bank card number (gets the fallback).
OFF_TOPIC_WITH_NUMBERS = f"推荐一部电影 {PHONE} {ID_CARD} {BANK_CARD}"


MakeLog = Callable[..., Awaitable[TurnLog]]


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def make_log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MakeLog]:
    """Opens turn logs of one kind; SQLite logs of one test share a file, Redis ones a key."""
    kind: str = request.param
    opened: list[TurnLog] = []
    url = ""
    if kind == "redis":
        url = request.getfixturevalue("redis_server").url
        async with Redis.from_url(url) as client:
            await client.flushdb()

    async def make(retention_seconds: float = 3600, max_records: int = 1000) -> TurnLog:
        turn_log: TurnLog
        if kind == "memory":
            turn_log = MemoryTurnLog(retention_seconds, max_records)
        elif kind == "sqlite":
            turn_log = await SqliteTurnLog.open(
                tmp_path / "bot.sqlite3", retention_seconds, max_records
            )
        else:
            turn_log = RedisTurnLog(url, retention_seconds, max_records)
        opened.append(turn_log)
        return turn_log

    yield make
    for turn_log in opened:
        await turn_log.close()


def answered(at: float, intent: str = "harassment") -> TurnRecord:
    return TurnRecord(at=at, intent=intent, platform="wechat", confidence=0.9)


def unanswered(at: float, text: str = "红烧肉怎么做", intent: str = "fallback") -> TurnRecord:
    return TurnRecord(
        at=at,
        intent=intent,
        platform="http",
        confidence=0.2,
        text=text,
        guesses=(
            RankedIntent("verify_identity", 0.14),
            RankedIntent("harassment", 0.08),
            RankedIntent("complain", 0.05),
        ),
    )


# --------------------------------------------------------------------------- the contract


async def test_records_come_back_whole_and_in_time_order(make_log: MakeLog) -> None:
    turn_log = await make_log()
    now = time.time()
    turns = [
        unanswered(now - 3, "第一条"),
        answered(now - 5),
        unanswered(now - 1, "第三条", "clarify"),
        answered(now - 2, "collector_at_door"),
    ]
    for turn in turns:
        await turn_log.record(turn)
    got = await turn_log.query(since=now - 60)
    assert got == sorted(turns, key=lambda t: t.at)
    assert [t.text for t in got if not t.unanswered] == [None, None]
    assert got[1].guesses[0] == RankedIntent("verify_identity", 0.14)


async def test_query_keeps_to_the_period(make_log: MakeLog) -> None:
    turn_log = await make_log()
    now = time.time()
    await turn_log.record_many([answered(now - 30), answered(now - 20), answered(now - 10)])
    assert [t.at for t in await turn_log.query(since=now - 20)] == [now - 20, now - 10]
    assert [t.at for t in await turn_log.query(since=now - 30, until=now - 10)] == [
        now - 30,
        now - 20,
    ]
    assert await turn_log.query(since=now - 5) == []


async def test_keeps_only_the_newest_max_records(make_log: MakeLog) -> None:
    turn_log = await make_log(max_records=5)
    now = time.time()
    for i in range(8):
        await turn_log.record(answered(now - 100 + i, f"intent_{i}"))
    await turn_log.record_many([answered(now - 50 + i, f"batch_{i}") for i in range(3)])
    got = await turn_log.query(since=0)
    assert [t.intent for t in got] == [
        "intent_5",
        "intent_6",
        "intent_7",
        "batch_0",
        "batch_1",
        "batch_2",
    ][-5:]


async def test_nothing_older_than_the_retention_period(make_log: MakeLog) -> None:
    turn_log = await make_log(retention_seconds=60)
    now = time.time()
    await turn_log.record(unanswered(now - 120, "太旧了"))
    await turn_log.record(unanswered(now, "新的"))
    assert [t.text for t in await turn_log.query(since=0)] == ["新的"]


async def test_another_instance_sees_the_same_records(make_log: MakeLog) -> None:
    first, second = await make_log(), await make_log()
    now = time.time()
    await first.record(unanswered(now, "共享的"))
    shared = [t.text for t in await second.query(since=now - 1)]
    # SQLite (one file) and Redis (one server) are shared; memory is private to the process.
    assert shared == ([] if isinstance(first, MemoryTurnLog) else ["共享的"])


# --------------------------------------------------------------------------- per backend


async def test_the_urgent_flag_comes_back(make_log: MakeLog) -> None:
    turn_log = await make_log()
    now = time.time()
    turns = [
        replace(answered(now - 3, "threat_or_violence"), urgent=True),
        answered(now - 2),
        replace(unanswered(now - 1), urgent=True),
    ]
    await turn_log.record_many(turns)
    got = await turn_log.query(since=now - 60)
    assert [t.urgent for t in got] == [True, False, True]
    assert got == turns


def test_a_record_written_before_the_urgent_flag_reads_as_not_urgent() -> None:
    old = '{"at":1700000000.5,"i":"harassment","p":"wechat","c":0.9}'
    assert TurnRecord.from_json(old) == answered(1700000000.5)
    assert '"x"' not in answered(1.0).to_json()  # records stay as short as before
    assert TurnRecord.from_json(replace(answered(1.0), urgent=True).to_json()).urgent


async def test_a_sqlite_file_made_before_the_urgent_column_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE turns (id INTEGER PRIMARY KEY, at REAL NOT NULL, intent TEXT NOT NULL,"
        " platform TEXT NOT NULL, confidence REAL NOT NULL, text TEXT, guesses TEXT);"
        "INSERT INTO turns (at, intent, platform, confidence) VALUES (100.0, 'harassment', "
        "'wechat', 0.9);"
    )
    db.commit()
    db.close()
    turn_log = await SqliteTurnLog.open(path, 1e12, 1000)
    try:
        await turn_log.record(replace(answered(200.0, "threat_or_violence"), urgent=True))
        got = await turn_log.query(since=0)
    finally:
        await turn_log.close()
    assert [(t.intent, t.urgent) for t in got] == [
        ("harassment", False),
        ("threat_or_violence", True),
    ]


def danger(at: float, tier: str = "clear", text: str = "他说要打我", **kw: object) -> TurnRecord:
    """A clear- or possible-danger record as the engine makes it (the safety view's)."""
    record = TurnRecord.of_turn(
        intent="threat_or_violence",
        platform="wechat",
        confidence=0.9,
        text=text,
        ranking=[RankedIntent("threat_or_violence", 0.9)],
        at=at,
        user="wechat:alice",
        urgent=tier == "clear",
        tier=tier,
        kind="violence",
        rule="a clear sign",
        conversation="wechat:u:alice_1234",
    )
    return replace(record, **kw)  # type: ignore[arg-type]


async def test_danger_records_come_back_whole_newest_first(make_log: MakeLog) -> None:
    turn_log = await make_log()
    now = time.time()
    turns = [
        danger(now - 4),
        answered(now - 3),
        danger(now - 2, "possible", f"有点想不开 {PHONE}"),
        unanswered(now - 1),
    ]
    await turn_log.record_many(turns)
    got = await turn_log.query(since=0)
    assert [g.at for g in got] == [t.at for t in turns]
    for stored, made in zip(got, turns, strict=True):
        assert replace(stored, user="") == replace(made, user="")  # the person: hashed
    newest = await turn_log.danger(limit=10)
    assert [(t.tier, t.text) for t in newest] == [
        ("possible", "有点想不开 138****5678"),
        ("clear", "他说要打我"),
    ]
    first = newest[0]
    assert (first.kind, first.rule, first.conversation) == (
        "violence",
        "a clear sign",
        "wechat:u:al****34",
    )
    assert first.safety_only and len(first.ref) == 16 and first.ref != newest[1].ref
    assert [t.at for t in await turn_log.danger(limit=1)] == [now - 2]


async def test_forgetting_clears_a_danger_records_text_and_conversation(
    make_log: MakeLog,
) -> None:
    turn_log = await make_log()
    now = time.time()
    await turn_log.record_many([danger(now - 2), replace(danger(now - 1), user="wechat:bob")])
    assert await turn_log.forget_user("wechat:alice") == 1
    mine, bobs = sorted(await turn_log.danger(), key=lambda t: t.at)
    assert (mine.text, mine.conversation, mine.user) == (None, "", "")
    assert (mine.tier, mine.kind, mine.rule) == ("clear", "violence", "a clear sign")
    assert mine.ref  # a mark made on it still applies
    assert bobs.text == "他说要打我" and bobs.conversation


def test_a_danger_record_keeps_its_text_whatever_the_settings() -> None:
    common = {
        "intent": "harassment",
        "platform": "x",
        "confidence": 0.99,
        "text": f"他在楼下拿着刀，我电话{PHONE}",
        "ranking": [RankedIntent("harassment", 0.99)],
        "user": "x:u1",
    }
    calm = TurnRecord.of_turn(keep_text=False, **common)  # type: ignore[arg-type]
    assert calm.text is None and calm.tier == "" and calm.user == ""
    for keep in (True, False):
        record = TurnRecord.of_turn(keep_text=keep, tier="possible", **common)  # type: ignore[arg-type]
        assert record.text == "他在楼下拿着刀，我电话138****5678"
        assert record.safety_only and record.user == "x:u1"  # for 删除我的记录
    unanswered_danger = TurnRecord.of_turn(  # kept for the inbox anyway: not safety-only
        **{**common, "intent": "fallback"},
        tier="possible",  # type: ignore[arg-type]
    )
    assert unanswered_danger.reviewable and not unanswered_danger.safety_only


def test_a_record_written_before_the_danger_fields_reads_as_calm() -> None:
    old = '{"at":1.5,"i":"threat_or_violence","p":"wechat","c":0.9,"x":1}'
    record = TurnRecord.from_json(old)
    assert record.urgent and (record.tier, record.ref, record.safety_only) == ("", "", False)
    assert '"d"' not in answered(1.0).to_json()  # calm records stay as short as before
    made = danger(2.0)
    assert TurnRecord.from_json(made.to_json()) == made


async def test_a_sqlite_file_made_before_the_danger_columns_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE turns (id INTEGER PRIMARY KEY, at REAL NOT NULL, intent TEXT NOT NULL,"
        " platform TEXT NOT NULL, confidence REAL NOT NULL, text TEXT, guesses TEXT,"
        " user TEXT, urgent INTEGER);"
        "INSERT INTO turns (at, intent, platform, confidence, urgent) VALUES (100.0,"
        " 'threat_or_violence', 'wechat', 0.9, 1);"
    )
    db.commit()
    db.close()
    turn_log = await SqliteTurnLog.open(path, 1e12, 1000)
    try:
        await turn_log.record(danger(200.0))
        got = await turn_log.query(since=0)
        newest = await turn_log.danger()
    finally:
        await turn_log.close()
    assert [(t.urgent, t.tier) for t in got] == [(True, ""), (True, "clear")]
    assert [t.at for t in newest] == [200.0]


async def test_memory_log_is_a_bounded_deque() -> None:
    turn_log = MemoryTurnLog(retention_seconds=60, max_records=3)
    now = time.time()
    assert turn_log.record_immediately(answered(now - 120))
    for i in range(5):
        assert turn_log.record_immediately(answered(now + i))
    assert len(turn_log) == 3


async def test_sqlite_log_lives_beside_the_sessions_and_deletes_old_rows(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    sessions = await SqliteStore.open(path, 600)
    turn_log = await SqliteTurnLog.open(path, retention_seconds=60, max_records=10)
    try:
        await sessions.put(SessionRecord("wechat:u:1", "wechat:1", time.time(), "{}"))
        now = time.time()
        await turn_log.record_many([unanswered(now - 120)] + [answered(now)] * 12)
        assert await turn_log.count() == 10  # the cap holds on every write
        assert await turn_log.purge() == 0  # the old row went with the cap here
        await turn_log.record(unanswered(now - 90))
        assert await turn_log.purge() == 1
        assert await sessions.get("wechat:u:1") is not None
    finally:
        await turn_log.close()
        await sessions.close()
    with sqlite3.connect(path) as db:
        tables = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {"sessions", "turns"} <= tables
        assert db.execute("SELECT count(*) FROM turns WHERE text IS NOT NULL").fetchone() == (0,)


async def test_redis_log_caps_and_expires_its_key(redis_server: RedisServer) -> None:
    async with Redis.from_url(redis_server.url) as client:
        await client.flushdb()
        turn_log = RedisTurnLog(redis_server.url, retention_seconds=120, max_records=4)
        try:
            now = time.time()
            await turn_log.record_many([answered(now - i) for i in range(6)])
            assert await client.zcard(TURNS_KEY) == 4
            assert 0 < await client.pttl(TURNS_KEY) <= 120_000
            await client.zadd(TURNS_KEY, {b"garbage": now})
            assert len(await turn_log.query(since=0)) == 4  # the unreadable one is skipped
        finally:
            await turn_log.close()


async def test_redis_down_raises_store_unavailable() -> None:
    turn_log = RedisTurnLog(f"redis://127.0.0.1:{free_port()}/0", 60, 10, timeout=1)
    try:
        with pytest.raises(StoreUnavailable):
            await turn_log.record(answered(time.time()))
        with pytest.raises(StoreUnavailable):
            await turn_log.query(since=0)
    finally:
        await turn_log.close()


@pytest.mark.parametrize("store", ["memory", "sqlite", "redis"])
async def test_open_turn_log_uses_the_sessions_backend(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("redis_server").url if store == "redis" else ""
    config = Config(
        sessions=SessionsConfig(
            store=store,  # type: ignore[arg-type]
            sqlite_path=str(tmp_path / "s.sqlite3"),
            redis_url=url or "redis://127.0.0.1:6379/0",
        ),
        insights=InsightsConfig(retention_days=2, max_records=123),
    )
    turn_log = await open_turn_log(config)
    try:
        expected = {"memory": MemoryTurnLog, "sqlite": SqliteTurnLog, "redis": RedisTurnLog}
        assert isinstance(turn_log, expected[store])
        assert turn_log.max_records == 123
        assert turn_log.retention_seconds == 2 * 86_400
        if store == "sqlite":
            assert (tmp_path / "s.sqlite3").exists()
    finally:
        await turn_log.close()


# --------------------------------------------------------------------------- engine recording


@pytest.fixture
async def recorded(understanding: Understanding) -> AsyncIterator[tuple[Engine, MemoryTurnLog]]:
    config = memory_config()
    turn_log = MemoryTurnLog(3600, 1000)
    engine = Engine(config, understanding, MemoryStore(600), turn_log)
    yield engine, turn_log
    await engine.close()


async def test_unanswered_message_is_stored_masked_with_best_guesses(
    recorded: tuple[Engine, MemoryTurnLog],
) -> None:
    engine, turn_log = recorded
    response = await engine.handle(
        Incoming(user="u1", text=OFF_TOPIC_WITH_NUMBERS, platform="wechat")
    )
    assert response.intent == "fallback"
    [turn] = await turn_log.query(since=0)
    assert turn.intent == "fallback"
    assert turn.platform == "wechat"
    assert turn.text is not None and turn.text.startswith("推荐一部电影")
    for number in (PHONE, ID_CARD, BANK_CARD):
        assert number not in turn.text
    for masked in ("138****5678", "110***********1234", "6222 **** 0123"):
        assert masked in turn.text
    assert len(turn.guesses) <= 3
    assert "fallback" not in [g.intent for g in turn.guesses]
    scores = [g.score for g in turn.guesses]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s < 1 for s in scores)


async def test_urgent_messages_are_recorded_as_urgent(
    recorded: tuple[Engine, MemoryTurnLog],
) -> None:
    engine, turn_log = recorded
    threat = await engine.handle(Incoming(user="u1", text="他说要打我，我很害怕"))
    calm = await engine.handle(Incoming(user="u2", text="怎么核实催收人员的身份"))
    assert threat.urgent and not calm.urgent
    turns = await turn_log.query(since=0)
    assert [t.urgent for t in turns] == [True, False]
    # kept (masked) for the console's safety view only, never for the inbox or the report
    assert turns[0].text == "他说要打我，我很害怕" and turns[0].safety_only
    assert (turns[0].tier, turns[0].kind) == ("clear", "violence")
    assert not turns[0].reviewable and not turns[0].low_confidence
    assert turns[1].text is None and turns[1].tier == ""


async def test_answered_turns_keep_no_text(recorded: tuple[Engine, MemoryTurnLog]) -> None:
    engine, turn_log = recorded
    await engine.handle(Incoming(user="u1", text=f"怎么核实催收人员的身份，我电话{PHONE}"))
    await engine.handle(Incoming(user="u1", text="详细"))
    turns = await turn_log.query(since=0)
    assert [t.intent for t in turns] == ["verify_identity", "verify_identity"]
    assert all(t.text is None and t.guesses == () and t.tier == "" for t in turns)


async def test_clarifying_question_is_stored_with_text(
    recorded: tuple[Engine, MemoryTurnLog],
) -> None:
    engine, turn_log = recorded
    # a one-word message the bot asks back about (picked by what the model says today)
    for n, text in enumerate(("银行", "逾期", "催收", "网贷 信用卡", "那个")):
        response = await engine.handle(Incoming(user=f"u{n}", text=text))
        if response.intent in UNANSWERED_INTENTS:
            break
    else:
        pytest.fail("none of the one-word messages is asked back about today")
    turns = await turn_log.query(since=0)
    assert (response.intent, text) in [(t.intent, t.text) for t in turns]


async def test_low_confidence_answers_keep_their_text_for_the_inbox(
    recorded: tuple[Engine, MemoryTurnLog],
) -> None:
    engine, turn_log = recorded
    threshold = engine.config.insights.low_confidence_below
    low = await engine.handle(Incoming(user="u1", text=f"催收老是打电话 {PHONE}"))
    assert low.intent == "harassment" and low.confidence < threshold
    sure = await engine.handle(Incoming(user="u2", text="催收的人在我家门口，怎么办"))
    assert sure.confidence >= threshold
    hello = await engine.handle(Incoming(user="u3", text="hi"))  # small talk: never kept
    assert hello.intent == "greeting" and hello.confidence < threshold
    first, second, third = await turn_log.query(since=0)
    assert first.low_confidence and not first.unanswered
    assert first.text == "催收老是打电话 138****5678"
    assert first.guesses[0].intent == "harassment"
    assert first.user  # so that 删除我的记录 finds it
    assert second.text is None and not second.low_confidence
    assert third.text is None


def test_low_confidence_texts_can_be_turned_off() -> None:
    ranking = [RankedIntent("harassment", 0.5), RankedIntent("complain", 0.2)]
    common = {"platform": "x", "confidence": 0.5, "text": "催收老是打电话", "ranking": ranking}
    kept = TurnRecord.of_turn(intent="harassment", low_confidence_below=0.6, **common)
    assert kept.text == "催收老是打电话"
    assert TurnRecord.of_turn(intent="harassment", low_confidence_below=0, **common).text is None
    urgent = TurnRecord.of_turn(
        intent="harassment", low_confidence_below=0.6, urgent=True, **common
    )
    assert urgent.text is None  # urgent messages never keep their text
    context = TurnRecord.of_turn(intent="complain", low_confidence_below=0.6, **common)
    assert context.text is None  # answered from the conversation, not from this text
    menu = TurnRecord.of_turn(intent="help", low_confidence_below=0.6, **common)
    assert menu.text is None


async def test_silent_and_non_text_messages_are_not_recorded(
    recorded: tuple[Engine, MemoryTurnLog],
) -> None:
    engine, turn_log = recorded
    silent = await engine.handle(
        Incoming(user="u1", text="红烧肉怎么做", room="g1", addressed=False)
    )
    note = await engine.handle(Incoming(user="u1", text="", kind=MessageKind.IMAGE))
    assert silent.silent and not note.silent
    assert await turn_log.query(since=0) == []
    assert engine.admin.stats.handled == 1  # the note counts as handled, not as a text turn


async def test_text_is_not_kept_when_configured_off(understanding: Understanding) -> None:
    config = memory_config(insights=InsightsConfig(keep_unanswered_text=False))
    turn_log = MemoryTurnLog(3600, 100)
    engine = Engine(config, understanding, MemoryStore(600), turn_log)
    await engine.handle(Incoming(user="u1", text=OFF_TOPIC_WITH_NUMBERS))
    [turn] = await turn_log.query(since=0)
    assert (turn.intent, turn.text) == ("fallback", None)
    await engine.close()


async def test_recording_off_records_nothing(understanding: Understanding) -> None:
    engine = Engine(
        memory_config(insights=InsightsConfig(enabled=False)), understanding, MemoryStore(600)
    )
    response = await engine.handle(Incoming(user="u1", text="红烧肉怎么做"))
    assert response.intent == "fallback"
    assert engine.insights.log is None
    await engine.close()


async def test_sqlite_engine_stores_masked_text_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    config = memory_config(sessions=SessionsConfig(store="sqlite", sqlite_path=str(path)))
    engine = await Engine.create(config)
    try:
        await engine.handle(Incoming(user="u1", text=OFF_TOPIC_WITH_NUMBERS))
        await engine.handle(Incoming(user="u1", text="催收的人在门口"))
    finally:
        await engine.close()  # writes what is pending
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT intent, text, guesses FROM turns ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["fallback", "collector_at_door"]
    assert rows[1][1:] == (None, None)
    stored = rows[0][1]
    assert "138****5678" in stored
    assert not any(n in stored for n in (PHONE, ID_CARD, BANK_CARD))
    assert path.read_bytes().find(PHONE.encode()) == -1  # nowhere in the file either


class FailingLog(TurnLog):
    """A turn log that fails every write (the store down, or a bug)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(60, 10)
        self.error = error
        self.calls = 0

    async def record_many(self, turns: Sequence[TurnRecord]) -> None:
        self.calls += 1
        raise self.error

    async def forget_user(self, user: str) -> int:
        raise self.error

    async def query(self, since: float, until: float | None = None) -> list[TurnRecord]:
        return []


class StuckLog(FailingLog):
    """A turn log whose writes never finish (a store that hangs)."""

    def __init__(self) -> None:
        super().__init__(RuntimeError("unused"))
        self.release = asyncio.Event()

    async def record_many(self, turns: Sequence[TurnRecord]) -> None:
        self.calls += 1
        await self.release.wait()


@pytest.mark.parametrize(
    "error", [StoreUnavailable("Redis at x is unavailable"), RuntimeError("a bug in the log")]
)
async def test_a_failing_log_never_breaks_answering(
    understanding: Understanding, error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    turn_log = FailingLog(error)
    engine = Engine(memory_config(), understanding, MemoryStore(600), turn_log)
    for text in ("红烧肉怎么做", "催收的人在门口"):
        response = await engine.handle(Incoming(user="u1", text=text))
        assert response.replies and response.intent != "error"
        await engine.insights.flush()
    assert turn_log.calls == 2
    assert engine.insights.dropped == 2
    assert "not recorded" in caplog.text or "could not record" in caplog.text
    await engine.close()


async def test_a_hanging_log_never_slows_answering(understanding: Understanding) -> None:
    turn_log = StuckLog()
    engine = Engine(memory_config(), understanding, MemoryStore(600), turn_log)
    engine.insights = TurnRecorder(turn_log, max_pending=5, gather_seconds=0)
    started = time.perf_counter()
    for i in range(20):
        response = await engine.handle(Incoming(user=f"u{i}", text="红烧肉怎么做"))
        assert response.intent == "fallback"
        await asyncio.sleep(0)  # let the background writer run, as a real adapter would
    assert time.perf_counter() - started < 2.0  # 20 answers, none waiting for the store
    assert turn_log.calls == 1  # one write in flight, the rest waiting in a bounded buffer
    assert engine.insights.dropped == 20 - 1 - 5
    turn_log.release.set()
    await asyncio.wait_for(engine.insights.flush(), 5)
    assert turn_log.calls == 2  # the buffered records went in one batch
    await engine.close()


def test_shipped_config_documents_the_defaults() -> None:
    from bot.config import ReloadConfig, load_config

    shipped = load_config(Path(__file__).resolve().parents[2] / "config.yaml", env={})
    assert shipped.insights == InsightsConfig()
    assert shipped.reload == ReloadConfig()


# --------------------------------------------------------------------------- "删除我的记录"


async def test_low_confidence_records_round_trip_and_are_forgotten(make_log: MakeLog) -> None:
    turn_log = await make_log()
    now = time.time()
    low = TurnRecord(
        at=now - 2,
        intent="harassment",
        platform="http",
        confidence=0.5,
        text="催收老是打电话",
        guesses=(RankedIntent("harassment", 0.5),),
        user="alice",
    )
    await turn_log.record_many([low, answered(now - 1)])
    got = await turn_log.query(since=now - 60)
    assert [(t.text, t.low_confidence, t.guesses) for t in got] == [
        ("催收老是打电话", True, low.guesses),
        (None, False, ()),
    ]
    assert await turn_log.forget_user("alice") == 1
    got = await turn_log.query(since=now - 60)
    assert [(t.intent, t.text, t.low_confidence) for t in got] == [
        ("harassment", None, False),
        ("harassment", None, False),
    ]


async def test_forget_user_clears_only_their_texts(make_log: MakeLog) -> None:
    first, second = await make_log(), await make_log()
    now = time.time()
    await first.record_many(
        [
            replace(unanswered(now - 3, "alice 的问题"), user="wechat:alice"),
            replace(unanswered(now - 2, "bob 的问题"), user="wechat:bob"),
            answered(now - 1),
        ]
    )
    stored = await first.query(since=0)
    tags = {t.text: t.user for t in stored}
    # Beside each kept text: a salted hash of the person, never the id itself.
    assert tags["alice 的问题"] and tags["bob 的问题"] and tags[None] == ""
    assert tags["alice 的问题"] != tags["bob 的问题"]
    assert all("alice" not in t.user and "bob" not in t.user for t in stored)

    assert await first.forget_user("wechat:alice") == 1
    got = await first.query(since=0)
    assert [t.text for t in got] == [None, "bob 的问题", None]  # the counts stay
    assert got[0].guesses == () and got[0].user == ""
    assert got[0].intent == "fallback"
    assert await first.forget_user("wechat:alice") == 0
    assert await first.forget_user("wechat:nobody") == 0
    if not isinstance(first, MemoryTurnLog):  # shared stores share the salt
        assert await second.forget_user("wechat:bob") == 1
        assert [t.text for t in await first.query(since=0)] == [None, None, None]


def files_bytes(directory: Path) -> bytes:
    """Every file in ``directory`` (the database, its WAL and shared memory)."""
    return b"".join(p.read_bytes() for p in directory.iterdir() if p.is_file())


@pytest.mark.parametrize("store", ["memory", "sqlite", "redis"])
async def test_delete_my_records_clears_my_unanswered_texts(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = ""
    if store == "redis":
        url = request.getfixturevalue("redis_server").url
        async with Redis.from_url(url) as client:
            await client.flushdb()
    path = tmp_path / "bot.sqlite3"
    config = memory_config(
        sessions=SessionsConfig(
            store=store, sqlite_path=str(path), redis_url=url or "redis://127.0.0.1:1/0"
        )
    )
    engine = await Engine.create(config)
    try:
        assert (
            await engine.handle(Incoming(user="alice", text="红烧肉怎么做 我叫张三"))
        ).intent == "fallback"
        await engine.handle(Incoming(user="bob", text="推荐一部电影"))
        await engine.handle(Incoming(user="alice", text="催收的人在门口"))
        low = await engine.handle(Incoming(user="alice", text="催收老是打电话"))
        assert low.confidence < config.insights.low_confidence_below  # its text is kept
        response = await engine.handle(Incoming(user="alice", text="删除我的记录"))
        assert response.replies == [texts.FORGET_DONE.format(count=1)]
        assert engine.insights.log is not None
        kept = await engine.insights.log.query(since=0)
        assert [t.text for t in kept if t.text] == ["推荐一部电影"]  # bob's stays
        assert len([t for t in kept if t.intent == "fallback"]) == 2  # the count stays
    finally:
        await engine.close()
    if store == "sqlite":
        data = files_bytes(tmp_path)
        assert "红烧肉".encode() not in data  # not in the file nor in its WAL
        assert "老是打电话".encode() not in data  # the low-confidence text neither
        assert b"alice" not in data  # nor the id: only salted hashes are kept
        assert "推荐一部电影".encode() in data
    if store == "redis":
        async with Redis.from_url(url) as client:
            members = await client.zrange(TURNS_KEY, 0, -1)
        assert not any("红烧肉".encode() in m or b"alice" in m for m in members)
        assert not any("老是打电话".encode() in m for m in members)


async def test_one_bad_record_does_not_drop_its_batch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    turn_log = await SqliteTurnLog.open(tmp_path / "bot.sqlite3", 3600, 1000)
    recorder = TurnRecorder(turn_log)
    now = time.time()
    good = [unanswered(now - 3, "第一条"), answered(now - 2), unanswered(now - 1, "第三条")]
    bad = unanswered(now - 2.5, "坏的\ud800")  # a lone surrogate SQLite cannot encode
    try:
        with caplog.at_level(logging.WARNING):
            for turn in [good[0], bad, *good[1:]]:
                recorder.record(turn)
            await recorder.flush()
        assert await turn_log.query(since=0) == good
        assert recorder.dropped == 1
        assert "skipped a turn record" in caplog.text
    finally:
        await recorder.close()


async def test_delete_my_records_when_only_texts_are_left(understanding: Understanding) -> None:
    """The conversation has expired, the unanswered text is still kept: it is deleted, and
    the reply says so (not "nothing stored")."""
    store = MemoryStore(600)
    turn_log = MemoryTurnLog(3600, 1000)
    engine = Engine(memory_config(), understanding, store, turn_log)
    try:
        await engine.handle(Incoming(user="carol", text="红烧肉怎么做"))
        assert await store.delete("terminal:u:carol")  # as if it had expired
        response = await engine.handle(Incoming(user="carol", text="删除我的记录"))
        assert response.replies == [texts.FORGET_TEXTS_ONLY]
        kept = await turn_log.query(since=0)
        assert [(t.intent, t.text) for t in kept if t.intent == "fallback"] == [("fallback", None)]
        again = await engine.handle(Incoming(user="carol", text="删除我的记录"))
        assert again.replies == [texts.FORGET_NOTHING]
    finally:
        await engine.close()

"""Personal data: phone, ID card and bank card numbers never reach the logs or the disk whole.

(a) INFO logs of handling carry no message text at all; (b) at DEBUG the text appears, masked;
(c) the SQLite file never holds the full numbers; (d) ``bot.privacy.mask`` hides exactly these
numbers and leaves amounts, dates and hotlines alone; (e) "删除我的记录" deletes the person's
conversations, private and in groups, from the SQLite file, and says so.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config, SessionsConfig
from bot.conversation import texts
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from bot.privacy import mask
from bot.storage.factory import open_store
from tests.harness import memory_config

PHONE = "13812345678"
PHONE_INTL = "+86 138 1234 5678"
ID_CARD = "11010519491231002X"
CARD = "6222 0212 3456 7890 123"  # 19 digits, written 4-4-4-4-3
CARD_16 = "6217001234567890"

#: Every way the full numbers could appear (with and without their spaces).
FULL_FORMS = [
    PHONE,
    "138 1234 5678",
    ID_CARD,
    ID_CARD.lower(),
    CARD,
    CARD.replace(" ", ""),
    CARD_16,
    "1234567890",
]
#: How they look masked.
MASKED_FORMS = [
    "138****5678",
    "+86 138****5678",
    "110***********002X",
    "6222 **** 0123",
    "6217 **** 7890",
]

#: Private messages (and the words only they contain, which must not reach INFO logs).
MESSAGES = [
    f"催收的人在门口敲门，让我打{PHONE}核实",
    f"我的手机号是{PHONE_INTL}，身份证号{ID_CARD}",
    "没有",
    f"我的银行卡{CARD}被冻结了，欠招商银行35000元",
    f"卡号{CARD_16}，分12期每月还多少",
    f"红烧肉怎么做 {PHONE}",  # unanswered: the report keeps its (masked) text
]
GROUP_MESSAGES = [f"助手 有人冒充催收加我微信，号码{PHONE}", f"#身份证{ID_CARD}会被泄露吗"]
DISTINCTIVE_WORDS = ["敲门", "身份证号", "被冻结", "红烧肉", "招商银行", "冒充", "泄露", "核实"]


def sqlite_config(path: Path, **updates: object) -> Config:
    config = memory_config(**updates)
    return config.model_copy(
        update={"sessions": SessionsConfig(store="sqlite", sqlite_path=str(path))}
    )


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[Engine]:
    """An engine as ``python -m bot`` builds it, with everything kept in one SQLite file."""
    engine = await Engine.create(sqlite_config(tmp_path / "bot.sqlite3"))
    yield engine
    await engine.close()


async def send_all(engine: Engine) -> list[str]:
    replies: list[str] = []
    for text in MESSAGES:
        replies += (await engine.handle(Incoming(user="alice", text=text))).replies
    for text in GROUP_MESSAGES:
        replies += (
            await engine.handle(Incoming(user="alice", text=text, room="room1", addressed=False))
        ).replies
    return replies


def logged_text(records: list[logging.LogRecord]) -> str:
    """Everything the records would print: messages, arguments and tracebacks."""
    parts = []
    for record in records:
        parts.append(record.getMessage())
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


# --------------------------------------------------------------------------- (a) INFO


async def test_info_logs_carry_no_message_text(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):  # every logger, the store's too
        replies = await send_all(sqlite_engine)
    assert replies  # the messages were answered
    info = [r for r in caplog.records if r.levelno >= logging.INFO]
    handled = [r for r in info if r.name == "bot.engine" and "intent=" in r.getMessage()]
    assert handled == []  # no per-message line at INFO (issue 26: it costs on every message)
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="bot.engine"):
        await send_all(sqlite_engine)
    debug = [r for r in caplog.records if r.name == "bot.engine" and "intent=" in r.getMessage()]
    assert len(debug) == len(MESSAGES) + len(GROUP_MESSAGES)  # at DEBUG: one line per message
    info += debug
    text = logged_text(info)
    for number in [*FULL_FORMS, "5678", "002X"]:
        assert number not in text
    for masked in MASKED_FORMS:
        assert masked not in text  # no text at all, not even masked
    for word in DISTINCTIVE_WORDS:
        assert word not in text
    assert "alice" in text  # the conversation is named (masked ids only)


# --------------------------------------------------------------------------- (b) DEBUG


async def test_debug_logs_show_numbers_only_masked(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await send_all(sqlite_engine)
    text = logged_text(caplog.records)
    for number in FULL_FORMS:
        assert number not in text
    debug = logged_text(
        [r for r in caplog.records if r.name == "bot.engine" and r.levelno == logging.DEBUG]
    )
    for masked in MASKED_FORMS:
        assert masked in debug
    assert "敲门" in debug  # the text itself is there at DEBUG, which is what it is for


async def test_debug_logs_never_carry_sessions_or_personal_fields(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, every logger: the only message text is the engine's masked line; no session
    (amount, lender, the person's words) and no SQL parameters anywhere else."""
    with caplog.at_level(logging.DEBUG):
        await sqlite_engine.handle(
            Incoming(
                user="alice",
                text="我欠招商银行35000元，我叫张三，住在建国路88号，微信wx_zhangsan88",
            )
        )
        await sqlite_engine.handle(Incoming(user="alice", text="分12期每月还多少"))
        await sqlite_engine.insights.flush()
    engine_lines = [
        r
        for r in caplog.records
        if r.name == "bot.engine" and r.levelno == logging.DEBUG and "text=" in r.getMessage()
    ]
    assert len(engine_lines) == 2
    others = logged_text([r for r in caplog.records if r not in engine_lines])
    for private in ("35000", "招商银行", "张三", "建国路", "zhangsan", '"turns"', "分12期"):
        assert private not in others, private
    masked = logged_text(engine_lines)
    for private in ("张三", "建国路88号", "wx_zhangsan88"):
        assert private not in masked, private
    assert "我叫**" in masked and "35000" in masked  # the masked text itself is there


async def test_debug_log_cut_never_leaves_half_a_number(
    understanding: Understanding, caplog: pytest.LogCaptureFixture
) -> None:
    """The logged text is cut to 200 characters: a number across the cut stays masked."""
    from bot.storage.sessions.memory import MemoryStore

    engine = Engine(memory_config(), understanding, MemoryStore(600))
    card = CARD.replace(" ", "")
    with caplog.at_level(logging.DEBUG, logger="bot.engine"):
        for offset in range(185, 200):
            await engine.handle(Incoming(user="u", text="催" * offset + card + "怎么办"))
    text = logged_text(caplog.records)
    assert "催" * 185 in text
    for length in range(10, len(card) + 1):  # no run of 10+ of the card's digits
        assert card[:length] not in text, length
    await engine.close()


# --------------------------------------------------------------------------- (c) the file


def file_bytes(path: Path) -> bytes:
    """The database with its WAL and shared-memory files, as they are on disk."""
    return b"".join(
        p.read_bytes()
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
        if p.exists()
    )


def all_rows(path: Path) -> str:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            repr(row) for table in tables for row in db.execute(f"SELECT * FROM {table}")
        )


async def test_sqlite_file_never_holds_the_full_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    engine = await Engine.create(sqlite_config(path))
    try:
        await send_all(engine)
        await engine.insights.flush()  # the report's records are written too
        open_bytes = file_bytes(path)  # WAL included, while the bot runs
        open_rows = all_rows(path)
    finally:
        await engine.close()
    closed_bytes = file_bytes(path)
    closed_rows = all_rows(path)
    assert "terminal:alice" in closed_rows  # the sessions are there
    assert b"35000" in open_bytes + closed_bytes  # so is what the bot should remember
    for number in FULL_FORMS:
        for blob in (open_bytes, closed_bytes):
            assert number.encode() not in blob, number
        for rows in (open_rows, closed_rows):
            assert number not in rows, number


# --------------------------------------------------------------------------- (d) mask


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("138-1234-5678", "138****5678"),
        ("电话13812345678。", "电话138****5678。"),
        ("11010519491231002X", "110***********002X"),
        ("11010519491231002x", "110***********002x"),
        ("身份证110105194912310021号", "身份证110***********0021号"),
        ("6222021234567890", "6222 **** 7890"),
        ("6222 0212 3456 7890", "6222 **** 7890"),
        ("6222-0212-3456-7890", "6222 **** 7890"),
        ("6222021234567890123", "6222 **** 0123"),
        ("6222 0212 3456 7890 123", "6222 **** 0123"),  # 4-4-4-4-3: the last four hidden too
        ("卡号6217 0012 3456 789 0123，", "卡号6217 **** 0123，"),
        ("010-12345678", "010-****78"),
        # phones with separators or in Chinese numerals
        ("138 1234 5678", "138****5678"),
        ("138.1234.5678", "138****5678"),
        ("打138.1234.5678。", "打138****5678。"),
        ("一三八一二三四五六七八", "一三八****五六七八"),
        ("电话幺三九 零零零零 一二三四", "电话幺三九****一二三四"),
        # cards with dots or spaces
        ("6222.0212.3456.7890", "6222 **** 7890"),
        ("卡号6222.0212.3456.7890.123", "卡号6222 **** 0123"),
        # e-mail and WeChat ids
        ("邮箱zhangsan.88@qq.com", "邮箱z***@qq.com"),
        ("发到 13812345678@163.com 吧", "发到 1***@163.com 吧"),
        ("加我微信号abc_12345", "加我微信号ab****"),
        ("微信：Zhang-San2024", "微信：Zh****"),
        ("wx: lisi_0101", "wx: li****"),
        ("vx是wangwu888，", "vx是wa****，"),
        # names after the cues (the cue stays)
        ("我叫张三，欠了网贷", "我叫**，欠了网贷"),
        ("我叫欧阳小明", "我叫****"),
        ("我姓王", "我姓*"),
        ("名字是李四", "名字是**"),
        ("姓名：赵六", "姓名：**"),
        ("催收员姓刘，说要上门", "催收员姓*，说要上门"),
        # addresses down to the street
        ("我住在建国路88号", "我住在**路**号"),
        ("朝阳区光华街3号楼2单元501室", "**街**号楼*单元*室"),
        ("地址是幸福里小区5栋", "地址是**小区*栋"),
        ("中山大道一百二十号", "**大道**号"),
    ],
)
def test_mask_hides_personal_numbers(raw: str, masked: str) -> None:
    assert mask(raw) == masked
    assert mask(masked) == masked  # masking twice changes nothing


@pytest.mark.parametrize(
    "text",
    [
        "我欠35000元",
        "欠了3.5万",
        "本金120000元",
        "2026-01-30",
        "2026年1月30日",
        "20260130",
        "12378",
        "110",
        "12356",
        "96110",
        "12348",
        "打110报警",
        "分12期每月还2984.75元",
        "第七十条：最长5年",
        "1,234,567.89元",
        "逾期90天",
        "22:00到08:00",
        "1234567890",
        "我欠招商银行35000元，2026-01-30到期，打12378投诉",
        "欠了3万5",
        "欠三万五千元",
        "2026.01.30",
        "2026/1/30",
        "年利率24%",
        "年化36%以内",
        "打12348法律援助",
        "96110反诈",
        "12356心理援助热线",
        "他姓什么我不知道",
        "我叫什么都没用",
        "名字是什么",
        "我叫了110",
        "一二三四五",
        "还款路径",
        "我在路上",
        "加微信",
        "微信号是多少",
        "利息1.5万",
        "分3期，每期1000.50元",
        "逾期180天",
        "借了15000，还了8000",
        "身份证和银行卡被要求拍照",
        "催收说要去我家小区找我",
    ],
)
def test_mask_leaves_amounts_dates_and_hotlines(text: str) -> None:
    assert mask(text) == text


def test_mask_over_masks_only_long_digit_runs() -> None:
    """Known and accepted: four 4-digit amounts in a row look like a card number; an 11-digit
    amount starting 13–19 looks like a phone number. Both are hidden in logs, which is the
    safe side."""
    assert mask("3000 5000 2000 1000") == "3000 **** 1000"
    assert mask("15000000000") == "150****0000"


# --------------------------------------------------------------------------- (e) delete


async def test_delete_my_records_removes_private_and_group_conversations(
    tmp_path: Path, understanding: Understanding
) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = await open_store(SessionsConfig(store="sqlite", sqlite_path=str(path)))
    engine = Engine(memory_config(), understanding, store)
    try:
        await engine.handle(Incoming(user="alice", text="我欠平安银行87654元"))
        await engine.handle(
            Incoming(user="alice", text="助手 催收的人在门口", room="r1", addressed=False)
        )
        await engine.handle(Incoming(user="alice", text="分12期每月还多少", room="r2"))
        await engine.handle(Incoming(user="alice", text="催收的人在门口", platform="wechat"))
        await engine.handle(Incoming(user="bob", text="我欠54321元"))
        await engine.handle(Incoming(user="bob", text="催收的人在门口", room="r1"))
        with sqlite3.connect(path) as db:
            before = sorted(db.execute("SELECT key, user FROM sessions"))
        assert [user for _, user in before].count("terminal:alice") == 3

        response = await engine.handle(Incoming(user="alice", text="删除我的记录"))
        assert response.replies == [texts.FORGET_DONE.format(count=3)]

        with sqlite3.connect(path) as db:
            after = sorted(db.execute("SELECT key, user FROM sessions"))
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # alice's three terminal conversations are gone; bob's and alice's on another
        # platform (another account) stay.
        assert after == sorted(row for row in before if row[1] != "terminal:alice")
        assert ("wechat:u:alice", "wechat:alice") in after
        assert {user for _, user in after} == {"terminal:bob", "wechat:alice"}
        assert await store.get("terminal:u:alice") is None
        assert await store.get("terminal:g:r1:alice") is None
        assert await store.get("terminal:g:r2:alice") is None

        # Nothing left to delete the second time; the next message starts afresh.
        again = await engine.handle(Incoming(user="alice", text="删除我的记录"))
        assert again.replies == [texts.FORGET_NOTHING]
        fresh = await engine.handle(Incoming(user="alice", text="分12期每月还多少"))
        assert not any("87,654" in reply for reply in fresh.replies)
    finally:
        await engine.close()
    # What was deleted is not left readable in the file either (nor in its WAL).
    data = file_bytes(path)
    assert "平安银行".encode() not in data
    assert b"87654" not in data
    assert b"54321" in data  # bob's conversation is still there


async def test_delete_in_a_group_is_confirmed(understanding: Understanding, tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = await open_store(SessionsConfig(store="sqlite", sqlite_path=str(path)))
    engine = Engine(memory_config(), understanding, store)
    try:
        await engine.handle(Incoming(user="carol", text="催收的人在门口"))
        await engine.handle(
            Incoming(user="carol", text="#催收的人在门口", room="g", addressed=False)
        )
        response = await engine.handle(
            Incoming(user="carol", text="#删除我的记录", room="g", addressed=False)
        )
        assert response.replies == [texts.FORGET_DONE.format(count=2)]
        with sqlite3.connect(path) as db:
            assert db.execute(
                "SELECT count(*) FROM sessions WHERE user = 'terminal:carol'"
            ).fetchone() == (0,)
    finally:
        await engine.close()

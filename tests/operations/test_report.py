"""``python -m bot report``: topics counted with their titles, the fallback and low-confidence
rates, unanswered messages grouped by similarity; as text and as JSON, through the real
command against a SQLite file named by a config file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from bot.messages import RankedIntent
from bot.operations.report import (
    NO_MESSAGES,
    build_report,
    group_messages,
    parse_time,
)
from bot.storage.turns.base import TurnRecord
from bot.storage.turns.sqlite import SqliteTurnLog

ROOT = Path(__file__).resolve().parents[2]
TITLES = {
    "harassment": "电话轰炸和骚扰",
    "collector_at_door": "催收人员上门",
    "verify_identity": "核实来人身份",
    "complain": "投诉渠道",
}


def turn(
    intent: str,
    text: str | None = None,
    at: float | None = None,
    guesses: tuple[tuple[str, float], ...] = (),
) -> TurnRecord:
    return TurnRecord(
        at=time.time() if at is None else at,
        intent=intent,
        platform="wechat",
        text=text,
        guesses=tuple(RankedIntent(i, s) for i, s in guesses),
    )


def fallback(text: str, guesses: tuple[tuple[str, float], ...] = (), **kwargs: float) -> TurnRecord:
    return turn("fallback", text, guesses=guesses, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- grouping


def test_the_report_groups_as_the_console_does() -> None:
    """One grouping in the code base (bot/operations/grouping.py; its own tests are in
    tests/console/test_grouping.py): a masked and an unmasked number, a particle and a
    Traditional spelling do not split a group."""
    records = [
        fallback("电话13912345678能查到吗"),
        fallback("电话139****5678能查到吗？"),
        fallback("電話139****5678能查到嗎"),
        fallback("今天天气怎么样"),
    ]
    assert sorted(g.count for g in group_messages(records)) == [1, 3]


def test_similar_messages_group_and_dissimilar_stay_apart() -> None:
    records = [
        fallback("红烧肉怎么做"),
        fallback("红烧肉怎么做"),
        fallback("红烧肉怎么做？"),
        fallback("红烧肉要怎么做呀"),
        fallback("今天天气怎么样"),
        fallback("今天天气怎么样啊"),
        turn("clarify", "我的电话138****5678能查到吗"),
        fallback("我的电话139****1234能查到吗"),
        fallback("周末去哪里玩"),
        turn("harassment"),
        turn("harassment"),  # answered: no text, no group
    ]
    groups = group_messages(records)
    assert {g.representative: g.count for g in groups} == {
        "红烧肉怎么做": 4,
        "今天天气怎么样": 2,
        "我的电话138****5678能查到吗": 2,
        "周末去哪里玩": 1,
    }
    assert [g.count for g in groups] == [4, 2, 2, 1]  # largest first
    [phone_group] = [g for g in groups if "电话" in g.representative]
    assert (phone_group.fallback, phone_group.clarify) == (1, 1)
    assert set(groups[0].texts) == {"红烧肉怎么做", "红烧肉怎么做？", "红烧肉要怎么做呀"}


def test_threshold_decides_what_is_similar() -> None:
    # keys 红烧肉怎么做 / 红烧肉要怎么做 (the final 呀 dropped): similarity 12/13
    records = [fallback("红烧肉怎么做"), fallback("红烧肉要怎么做呀")]
    assert [g.count for g in group_messages(records, threshold=0.9)] == [2]
    assert [g.count for g in group_messages(records, threshold=0.95)] == [1, 1]


def test_group_guesses_are_mean_scores_best_first() -> None:
    records = [
        fallback("怎么查征信", guesses=(("verify_identity", 0.3), ("complain", 0.1))),
        fallback("怎么查征信呢", guesses=(("verify_identity", 0.1), ("harassment", 0.3))),
    ]
    [group] = group_messages(records)
    assert group.guesses() == [
        ("verify_identity", pytest.approx(0.2)),
        ("harassment", pytest.approx(0.15)),
        ("complain", pytest.approx(0.05)),
    ]


# --------------------------------------------------------------------------- the report


def sample_records() -> list[TurnRecord]:
    return (
        [turn("harassment")] * 5
        + [turn("collector_at_door")] * 3
        + [fallback("红烧肉怎么做", guesses=(("complain", 0.2),))] * 2
        + [turn("clarify", "银行", guesses=(("verify_identity", 0.07),))]
    )


def test_report_counts_topics_and_rates() -> None:
    now = time.time()
    report = build_report(sample_records(), TITLES, since=now - 3600, until=now)
    data = report.to_json()
    assert data["total"] == 11
    assert (data["answered"], data["fallback"], data["clarify"]) == (8, 2, 1)
    assert data["fallback_rate"] == pytest.approx(2 / 11, abs=1e-4)
    assert data["low_confidence_rate"] == pytest.approx(1 / 11, abs=1e-4)
    assert data["topics"] == [
        {
            "intent": "harassment",
            "title": "电话轰炸和骚扰",
            "count": 5,
            "share": pytest.approx(5 / 11, abs=1e-4),
        },
        {
            "intent": "collector_at_door",
            "title": "催收人员上门",
            "count": 3,
            "share": pytest.approx(3 / 11, abs=1e-4),
        },
    ]
    groups = data["unanswered_groups"]
    assert [(g["representative"], g["count"]) for g in groups] == [("红烧肉怎么做", 2), ("银行", 1)]
    assert groups[0]["guesses"] == [{"intent": "complain", "title": "投诉渠道", "score": 0.2}]
    text = report.format()
    assert "fallback rate: 18.2%" in text
    assert "low-confidence rate: 9.1%" in text
    assert "电话轰炸和骚扰 (harassment)" in text
    assert "×2  红烧肉怎么做" in text
    assert text.index("harassment") < text.index("collector_at_door")


def test_empty_report_says_so() -> None:
    now = time.time()
    report = build_report([], TITLES, since=now - 60, until=now)
    assert report.format().splitlines()[-1] == NO_MESSAGES
    data = report.to_json()
    assert (data["total"], data["message"], data["unanswered_groups"]) == (0, NO_MESSAGES, [])


def test_parse_time() -> None:
    now = 1_700_000_000.0
    assert parse_time("7d", now) == now - 7 * 86_400
    assert parse_time("24h", now) == now - 86_400
    assert parse_time("30m", now) == now - 1800
    assert parse_time("2w", now) == now - 14 * 86_400
    assert parse_time("2024-05-01", now) == datetime(2024, 5, 1).timestamp()
    with pytest.raises(ValueError, match="7d, 24h"):
        parse_time("last week", now)


# --------------------------------------------------------------------------- the command


def run_report(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "report", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def write_config(tmp_path: Path, database: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(f"sessions:\n  store: sqlite\n  sqlite_path: {database}\n", encoding="utf-8")
    return config


async def test_report_command_json_from_a_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    turn_log = await SqliteTurnLog.open(database, 30 * 86_400, 1000)
    now = time.time()
    old = now - 3 * 86_400
    await turn_log.record_many(
        [
            *sample_records(),
            fallback("我的电话138****5678能查到吗"),
            fallback("我的电话139****1234能查到吗"),
            turn("harassment", at=old),
            fallback("三天前的问题", at=old),  # outside --since 24h
        ]
    )
    await turn_log.close()
    proc = run_report(write_config(tmp_path, database), "--since", "24h", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["total"] == 13
    assert (data["fallback"], data["clarify"]) == (4, 1)
    assert data["fallback_rate"] == pytest.approx(4 / 13, abs=1e-4)
    assert data["topics"][0] == {
        "intent": "harassment",
        "title": "电话轰炸和骚扰",
        "count": 5,
        "share": pytest.approx(5 / 13, abs=1e-4),
    }
    groups = {g["representative"]: g for g in data["unanswered_groups"]}
    assert {k: g["count"] for k, g in groups.items()} == {
        "红烧肉怎么做": 2,
        "我的电话138****5678能查到吗": 2,
        "银行": 1,
    }
    assert groups["银行"]["guesses"][0]["title"] == "核实来人身份"  # titles from the content

    proc = run_report(write_config(tmp_path, database), "--since", "7d")
    assert proc.returncode == 0, proc.stderr
    assert "messages handled: 15" in proc.stdout
    assert "三天前的问题" in proc.stdout


def test_report_command_on_an_empty_store(tmp_path: Path) -> None:
    database = tmp_path / "never-written.sqlite3"
    config = write_config(tmp_path, database)
    proc = run_report(config)
    assert proc.returncode == 0, proc.stderr
    assert NO_MESSAGES in proc.stdout
    assert not database.exists()  # a report creates no files
    proc = run_report(config, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["message"] == NO_MESSAGES


def test_report_command_rejects_a_bad_period(tmp_path: Path) -> None:
    proc = run_report(write_config(tmp_path, tmp_path / "x.sqlite3"), "--since", "yesterday")
    assert proc.returncode == 2
    assert "expected a period like 7d" in proc.stderr

"""The Overview's figures: computed from a turn log we fill, per local day, and served at
/admin/api/overview with the content version and the last reload."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

from bot.console.overview import overview_figures, period_start
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from bot.storage.sessions.memory import MemoryStore
from bot.storage.turns.base import TurnRecord
from bot.storage.turns.redis import RedisTurnLog
from tests.console.conftest import Browser, console_config, console_on
from tests.fakes.redis_server import free_port

TITLES = {"harassment": "被骚扰", "collector_at_door": "有人上门"}


def at(day: datetime, hour: int) -> float:
    return day.replace(hour=hour).timestamp()


def record(when: float, intent: str, urgent: bool = False) -> TurnRecord:
    text = "红烧肉怎么做" if intent in ("fallback", "clarify") else None
    return TurnRecord(at=when, intent=intent, confidence=0.5, text=text, urgent=urgent)


def test_figures_per_day_from_the_records() -> None:
    today = datetime(2026, 11, 30)
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    now = at(today, 15)
    records = [
        record(at(before, 9), "harassment"),  # outside a two-day period
        record(at(yesterday, 8), "harassment"),
        record(at(yesterday, 9), "collector_at_door", urgent=True),
        record(at(yesterday, 10), "fallback"),
        record(at(yesterday, 23), "clarify"),
        record(at(today, 1), "harassment"),
        record(at(today, 2), "harassment"),
        record(at(today, 3), "threat_or_violence", urgent=True),
        record(at(today, 4), "fallback", urgent=False),
    ]
    figures = overview_figures(records, TITLES, days=2, now=now)
    assert figures["days"] == [
        {
            "date": "2026-11-29",
            "total": 4,
            "fallback": 1,
            "clarify": 1,
            "urgent": 1,
            "fallback_rate": 0.25,
            "low_confidence_rate": 0.25,
        },
        {
            "date": "2026-11-30",
            "total": 4,
            "fallback": 1,
            "clarify": 0,
            "urgent": 1,
            "fallback_rate": 0.25,
            "low_confidence_rate": 0.0,
        },
    ]
    assert (figures["total"], figures["fallback"], figures["clarify"], figures["urgent"]) == (
        8,
        2,
        1,
        2,
    )
    assert figures["fallback_rate"] == 0.25
    assert figures["low_confidence_rate"] == 0.125
    assert figures["topics"] == [
        {"intent": "harassment", "title": "被骚扰", "count": 3, "share": 0.375},
        {"intent": "collector_at_door", "title": "有人上门", "count": 1, "share": 0.125},
        {
            "intent": "threat_or_violence",
            "title": "threat_or_violence",
            "count": 1,
            "share": 0.125,
        },
    ]


def test_every_day_of_the_period_is_listed_even_empty() -> None:
    now = at(datetime(2026, 3, 2), 12)  # across the end of February
    figures = overview_figures([], TITLES, days=4, now=now)
    assert [d["date"] for d in figures["days"]] == [
        "2026-02-27",
        "2026-02-28",
        "2026-03-01",
        "2026-03-02",
    ]
    assert all(d["total"] == 0 and d["fallback_rate"] == 0.0 for d in figures["days"])
    assert figures["topics"] == [] and figures["total"] == 0
    assert period_start(4, now) == datetime(2026, 2, 27).timestamp()


async def test_the_api_counts_what_the_turn_log_holds(engine: Engine, browser: Browser) -> None:
    turn_log = engine.insights.log
    assert turn_log is not None
    now = time.time()
    midnight = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = min(midnight.timestamp() + 1, now)
    yesterday = (midnight - timedelta(days=1)).timestamp() + 3600
    long_ago = (midnight - timedelta(days=20)).timestamp()
    await turn_log.record_many(
        [
            record(long_ago, "harassment"),
            record(yesterday, "harassment"),
            record(yesterday + 1, "fallback"),
            record(today, "threat_or_violence", urgent=True),
            record(today, "harassment"),
            record(today, "clarify"),
        ]
    )
    # and one message handled through the engine now: recorded as the bot answered it
    response = await engine.handle(Incoming(user="u1", text="他说要打我，我很害怕"))
    assert response.urgent

    assert await browser.login() == 303
    data = await browser.get_json("/admin/api/overview?days=7")
    assert data["period_days"] == 7 and len(data["days"]) == 7
    assert re.fullmatch(r"UTC[+-]\d\d:\d\d", data["timezone"])
    last, before = data["days"][-1], data["days"][-2]
    assert (last["total"], last["urgent"], last["clarify"], last["fallback"]) == (4, 2, 1, 0)
    assert (before["total"], before["fallback"], before["fallback_rate"]) == (2, 1, 0.5)
    assert data["total"] == 6 and data["urgent"] == 2
    shares = {t["intent"]: (t["count"], t["title"]) for t in data["topics"]}
    assert shares["harassment"] == (2, engine.understanding.content.intent("harassment").title)
    assert data["recording"] is True
    content = data["content"]
    assert content["version"] == engine.understanding.content.version
    assert content["intents"] == len(engine.understanding.content.intents)
    assert content["last_reload"] is None
    assert "红烧肉" not in str(data)  # counts only, never a text

    longer = await browser.get_json("/admin/api/overview?days=30")
    assert longer["total"] == 7


async def test_the_last_reload_is_shown(engine: Engine, browser: Browser) -> None:
    outcome = await engine.reload_content(trigger="admin")
    assert outcome.ok
    assert await browser.login() == 303
    data = await browser.get_json("/admin/api/overview")
    assert data["period_days"] == 14
    reload = data["content"]["last_reload"]
    assert reload["ok"] is True and reload["trigger"] == "admin"
    assert reload["version"] == engine.understanding.content.version
    assert reload["problems"] == 0


async def test_a_bad_period_is_refused(browser: Browser) -> None:
    assert await browser.login() == 303
    for days in ["0", "91", "abc", "-3", "1.5"]:
        status, body, _ = await browser.request("GET", f"/admin/api/overview?days={days}")
        assert status == 400, days
        assert body["error"]["code"] == "bad_days"


async def test_without_recording_the_overview_says_so(understanding: Understanding) -> None:
    config = console_config()
    config = config.model_copy(
        update={"insights": config.insights.model_copy(update={"enabled": False})}
    )
    engine = Engine(config, understanding, MemoryStore(600))
    try:
        await engine.handle(Incoming(user="u1", text="他说要打我，我很害怕"))
        async with console_on(engine, config) as browser:
            assert await browser.login() == 303
            data = await browser.get_json("/admin/api/overview")
    finally:
        await engine.close()
    assert data["recording"] is False
    assert data["total"] == 0 and all(d["total"] == 0 for d in data["days"])
    assert data["content"]["version"] == understanding.content.version


async def test_a_turn_log_that_cannot_be_read_is_a_clear_error(
    understanding: Understanding,
) -> None:
    config = console_config()
    unreachable = RedisTurnLog(f"redis://127.0.0.1:{free_port()}/0", 3600, 1000, timeout=0.5)
    engine = Engine(config, understanding, MemoryStore(600), unreachable)
    try:
        async with console_on(engine, config) as browser:
            assert await browser.login() == 303
            status, body, _ = await browser.request("GET", "/admin/api/overview")
    finally:
        await engine.close()
    assert status == 503
    assert body["error"]["code"] == "store_unavailable"
    assert body["error"]["message"].startswith("暂时读不到消息记录")

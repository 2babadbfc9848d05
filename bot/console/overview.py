"""The console's Overview (``GET /admin/api/overview?days=N``): messages per day, the topics'
shares, the fallback and low-confidence rates per day, urgent messages per day (counts only,
never a text), and the content version with its last reload.

The figures come from the turn log (the records ``python -m bot report`` reads; topics are
counted by :func:`bot.operations.report.count_topics`), days in the server's local time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.console.web import Console, ConsoleError
from bot.operations.report import count_topics
from bot.storage.errors import StoreUnavailable
from bot.storage.turns.base import TurnRecord

if TYPE_CHECKING:
    from bot.engine import Engine

DEFAULT_DAYS = 14
MAX_DAYS = 90


@dataclass
class DayCounts:
    """One day's figures."""

    day: date
    total: int = 0
    fallback: int = 0
    clarify: int = 0
    urgent: int = 0

    def to_json(self) -> dict[str, object]:
        """As the page reads it."""
        return {
            "date": self.day.isoformat(),
            "total": self.total,
            "fallback": self.fallback,
            "clarify": self.clarify,
            "urgent": self.urgent,
            "fallback_rate": _rate(self.fallback, self.total),
            "low_confidence_rate": _rate(self.clarify, self.total),
        }


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def first_day(days: int, now: float) -> date:
    """The first (local) day of a period of ``days`` days ending today."""
    return datetime.fromtimestamp(now).date() - timedelta(days=days - 1)


def period_start(days: int, now: float) -> float:
    """The time the period of ``days`` days ending today starts (local midnight)."""
    start = first_day(days, now)
    return datetime(start.year, start.month, start.day).timestamp()


def overview_figures(
    records: Iterable[TurnRecord], titles: Mapping[str, str], *, days: int, now: float
) -> dict[str, Any]:
    """The figures of the last ``days`` days (today included) from ``records``: every day of
    the period appears, with zeros when nothing was recorded; records outside it are
    ignored."""
    start = first_day(days, now)
    per_day = {start + timedelta(days=i): DayCounts(start + timedelta(days=i)) for i in range(days)}
    kept: list[TurnRecord] = []
    for record in records:
        counts = per_day.get(datetime.fromtimestamp(record.at).date())
        if counts is None:
            continue
        kept.append(record)
        counts.total += 1
        counts.fallback += record.intent == "fallback"
        counts.clarify += record.intent == "clarify"
        counts.urgent += record.urgent
    topics, fallback, clarify = count_topics(kept, titles)
    total = len(kept)
    return {
        "days": [counts.to_json() for counts in per_day.values()],
        "total": total,
        "fallback": fallback,
        "clarify": clarify,
        "urgent": sum(r.urgent for r in kept),
        "fallback_rate": _rate(fallback, total),
        "low_confidence_rate": _rate(clarify, total),
        "topics": [
            {"intent": intent, "title": title, "count": count, "share": _rate(count, total)}
            for intent, title, count in topics
        ],
    }


def content_status(engine: Engine) -> dict[str, Any]:
    """The version of the content served now, when it was loaded and how the last reload
    went."""
    content = engine.understanding.content
    desk = engine.admin
    last = desk.last_reload
    return {
        "version": content.version,
        "intents": len(content.intents),
        "loaded_at": _iso(desk.loaded_at),
        "last_reload": None
        if last is None
        else {
            "at": _iso(last.at),
            "trigger": last.trigger,
            "ok": last.ok,
            "old_version": last.old_version,
            "version": last.version,
            "problems": len(last.problems),
        },
    }


def utc_offset(now: float) -> str:
    """The server's time zone as ``UTC+08:00`` (the days are counted in it)."""
    offset = datetime.fromtimestamp(now).astimezone().utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def parse_days(raw: str | None) -> int:
    """The ``days`` query parameter: 1 … :data:`MAX_DAYS` (default :data:`DEFAULT_DAYS`)."""
    if raw is None or raw == "":
        return DEFAULT_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise ConsoleError(400, "bad_days", f"days 必须是 1 到 {MAX_DAYS} 之间的整数。")
    return days


def install(console: Console) -> None:
    """Add the Overview endpoint and tab."""
    engine = console.engine

    async def overview(request: web.Request) -> dict[str, Any]:
        days = parse_days(request.query.get("days"))
        now = time.time()
        content = engine.understanding.content
        titles = {spec.id: spec.title for spec in content.intents}
        recorder = engine.insights
        result: dict[str, Any] = {"content": content_status(engine), "recording": True}
        records: list[TurnRecord] = []
        if recorder.log is None:
            result["recording"] = False
        else:
            await recorder.flush()  # what waits to be written counts too
            try:
                records = await recorder.log.query(period_start(days, now))
            except StoreUnavailable as exc:
                raise ConsoleError(503, "store_unavailable", f"暂时读不到消息记录：{exc}") from None
        result.update(overview_figures(records, titles, days=days, now=now))
        result["period_days"] = days
        result["timezone"] = utc_offset(now)
        return result

    console.get("overview", overview)
    console.section("overview", "概况", script="overview.js", order=10)

"""The console in a real headless Chromium (tests/fakes/browser.py) against the real engine
behind an HttpAdapter on 127.0.0.1: log in, see the Overview drawn by Chart.js with the
numbers we fed, see Content health, the placeholders, logging out; on a phone and a desktop."""

from __future__ import annotations

import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.http import HttpAdapter
from bot.engine import Engine
from bot.storage.turns.base import TurnRecord
from tests.console.conftest import ADMIN_TOKEN, console_config
from tests.fakes.browser import chromium

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def devtools() -> Iterator[str]:
    """One Chromium for the module; every test gets its own browser context."""
    with chromium() as endpoint:
        yield endpoint


@asynccontextmanager
async def console_page(
    engine: Engine, devtools: str, viewport: dict[str, int] = PHONE
) -> AsyncIterator[tuple[Any, str]]:
    """A page at the console's login, and the server's base URL; fails the test on any
    JavaScript error or Content-Security-Policy violation."""
    from playwright.async_api import async_playwright

    adapter = HttpAdapter(console_config(), engine)
    await adapter.start()
    base = f"http://127.0.0.1:{adapter.port}"
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(devtools)
            context = await browser.new_context(viewport=viewport)
            page = await context.new_page()
            page.set_default_timeout(10_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            def on_console(msg: Any) -> None:
                # the wrong-token login is answered 401 on purpose (Chromium logs that)
                expected = (
                    msg.location.get("url", "").endswith("/admin/login") and "401" in msg.text
                )
                if msg.type == "error" and not expected:
                    errors.append(f"{msg.text} ({msg.location.get('url')})")

            page.on("console", on_console)
            outside: list[str] = []
            page.on(
                "request",
                lambda req: (
                    None if req.url.startswith((base, "data:")) else outside.append(req.url)
                ),
            )
            await page.goto(f"{base}/admin/")
            try:
                yield page, base
            finally:
                await context.close()
                await browser.close()
            assert errors == [], f"errors on the page: {errors}"
            assert outside == [], f"requests to other servers: {outside}"
    finally:
        await adapter.stop()


async def log_in(page: Any, name: str = "王老师", token: str = ADMIN_TOKEN) -> None:
    await page.get_by_label("你的名字").fill(name)
    await page.get_by_label("口令").fill(token)
    await page.get_by_role("button", name="登录").click()


async def fill_turn_log(engine: Engine) -> None:
    """Yesterday 3 messages (1 fallback, 1 urgent), today 5 (2 clarify, 2 urgent)."""
    turn_log = engine.insights.log
    assert turn_log is not None
    now = time.time()
    midnight = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = min(midnight.timestamp() + 1, now)
    yesterday = (midnight - timedelta(days=1)).timestamp() + 600

    def turn(when: float, intent: str, urgent: bool = False) -> TurnRecord:
        return TurnRecord(at=when, intent=intent, confidence=0.5, urgent=urgent)

    await turn_log.record_many(
        [
            turn(yesterday, "harassment"),
            turn(yesterday, "fallback"),
            turn(yesterday, "threat_or_violence", urgent=True),
            turn(today, "harassment"),
            turn(today, "clarify"),
            turn(today, "clarify"),
            turn(today, "threat_or_violence", urgent=True),
            turn(today, "emotional_distress", urgent=True),
        ]
    )


async def table_rows(page: Any, figure: str) -> list[list[str]]:
    rows = page.locator(f"#figure-{figure} tbody tr")
    return [
        [c.strip() for c in await rows.nth(i).locator("td").all_inner_texts()]
        for i in range(await rows.count())
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_log_in_and_see_the_overview_and_health(
    engine: Engine, devtools: str, viewport: dict[str, int], tmp_path: Path
) -> None:
    from playwright.async_api import expect

    await fill_turn_log(engine)
    async with console_page(engine, devtools, viewport) as (page, base):
        # not logged in: the console sends the browser to the login page
        await expect(page).to_have_url(f"{base}/admin/login")
        await log_in(page, token="wrong-token-here")
        await expect(page.get_by_role("alert")).to_have_text("口令不对，请再试一次。")
        await log_in(page)
        await expect(page).to_have_url(f"{base}/admin/#overview")
        await expect(page.locator("#who")).to_have_text("王老师")

        # the Overview: four charts drawn by Chart.js, the numbers beside them
        await expect(page.locator("#total-messages")).to_have_text("8")
        await expect(page.locator("#total-urgent")).to_have_text("3")
        version = engine.understanding.content.version
        await expect(page.locator("#content-version")).to_have_text(version)
        for figure in ("messages", "rates", "urgent", "topics"):
            canvas = page.locator(f"#chart-{figure}")
            await expect(canvas).to_be_visible()
            drawn = await canvas.evaluate(
                "c => { const chart = Chart.getChart(c);"
                " return chart ? chart.data.datasets.map(d => d.data) : null; }"
            )
            assert drawn is not None, f"no Chart.js chart on #{figure}"
            box = await canvas.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100
        messages = await table_rows(page, "messages")  # today first
        assert len(messages) == 14
        today, yesterday = messages[0], messages[1]
        assert today[0] == datetime.now().date().isoformat()
        assert today[1:] == ["5", "0", "2"]  # messages, fallback, clarify
        assert yesterday[1:] == ["3", "1", "0"]
        assert all(row[1] == "0" for row in messages[2:])
        stacked = await page.locator("#chart-messages").evaluate(
            "c => Chart.getChart(c).data.datasets.map(d => d.data.slice(-2))"
        )
        assert stacked == [[2, 3], [0, 2], [1, 0]]  # answered, clarify, fallback
        urgent = await table_rows(page, "urgent")
        assert [row[1] for row in urgent[:2]] == ["2", "1"]
        rates = await table_rows(page, "rates")
        assert rates[1][1:] == ["33.3%", "0.0%"] and rates[0][1:] == ["0.0%", "40.0%"]
        assert all(row[1:] == ["—", "—"] for row in rates[2:])  # no messages: no rate
        gaps = await page.locator("#chart-rates").evaluate(
            "c => Chart.getChart(c).data.datasets[0].data.slice(-3)"
        )
        assert gaps == [None, 33.33, 0]  # the rates come rounded to 4 places
        topics = await table_rows(page, "topics")
        titles = {spec.id: spec.title for spec in engine.understanding.content.intents}
        assert topics[0] == [titles["harassment"], "2", "25.0%"]
        assert [titles["threat_or_violence"], "2", "25.0%"] in topics
        slices = await page.locator("#chart-topics").evaluate(
            "c => Chart.getChart(c).data.datasets[0].data"
        )
        assert sorted(slices) == [1, 2, 2]

        # a longer period asks the server again
        await page.locator("#overview-days").select_option("30")
        await expect(page.locator("#figure-messages tbody tr")).to_have_count(30)
        await expect(page.locator("#total-messages")).to_have_text("8")

        if viewport is PHONE:  # nothing wider than the phone's screen but the tab strip
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"]

        # Content health
        await page.get_by_role("tab", name="内容体检").click()
        await expect(page).to_have_url(f"{base}/admin/#health")
        await expect(page.locator("#health-check .good")).to_contain_text("内容文件没有问题")
        # in plain words: no F1, recall, precision, no 0.931
        await expect(page.locator("#eval-accuracy")).to_have_text(
            re.compile(r"^100 条里认对 \d{1,3} 条$")
        )
        await expect(page.locator("#direct-line")).to_contain_text("条里答对")
        health_text = await page.locator("#panel-health").inner_text()
        for jargon in ("F1", "recall", "precision", "召回", "精确率", "准确率", "意图"):
            assert jargon not in health_text, jargon
        assert not re.search(r"\b0\.\d{3}\b", health_text)  # no bare fractions
        intents = page.locator("#health-eval table").first.locator("tbody tr")
        assert await intents.count() >= 10
        kind = "phone" if viewport is PHONE else "desktop"
        folder = Path(os.environ.get("CONSOLE_SCREENSHOTS", tmp_path))
        await page.screenshot(path=str(folder / f"console-{kind}-health.png"), full_page=True)
        facts = page.locator("#health-facts details")
        await expect(facts.first).to_be_visible()
        await facts.first.locator("summary").click()
        await expect(facts.first.locator(".source").first).to_contain_text("依据：")

        # the Inbox (tests/console/test_inbox_browser.py): nothing unanswered was recorded
        await page.get_by_role("tab", name="待处理消息").click()
        await expect(page.locator("#inbox-empty")).to_have_text("这里没有消息。")

        shot = folder / f"console-{kind}.png"
        await page.get_by_role("tab", name="概况").click()
        await expect(page.locator("#chart-messages")).to_be_visible()
        await page.screenshot(path=str(shot), full_page=True)

        # logging out ends the session: the console is closed again
        await page.get_by_role("button", name="退出登录").click()
        await expect(page).to_have_url(f"{base}/admin/login")
        await page.goto(f"{base}/admin/")
        await expect(page).to_have_url(f"{base}/admin/login")

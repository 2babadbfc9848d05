"""The Inbox and Changes tabs in a real headless Chromium (tests/fakes/browser.py) against the
real engine behind an HttpAdapter on 127.0.0.1: a counsellor logs in, finds the question the
bot could not answer (sent through the real HTTP API), teaches it to a topic, sees the eval
before and after, the next identical question is answered with that topic, and the change is
undone in Changes (the example is gone from the YAML file again)."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from bot.adapters.http import HttpAdapter
from bot.console.inbox_api import INBOX_API
from bot.console.teach import EvalSets, Teacher
from bot.engine import Engine, Understanding
from bot.operations.evaluation import LabelledMessage, LabelledQuestion
from bot.storage.sessions.memory import MemoryStore
from bot.storage.turns.memory import MemoryTurnLog
from tests.console.conftest import ADMIN_TOKEN
from tests.console.test_inbox_api import VISITORS_AGAIN, inbox_config
from tests.fakes.browser import chromium

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def devtools() -> Iterator[str]:
    """One Chromium for the module; every test gets its own browser context."""
    with chromium() as endpoint:
        yield endpoint


@asynccontextmanager
async def served(tmp_path: Path) -> AsyncIterator[tuple[Engine, str, Path, HttpAdapter]]:
    """The engine over a copy of the content, served with the console on a free port."""
    config = inbox_config(tmp_path)
    engine = Engine(
        config, Understanding.build(config), MemoryStore(600), MemoryTurnLog(3600, 1000)
    )
    adapter = HttpAdapter(config, engine)
    await adapter.start()
    try:
        yield engine, f"http://127.0.0.1:{adapter.port}", Path(config.intents_dir), adapter
    finally:
        await adapter.stop()
        await engine.close()


async def ask(base: str, text: str, user: str) -> dict[str, Any]:
    """A question through the real HTTP API, as a person's chat would send it."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{base}/v1/messages", json={"conversation": user, "user": user, "text": text}
        ) as response,
    ):
        assert response.status == 200
        return await response.json()  # type: ignore[no-any-return]


@asynccontextmanager
async def page_at(devtools: str, base: str, viewport: dict[str, int]) -> AsyncIterator[Any]:
    """A logged-in page; fails the test on any JavaScript error or outside request."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(devtools)
        context = await browser.new_context(viewport=viewport)
        page = await context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        outside: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on(
            "request",
            lambda req: None if req.url.startswith((base, "data:")) else outside.append(req.url),
        )
        await page.goto(f"{base}/admin/")
        await page.get_by_label("你的名字").fill("李老师")
        await page.get_by_label("口令").fill(ADMIN_TOKEN)
        await page.get_by_role("button", name="登录").click()
        try:
            yield page
        finally:
            await context.close()
            await browser.close()
        assert errors == [], f"errors on the page: {errors}"
        assert outside == [], f"requests to other servers: {outside}"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_teach_the_bot_in_the_browser_and_undo_it(
    devtools: str, tmp_path: Path, viewport: dict[str, int]
) -> None:
    from playwright.async_api import expect

    async with served(tmp_path) as (engine, base, intents, _):
        yaml_file = intents / "collector_at_door.yaml"
        original = yaml_file.read_text()
        first = await ask(base, VISITORS_AGAIN, "person-1")
        assert first["intent"] in ("fallback", "clarify")  # the bot could not answer

        async with page_at(devtools, base, viewport) as page:
            await page.get_by_role("tab", name="待处理消息").click()
            await expect(page).to_have_url(f"{base}/admin/#inbox")
            card = page.locator(".inbox-group").filter(has_text=VISITORS_AGAIN)
            await expect(card).to_have_count(1)
            await expect(card.locator(".meta")).to_contain_text("共 1 条")
            # the bot's guesses come first, as buttons
            assert await card.locator("button.guess").count() >= 1
            # teach it to the topic chosen from the full list
            await card.get_by_label("其他话题或直接回答").select_option("intent:collector_at_door")
            await card.get_by_role("button", name="添加", exact=True).click()
            result = card.locator(".teach-result")
            await expect(result.locator(".taught")).to_contain_text("话题「催收人员上门」")
            number = re.compile(r"^\d\.\d{3}$")
            for span in ("acc-topic-before", "acc-topic-after", "acc-direct-before"):
                await expect(result.locator(f".{span}")).to_have_text(number)
            await expect(result.locator(".reading")).to_contain_text("以后这句话会得到")
            assert VISITORS_AGAIN in yaml_file.read_text()
            shot = os.environ.get("INBOX_SCREENSHOT")
            if shot:  # to look at the page: INBOX_SCREENSHOT=/tmp/inbox.png pytest …
                await page.screenshot(
                    path=shot.replace(".png", f"-{viewport['width']}.png"), full_page=True
                )

            # the next identical question, through the real HTTP API: answered with the topic
            again = await ask(base, VISITORS_AGAIN, "person-2")
            assert again["intent"] == "collector_at_door"
            advice = engine.understanding.content.intent("collector_at_door").advice.short
            assert again["replies"][0].startswith(advice.strip().splitlines()[0])

            # the group left the open inbox
            await result.get_by_role("button", name="刷新列表").click()
            await expect(
                page.locator(".inbox-group").filter(has_text=VISITORS_AGAIN)
            ).to_have_count(0)
            await expect(page.locator("#inbox-state")).to_contain_text("已教会（1）")

            if viewport is PHONE:
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"]

            # undo it in Changes
            await page.get_by_role("tab", name="修改记录").click()
            change = page.locator(".change[data-action='add_example']")
            await expect(change).to_contain_text(VISITORS_AGAIN)
            await expect(change).to_contain_text("李老师")
            await change.get_by_role("button", name="撤销").click()
            await expect(page.locator("#changes-status")).to_contain_text("已撤销修改")
            await expect(page.locator(".change[data-action='undo']")).to_have_count(1)
            await expect(
                page.locator(".change[data-action='add_example'] .undone")
            ).to_contain_text("已撤销")

        examples = yaml.safe_load(yaml_file.read_text())["examples"]
        assert VISITORS_AGAIN not in examples
        assert yaml_file.read_text() == original  # comments and layout as before
        assert (await ask(base, VISITORS_AGAIN, "person-3"))["intent"] in ("fallback", "clarify")


async def test_a_drop_in_accuracy_is_confirmed_in_the_browser(
    devtools: str, tmp_path: Path
) -> None:
    """Teaching a message of the labelled set to another topic lowers the topic eval: the page
    asks first, and only 仍然添加 writes it."""
    from playwright.async_api import expect

    async with served(tmp_path) as (_, base, intents, adapter):
        await ask(base, VISITORS_AGAIN, "person-1")
        # the labelled set files this message under the classifier's best guess today, so
        # teaching it to another topic lowers the topic accuracy
        assert adapter.console is not None
        guess = adapter.console.engine.understanding.reader.read(VISITORS_AGAIN).top.intent
        target = next(i for i in ("harassment", "complain") if i != guess)
        yaml_file = intents / f"{target}.yaml"
        original = yaml_file.read_text()
        sets = EvalSets(
            topics=[
                LabelledMessage(VISITORS_AGAIN, guess),
                LabelledMessage("催收的人在我家门口，怎么办", "collector_at_door"),
            ],
            questions=[LabelledQuestion("要开门吗", "collector_at_door", "open_door")],
        )
        assert adapter.console is not None
        adapter.console.app[INBOX_API].teacher = Teacher(
            adapter.console.engine,
            adapter.console.app[INBOX_API].records,
            eval_sets=sets,  # the sets this installation evaluates on
        )

        async with page_at(devtools, base, DESKTOP) as page:
            await page.get_by_role("tab", name="待处理消息").click()
            card = page.locator(".inbox-group").filter(has_text=VISITORS_AGAIN)
            await card.get_by_label("其他话题或直接回答").select_option(f"intent:{target}")
            await card.get_by_role("button", name="添加", exact=True).click()
            await expect(card.locator(".confirm-question")).to_contain_text("会降低准确率")
            await expect(card.locator(".acc-topic-before")).to_have_text("1.000")
            await expect(card.locator(".acc-topic-after")).to_have_text("0.500")
            assert yaml_file.read_text() == original  # nothing written yet
            await card.get_by_role("button", name="仍然添加").click()
            await expect(card.locator(".taught")).to_be_visible()
        assert VISITORS_AGAIN in yaml_file.read_text()

"""The Safety tab (安全) in a real headless Chromium (tests/fakes/browser.py) against the real
engine behind an HttpAdapter on 127.0.0.1: a danger message sent through the HTTP API shows,
masked; one sent while the tab is open appears by itself; marking asks once, then shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.console.test_inbox_browser import PHONE, ask, page_at, served
from tests.console.test_safety import CLEAR, POSSIBLE
from tests.console.test_safety import PHONE as PHONE_NUMBER
from tests.fakes.browser import chromium


@pytest.fixture(scope="module")
def devtools() -> Iterator[str]:
    with chromium() as endpoint:
        yield endpoint


async def test_the_safety_tab_shows_new_turns_and_marks_them(devtools: str, tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with served(tmp_path) as (_, base, _, _):
        await ask(base, CLEAR, "person-1")
        async with page_at(devtools, base, PHONE) as page:
            await page.get_by_role("tab", name="安全").click()
            await expect(page).to_have_url(f"{base}/admin/#safety")
            clear = page.locator(".safety-turn.tier-clear")
            await expect(clear).to_have_count(1)
            await expect(clear.locator(".text")).to_have_text(
                CLEAR.replace(PHONE_NUMBER, "138****5678")
            )
            await expect(clear.locator(".tier")).to_have_text("明确危险")
            await expect(clear.locator(".mark")).to_have_text("待查看")

            # a message while the tab is open: it appears by itself (the page polls)
            await ask(base, POSSIBLE, "person-2")
            possible = page.locator(".safety-turn.tier-possible")
            await expect(possible).to_have_count(1, timeout=15_000)
            await expect(possible.locator(".new")).to_have_text("新")
            await expect(page.locator(".safety-turn").first).to_have_class(
                "card safety-turn tier-possible fresh"
            )

            # one confirmation before writing; 取消 writes nothing
            await clear.get_by_role("button", name="标为误报").click()
            await expect(clear.locator(".confirm-question")).to_contain_text("误报")
            await clear.get_by_role("button", name="取消").click()
            await expect(clear.locator(".mark")).to_have_text("待查看")
            await clear.get_by_role("button", name="标为误报").click()
            await clear.get_by_role("button", name="确定").click()
            await expect(clear.locator(".mark")).to_contain_text("误报（李老师")
            await expect(page.locator("#safety-counts")).to_contain_text("误报 1 条")
            assert PHONE_NUMBER not in await page.content()
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"]

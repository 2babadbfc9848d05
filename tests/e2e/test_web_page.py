"""The web chat page in a real headless Chromium at phone sizes, against the real engine behind
an HttpAdapter on 127.0.0.1 (see tests/browser.py for how Chromium is started)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.http import HttpAdapter
from bot.config import Config
from bot.engine import Engine
from tests.adapters.test_http_api import TOKEN, http_config
from tests.fakes.browser import chromium

AT_DOOR = "催收的人在门口"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def devtools() -> Iterator[str]:
    """One Chromium for the module; every test gets its own browser context."""
    with chromium() as endpoint:
        yield endpoint


@asynccontextmanager
async def page_on(
    engine: Engine, devtools: str, config: Config | None = None, viewport: dict[str, int] = PHONE
) -> AsyncIterator[Any]:
    """A phone-sized page showing the chat page served by a fresh adapter."""
    from playwright.async_api import async_playwright

    adapter = HttpAdapter(config or http_config(), engine)
    await adapter.start()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(devtools)
            context = await browser.new_context(
                viewport=viewport, is_mobile=True, has_touch=True, device_scale_factor=2
            )
            page = await context.new_page()
            page.set_default_timeout(10_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(f"http://127.0.0.1:{adapter.port}/")
            try:
                yield page
            finally:
                await context.close()
                await browser.close()
            assert errors == [], f"JavaScript errors on the page: {errors}"
    finally:
        await adapter.stop()


async def send(page: Any, text: str) -> None:
    await page.get_by_label("你的消息").fill(text)
    await page.get_by_role("button", name="发送").click()


def sent_texts(page: Any) -> list[str]:
    """Record the texts the page posts to the API."""
    texts: list[str] = []

    def on_request(request: Any) -> None:
        if request.url.endswith("/v1/messages"):
            texts.append(json.loads(request.post_data)["text"])

    page.on("request", on_request)
    return texts


async def test_a_conversation_on_a_phone(engine: Engine, devtools: str, tmp_path: Path) -> None:
    from playwright.async_api import expect

    async with page_on(engine, devtools) as page:
        posted = sent_texts(page)
        safety = page.get_by_role("link", name="遇到威胁或有人不肯走，请立即拨打110")
        await expect(safety).to_be_visible()
        assert await safety.get_attribute("href") == "tel:110"

        await send(page, AT_DOOR)
        await expect(page.locator(".msg.me").last).to_have_text(AT_DOOR)
        advice = page.locator(".msg.bot").filter(has_text="委托书")
        await expect(advice.first).to_be_visible()
        await expect(page.get_by_label("你的消息")).to_have_value("")

        # the yes/no follow-up question's choices as buttons; tapping one answers it
        choices = page.locator("#choices button")
        await expect(choices).to_have_text(["1. 有", "2. 没有"])
        size = await choices.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 18, f"a choice button has a {size}px font"
        await choices.nth(1).click()
        await expect(page.locator(".msg.me").last).to_have_text("没有")
        await expect(
            page.locator(".msg.bot").filter(has_text="没有证件就先不要谈钱")
        ).to_be_visible()
        assert posted == [AT_DOOR, "没有"]

        # the reply's phone numbers are links
        assert await page.locator('.msg.bot a[href="tel:110"]').count() >= 1

        # new replies are announced to screen readers
        log = page.get_by_role("log")
        assert await log.get_attribute("aria-live") == "polite"
        assert await page.locator(".msg.bot").count() >= 4

        for selector in (".msg.bot", "textarea", ".safety a", "#send"):
            element = page.locator(selector).first
            size = await element.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            assert size >= 18, f"{selector} has a {size}px font"

        shot = Path(os.environ.get("WEB_PAGE_SCREENSHOT", tmp_path / "web-page.png"))
        png = await page.screenshot(path=str(shot))
        assert len(png) > 10_000


async def test_numbered_menu_choices_send_their_number(engine: Engine, devtools: str) -> None:
    from playwright.async_api import expect

    async with page_on(engine, devtools) as page:
        posted = sent_texts(page)
        await send(page, "菜单")
        first = page.locator("#choices button").first
        await expect(first).to_have_text("1. " + engine.understanding.content.topics[0].title)
        replies_before = await page.locator(".msg.bot").count()
        await first.click()
        await expect(page.locator(".msg.bot")).not_to_have_count(replies_before)
        assert posted == ["菜单", "1"]
        await expect(page.locator(".msg.system")).to_have_count(0)


async def test_no_horizontal_scroll_at_360px(engine: Engine, devtools: str) -> None:
    from playwright.async_api import expect

    async with page_on(engine, devtools, viewport={"width": 360, "height": 740}) as page:
        await send(page, AT_DOOR + "，他们说今天不还钱就不走，还拍了我家门牌号" * 3)
        await expect(page.locator(".msg.bot").filter(has_text="110").first).to_be_visible()
        widths = await page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
            " document.body.scrollWidth]"
        )
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
        assert widths[2] <= widths[1], f"the page scrolls sideways: {widths}"
        # the safety notice stays on one line
        box = await page.locator(".safety a").bounding_box()
        line = await page.locator(".safety a").evaluate(
            "e => parseFloat(getComputedStyle(e).lineHeight)"
        )
        padding = await page.locator(".safety a").evaluate(
            "e => parseFloat(getComputedStyle(e).paddingTop) * 2"
        )
        assert box["height"] <= line + padding + 1, "the safety notice wraps at 360px"


async def test_the_page_asks_once_for_a_configured_token(engine: Engine, devtools: str) -> None:
    from playwright.async_api import expect

    async with page_on(engine, devtools, http_config(token=TOKEN)) as page:
        await send(page, AT_DOOR)
        token_box = page.get_by_label("访问口令", exact=False)
        await expect(token_box).to_be_visible()
        await token_box.fill("wrong")
        await page.get_by_role("button", name="确定").click()
        await expect(page.locator(".msg.system").filter(has_text="口令不对")).to_be_visible()
        await token_box.fill(TOKEN)
        await page.get_by_role("button", name="确定").click()
        await expect(page.locator(".msg.bot").filter(has_text="委托书").first).to_be_visible()
        # remembered: after a reload the page sends without asking
        await page.reload()
        await send(page, "没有")
        await expect(
            page.locator(".msg.bot").filter(has_text="没有证件就先不要谈钱")
        ).to_be_visible()
        await expect(token_box).to_be_hidden()
        assert await page.evaluate("sessionStorage.getItem('cuishou.token')") == TOKEN
        assert await page.evaluate("localStorage.getItem('cuishou.token')") is None


async def test_the_conversation_id_survives_a_reload(engine: Engine, devtools: str) -> None:
    from playwright.async_api import expect

    async with page_on(engine, devtools) as page:
        await send(page, AT_DOOR)
        await expect(page.locator("#choices button")).to_have_count(2)
        first_id = await page.evaluate("sessionStorage.getItem('cuishou.conversation')")
        await page.reload()
        assert await page.evaluate("sessionStorage.getItem('cuishou.conversation')") == first_id
        # nothing kept beyond the tab: localStorage holds neither the id nor a token
        assert await page.evaluate("localStorage.length") == 0
        assert first_id.startswith("web-") and len(first_id) > 20
        await send(page, "没有")  # the server still knows the question it asked
        await expect(
            page.locator(".msg.bot").filter(has_text="没有证件就先不要谈钱")
        ).to_be_visible()


async def test_the_photo_button_uploads_a_photo_and_shows_the_check(
    engine: Engine, devtools: str, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    from tests.photo.samples import photo_bytes

    letter = tmp_path / "lawyer-letter.jpg"
    letter.write_bytes(photo_bytes("lawyer_no_firm", damaged=True))
    async with page_on(engine, devtools) as page:
        photo = page.get_by_label("发照片：催收函、律师函、委托书、工作证、短信截图或收款码")
        assert await photo.get_attribute("accept") == "image/*"
        # no capture attribute: phones offer the gallery too (an SMS screenshot), not only
        # the camera
        assert await photo.get_attribute("capture") is None
        assert await photo.get_attribute("multiple") is None
        await expect(page.locator("#photo-button")).to_be_visible()
        uploads: list[str] = []
        page.on(
            "request",
            lambda r: (
                uploads.append(r.headers.get("content-type", ""))
                if r.url.endswith("/v1/messages")
                else None
            ),
        )
        await photo.set_input_files(str(letter))
        await expect(page.locator(".msg.me").last).to_have_text("📷 照片")
        answer = page.locator(".msg.bot").filter(has_text="律师事务所")
        await expect(answer.first).to_be_visible(timeout=60_000)
        await expect(page.locator(".msg.bot").filter(has_text="卡背面").first).to_be_visible()
        assert uploads and uploads[0].startswith("multipart/form-data")
        # the chat goes on in text afterwards
        await send(page, AT_DOOR)
        await expect(page.locator(".msg.me").last).to_have_text(AT_DOOR)


async def test_a_big_phone_photo_is_scaled_down_in_the_browser_before_upload(
    engine: Engine, devtools: str, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    from tests.photo import render
    from tests.photo.samples import drawing

    big = render.phone_photo(drawing("police_sms"), scale=2.6)  # about 2900 x 3700 pixels
    original = tmp_path / "IMG_0001.png"
    big.save(original, "PNG")
    async with page_on(engine, devtools) as page:
        sizes: list[int] = []
        page.on(
            "request",
            lambda r: (
                sizes.append(len(r.post_data_buffer or b""))
                if r.url.endswith("/v1/messages")
                else None
            ),
        )
        # a file of several MB crosses the DevTools connection: allow for a loaded machine
        await page.get_by_label(
            "发照片：催收函、律师函、委托书、工作证、短信截图或收款码"
        ).set_input_files(str(original), timeout=60_000)
        answer = page.locator(".msg.bot").filter(has_text="96110")
        await expect(answer.first).to_be_visible(timeout=60_000)
    assert sizes and sizes[0] < original.stat().st_size / 3, (sizes, original.stat().st_size)


async def test_a_file_that_is_not_a_picture_gets_one_sentence(
    engine: Engine, devtools: str, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    notes = tmp_path / "notes.jpg"
    notes.write_text("这不是图片", encoding="utf-8")
    async with page_on(engine, devtools) as page:
        await page.get_by_label(
            "发照片：催收函、律师函、委托书、工作证、短信截图或收款码"
        ).set_input_files(str(notes))
        await expect(page.locator(".msg.bot").filter(has_text="不是图片").first).to_be_visible()
        await expect(page.get_by_role("button", name="发送")).to_be_enabled()


class _NumbersEngine:
    """An engine whose every reply names the hotlines the content uses."""

    async def handle(self, incoming: Any) -> Any:
        from bot.messages import Response

        return Response(
            replies=["被骗了打96110；法院的事打12368；投诉打12315；想不开打010-82951332或12356。"],
            intent="fraud",
        )


async def test_every_hotline_in_a_reply_is_tappable(devtools: str) -> None:
    from playwright.async_api import expect

    async with page_on(_NumbersEngine(), devtools) as page:  # type: ignore[arg-type]
        await send(page, "被骗了怎么办")
        reply = page.locator(".msg.bot").filter(has_text="96110")
        await expect(reply.first).to_be_visible()
        for number, href in [
            ("96110", "tel:96110"),
            ("12368", "tel:12368"),
            ("12315", "tel:12315"),
            ("12356", "tel:12356"),
            ("010-82951332", "tel:01082951332"),
        ]:
            link = reply.first.locator(f'a[href="{href}"]')
            await expect(link).to_have_text(number)


async def test_a_public_page_talks_to_anonymous_visitors_without_a_token(
    engine: Engine, devtools: str
) -> None:
    """platforms.http.public_page: no token asked for or held by the page; the visitor id is an
    HttpOnly cookie the script never sees; when it is gone the page gets a new one itself."""
    from playwright.async_api import expect

    from tests.adapters.test_http_public import public_config

    async with page_on(engine, devtools, public_config(token=TOKEN)) as page:
        await send(page, AT_DOOR)
        await expect(page.locator(".msg.bot").filter(has_text="委托书").first).to_be_visible()
        await expect(page.get_by_label("访问口令", exact=False)).to_be_hidden()
        assert "cuishou_visitor" not in await page.evaluate("document.cookie")
        cookies = await page.context.cookies()
        [visitor] = [c for c in cookies if c["name"] == "cuishou_visitor"]
        assert visitor["httpOnly"] and visitor["sameSite"] == "Lax"
        assert await page.evaluate("sessionStorage.getItem('cuishou.token')") is None
        # the id is lost (the browser cleared its cookies): the next message still goes through
        await page.context.clear_cookies()
        # wait for the answered retry: the first reply also holds "110", so the checks below
        # alone could pass before the page has fetched its new id
        async with page.expect_response(
            lambda r: r.url.endswith("/v1/messages") and r.status == 200
        ):
            await send(page, "被威胁了怎么办")
        await expect(page.locator(".msg.me").last).to_have_text("被威胁了怎么办")
        await expect(page.locator(".msg.bot").filter(has_text="110").last).to_be_visible()
        await expect(page.locator(".msg.system")).to_have_count(0)
        assert any(c["name"] == "cuishou_visitor" for c in await page.context.cookies())

"""Photos on every platform, end to end with the real engine and the real OCR: the HTTP API
(base64 JSON and multipart), OneBot (an image segment downloaded from a local server), WeChat
(the real python-wechaty client fetching the file box from the fake gRPC puppet) and the
terminal chat. The web page's photo button is in tests/e2e/test_web_page.py."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.adapters import download
from bot.adapters.download import DownloadError, DownloadTooLarge, Resolver, download_image
from bot.adapters.http import MAX_IMAGE_BYTES
from bot.adapters.onebot import OneBotAdapter
from bot.adapters.terminal import photo_message
from bot.engine import Engine
from bot.messages import MessageKind
from bot.photo import texts as photo_texts
from tests.adapters.test_http_api import assert_error, http_config, serving
from tests.adapters.test_onebot import TOKEN as ONEBOT_TOKEN
from tests.adapters.test_onebot import onebot_config, url_of
from tests.e2e.test_wechaty_e2e import ALICE, BOB, ROOM, Recording, logged_in, wechat_config
from tests.fakes.onebot import FakeOneBot, sent_text
from tests.fakes.puppet import FakePuppetService
from tests.harness import run
from tests.photo.samples import photo_bytes


class _MediaServer(Resolver):
    """The QQ media server's name, 'media.test', stands for the server on 127.0.0.1 (downloads
    go only to public addresses: tests/hostile/test_downloads.py)."""

    async def resolve(self, host: str, port: int) -> list[str]:
        if host != "media.test":
            raise OSError(host)
        return ["127.0.0.1"]

    def is_public(self, address: str) -> bool:
        return address == "127.0.0.1"


@pytest.fixture(autouse=True)
def media_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "RESOLVER", _MediaServer())


# ----- HTTP --------------------------------------------------------------------------------


async def test_http_a_base64_photo_gets_the_check(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    image = base64.b64encode(photo_bytes("collection_bad")).decode()
    # A photo in JSON counts against max_body_bytes like any JSON body (no photo allowance).
    async with serving(engine, http_config(max_body_bytes=256 * 1024)) as api:
        body = await api.say("", image=image)
    assert body["intent"] == "photo_check"
    assert "个人微信收款码" in body["replies"][0] and "卡背面" in body["replies"][-1]
    assert image[:40] not in caplog.text and "13812345678" not in caplog.text


async def test_http_a_data_url_and_a_multipart_upload(engine: Engine) -> None:
    data = photo_bytes("police_sms")
    async with serving(engine, http_config(max_body_bytes=256 * 1024)) as api:
        url = "data:image/jpeg;base64," + base64.b64encode(data).decode()
        body = await api.say("", image=url)
        assert body["intent"] == "photo_check" and body["urgent"]
        form = aiohttp.FormData()
        form.add_field("conversation", "c2")
        form.add_field("user", "u1")
        form.add_field("image", data, filename="sms.jpg", content_type="image/jpeg")
        async with api.session.post(api.base + "/v1/messages", data=form) as resp:
            assert resp.status == 200
            body = await resp.json()
    assert body["conversation"] == "c2" and "96110" in body["replies"][0]


async def test_http_bad_images(engine: Engine) -> None:
    async with serving(engine, http_config(max_body_bytes=1024)) as api:
        status, body = await api.post({"conversation": "c", "user": "u", "image": "not*base64"})
        assert_error(status, body, 422, "invalid_image", "base64")
        status, body = await api.post({"conversation": "c", "user": "u", "image": 42})
        assert_error(status, body, 422, "wrong_type", "'image'")
        huge = base64.b64encode(b"\0" * (MAX_IMAGE_BYTES + 3)).decode()
        status, body = await api.post({"conversation": "c", "user": "u", "image": huge})
        assert_error(status, body, 413, "body_too_large", "multipart")
        # a text-only body is still held to max_body_bytes
        status, body = await api.post({"conversation": "c", "user": "u", "text": "钱" * 2000})
        assert_error(status, body, 413, "body_too_large", "1024 bytes")
        # not a picture: the engine's sentence, not an error
        not_image = base64.b64encode(b"hello, this is text").decode()
        reply = await api.say("", image=not_image)
        assert reply["intent"] == "photo_rejected"
        assert reply["replies"] == [photo_texts.NOT_AN_IMAGE]
        form = aiohttp.FormData()
        form.add_field("conversation", "c")
        form.add_field("user", "u")
        async with api.session.post(api.base + "/v1/messages", data=form) as resp:
            assert resp.status in (415, 422)  # url-encoded form without a file: not accepted
        form = aiohttp.FormData()
        form.add_field("conversation", "c")
        form.add_field("user", "u")
        form.add_field("image", b"\xff" * (MAX_IMAGE_BYTES + 1), filename="big.jpg")
        async with api.session.post(api.base + "/v1/messages", data=form) as resp:
            assert resp.status == 413
            assert (await resp.json())["error"]["code"] == "image_too_large"


# ----- OneBot ------------------------------------------------------------------------------


@asynccontextmanager
async def image_server(files: dict[str, bytes], *, delay: float = 0) -> AsyncIterator[str]:
    """An HTTP server on 127.0.0.1 serving ``files`` (a QQ media server's stand-in)."""

    async def serve(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(delay)
        data = files.get(request.match_info["name"])
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://media.test:{port}"
    finally:
        await runner.cleanup()


async def test_onebot_an_image_segment_is_downloaded_and_checked(engine: Engine) -> None:
    bot = OneBotAdapter(onebot_config(), engine)
    await bot.start()
    qq = FakeOneBot(url_of(bot), ONEBOT_TOKEN)
    await qq.connect()
    try:
        async with image_server({"letter.jpg": photo_bytes("lawyer_no_firm")}) as base:
            await qq.private(
                20002, [{"type": "image", "data": {"file": "a.jpg", "url": f"{base}/letter.jpg"}}]
            )
            # a text from someone else meanwhile is answered while the photo is read
            await qq.private(30003, [{"type": "text", "data": {"text": "催收的人在门口"}}])
            actions = await qq.wait_for_actions(4, within=60)
        first = actions[0]["params"]
        assert first["user_id"] == 30003, "the text waited for the photo"
        photo_replies = [sent_text(a) for a in actions if a["params"]["user_id"] == 20002]
        assert any("律师事务所" in text for text in photo_replies)
    finally:
        await qq.close()
        await asyncio.wait_for(bot.stop(), 10)


async def test_onebot_a_photo_with_a_caption_in_a_group_is_answered_as_the_photo(
    engine: Engine,
) -> None:
    bot = OneBotAdapter(onebot_config(), engine)
    await bot.start()
    qq = FakeOneBot(url_of(bot), ONEBOT_TOKEN)
    await qq.connect()
    try:
        async with image_server({"code.jpg": photo_bytes("alipay_code")}) as base:
            await qq.group(
                30003,
                [
                    {"type": "at", "data": {"qq": str(qq.self_id)}},
                    {"type": "text", "data": {"text": " 这个码能扫吗"}},
                    {"type": "image", "data": {"url": f"{base}/code.jpg"}},
                ],
            )
            actions = await qq.wait_for_actions(2, within=60)
        assert actions[0]["action"] == "send_group_msg"
        assert "个人支付宝收款码" in sent_text(actions[0])
    finally:
        await qq.close()
        await asyncio.wait_for(bot.stop(), 10)


async def test_onebot_a_missing_image_gets_the_text_note_and_a_bad_link_is_not_fetched(
    engine: Engine,
) -> None:
    bot = OneBotAdapter(onebot_config(), engine)
    await bot.start()
    qq = FakeOneBot(url_of(bot), ONEBOT_TOKEN)
    await qq.connect()
    try:
        async with image_server({}) as base:
            await qq.private(20002, [{"type": "image", "data": {"url": f"{base}/gone.jpg"}}])
            (action,) = await qq.wait_for_actions(1, within=20)
        assert "文字" in sent_text(action)
    finally:
        await qq.close()
        await asyncio.wait_for(bot.stop(), 10)


async def test_downloads_are_limited_in_size_time_and_scheme() -> None:
    async with image_server({"big.jpg": b"\xff" * 5000, "ok.jpg": b"12345"}, delay=0) as base:
        assert await download_image(f"{base}/ok.jpg") == b"12345"
        with pytest.raises(DownloadTooLarge):
            await download_image(f"{base}/big.jpg", max_bytes=4096)
        with pytest.raises(DownloadError, match="HTTP 404"):
            await download_image(f"{base}/none.jpg")
    async with image_server({"slow.jpg": b"1"}, delay=2) as base:
        with pytest.raises(DownloadError, match="within"):
            await download_image(f"{base}/slow.jpg", seconds=0.3)
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/a.jpg", "base64://AAAA", "/tmp/a.jpg"):
        with pytest.raises(DownloadError, match="not an http"):
            await download_image(url)


# ----- WeChat ------------------------------------------------------------------------------


@pytest.fixture
async def gateway() -> AsyncIterator[FakePuppetService]:
    fake = FakePuppetService()
    fake.add_contact(ALICE, "小丽")
    fake.add_contact(BOB, "老王")
    fake.add_room(ROOM, "互助群", [ALICE, BOB])
    await fake.start()
    yield fake
    await fake.stop()


async def test_wechat_an_image_message_is_fetched_over_grpc_and_checked(
    gateway: FakePuppetService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    config = wechat_config(gateway.endpoint)
    real = await Engine.create(config)
    handler = Recording(real)
    try:
        async with logged_in(gateway, config, handler):
            gateway.emit_image(ALICE, photo_bytes("alipay_code"))
            sent = await gateway.wait_for_sent(2, within=60)
        assert "MessageImage" in gateway.calls
        incoming, response = handler.seen[0]
        assert incoming.kind is MessageKind.IMAGE and incoming.image
        assert response.intent == "photo_check"
        assert sent[0].conversation_id == ALICE
        assert "个人支付宝收款码" in sent[0].text
        assert "qr.alipay.com" not in caplog.text
    finally:
        await real.close()


async def test_wechat_a_screenshot_sent_as_a_file_is_fetched_with_message_file(
    gateway: FakePuppetService,
) -> None:
    config = wechat_config(gateway.endpoint)
    real = await Engine.create(config)
    handler = Recording(real)
    try:
        async with logged_in(gateway, config, handler):
            gateway.emit_image(
                ALICE, photo_bytes("police_sms"), name="Screenshot_2026.png", as_file=True
            )
            sent = await gateway.wait_for_sent(2, within=60)
            gateway.emit_image(ALICE, b"%PDF-1.4", name="contract.pdf", as_file=True)
            more = await gateway.wait_for_sent(3, within=20)
        assert "MessageFile" in gateway.calls
        assert handler.seen[0][0].kind is MessageKind.IMAGE
        assert "96110" in sent[0].text
        assert handler.seen[-1][0].kind is MessageKind.FILE and "文字" in more[-1].text
    finally:
        await real.close()


async def test_wechat_a_group_photo_is_not_read_unless_the_group_answers_unasked(
    gateway: FakePuppetService,
) -> None:
    config = wechat_config(gateway.endpoint)
    real = await Engine.create(config)
    handler = Recording(real)
    try:
        async with logged_in(gateway, config, handler):
            gateway.emit_image(BOB, photo_bytes("alipay_code"), room_id=ROOM)
            await handler.wait_for(1, within=20)
            await asyncio.sleep(0.3)
        assert handler.seen[0][1].silent and gateway.sent == []
        assert "MessageImage" not in gateway.calls
    finally:
        await real.close()


# ----- terminal ----------------------------------------------------------------------------


def test_terminal_photo_command(tmp_path: Path) -> None:
    path = tmp_path / "letter.jpg"
    path.write_bytes(photo_bytes("lawyer_no_firm"))
    message = photo_message(f"/photo {path}")
    assert not isinstance(message, str)
    assert message.kind is MessageKind.IMAGE and message.image == path.read_bytes()
    assert isinstance(photo_message("图片 /no/such/file.jpg"), str)
    assert photo_message("催收的人在门口").kind is MessageKind.TEXT  # type: ignore[union-attr]
    result = run("chat", stdin=f"图片 {path}\n/photo /no/such.jpg\n".encode())
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert "律师事务所" in out and "打不开这个文件" in out

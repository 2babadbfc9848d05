"""Bodies and ids a hostile client sends over real sockets (127.0.0.1): refused early, with a
sentence, and never parsed whole on the event loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from bot.adapters.onebot import OneBotAdapter
from bot.engine import Engine
from tests.adapters.test_http_api import assert_error, http_config, serving
from tests.adapters.test_onebot import TOKEN, onebot_config, url_of
from tests.fakes.onebot import ALICE, FakeOneBot


async def test_json_with_the_word_image_gets_no_photo_allowance(engine: Engine) -> None:
    async with serving(engine, http_config(max_body_bytes=4096)) as api:
        padding = "x" * 100_000
        raw = json.dumps({"conversation": "c", "user": "u", "text": "hi", "image": padding})
        status, body = await api.post(raw=raw.encode())
        assert_error(status, body, 413, "body_too_large", "4096 bytes", "multipart")
        # the same sized body named anything else is refused the same way
        raw = json.dumps({"conversation": "c", "user": "u", "text": "hi", "pad": padding})
        status, body = await api.post(raw=raw.encode())
        assert_error(status, body, 413, "body_too_large")


async def test_http_ids_with_separators_do_not_share_a_conversation(engine: Engine) -> None:
    async with serving(engine, http_config()) as api:
        await api.say("我欠招商银行5万", conversation="tenantA/alice", user="web")
        await api.say("删除我的记录", conversation="tenantA", user="alice/web")
    # the second client's 删除我的记录 deleted only its own (empty) records, not the first's
    kept = list(engine.store._sessions)  # type: ignore[attr-defined]
    assert len(kept) == 1 and "alice" in kept[0], kept


@pytest.fixture
async def onebot(engine: Engine) -> AsyncIterator[OneBotAdapter]:
    bot = OneBotAdapter(onebot_config(), engine)
    await bot.start()
    yield bot
    await asyncio.wait_for(bot.stop(), 10)


async def test_onebot_drops_events_whose_ids_are_not_qq_numbers(onebot: OneBotAdapter) -> None:
    qq = FakeOneBot(url_of(onebot), TOKEN)
    await qq.connect()
    try:
        for bad in [{"nested": "dict"}, "9" * 1_000_000, -1, 1.5]:
            await qq.private(bad, "催收的人在门口")  # type: ignore[arg-type]
        await asyncio.sleep(0.5)
        assert qq.actions == []  # nothing answered to a made-up id
        await qq.private(ALICE, "催收的人在门口")
        for _ in range(50):
            if qq.actions:
                break
            await asyncio.sleep(0.1)
        assert qq.actions and qq.actions[0]["params"]["user_id"] == ALICE
    finally:
        await qq.close()

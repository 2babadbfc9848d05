"""The Official Account's photo check and its accounts without customer-service messages, end
to end against the fake WeChat on 127.0.0.1 (tests/fakes/wechat_server.py): the photo comes
through the media API (``/cgi-bin/media/get``), the passive reply says at once that it is
being read, and the result follows as a 客服消息 — or, where the account has none, with the
person's next message. Without 客服消息 every reply is whole: never a message cut short."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.adapters.official import (
    ACK_NEXT,
    MORE_FOLLOWS,
    PHOTO_NOT_FETCHED,
    PHOTO_READING,
    PHOTO_READING_NEXT,
    STILL_WORKING,
    OfficialAdapter,
)
from bot.engine import Engine
from bot.messages import Incoming, MessageKind, Response
from bot.photo import texts as photo_texts
from tests.adapters import test_official
from tests.adapters.test_official import AT_DOOR, StandIn, Start, settle
from tests.fakes.wechat_server import ALICE, BOB, FakeWeChat, event, image, text
from tests.photo.samples import photo_bytes

LETTER = "media-lawyer-letter-1"

# the fake WeChat and the adapter starter of tests/adapters/test_official.py
wechat = test_official.wechat
start = test_official.start


class Scripted:
    """An engine stand-in answering by the text: ``answers`` maps a text to its Response;
    photos get ``photo`` after ``photo_delay`` seconds; anything else is a fallback."""

    def __init__(
        self, answers: dict[str, Response], photo: Response | None = None, photo_delay: float = 0
    ) -> None:
        self.answers = answers
        self.photo = photo or Response(replies=["照片的结果。"], intent="photo_check")
        self.photo_delay = photo_delay
        self.received: list[Incoming] = []

    async def handle(self, incoming: Incoming) -> Response:
        self.received.append(incoming)
        if incoming.kind is MessageKind.IMAGE:
            await asyncio.sleep(self.photo_delay)
            return self.photo
        return self.answers.get(
            incoming.text, Response(replies=["抱歉，我没太明白。"], intent="fallback")
        )


async def until(condition: Any, within: float = 60.0) -> None:
    """Wait until ``condition()`` is true (polling)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


# ----- the photo check through the media API ---------------------------------------------


async def test_a_photo_is_fetched_by_its_media_id_and_acknowledged_at_once(
    wechat: FakeWeChat, start: Start
) -> None:
    wechat.media[LETTER] = b"\xff\xd8 the photo's bytes"
    engine = StandIn(delay=1.5, replies=["这是一封律师函。"])
    await start(engine, passive_reply_seconds=4.0)
    loop = asyncio.get_running_loop()
    began = loop.time()
    reply = await wechat.send(image(ALICE, media_id=LETTER))
    assert loop.time() - began < 1.0  # at once, not after the 4 s the text answers may take
    assert reply.content == PHOTO_READING and "110" in PHOTO_READING
    await wechat.wait_for_sent(1)
    assert wechat.sent_texts(ALICE) == ["这是一封律师函。"]
    [incoming] = engine.received
    assert incoming.kind is MessageKind.IMAGE and incoming.image == wechat.media[LETTER]
    assert wechat.media_requests == [LETTER]


async def test_the_real_photo_check_reads_a_letter_sent_to_the_account(
    wechat: FakeWeChat, start: Start, engine: Engine
) -> None:
    wechat.media[LETTER] = photo_bytes("lawyer_no_firm", damaged=True)
    await start(engine, passive_reply_seconds=4.0)
    reply = await wechat.send(image(ALICE, media_id=LETTER))
    assert reply.content == PHOTO_READING
    await wechat.wait_for_sent(1, within=90)
    await settle(0.5)
    result = "\n".join(wechat.sent_texts(ALICE))
    assert "律师事务所" in result and "卡背面" in result
    assert all(len(t.encode("utf-8")) <= 2048 for t in wechat.sent_texts(ALICE))


async def test_a_photo_that_cannot_be_fetched_gets_a_sentence(
    wechat: FakeWeChat, start: Start
) -> None:
    engine = StandIn()
    await start(engine)
    assert (await wechat.send(image(ALICE, media_id="expired-media"))).content == PHOTO_READING
    await wechat.wait_for_sent(1)
    assert wechat.sent_texts(ALICE) == [PHOTO_NOT_FETCHED]
    assert engine.received == []  # nothing to read


async def test_a_photo_over_10_mb_is_not_read(wechat: FakeWeChat, start: Start) -> None:
    wechat.media["huge"] = b"\xff\xd8" + b"\0" * (photo_texts.MAX_BYTES + 10)
    engine = StandIn()
    await start(engine)
    await wechat.send(image(ALICE, media_id="huge"))
    await wechat.wait_for_sent(1)
    assert wechat.sent_texts(ALICE) == [photo_texts.TOO_LARGE]
    assert engine.received == []


async def test_an_expired_access_token_is_fetched_again_for_the_photo(
    wechat: FakeWeChat, start: Start
) -> None:
    wechat.media[LETTER] = b"\xff\xd8 bytes"
    engine = StandIn(replies=["读完了。"])
    await start(engine)
    await wechat.send(image(ALICE, media_id=LETTER))
    await wechat.wait_for_sent(1)
    wechat.expire_tokens()
    await wechat.send(image(ALICE, media_id=LETTER))
    await wechat.wait_for_sent(2)
    assert wechat.refused == [42001] and wechat.token_requests == 2
    assert [i.image for i in engine.received] == [b"\xff\xd8 bytes"] * 2


# ----- accounts without customer-service messages ----------------------------------------


async def test_without_customer_service_a_long_answer_comes_whole_over_the_next_messages(
    wechat: FakeWeChat, start: Start
) -> None:
    paragraphs = [f"第{n}段：" + "请保存好催收的录音和短信截图。" * 40 for n in range(1, 4)]
    engine = Scripted({"长回答": Response(replies=paragraphs, intent="record_evidence")})
    await start(engine, customer_service=False)
    replies = [(await wechat.send(text(ALICE, "长回答"))).content]
    for _ in range(2):
        replies.append((await wechat.send(text(ALICE, "继续"))).content)
    await settle()
    assert wechat.sent == []  # no 客服消息 at all
    # each reply: one whole paragraph, the note when more follows, within the byte limit
    assert replies == [
        f"{paragraphs[0]}\n\n{MORE_FOLLOWS}",
        f"{paragraphs[1]}\n\n{MORE_FOLLOWS}",
        paragraphs[2],
    ]
    assert all(len(r.encode("utf-8")) <= 2048 for r in replies if r)


async def test_without_customer_service_short_replies_are_the_whole_answer(
    wechat: FakeWeChat, start: Start, engine: Engine
) -> None:
    await start(engine, customer_service=False)
    reply = await wechat.send(text(ALICE, AT_DOOR))
    assert reply.content is not None and MORE_FOLLOWS not in reply.content
    assert "110" in reply.content and "委托书" in reply.content
    assert len(reply.content.encode("utf-8")) <= 2048
    await settle()
    assert wechat.sent == []


async def test_without_customer_service_the_photo_result_comes_with_the_next_message(
    wechat: FakeWeChat, start: Start
) -> None:
    wechat.media[LETTER] = b"\xff\xd8 bytes"
    engine = Scripted(
        {},
        photo=Response(replies=["这是一封律师函，落款没有律师事务所。"], intent="photo_check"),
        photo_delay=1.0,
    )
    adapter: OfficialAdapter = await start(
        engine, customer_service=False, passive_reply_seconds=0.3
    )
    first = await wechat.send(image(ALICE, media_id=LETTER))
    assert first.content == PHOTO_READING_NEXT and "好了吗" in PHOTO_READING_NEXT
    await until(lambda: ALICE in adapter._held)
    nudge = await wechat.send(text(ALICE, "好了吗"))
    assert nudge.content == "这是一封律师函，落款没有律师事务所。"  # not "没太明白"
    # delivered once: the next nudge gets the nudge's own answer
    again = await wechat.send(text(ALICE, "好了吗"))
    assert again.content == "抱歉，我没太明白。"
    assert wechat.sent == []


async def test_without_customer_service_a_nudge_before_the_photo_is_read_is_told_to_wait(
    wechat: FakeWeChat, start: Start
) -> None:
    wechat.media[LETTER] = b"\xff\xd8 bytes"
    engine = Scripted({}, photo_delay=2.5)
    await start(engine, customer_service=False, passive_reply_seconds=0.3)
    assert (await wechat.send(image(ALICE, media_id=LETTER))).content == PHOTO_READING_NEXT
    assert (await wechat.send(text(ALICE, "好了吗"))).content == STILL_WORKING


async def test_without_customer_service_a_reply_waits_for_an_earlier_answer_nearly_ready(
    wechat: FakeWeChat, start: Start
) -> None:
    """The photo is read while the next message's request is open: its result comes with it."""
    wechat.media[LETTER] = b"\xff\xd8 bytes"
    engine = Scripted({}, photo_delay=1.2)
    await start(engine, customer_service=False, passive_reply_seconds=1.0)
    assert (await wechat.send(image(ALICE, media_id=LETTER))).content == PHOTO_READING_NEXT
    assert (await wechat.send(text(ALICE, "好了吗"))).content == "照片的结果。"


async def test_without_customer_service_an_urgent_message_is_answered_first(
    wechat: FakeWeChat, start: Start
) -> None:
    wechat.media[LETTER] = b"\xff\xd8 bytes"
    urgent = Response(replies=["马上打110。"], intent="threat_or_violence", urgent=True)
    engine = Scripted({"他们在砸门": urgent}, photo_delay=0.8)
    adapter = await start(engine, customer_service=False, passive_reply_seconds=0.3)
    await wechat.send(image(ALICE, media_id=LETTER))
    await until(lambda: ALICE in adapter._held)
    reply = await wechat.send(text(ALICE, "他们在砸门"))
    assert reply.content == "马上打110。\n\n照片的结果。"


async def test_without_customer_service_a_slow_text_answer_comes_with_the_next_message(
    wechat: FakeWeChat, start: Start
) -> None:
    engine = StandIn(delay=0.8)
    adapter = await start(engine, customer_service=False, passive_reply_seconds=0.2)
    assert (await wechat.send(text(ALICE, "慢慢答"))).content == ACK_NEXT
    await until(lambda: ALICE in adapter._held)
    # another follower's messages never get Alice's answer
    bob = await wechat.send(text(BOB, "我是鲍勃"))
    assert "慢慢答" not in (bob.content or "")
    # the next message's answer is slow too: the held one comes now, with the note
    nxt = await wechat.send(text(ALICE, "问题二"))
    assert nxt.content == f"答：慢慢答\n\n{ACK_NEXT}"
    await until(lambda: ALICE in adapter._held)
    assert (await wechat.send(text(ALICE, "问题三"))).content == f"答：问题二\n\n{ACK_NEXT}"
    assert wechat.sent == []


async def test_without_customer_service_an_automatic_event_does_not_take_the_held_answer(
    wechat: FakeWeChat, start: Start
) -> None:
    wechat.media[LETTER] = b"\xff\xd8 bytes"
    engine = Scripted({}, photo_delay=0.6)
    adapter = await start(engine, customer_service=False, passive_reply_seconds=0.2)
    await wechat.send(image(ALICE, media_id=LETTER))
    await until(lambda: ALICE in adapter._held)
    location = await wechat.send(event(ALICE, "LOCATION"))
    assert (location.status, location.body) == (200, "success")
    assert (await wechat.send(text(ALICE, "好了吗"))).content == "照片的结果。"

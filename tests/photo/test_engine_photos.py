"""Photos through the engine: the photo check, the note without bytes, groups, the record of
unanswered photos, other conversations answered while a photo is read, lazy loading."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys

from PIL import Image

from bot.config import GroupsConfig
from bot.conversation import texts
from bot.engine import Engine, Understanding
from bot.messages import Incoming, MessageKind
from bot.storage.sessions.memory import MemoryStore
from bot.storage.turns.memory import MemoryTurnLog
from tests.harness import ROOT, memory_config
from tests.photo import render
from tests.photo.samples import photo_bytes


def photo(data: bytes, **kwargs: object) -> Incoming:
    return Incoming(
        user=str(kwargs.pop("user", "alice")), text="", kind=MessageKind.IMAGE, image=data, **kwargs
    )  # type: ignore[arg-type]


async def test_a_photo_gets_the_photo_check(engine: Engine) -> None:
    response = await engine.handle(photo(photo_bytes("police_sms")))
    assert response.intent == "photo_check" and response.urgent
    assert "96110" in response.replies[0]


async def test_an_image_without_bytes_keeps_the_type_text_note(engine: Engine) -> None:
    response = await engine.handle(Incoming(user="bob", text="", kind=MessageKind.IMAGE))
    assert response.replies == [texts.NON_TEXT]


async def test_a_bad_file_gets_a_sentence_not_an_apology(engine: Engine) -> None:
    response = await engine.handle(photo(b"GIF89a broken"))
    assert response.intent == "photo_rejected"
    assert response.replies and texts.APOLOGY not in response.replies


async def test_an_unaddressed_group_photo_is_left_alone_by_default(engine: Engine) -> None:
    response = await engine.handle(photo(photo_bytes("police_sms"), room="g1", addressed=False))
    assert response.silent


async def test_a_group_that_answers_confident_questions_gets_papers_answered_privately(
    understanding: Understanding,
) -> None:
    config = memory_config(groups=GroupsConfig(answer_confident_questions=True))
    engine = Engine(config, understanding, MemoryStore(600))
    try:
        letter = await engine.handle(
            photo(photo_bytes("collection_bad"), room="g1", addressed=False)
        )
        assert letter.intent == "photo_check"
        assert "李四" not in "\n".join(letter.replies)
        blank = io.BytesIO()
        Image.new("RGB", (640, 480), "white").save(blank, "PNG")
        holiday = await engine.handle(photo(blank.getvalue(), room="g1", addressed=False))
        assert holiday.silent
    finally:
        await engine.close()


async def test_an_unclear_photo_is_recorded_masked_for_the_report(
    understanding: Understanding,
) -> None:
    turn_log = MemoryTurnLog(3600, 100)
    engine = Engine(memory_config(), understanding, MemoryStore(600), turn_log)
    try:
        image = render.letter(["周末聚餐安排", "地点：老地方", "有事打我电话13812345678"])
        response = await engine.handle(photo(render.encode(image)))
        assert response.intent == "fallback"
        await engine.insights.flush()
        [turn] = await turn_log.query(since=0)
        assert turn.intent == "fallback" and turn.text is not None
        assert "聚餐" in turn.text and "138****5678" in turn.text
        assert "13812345678" not in turn.text
    finally:
        await engine.close()


async def test_other_conversations_are_answered_while_a_photo_is_read(engine: Engine) -> None:
    big = render.encode(render.phone_photo(render.letter(["催收函"] * 12), scale=1.3))
    reading = asyncio.create_task(engine.handle(photo(big, user="carol")))
    await asyncio.sleep(0.05)  # the photo is in the reader now
    text = await engine.handle(Incoming(user="dave", text="催收的人在门口"))
    assert text.intent == "collector_at_door"
    assert not reading.done(), "the text waited for the photo"
    assert (await reading).intent == "photo_check"


def test_a_bot_that_never_sees_a_photo_never_loads_the_ocr() -> None:
    code = (
        "import asyncio, sys\n"
        "from bot.engine import Engine\n"
        "from bot.messages import Incoming\n"
        "from tests.harness import memory_config\n"
        "async def main():\n"
        "    engine = await Engine.create(memory_config())\n"
        "    await engine.handle(Incoming(user='u', text='催收的人在门口'))\n"
        "    await engine.close()\n"
        "asyncio.run(main())\n"
        "heavy = [m for m in ('PIL', 'cv2', 'onnxruntime', 'rapidocr_onnxruntime')\n"
        "         if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


async def test_with_the_photo_check_off_a_photo_gets_the_type_text_note(
    understanding: Understanding,
) -> None:
    from bot.config import PhotoConfig

    config = memory_config(
        photo=PhotoConfig(enabled=False), groups=GroupsConfig(answer_confident_questions=True)
    )
    engine = Engine(config, understanding, MemoryStore(600))
    try:
        response = await engine.handle(photo(photo_bytes("police_sms")))
        assert response.replies == [texts.NON_TEXT]
        group = await engine.handle(photo(photo_bytes("police_sms"), room="g", addressed=False))
        assert group.silent
    finally:
        await engine.close()


async def test_photos_beyond_the_waiting_limit_are_asked_to_come_again() -> None:
    from bot.photo import check_photo
    from bot.photo.answer import BUSY
    from bot.photo.reader import PhotoReader, default_reader

    default_reader().load()
    reader = PhotoReader(concurrency=1, max_waiting=1)
    reader._ocr = default_reader()._ocr  # the model already loaded (once per session)
    data = photo_bytes("collection_bad")
    answers = await asyncio.gather(*(check_photo(data, reader=reader) for _ in range(3)))
    intents = sorted(a.intent for a in answers)
    assert intents == ["photo_busy", "photo_check", "photo_check"]
    assert next(a for a in answers if a.intent == "photo_busy").replies[0] == BUSY


async def test_what_a_paper_showed_is_part_of_the_situation(engine: Engine) -> None:
    """After a photo of a 催收函 (招商银行, 12,345.67元, payee a person): "这封信是真的吗" is
    answered from what the photo showed, and "每月还多少合适" does not ask the amount again."""
    letter = await engine.handle(photo(photo_bytes("collection_bad"), user="paper"))
    assert letter.intent == "photo_check"
    real = await engine.handle(Incoming(user="paper", text="这封信是真的吗"))
    text = "\n".join(real.replies)
    assert "收款人是个人" in text and "招商银行官方客服" in text, text
    assert real.intent != "fallback"
    monthly = await engine.handle(Incoming(user="paper", text="每月还多少合适"))
    text = "\n".join(monthly.replies)
    assert "12,345" in text or "1万" in text or "12345" in text, text
    assert "大概欠多少" not in text


def test_a_paper_survives_the_store_and_old_sessions_read_without_it() -> None:
    from bot.conversation.state import Paper, Session

    session = Session(key="k", paper=Paper("collection_letter", "招商银行", 12345.67, None, True))
    again = Session.from_json(session.to_json())
    assert again.paper == session.paper
    old = '{"key": "k", "details": {"amount": 5000.0, "police": "called"}}'
    before = Session.from_json(old)
    assert before.paper is None and before.details.amount == 5000.0
    assert before.details.police == "called"

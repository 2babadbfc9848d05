"""A new answer written in the console (bot/console/answers.py, Teacher.add_answer): the
question bank's shape, checked by the content loader, previewed first and written only when
confirmed (with the preview's digest), answered right afterwards, recorded and undone; and
the same over HTTP behind the console's login and CSRF checks."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.console.answers import MIN_PHRASINGS, NewAnswer, sentences
from bot.console.editing import EditError
from bot.engine import Engine
from bot.messages import Incoming
from tests.console.conftest import Browser, console_on
from tests.console.desk import Desk, desk_config

QUESTION = "过年期间催收还能打电话吗"
SHORT = (
    "过年也一样：未经你同意，22点到次日8点不得打电话或上门催收（行业指引）。"
    "被频繁打扰或威胁，可以录音留证，打12378投诉。"
)
PHRASINGS = (
    "春节催收打电话合法吗",
    "大年三十催收还在打电话",
    "过年了催收还天天打",
    "春节假期催收能不能停一停",
    "除夕还被催收电话骚扰",
    "年初一催收就打电话来了",
    "过年期间被催收打电话怎么投诉",
)
FACTS = ("guideline_quiet_hours", "channel_12378")


def holiday(**changes: Any) -> NewAnswer:
    fields: dict[str, Any] = {
        "intent": "harassment",
        "question": QUESTION,
        "short": SHORT,
        "facts": FACTS,
        "lenders": ("any",),
        "phrasings": PHRASINGS,
    }
    fields.update(changes)
    return NewAnswer(**fields)


async def ask(engine: Engine, text: str, user: str) -> list[str]:
    return (await engine.handle(Incoming(user=user, text=text, platform="test"))).replies


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if not p.name.startswith(".")}


async def test_a_new_answer_is_previewed_confirmed_answered_and_undone(desk: Desk) -> None:
    path = desk.intents / "harassment.yaml"
    original = path.read_text()
    files = files_of(desk.intents)
    assert SHORT not in await ask(desk.engine, QUESTION, "u0")

    preview = await desk.teacher.add_answer(holiday(), who="王老师")
    assert preview.status == "preview" and preview.change is None
    assert files_of(desk.intents) == files  # nothing written
    assert await desk.records.changes() == []
    assert [text for text, _ in preview.readings] == [QUESTION, *PHRASINGS]
    assert sum(r.answered for _, r in preview.readings) >= len(PHRASINGS) // 2
    assert preview.before.topic_total == preview.after.topic_total > 300

    # a confirmation naming another answer (changed since the preview) writes nothing either
    stale = await desk.teacher.add_answer(holiday(), who="王老师", confirm=True, digest="0" * 16)
    assert stale.status == "preview" and files_of(desk.intents) == files

    written = await desk.teacher.add_answer(
        holiday(), who="王老师", confirm=True, digest=preview.digest
    )
    assert written.status == "written" and written.change is not None
    added = [
        line[2:]
        for line in difflib.ndiff(original.splitlines(), path.read_text().splitlines())
        if line[:2] in ("+ ", "- ")
    ]
    assert added[0] == f"  - id: {written.answer_id}" and all(
        line.startswith("    ") or line.startswith("  - ") for line in added
    )
    data = yaml.safe_load(path.read_text())
    [entry] = [a for a in data["answers"] if a["id"] == written.answer_id]
    assert entry == {
        "id": written.answer_id,
        "examples": [QUESTION, *PHRASINGS],
        "short": SHORT,
        "facts": list(FACTS),
    }
    # the live content has it, and the bot gives it right afterwards
    spec, answer = desk.engine.understanding.content.answer(written.answer_id)
    assert spec.id == "harassment" and answer.short == SHORT
    assert SHORT in await ask(desk.engine, QUESTION, "u1")
    [change] = await desk.records.changes()
    assert (change.who, change.action) == ("王老师", "add_answer")
    assert change.data["answer"] == written.answer_id and change.data["text"] == QUESTION

    await desk.teacher.undo(change.id, who="李老师")
    assert path.read_text() == original
    with pytest.raises(KeyError):
        desk.engine.understanding.content.answer(written.answer_id)
    assert SHORT not in await ask(desk.engine, QUESTION, "u2")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"intent": "no_such_topic"}, "属于哪个话题"),
        ({"question": ""}, "人们会问的问题"),
        ({"short": "第一句。第二句。第三句。第四句。"}, "一到三句话，现在是 4 句"),
        ({"short": "长" * 241}, "太长"),
        ({"short": "打我电话13812345678。"}, "个人信息"),
        ({"facts": ()}, "至少选择一条"),
        ({"facts": ("no_such_fact",)}, "没有「no_such_fact」"),
        ({"facts": ("hours_8_to_21",)}, "还没有核实"),
        ({"lenders": ("any", "bank_card")}, "不用再选别的"),
        ({"lenders": ("pawn_shop",)}, "贷款方选得不对"),
        ({"phrasings": PHRASINGS[:3]}, f"一共要 {MIN_PHRASINGS} 种"),
        ({"phrasings": (*PHRASINGS, "我叫张三 过年催收打电话")}, "个人信息"),
        ({"phrasings": (*PHRASINGS, "要开门吗")}, "已经是"),
    ],
)
async def test_what_cannot_be_written_is_refused_in_plain_words(
    desk: Desk, changes: dict[str, Any], reason: str
) -> None:
    files = files_of(desk.intents)
    with pytest.raises(EditError, match=reason):
        await desk.teacher.add_answer(holiday(**changes), who="li", confirm=True)
    assert files_of(desk.intents) == files


def test_sentences_are_counted_as_a_reader_would() -> None:
    assert sentences("不用开门。") == 1
    assert sentences("不用开门") == 1
    assert sentences("不用开门！可以隔着门说话？打110。") == 3
    assert sentences("不用开门。。。") == 1
    assert sentences("") == 0


# ----- over HTTP ---------------------------------------------------------------------------


@pytest.fixture
async def served(tmp_path: Path) -> Any:
    from pydantic import SecretStr

    from bot.engine import Understanding
    from bot.storage.sessions.memory import MemoryStore
    from bot.storage.turns.memory import MemoryTurnLog
    from tests.adapters.test_http_api import http_config
    from tests.console.conftest import ADMIN_TOKEN

    config = desk_config(tmp_path)
    http = http_config(admin_token=SecretStr(ADMIN_TOKEN)).platforms.http
    config = config.model_copy(
        update={"platforms": config.platforms.model_copy(update={"http": http})}
    )
    engine = Engine(
        config, Understanding.build(config), MemoryStore(600), MemoryTurnLog(3600, 1000)
    )
    async with console_on(engine, config) as browser:
        yield browser, engine, Path(config.intents_dir)
    await engine.close()


async def test_the_new_answer_over_http_needs_a_confirmation(
    served: tuple[Browser, Engine, Path],
) -> None:
    browser, engine, intents = served
    assert await browser.login() == 303
    form = await browser.get_json("/admin/api/answer_form")
    assert {
        "id": "harassment",
        "title": engine.understanding.content.intent("harassment").title,
    } in (form["intents"])
    facts = {f["id"] for f in form["facts"]}
    assert set(FACTS) <= facts and "hours_8_to_21" not in facts  # verified facts only
    assert form["min_phrasings"] == MIN_PHRASINGS
    body = {
        "intent": "harassment",
        "question": QUESTION,
        "short": SHORT,
        "facts": list(FACTS),
        "lenders": ["any"],
        "phrasings": "\n".join(PHRASINGS),
    }
    files = files_of(intents)
    status, preview = await browser.post("/admin/api/answer", body)
    assert status == 200 and preview["status"] == "preview" and preview["change"] is None
    assert files_of(intents) == files
    # without the CSRF token nothing happens
    status, _ = await browser.post(
        "/admin/api/answer", {**body, "confirm": True, "digest": preview["digest"]}, csrf=None
    )
    assert status == 403 and files_of(intents) == files
    status, written = await browser.post(
        "/admin/api/answer", {**body, "confirm": True, "digest": preview["digest"]}
    )
    assert status == 200 and written["status"] == "written" and written["change"]
    assert SHORT in await ask(engine, QUESTION, "web")
    changes = await browser.get_json("/admin/api/changes")
    assert changes["changes"][0]["action"] == "add_answer"
    # a refusal comes back as one plain sentence
    status, refused = await browser.post("/admin/api/answer", {**body, "short": "一。二。三。四。"})
    assert status == 422 and "一到三句话" in refused["error"]["message"]

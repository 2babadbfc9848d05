"""The Inbox and Changes endpoints over real HTTP (bot/console/inbox_api.py): the console's
login and CSRF protect them, teaching answers the eval before and after, a drop asks for
confirmation, decisions and undo go through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Config, SessionsConfig
from bot.engine import Engine, Understanding
from bot.storage.sessions.memory import MemoryStore
from bot.storage.turns.memory import MemoryTurnLog
from tests.console.conftest import Browser, console_config, console_on
from tests.console.desk import cannot_answer, copy_intents

VISITORS_AGAIN = "昨天那帮人来过了"


def inbox_config(tmp_path: Path) -> Config:
    """The console on, the content a copy in tmp_path, the console's records in tmp_path."""
    config = console_config()
    return config.model_copy(
        update={
            "intents_dir": str(copy_intents(tmp_path / "intents")),
            "sessions": SessionsConfig(store="memory", sqlite_path=str(tmp_path / "s.sqlite3")),
        }
    )


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Browser, Engine, Path]]:
    config = inbox_config(tmp_path)
    engine = Engine(
        config, Understanding.build(config), MemoryStore(600), MemoryTurnLog(3600, 1000)
    )
    async with console_on(engine, config) as browser:
        yield browser, engine, Path(config.intents_dir)
    await engine.close()


async def send(browser: Browser, text: str, user: str = "u") -> dict[str, Any]:
    status, body, _ = await browser.request(
        "POST", "/v1/messages", json_body={"conversation": user, "user": user, "text": text}
    )
    assert status == 200, body
    return body  # type: ignore[no-any-return]


ENDPOINTS = [
    ("GET", "/admin/api/inbox", None),
    ("GET", "/admin/api/changes", None),
    ("GET", "/admin/api/answer_form", None),
    ("POST", "/admin/api/teach", {"text": "x", "intent": "harassment"}),
    ("POST", "/admin/api/answer", {"intent": "harassment"}),
    ("POST", "/admin/api/off_topic", {"group": "x"}),
    ("POST", "/admin/api/dismiss", {"group": "x"}),
    ("POST", "/admin/api/undo", {"change": 1}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_nothing_is_served_without_a_login(
    served: tuple[Browser, Engine, Path], method: str, path: str, body: object
) -> None:
    browser, _, intents = served
    before = (intents / "harassment.yaml").read_text()
    status, answer, _ = await browser.request(method, path, json_body=body)
    assert status == 401 and answer["error"]["code"] == "not_logged_in"
    assert (intents / "harassment.yaml").read_text() == before


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if e[0] == "POST"])
@pytest.mark.parametrize(("csrf", "origin"), [(None, ""), ("forged", ""), ("", "http://evil")])
async def test_every_change_needs_the_csrf_token_and_our_origin(
    served: tuple[Browser, Engine, Path],
    method: str,
    path: str,
    body: object,
    csrf: str | None,
    origin: str,
) -> None:
    browser, _, intents = served
    assert await browser.login() == 303
    before = (intents / "harassment.yaml").read_text()
    status, answer = await browser.post(path, body, csrf=csrf, origin=origin)
    assert status == 403 and answer["error"]["code"] in ("csrf", "origin")
    assert (intents / "harassment.yaml").read_text() == before
    assert (await browser.get_json("/admin/api/changes"))["changes"] == []


async def test_teach_from_the_inbox_and_undo_over_http(
    served: tuple[Browser, Engine, Path],
) -> None:
    browser, engine, intents = served
    text = cannot_answer(engine)  # picked by what the model says today
    guess = engine.understanding.reader.read(text).direct
    assert guess is not None and guess.answer is not None
    short = engine.understanding.content.answer(guess.answer)[1].short
    assert (await send(browser, text, "a"))["intent"] in ("fallback", "clarify")
    assert await browser.login("李老师") == 303
    inbox = await browser.get_json("/admin/api/inbox")
    [group] = inbox["groups"]
    assert group["representative"] == text and group["state"] == "open"
    assert inbox["counts"] == {"open": 1, "taught": 0, "off_topic": 0, "dismissed": 0}
    assert {"id": "collector_at_door", "title": "催收人员上门"} in inbox["catalogue"]["intents"]
    assert any(a["id"] == "open_door" for a in inbox["catalogue"]["answers"])

    status, taught = await browser.post(
        "/admin/api/teach",
        {
            "text": text,
            "intent": guess.intent,
            "answer": guess.answer,
            "group": group["signature"],
        },
    )
    assert status == 200, taught
    assert taught["status"] == "written" and taught["reading"]["answered"] is True
    assert taught["learns_later"] is False
    assert set(taught["before"]) == {"topic", "direct", "topic_total", "direct_expected"}
    title = engine.understanding.content.intent(guess.intent).title
    assert taught["title"] == title
    assert (await browser.get_json("/admin/api/inbox"))["counts"]["taught"] == 1
    assert short in (await send(browser, text, "b"))["replies"]

    changes = (await browser.get_json("/admin/api/changes"))["changes"]
    assert [(c["action"], c["who"], c["title"]) for c in changes] == [
        ("add_example", "李老师", title)
    ]
    status, undone = await browser.post("/admin/api/undo", {"change": changes[0]["id"]})
    assert status == 200 and undone["undo"]["undoes"] == changes[0]["id"]
    data = yaml.safe_load((intents / f"{guess.intent}.yaml").read_text())
    [answer] = [a for a in data["answers"] if a["id"] == guess.answer]
    assert text not in answer["examples"]
    assert short not in (await send(browser, text, "c"))["replies"]
    assert (intents.parent / "console.sqlite3").exists()  # beside the sessions' file
    status, again = await browser.post("/admin/api/undo", {"change": changes[0]["id"]})
    assert status == 422 and "已经撤销过" in again["error"]["message"]
    assert (await browser.get_json("/admin/api/inbox"))["counts"]["open"] == 1


async def test_refusals_and_bad_requests_are_json(served: tuple[Browser, Engine, Path]) -> None:
    browser, _, _ = served
    assert await browser.login() == 303
    status, body = await browser.post(
        "/admin/api/teach", {"text": "我的电话13812345678", "intent": "harassment"}
    )
    assert status == 422 and "个人信息" in body["error"]["message"]
    status, body = await browser.post("/admin/api/teach", {"intent": "harassment"})
    assert status == 400
    status, body = await browser.post("/admin/api/undo", {"change": "1"})
    assert status == 400
    status, body = await browser.post("/admin/api/dismiss", {"group": "nope"})
    assert status == 404 and body["error"]["code"] == "no_such_group"
    status, body, _ = await browser.request("GET", "/admin/api/inbox?state=weird")
    assert status == 400


async def test_off_topic_and_dismiss_over_http(served: tuple[Browser, Engine, Path]) -> None:
    browser, _, _ = served
    await send(browser, "红烧肉怎么做", "a")
    await send(browser, "推荐一部电影", "b")
    assert await browser.login() == 303
    groups = {
        g["representative"]: g for g in (await browser.get_json("/admin/api/inbox"))["groups"]
    }
    status, _ = await browser.post(
        "/admin/api/off_topic", {"group": groups["红烧肉怎么做"]["signature"]}
    )
    assert status == 200
    status, _ = await browser.post(
        "/admin/api/dismiss", {"group": groups["推荐一部电影"]["signature"]}
    )
    assert status == 200
    data = await browser.get_json("/admin/api/inbox?state=all")
    assert {g["representative"]: g["state"] for g in data["groups"]} == {
        "红烧肉怎么做": "off_topic",
        "推荐一部电影": "dismissed",
    }
    assert (await browser.get_json("/admin/api/inbox"))["groups"] == []  # none open
    actions = [c["action"] for c in (await browser.get_json("/admin/api/changes"))["changes"]]
    assert actions == ["dismiss", "off_topic"]

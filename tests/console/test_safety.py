"""The safety view (安全) over real HTTP on 127.0.0.1 (bot/console/safety.py): clear- and
possible-danger messages sent through the HTTP API appear, masked, newest first, behind the
admin login; calm ones do not; a counsellor's mark (已查看 / 误报) is written to the console's
SQLite file and is still there after a restart."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config, SessionsConfig
from bot.engine import Engine
from tests.console.conftest import Browser, console_config, console_on

PHONE = "13812345678"
CLEAR = f"他拿着刀在我家楼下，说要砍我，我电话{PHONE}"
POSSIBLE = "最近觉得自己是家里的累赘"
CALM = "怎么核实催收人员的身份"


def safety_config(tmp_path: Path) -> Config:
    """The console on; sessions and the turn log in a SQLite file in tmp_path (the console's
    database beside it)."""
    return console_config().model_copy(
        update={"sessions": SessionsConfig(store="sqlite", sqlite_path=str(tmp_path / "s.sqlite3"))}
    )


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Browser, Engine]]:
    config = safety_config(tmp_path)
    engine = await Engine.create(config)
    try:
        async with console_on(engine, config) as browser:
            yield browser, engine
    finally:
        await engine.close()


def files_bytes(directory: Path) -> bytes:
    """Every file in ``directory`` (the databases, their WAL and shared memory)."""
    return b"".join(p.read_bytes() for p in directory.iterdir() if p.is_file())


async def send(browser: Browser, text: str, user: str) -> dict[str, Any]:
    status, body, _ = await browser.request(
        "POST", "/v1/messages", json_body={"conversation": user, "user": user, "text": text}
    )
    assert status == 200, body
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "/admin/api/safety", None), ("POST", "/admin/api/safety/mark", {"ref": "x"})],
)
async def test_nothing_is_served_without_a_login(
    served: tuple[Browser, Engine], method: str, path: str, body: object
) -> None:
    browser, _ = served
    await send(browser, CLEAR, "alice")
    status, answer, _ = await browser.request(method, path, json_body=body)
    assert status == 401 and answer["error"]["code"] == "not_logged_in"
    assert await browser.login(token="wrong-token-wrong-token") == 401
    status, _, _ = await browser.request(method, path, json_body=body)
    assert status == 401


async def test_a_mark_needs_the_csrf_token_and_our_origin(served: tuple[Browser, Engine]) -> None:
    browser, _ = served
    await send(browser, CLEAR, "alice")
    assert await browser.login() == 303
    [turn] = (await browser.get_json("/admin/api/safety"))["turns"]
    for csrf, origin in [(None, ""), ("forged", ""), ("", "http://evil")]:
        status, answer = await browser.post(
            "/admin/api/safety/mark",
            {"ref": turn["ref"], "state": "reviewed"},
            csrf=csrf,
            origin=origin,
        )
        assert status == 403 and answer["error"]["code"] in ("csrf", "origin")
    assert (await browser.get_json("/admin/api/safety"))["turns"][0]["mark"] is None


async def test_danger_turns_appear_masked_newest_first_and_marks_persist(
    tmp_path: Path,
) -> None:
    config = safety_config(tmp_path)
    engine = await Engine.create(config)
    try:
        async with console_on(engine, config) as browser:
            for text, user in [(CLEAR, "alice"), (CALM, "bob"), (POSSIBLE, "carol")]:
                await send(browser, text, user)
            assert await browser.login("值班的张老师") == 303
            data = await browser.get_json("/admin/api/safety")
            possible, clear = data["turns"]  # newest first; the calm message is not there
            assert data["counts"] == {"open": 2, "reviewed": 0, "false_alarm": 0}
            assert data["recording"] is True
            assert (possible["tier"], possible["tier_label"]) == ("possible", "可能危险")
            assert (possible["kind"], possible["kind_label"]) == ("self_harm", "自伤或轻生")
            assert possible["text"] == POSSIBLE and possible["rule_label"]
            assert (clear["tier"], clear["tier_label"], clear["kind"]) == (
                "clear",
                "明确危险",
                "violence",
            )
            assert clear["text"] == CLEAR.replace(PHONE, "138****5678")
            assert clear["platform"] == "http" and clear["rule"]
            assert clear["conversation"].startswith("http:u:") and "alice" not in str(data)
            assert possible["at"] > clear["at"]
            assert PHONE not in str(data)

            status, marked = await browser.post(
                "/admin/api/safety/mark", {"ref": clear["ref"], "state": "false_alarm"}
            )
            assert status == 200, marked
            assert marked["mark"]["who"] == "值班的张老师"
            assert marked["mark"]["label"] == "误报"
            status, _ = await browser.post(
                "/admin/api/safety/mark", {"ref": possible["ref"], "state": "reviewed"}
            )
            assert status == 200
            shown = await browser.get_json("/admin/api/safety?state=false_alarm")
            assert [t["ref"] for t in shown["turns"]] == [clear["ref"]]
            assert shown["counts"] == {"open": 0, "reviewed": 1, "false_alarm": 1}
            assert (await browser.get_json("/admin/api/safety?state=open"))["turns"] == []

            status, refused = await browser.post(
                "/admin/api/safety/mark", {"ref": "0" * 16, "state": "reviewed"}
            )
            assert status == 404 and refused["error"]["code"] == "no_such_turn"
            status, refused = await browser.post(
                "/admin/api/safety/mark", {"ref": clear["ref"], "state": "deleted"}
            )
            assert status == 400
            status, _, _ = await browser.request("GET", "/admin/api/safety?state=nonsense")
            assert status == 400
    finally:
        await engine.close()

    with sqlite3.connect(tmp_path / "console.sqlite3") as db:
        rows = db.execute("SELECT who, ref, state FROM safety_marks ORDER BY id").fetchall()
    assert rows == [
        ("值班的张老师", clear["ref"], "false_alarm"),
        ("值班的张老师", possible["ref"], "reviewed"),
    ]
    assert PHONE.encode() not in files_bytes(tmp_path)  # masked on disk too

    engine = await Engine.create(config)  # a restart: the turns and the marks are still there
    try:
        async with console_on(engine, config) as browser:
            assert await browser.login() == 303
            data = await browser.get_json("/admin/api/safety")
            assert [(t["ref"], t["mark"]["state"]) for t in data["turns"]] == [
                (possible["ref"], "reviewed"),
                (clear["ref"], "false_alarm"),
            ]
    finally:
        await engine.close()


async def test_the_tab_is_listed_and_its_script_served(served: tuple[Browser, Engine]) -> None:
    browser, _ = served
    assert await browser.login() == 303
    sections = (await browser.get_json("/admin/api/session"))["sections"]
    assert {"id": "safety", "title": "安全", "script": "safety.js"} in sections
    for name in ("safety.js", "safety.css"):
        status, body, _ = await browser.request("GET", f"/admin/static/{name}")
        assert status == 200 and body

"""Every state-changing console request needs the session's CSRF token and this server's
Origin; the extension API (endpoints added by another module) gets the same checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.console import web as console_web
from bot.engine import Engine
from tests.console import echo_extension
from tests.console.conftest import Browser, console_config, console_on


@pytest.fixture
async def extended(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Browser]:
    """A console with the test extension installed, logged in."""
    monkeypatch.setattr(
        console_web, "EXTENSIONS", (*console_web.EXTENSIONS, "tests.console.echo_extension")
    )
    echo_extension.CHANGES.clear()
    echo_extension.CLOSED.clear()
    echo_extension.INSTALLED.clear()
    async with console_on(engine) as browser:
        assert await browser.login("李老师") == 303
        yield browser
    # each server stopped: the extension cleaned up once per console (a failing cleanup
    # beside it did not stop it)
    assert len(echo_extension.CLOSED) == len(echo_extension.INSTALLED)
    assert set(echo_extension.CLOSED) == {"closed"}
    assert echo_extension.INSTALLED


async def test_a_post_with_the_token_and_origin_goes_through(extended: Browser) -> None:
    status, body = await extended.post("/admin/api/echo", {"intent": "harassment"})
    assert status == 200, body
    assert body == {"who": "李老师", "got": {"intent": "harassment"}}
    assert echo_extension.CHANGES == [("李老师", {"intent": "harassment"})]
    assert await extended.get_json("/admin/api/whoami") == {"who": "李老师"}
    status, body = await extended.post("/admin/api/items/a7/pick")
    assert (status, body) == (200, {"item": "a7"})


@pytest.mark.parametrize("csrf", [None, "  ", "x" * 43, "wrong"])
async def test_a_post_without_the_right_csrf_token_is_refused(
    extended: Browser, csrf: str | None
) -> None:
    status, body = await extended.post("/admin/api/echo", {"intent": "harassment"}, csrf=csrf)
    assert status == 403
    assert body["error"]["code"] == "csrf"
    assert "刷新" in body["error"]["message"]
    assert echo_extension.CHANGES == []


async def test_another_sessions_csrf_token_is_refused(extended: Browser, engine: Engine) -> None:
    async with console_on(engine) as other:
        assert await other.login("别人") == 303
        status, _ = await extended.post("/admin/api/echo", {"a": 1}, csrf=other.csrf)
    assert status == 403
    assert echo_extension.CHANGES == []


@pytest.mark.parametrize(
    "origin", [None, "null", "http://evil.example", "http://127.0.0.1:1", "https://127.0.0.1"]
)
async def test_a_post_from_another_origin_is_refused(extended: Browser, origin: str | None) -> None:
    status, body = await extended.post("/admin/api/echo", {"a": 1}, origin=origin)
    assert status == 403
    assert body["error"]["code"] == "origin"
    assert echo_extension.CHANGES == []


async def test_logout_needs_the_csrf_token(extended: Browser) -> None:
    status, body = await extended.post("/admin/logout", csrf=None)
    assert status == 403 and body["error"]["code"] == "csrf"
    assert await extended.get_json("/admin/api/whoami") == {"who": "李老师"}  # still in
    status, _ = await extended.post("/admin/logout", origin="http://evil.example")
    assert status == 403
    status, _ = await extended.post("/admin/logout")
    assert status == 200


async def test_login_from_another_origin_is_refused(browser: Browser) -> None:
    from tests.console.conftest import ADMIN_TOKEN

    status, body, _ = await browser.request(
        "POST",
        "/admin/login",
        data={"name": "王老师", "token": ADMIN_TOKEN},
        headers={"Origin": "http://evil.example"},
    )
    assert status == 403
    assert body["error"]["code"] == "origin"
    assert browser.session_cookie() is None


async def test_put_and_delete_are_checked_too(extended: Browser) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        status, body, _ = await extended.request(method, "/admin/api/echo")
        assert (status, body["error"]["code"]) == (403, "origin"), method  # before the 405
        status, _, _ = await extended.request(
            method,
            "/admin/api/echo",
            headers={"X-CSRF-Token": extended.csrf, "Origin": extended.origin},
        )
        assert status == 405, method


async def test_extension_errors_and_bad_bodies_are_json(
    extended: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    status, body = await extended.post("/admin/api/echo", {"refuse": True})
    assert (status, body["error"]["code"]) == (422, "refused")
    status, body = await extended.post("/admin/api/echo", {"crash": True})
    assert (status, body["error"]["code"]) == (500, "internal_error")
    assert "a bug in an extension" in caplog.text and "Traceback" not in str(body)
    status, body, _ = await extended.request(
        "POST",
        "/admin/api/echo",
        data=b"{not json",
        headers={
            "Content-Type": "application/json",
            "X-CSRF-Token": extended.csrf,
            "Origin": extended.origin,
        },
    )
    assert (status, body["error"]["code"]) == (400, "invalid_json")
    status, body, _ = await extended.request(
        "POST",
        "/admin/api/echo",
        data=b"a=1",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRF-Token": extended.csrf,
            "Origin": extended.origin,
        },
    )
    assert (status, body["error"]["code"]) == (415, "unsupported_media_type")


def test_a_section_needs_its_script(engine: Engine) -> None:
    from bot.console.web import Console
    from tests.console.conftest import ADMIN_TOKEN, console_config

    console = Console(console_config(), engine, ADMIN_TOKEN)
    with pytest.raises(ValueError, match=r"static/missing\.js is missing"):
        console.section("inbox", "待处理消息", script="missing.js")
    console.section("inbox", "收件箱", script="overview.js", order=5)
    assert [s.id for s in console.sections][:1] == ["inbox"]


async def test_a_big_json_body_is_refused(extended: Browser) -> None:
    status, body = await extended.post("/admin/api/echo", {"text": "字" * 100_000})
    assert (status, body["error"]["code"]) == (413, "body_too_large")
    assert echo_extension.CHANGES == []


@pytest.mark.parametrize("trusted", [True, False])
async def test_a_trusted_proxy_may_name_the_original_host(engine: Engine, trusted: bool) -> None:
    """Behind a proxy that passes ``Host: 127.0.0.1:port``, the page's Origin is the public
    name; a trusted proxy says it in X-Forwarded-Host, anyone else is not believed."""
    config = console_config(
        trusted_proxies=["127.0.0.1"] if trusted else [],
        allowed_hosts=["127.0.0.1", "chat.example.org"],
    )
    async with console_on(engine, config) as browser:
        assert await browser.login() == 303
        status, body, _ = await browser.request(
            "POST",
            "/admin/logout",
            json_body={},
            headers={
                "Origin": "https://chat.example.org",
                "X-Forwarded-Host": "chat.example.org",
                "X-CSRF-Token": browser.csrf,
            },
        )
    assert status == (200 if trusted else 403), body

"""Who gets into the console: nothing under /admin without a session (pages, static files,
API, unknown paths), the login (wrong token, bad name, rate limit), expiry and logout, the
cookie's attributes, the security headers, and the console being off without a token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

from bot.adapters.http import HttpAdapter
from bot.config import ConfigError, load_config
from bot.console.auth import COOKIE, SessionStore, clean_name, origin_matches
from bot.engine import Engine
from tests.adapters.test_http_api import http_config
from tests.console.conftest import ADMIN_TOKEN, Browser, console_config, console_on, page_message

#: every page, static file and endpoint the console has, and one it has not
PAGES = ["/admin", "/admin/", "/admin/nothing-here", "/admin/static/admin.js"]
STATIC = [
    "/admin/static/chart.umd.js",
    "/admin/static/overview.js",
    "/admin/static/health.js",
    "/admin/static/admin.html",
    "/admin/static/chart.umd.js.LICENSE.txt",
]
API = ["/admin/api/session", "/admin/api/overview", "/admin/api/health", "/admin/api/nope"]


async def test_nothing_is_served_without_a_session(browser: Browser) -> None:
    for path in PAGES + STATIC:
        status, body, resp = await browser.request("GET", path)
        assert status == 303, path
        assert resp.headers["Location"] == "/admin/login", path
        assert "Chart" not in body and "ConsoleApp" not in body, path
    for path in API:
        status, body, _ = await browser.request("GET", path)
        assert status == 401, path
        assert body["error"]["code"] == "not_logged_in"
    for path in ["/admin/logout", "/admin/api/overview", "/admin/", "/admin/static/admin.js"]:
        status, body, _ = await browser.request("POST", path, headers={"Origin": browser.origin})
        assert status == 401, path
    status, _, _ = await browser.request("DELETE", "/admin/api/session")
    assert status == 401


async def test_the_login_page_and_its_stylesheet_are_public(browser: Browser) -> None:
    status, body, resp = await browser.request("GET", "/admin/login")
    assert status == 200
    assert resp.content_type == "text/html"
    assert 'name="token"' in body and 'name="name"' in body
    assert "{{" not in body
    status, body, resp = await browser.request("GET", "/admin/static/admin.css")
    assert status == 200 and resp.content_type == "text/css"


async def test_login_opens_a_session_with_a_strict_cookie(browser: Browser) -> None:
    status, _, resp = await browser.request(
        "POST",
        "/admin/login",
        data={"name": " 王 老师 ", "token": ADMIN_TOKEN},
        headers={"Origin": browser.origin},
    )
    assert status == 303
    assert resp.headers["Location"] == "/admin/"
    cookie = resp.cookies[COOKIE]
    assert len(cookie.value) >= 40
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/admin"
    assert not cookie["secure"]  # plain http on loopback; https requests get Secure

    info = await browser.get_json("/admin/api/session")
    assert info["who"] == "王 老师"
    assert len(info["csrf"]) >= 40 and info["csrf"] != cookie.value
    ids = [s["id"] for s in info["sections"]]
    assert ids == ["overview", "safety", "inbox", "answer", "health", "changes"]
    status, page, _ = await browser.request("GET", "/admin/")
    assert status == 200 and "咨询员控制台" in page
    status, script, _ = await browser.request("GET", "/admin/static/chart.umd.js")
    assert status == 200 and "Chart.js v4" in script[:200]
    # the login page sends a logged-in counsellor on to the console
    status, _, resp = await browser.request("GET", "/admin/login")
    assert (status, resp.headers["Location"]) == (303, "/admin/")


async def test_logging_in_again_replaces_the_earlier_session(browser: Browser) -> None:
    assert await browser.login("王老师") == 303
    first = browser.session_cookie()
    assert await browser.login("王老师") == 303
    assert browser.session_cookie() != first
    assert len(browser.console.sessions) == 1
    assert browser.console.sessions.get(first) is None


async def test_each_login_gets_its_own_random_session(engine: Engine) -> None:
    async with console_on(engine) as first, console_on(engine) as second:
        assert await first.login("甲") == 303
        assert await second.login("乙") == 303
    assert first.session_cookie() != second.session_cookie()
    assert first.csrf != second.csrf


@pytest.mark.parametrize("token", ["", "wrong-token-wrong-token", ADMIN_TOKEN + "x", "letmein"])
async def test_a_wrong_token_is_refused(
    browser: Browser, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    status, body, resp = await browser.request(
        "POST",
        "/admin/login",
        data={"name": "王老师", "token": token},
        headers={"Origin": browser.origin},
    )
    assert status == 401
    assert page_message(body) == "口令不对，请再试一次。"
    assert COOKIE not in resp.cookies and browser.session_cookie() is None
    assert 'value="王老师"' in body  # the name stays filled in
    status, _, _ = await browser.request("GET", "/admin/api/session")
    assert status == 401
    assert ADMIN_TOKEN not in caplog.text
    if token:
        assert token not in caplog.text


@pytest.mark.parametrize("name", ["", "   ", "名" * 33, "a\u0000b"])
async def test_a_name_is_required(browser: Browser, name: str) -> None:
    status, body, _ = await browser.request(
        "POST",
        "/admin/login",
        data={"name": name, "token": ADMIN_TOKEN},
        headers={"Origin": browser.origin},
    )
    assert status == 400
    assert "名字" in page_message(body)
    assert browser.session_cookie() is None


async def test_the_name_shown_back_is_escaped(browser: Browser) -> None:
    status, body, _ = await browser.request(
        "POST",
        "/admin/login",
        data={"name": '"><script>x()</script>', "token": "wrong"},
        headers={"Origin": browser.origin},
    )
    assert status == 401
    assert "<script>x()" not in body
    assert "&quot;&gt;&lt;script&gt;" in body


async def test_wrong_logins_are_slowed_per_client_and_the_right_token_always_gets_in(
    engine: Engine,
) -> None:
    config = console_config(admin_login_per_minute=2)
    async with console_on(engine, config) as browser, aiohttp.ClientSession() as second:
        other = Browser(second, browser.base, browser.console)  # another tab, same address
        for _ in range(2):  # within the free failures: refused at once
            assert await browser.login(token="wrong-wrong-wrong") == 401
        loop = asyncio.get_running_loop()
        started = loop.time()
        status, body, resp = await browser.request(
            "POST",
            "/admin/login",
            data={"name": "王老师", "token": "wrong-wrong-wrong"},
            headers={"Origin": browser.origin},
        )
        assert status == 429 and resp.headers["Retry-After"] == "1"
        assert "错误次数太多" in page_message(body)
        assert loop.time() - started >= 0.9  # answered only after the delay
        # a guesser keeps trying (each now waits 2 s, one at a time) …
        guessing = asyncio.ensure_future(other.login(token="wrong-wrong-wrong"))
        await asyncio.sleep(0.2)
        started = loop.time()
        assert await browser.login("王老师") == 303  # … the right token gets in at once
        assert loop.time() - started < 1.5
        assert browser.session_cookie() is not None
        assert await guessing == 429


@pytest.mark.parametrize(
    ("trusted", "headers", "secure"),
    [
        ([], {}, False),
        ([], {"X-Forwarded-Proto": "https"}, False),  # anyone can send the header
        (["127.0.0.1"], {"X-Forwarded-Proto": "https"}, True),
        (["127.0.0.1"], {"Forwarded": "for=1.2.3.4;proto=https"}, True),
        (["127.0.0.1"], {"X-Forwarded-Proto": "http"}, False),
    ],
)
async def test_the_cookie_is_secure_behind_a_trusted_tls_proxy(
    engine: Engine, trusted: list[str], headers: dict[str, str], secure: bool
) -> None:
    config = console_config(trusted_proxies=trusted)
    async with console_on(engine, config) as browser:
        status, _, resp = await browser.request(
            "POST",
            "/admin/login",
            data={"name": "王老师", "token": ADMIN_TOKEN},
            headers={"Origin": browser.origin, **headers},
        )
        assert status == 303
        assert bool(resp.cookies[COOKIE]["secure"]) is secure


async def test_a_session_expires_when_idle(browser: Browser) -> None:
    now = [1000.0]
    browser.console.sessions.clock = lambda: now[0]
    assert await browser.login() == 303
    idle = browser.console.sessions.idle_seconds
    now[0] += idle - 1
    assert (await browser.request("GET", "/admin/api/session"))[0] == 200  # and restarts it
    now[0] += idle - 1
    assert (await browser.request("GET", "/admin/api/session"))[0] == 200
    now[0] += idle + 1
    status, body, _ = await browser.request("GET", "/admin/api/session")
    assert status == 401 and body["error"]["code"] == "not_logged_in"
    status, _, resp = await browser.request("GET", "/admin/")
    assert (status, resp.headers["Location"]) == (303, "/admin/login")
    assert len(browser.console.sessions) == 0


async def test_a_session_ends_after_the_longest_time_even_when_busy() -> None:
    now = [0.0]
    store = SessionStore(600, max_seconds=3600, clock=lambda: now[0])
    session = store.open("王老师")
    for _ in range(6):
        now[0] += 500
        assert store.get(session.id) is session
    now[0] += 601
    assert store.get(session.id) is None


def test_sessions_are_bounded() -> None:
    store = SessionStore(600, max_sessions=3)
    ids = [store.open(f"人{i}").id for i in range(5)]
    assert len(store) == 3
    assert store.get(ids[0]) is None and store.get(ids[4]) is not None


async def test_logout_ends_the_session(browser: Browser) -> None:
    assert await browser.login() == 303
    cookie = browser.session_cookie()
    status, body = await browser.post("/admin/logout")
    assert (status, body) == (200, {"logged_out": True})
    assert browser.session_cookie() is None  # the cookie was cleared
    browser.session.cookie_jar.update_cookies({COOKIE: cookie or ""})  # a stolen copy
    status, _, _ = await browser.request("GET", "/admin/api/session")
    assert status == 401


async def test_console_responses_carry_the_security_headers(browser: Browser) -> None:
    assert await browser.login() == 303
    for path in ["/admin/", "/admin/api/session", "/admin/static/admin.js", "/admin/login"]:
        _, _, resp = await browser.request("GET", path)
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert resp.headers["Cache-Control"] == "no-store", path
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin"


async def test_the_pages_load_nothing_from_the_internet(browser: Browser) -> None:
    assert await browser.login() == 303
    for path in ["/admin/", "/admin/login"] + [p for p in STATIC if p.endswith(".html")]:
        _, body, _ = await browser.request("GET", path)
        assert "http://" not in body and "https://" not in body, path
        assert "<script>" not in body and " style=" not in body, path  # nothing inline


async def test_the_console_is_off_without_a_token(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    adapter = HttpAdapter(http_config(), engine)
    assert adapter.console is None
    assert "BOT_ADMIN_TOKEN" in caplog.text and "off" in caplog.text
    await adapter.start()
    try:
        async with aiohttp.ClientSession() as session:
            for path in ["/admin", "/admin/", "/admin/login", "/admin/api/session"]:
                async with session.get(f"http://127.0.0.1:{adapter.port}{path}") as resp:
                    assert resp.status == 404, path
    finally:
        await adapter.stop()


def test_a_short_admin_token_is_a_config_error(engine: Engine) -> None:
    with pytest.raises(ConfigError, match=r"admin_token.*at least 16"):
        HttpAdapter(http_config(admin_token=SecretStr("short")), engine)


def test_the_token_comes_from_the_environment() -> None:
    config = load_config(None, env={"BOT_ADMIN_TOKEN": ADMIN_TOKEN})
    token = config.platforms.http.admin_token
    assert token is not None and token.get_secret_value() == ADMIN_TOKEN
    assert ADMIN_TOKEN not in repr(config)
    assert load_config(None, env={}).platforms.http.admin_token is None


def test_names_are_tidied() -> None:
    assert clean_name("  王  老师 ") == "王 老师"
    assert clean_name("ＡＢＣ") == "ABC"
    assert clean_name("a\tb") == "a b"
    assert clean_name("a\u200bb") is None  # a format character hides what is shown
    assert clean_name("") is None


def test_origin_rule() -> None:
    assert origin_matches("http://127.0.0.1:8080", None, "127.0.0.1:8080")
    assert origin_matches("https://chat.example.org", None, "127.0.0.1:8080", "chat.example.org")
    assert not origin_matches("http://127.0.0.1:8080", None, "")
    assert origin_matches("https://console.example.org", None, "console.example.org")
    assert not origin_matches("http://evil.example", None, "127.0.0.1:8080")
    assert not origin_matches("http://127.0.0.1:8081", None, "127.0.0.1:8080")
    assert not origin_matches(None, None, "127.0.0.1:8080")
    assert not origin_matches("null", None, "127.0.0.1:8080")
    assert origin_matches(None, "http://127.0.0.1:8080/admin/", "127.0.0.1:8080")
    assert not origin_matches(None, "http://127.0.0.1:8080.evil.example/", "127.0.0.1:8080")


async def test_odd_login_bodies_are_refused(browser: Browser) -> None:
    headers = {"Origin": browser.origin, "Content-Type": "application/x-www-form-urlencoded"}
    token = f"name=a&token={ADMIN_TOKEN}&pad=".encode()
    status, body, _ = await browser.request(
        "POST", "/admin/login", data=token + b"x" * 5000, headers=headers
    )
    assert (status, body["error"]["code"]) == (413, "body_too_large")

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: cut off while reading
        yield token
        for _ in range(10):
            yield b"x" * 1000

    status, body, _ = await browser.request("POST", "/admin/login", data=chunked(), headers=headers)
    assert (status, body["error"]["code"]) == (413, "body_too_large")
    status, body, _ = await browser.request(
        "POST", "/admin/login", data=b"&".join([b"a=1"] * 20), headers=headers
    )
    assert (status, body["error"]["code"]) == (400, "bad_form")
    status, body, _ = await browser.request(
        "POST",
        "/admin/login",
        json_body={"name": "a", "token": ADMIN_TOKEN},
        headers={"Origin": browser.origin},
    )
    assert (status, body["error"]["code"]) == (415, "unsupported_media_type")
    assert browser.session_cookie() is None


async def test_the_http_servers_own_checks_apply(browser: Browser) -> None:
    """A Host the server does not answer for gets 421 before the console sees the request
    (against DNS rebinding), the login page too."""
    for path in ["/admin/login", "/admin/api/session", "/admin/"]:
        status, body, _ = await browser.request("GET", path, headers={"Host": "evil.example"})
        assert status == 421, path
        assert body["error"]["code"] == "host_not_allowed"

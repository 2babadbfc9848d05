"""The counsellors' console under ``/admin``: an aiohttp sub-application mounted on the HTTP
server (bot/adapters/http.py), its login, its guard and the registry its pages extend.

Everything under ``/admin`` passes :meth:`Console._guard` first. Without a live session a page
request is redirected to the login page and any other request gets 401; only the login page
and its stylesheet are served without one. Every request that is not GET/HEAD/OPTIONS must
also carry the session's CSRF token in the ``X-CSRF-Token`` header and come from this server's
own pages (``Origin``), else 403. Answers are never cached (``Cache-Control: no-store``).

Extending the console (the inbox, the change log, …) takes two calls per feature, made by a
module listed in :data:`EXTENSIONS` from its ``install(console)`` function:

- ``console.get("name", handler)`` / ``console.post("name", handler)``: an authenticated JSON
  endpoint at ``/admin/api/name`` (POST: CSRF-checked). ``handler(request)`` returns a
  JSON-ready value (or an aiohttp response) and may raise :class:`ConsoleError`;
  :func:`session_of` tells who is asking, :func:`read_json` reads a JSON body.
- ``console.section(id, title, script="name.js", order=…)``: a tab of the page whose content
  is drawn by ``bot/console/static/name.js`` (it calls ``ConsoleApp.register(id, {render})``;
  see admin.js). A section without a script shows "尚未启用".

``console.engine`` and ``console.config`` are the running engine and the configuration;
``console.on_cleanup(async_callback)`` runs when the server stops. Names may hold aiohttp
route variables (``console.post("inbox/{group}/assign", …)``, read with
``request.match_info["group"]``). Everything is registered before the server starts.
"""

from __future__ import annotations

import asyncio
import functools
import html
import importlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from bot.adapters.http_guard import (
    ClientAddress,
    log_refusal,
    retry_after_header,
)
from bot.adapters.hygiene import log_id
from bot.config import Config
from bot.console.auth import (
    COOKIE,
    CSRF_HEADER,
    MAX_NAME_CHARS,
    ConsoleSession,
    LoginFailures,
    SessionStore,
    admin_token,
    clean_name,
    origin_matches,
    same_secret,
)

log = logging.getLogger(__name__)

PREFIX = "/admin"
#: modules whose ``install(console)`` adds endpoints and sections, in this order
EXTENSIONS: tuple[str, ...] = (
    "bot.console.overview",
    "bot.console.health",
    "bot.console.inbox_api",
    "bot.console.safety",
)
#: the static files' content types, by suffix (other files in static/ are not served)
CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".txt": "text/plain",
    ".md": "text/plain",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
#: what is served without a session: the login page and its stylesheet
PUBLIC_PATHS = frozenset({f"{PREFIX}/login", f"{PREFIX}/static/admin.css"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NO_STORE = {"Cache-Control": "no-store"}
#: the largest JSON body a console endpoint reads
MAX_JSON_BYTES = 256 * 1024
#: the largest login form read
MAX_LOGIN_BYTES = 4096

_dumps = functools.partial(json.dumps, ensure_ascii=False)

JsonHandler = Callable[[web.Request], Awaitable[Any]]


class ConsoleError(Exception):
    """An error a console endpoint answers with: ``{"error": {"code", "message"}}``.
    ``message`` is shown to the counsellor: Chinese, one sentence."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> web.Response:
        """The JSON response for this error."""
        return web.json_response(
            {"error": {"code": self.code, "message": self.message}},
            status=self.status,
            headers=NO_STORE,
            dumps=_dumps,
        )


@dataclass(frozen=True)
class Section:
    """A tab of the console page: drawn by ``script`` (a file in static/), or a placeholder
    saying it is not enabled yet when there is none."""

    id: str
    title: str
    script: str | None = None
    order: int = 100

    def to_json(self) -> dict[str, object]:
        """As the page reads it from /admin/api/session."""
        return {"id": self.id, "title": self.title, "script": self.script}


_SESSION_KEY = web.RequestKey("console.session", ConsoleSession)


def session_of(request: web.Request) -> ConsoleSession:
    """The session of the counsellor making ``request`` (set by the guard; every handler
    behind it has one). ``.who`` is the name to record with a change."""
    session = request.get(_SESSION_KEY)
    if session is None:
        raise ConsoleError(401, "not_logged_in", "请先登录。")
    return session


async def read_body(request: web.Request, limit: int) -> bytes:
    """The request body, at most ``limit`` bytes (ConsoleError 413 beyond; stops reading
    there, whatever Content-Length said)."""
    if (request.content_length or 0) > limit:
        raise ConsoleError(413, "body_too_large", "请求内容太大。")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ConsoleError(413, "body_too_large", "请求内容太大。")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body (ConsoleError 415/413/400 otherwise)."""
    if request.content_type != "application/json":
        raise ConsoleError(415, "unsupported_media_type", "请求内容必须是 JSON。")
    body = await read_body(request, MAX_JSON_BYTES)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ConsoleError(400, "invalid_json", "请求内容不是有效的 JSON。") from None
    if not isinstance(data, dict):
        raise ConsoleError(400, "invalid_json", "请求内容必须是一个 JSON 对象。")
    return data


def _load_static() -> dict[str, bytes]:
    """The files of bot/console/static/ by name (only the suffixes of CONTENT_TYPES)."""
    folder = resources.files("bot.console").joinpath("static")
    files: dict[str, bytes] = {}
    try:
        entries = list(folder.iterdir())
    except OSError:
        log.warning("console: bot/console/static/ is missing from the installation")
        return files
    for entry in entries:
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in CONTENT_TYPES:
            files[entry.name] = entry.read_bytes()
    return files


class Console:
    """The console: its sub-application (``app``), its sessions and what extensions added.

    ``engine`` is the running :class:`~bot.engine.Engine` (content, admin desk, turn log,
    reload); ``config`` the whole configuration.
    """

    def __init__(
        self,
        config: Config,
        engine: Any,
        token: str,
        *,
        sessions: SessionStore | None = None,
    ) -> None:
        settings = config.platforms.http
        self.config = config
        self.engine = engine
        self._token = token
        self.sessions = sessions or SessionStore(settings.admin_session_minutes * 60.0)
        self._clients = ClientAddress(settings.trusted_proxies, settings.client_address_header)
        self._login_failures = LoginFailures(settings.admin_login_per_minute)
        self._static = _load_static()
        self._sections: dict[str, Section] = {}
        self.app = web.Application(middlewares=[self._guard])
        router = self.app.router
        router.add_get("", self._to_page)
        router.add_get("/", self._page)
        router.add_get("/login", self._login_page)
        router.add_post("/login", self._login)
        router.add_post("/logout", self._logout)
        router.add_get("/static/{name}", self._static_file)
        self.get("session", self._session_info)
        # the tabs console-inbox fills in (they replace these with a script of their own)
        self.section("inbox", "待处理消息", order=20)
        self.section("changes", "修改记录", order=40)

    # ----- the extension API -------------------------------------------------------------

    def get(self, name: str, handler: JsonHandler) -> None:
        """Serve ``handler`` at ``GET /admin/api/<name>`` (logged-in counsellors only)."""
        self.app.router.add_get(f"/api/{name}", self._json(handler))

    def post(self, name: str, handler: JsonHandler) -> None:
        """Serve ``handler`` at ``POST /admin/api/<name>`` (logged in, CSRF and Origin
        checked before it runs)."""
        self.app.router.add_post(f"/api/{name}", self._json(handler))

    def section(self, id: str, title: str, script: str | None = None, order: int = 100) -> None:
        """Add (or replace: same ``id``) a tab of the page, drawn by static/``script``."""
        if script is not None and script not in self._static:
            raise ValueError(f"console section {id!r}: bot/console/static/{script} is missing")
        self._sections[id] = Section(id=id, title=title, script=script, order=order)

    def on_cleanup(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Call ``callback`` when the HTTP server stops (e.g. to close a file an extension
        keeps open); a failing one is logged and the others still run."""

        async def cleanup(app: web.Application) -> None:
            try:
                await callback()
            except Exception:
                log.exception("console: a cleanup callback failed")

        self.app.on_cleanup.append(cleanup)

    @property
    def sections(self) -> list[Section]:
        """The page's tabs in order."""
        return sorted(self._sections.values(), key=lambda s: s.order)

    # ----- the guard ---------------------------------------------------------------------

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Session, CSRF and Origin checks before any handler; errors as JSON; no caching."""
        try:
            response = await self._checked(request, handler)
        except ConsoleError as exc:
            response = exc.response()
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            response = ConsoleError(exc.status, "http_error", _http_error_text(exc)).response()
        except Exception:
            log.exception("console: unexpected error on %s %s", request.method, request.path[:100])
            response = ConsoleError(
                500, "internal_error", "服务器处理这个请求时出错了，已记入日志。"
            ).response()
        response.headers["Cache-Control"] = "no-store"
        # same-origin: the page's own POSTs carry Origin (no-referrer would send "null")
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    async def _checked(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path in PUBLIC_PATHS:
            return await handler(request)
        session = self.sessions.get(request.cookies.get(COOKIE))
        if session is None:
            if request.method in ("GET", "HEAD") and not request.path.startswith(f"{PREFIX}/api/"):
                return _redirect(f"{PREFIX}/login")
            raise ConsoleError(401, "not_logged_in", "登录已过期或尚未登录，请重新登录。")
        if request.method not in SAFE_METHODS:
            self._check_origin(request)
            if not session.csrf_matches(request.headers.get(CSRF_HEADER)):
                log_refusal(
                    "console-csrf",
                    "console: refused a %s %s from %s without the right CSRF token",
                    request.method,
                    request.path[:100],
                    request.remote,
                )
                raise ConsoleError(403, "csrf", "页面已过期，请刷新页面后再试。")
        request[_SESSION_KEY] = session
        return await handler(request)

    def _check_origin(self, request: web.Request) -> None:
        hosts = [request.host]
        if self._clients.is_trusted(request):  # a proxy that rewrites Host says the original
            hosts += [h.strip() for h in request.headers.get("X-Forwarded-Host", "").split(",")]
        if not origin_matches(
            request.headers.get("Origin"), request.headers.get("Referer"), *hosts
        ):
            log_refusal(
                "console-origin",
                "console: refused a %s %s from %s coming from another origin (%s)",
                request.method,
                request.path[:100],
                request.remote,
                log_id(request.headers.get("Origin") or "no Origin"),
            )
            raise ConsoleError(403, "origin", "请求来自别的网站，已拒绝。")

    def _json(self, handler: JsonHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @functools.wraps(handler)
        async def respond(request: web.Request) -> web.StreamResponse:
            result = await handler(request)
            if isinstance(result, web.StreamResponse):
                return result
            return web.json_response(result, dumps=_dumps)

        return respond

    # ----- login and logout --------------------------------------------------------------

    async def _login_page(self, request: web.Request) -> web.StreamResponse:
        if self.sessions.get(request.cookies.get(COOKIE)) is not None:
            return _redirect(f"{PREFIX}/")
        return self._render_login("", "", 200)

    def _render_login(self, message: str, name: str, status: int) -> web.Response:
        template = self._static.get("login.html")
        if template is None:
            raise ConsoleError(500, "page_missing", "控制台文件缺失（bot/console/static/）。")
        page = (
            template.decode("utf-8")
            .replace("{{message}}", html.escape(message))
            .replace("{{name}}", html.escape(name, quote=True))
        )
        return web.Response(text=page, content_type="text/html", charset="utf-8", status=status)

    def _secure(self, request: web.Request) -> bool:
        """True when the browser reached the console over HTTPS: directly, or through a trusted
        proxy that says so (``X-Forwarded-Proto: https`` or ``Forwarded: proto=https``)."""
        return self._clients.over_https(request)

    async def _login(self, request: web.Request) -> web.StreamResponse:
        client = self._clients.of(request)
        self._check_origin(request)
        if request.content_type != "application/x-www-form-urlencoded":
            raise ConsoleError(415, "unsupported_media_type", "请用登录页面登录。")
        body = await read_body(request, MAX_LOGIN_BYTES)
        try:
            form = parse_qs(
                body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=10
            )
        except ValueError:
            raise ConsoleError(400, "bad_form", "请用登录页面登录。") from None
        raw_name = form.get("name", [""])[0]
        token = form.get("token", [""])[0]
        name = clean_name(raw_name)
        typed = raw_name[:MAX_NAME_CHARS]
        if name is None:
            return self._render_login("请填写你的名字（最多 32 个字）。", typed, 400)
        if not same_secret(token, self._token):
            return await self._wrong_token(client, typed)
        previous = request.cookies.get(COOKIE)
        if previous:  # logging in again replaces the browser's earlier session
            self.sessions.close(previous)
        session = self.sessions.open(name)
        log.info("console: %s logged in from %s", log_id(name), client)
        response = _redirect(f"{PREFIX}/")
        response.set_cookie(
            COOKIE,
            session.id,
            path=PREFIX,
            httponly=True,
            samesite="Strict",
            secure=self._secure(request),
        )
        return response

    async def _wrong_token(self, client: str, typed: str) -> web.Response:
        """A wrong token: refused at once while the client's failures of the last minute are
        within ``admin_login_per_minute``; beyond, each further failure is answered only after
        a delay that doubles (1 s, 2 s, 4 s … at most a minute), one at a time per client, so
        guessing is slowed to a crawl. A right token never waits (it is checked first)."""
        delay = self._login_failures.failed(client)
        if delay <= 0:
            log.warning("console: a wrong admin token from %s", client)
            return self._render_login("口令不对，请再试一次。", typed, 401)
        log_refusal(
            "console-login",
            "console: repeated wrong admin tokens from %s; each further one waits (now %.0f s)",
            client,
            delay,
        )
        async with self._login_failures.turn(client):
            await asyncio.sleep(delay)
        seconds = retry_after_header(delay)
        message = f"口令不对。错误次数太多，之后每次错误都要等更久（这次 {seconds} 秒）。"
        response = self._render_login(message, typed, 429)
        response.headers["Retry-After"] = retry_after_header(delay)
        return response

    async def _logout(self, request: web.Request) -> web.StreamResponse:
        session = session_of(request)
        self.sessions.close(session.id)
        log.info("console: %s logged out", log_id(session.who))
        response = web.json_response({"logged_out": True})
        response.del_cookie(COOKIE, path=PREFIX)
        return response

    # ----- the page ----------------------------------------------------------------------

    async def _to_page(self, request: web.Request) -> web.StreamResponse:
        return _redirect(f"{PREFIX}/")

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return self._file("admin.html")

    async def _static_file(self, request: web.Request) -> web.StreamResponse:
        return self._file(request.match_info["name"])

    def _file(self, name: str) -> web.Response:
        body = self._static.get(name)
        if body is None:
            raise ConsoleError(404, "not_found", "没有这个文件。")
        content_type = CONTENT_TYPES["." + name.rpartition(".")[2]]
        text = content_type.startswith("text/") or content_type.endswith("+xml")
        return web.Response(body=body, content_type=content_type, charset="utf-8" if text else None)

    async def _session_info(self, request: web.Request) -> dict[str, object]:
        session = session_of(request)
        return {
            "who": session.who,
            "csrf": session.csrf,
            "csrf_header": CSRF_HEADER,
            "idle_minutes": round(self.sessions.idle_seconds / 60),
            "sections": [s.to_json() for s in self.sections],
        }


def _redirect(location: str) -> web.Response:
    """A 303 to ``location`` (a path of this server)."""
    return web.Response(status=303, headers={"Location": location})


def _http_error_text(exc: web.HTTPException) -> str:
    if exc.status == 404:
        return "没有这个页面或接口。"
    if exc.status == 405:
        return "不支持这种请求方法。"
    if exc.status == 413:
        return "请求内容太大。"
    return exc.reason


def build_console(config: Config, engine: Any) -> Console | None:
    """The console with every extension installed, or None when no admin token is set (the
    console is off; a log line says how to turn it on)."""
    settings = config.platforms.http
    configured = settings.admin_token.get_secret_value() if settings.admin_token else None
    token = admin_token(configured)
    if token is None:
        log.info(
            "console: the counsellors' console (/admin) is off; set platforms.http.admin_token "
            "or env BOT_ADMIN_TOKEN (16+ characters) to turn it on"
        )
        return None
    console = Console(config, engine, token)
    for module in EXTENSIONS:
        importlib.import_module(module).install(console)
    log.info(
        "console: the counsellors' console is on at /admin/ (%s)",
        ", ".join(section.title for section in console.sections),
    )
    return console


def mount_console(app: web.Application, config: Config, engine: Any) -> Console | None:
    """Mount the console at ``/admin`` on ``app`` (when an admin token is set)."""
    console = build_console(config, engine)
    if console is not None:
        app.add_subapp(PREFIX, console.app)
    return console

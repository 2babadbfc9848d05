"""The HTTP API and the web chat page, served by one aiohttp server.

``POST /v1/messages`` takes ``{"conversation", "user", "room"?, "text"}`` and answers with the
engine's replies; a photo comes as ``"image"`` (base64, or a ``data:image/…;base64,`` URL) in
the JSON, or as a ``multipart/form-data`` upload with the same fields and an ``image`` file.
``GET /healthz`` says the bot is up; ``GET /`` is the chat page (files in
``bot/adapters/web/``). The API needs ``Authorization: Bearer <token>`` unless
``platforms.http.require_token`` is false (and the server is on loopback); the page and
/healthz do not. A public page (``platforms.http.public_page``) needs no token: each
anonymous visitor gets a server-signed id in a cookie (``GET /`` or ``POST /v1/visitor``,
bot/adapters/visitors.py) that scopes its conversations and has a rate limit of its own.
``"debug": true`` in the body adds ``"trace"`` to the answer (which decision answered, which
declined and why, with the scores used), only with the header
``X-Admin-Token: <platforms.http.admin_token>`` (403 otherwise). Every request's Host header
must be an allowed one (421 otherwise), each client gets ``rate_limit_per_minute`` API
requests (429 with Retry-After beyond), a slow body gets 408, and every response carries the
security headers (bot/adapters/http_guard.py).

Every error is JSON, ``{"error": {"code", "message"}}``: 400 body not JSON, 401 token missing or
wrong (a public page: no valid visitor id), 403 a debug trace asked for without the admin
token, or a visitor's request from another site's page, 404 unknown path, 405 wrong method,
408 body too slow, 413 body, text or image too large, 415 neither JSON nor multipart, 421 Host
not allowed, 422 a field missing or of the wrong type or an image that is not base64, 429 too
many requests, 500 anything unexpected (logged, never a traceback).

Privacy: message texts are never logged here; the per-message DEBUG line carries the masked
conversation id and intent (no per-message line at INFO).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import aiohttp
from aiohttp import BodyPartReader, web

from bot.adapters.base import Adapter, MessageHandler
from bot.adapters.http_guard import (
    API_CACHE_CONTROL,
    PAGE_CACHE_CONTROL,
    SECURITY_HEADERS,
    ClientAddress,
    ClientRateLimit,
    add_security_headers,
    allowed_host_names,
    host_name,
    log_refusal,
    retry_after_header,
)
from bot.adapters.hygiene import clean_text, log_id
from bot.adapters.visitors import COOKIE as VISITOR_COOKIE
from bot.adapters.visitors import VisitorIds, api_token
from bot.adapters.webserver import WebServer, bearer_token, token_matches
from bot.config import Config
from bot.console.auth import origin_matches
from bot.console.web import mount_console
from bot.messages import Incoming, MessageKind

log = logging.getLogger(__name__)

PLATFORM = "http"
MAX_TEXT_CHARS = 20_000
MAX_ID_CHARS = 200
#: The largest photo taken (the photo check refuses larger ones with a sentence; the API says
#: so up front with a 413). Same figure as bot.photo.intake.MAX_BYTES, kept here so the API
#: does not import Pillow.
MAX_IMAGE_BYTES = 10 * 1024 * 1024
#: What a base64 photo adds to the largest body accepted.
IMAGE_BODY_ALLOWANCE = MAX_IMAGE_BYTES * 4 // 3 + 64 * 1024

#: JSON bodies larger than this are parsed (and checked) in a worker thread
JSON_INLINE_BYTES = 16 * 1024

#: the page's files: name → content type
PAGE_FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": PAGE_CACHE_CONTROL}

_dumps = functools.partial(json.dumps, ensure_ascii=False)


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message"}}`` with an HTTP status."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self) -> web.Response:
        """The JSON response for this error."""
        return web.json_response(
            {"error": {"code": self.code, "message": self.message}},
            status=self.status,
            headers=self.headers,
            dumps=_dumps,
        )


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _field(
    data: dict[str, Any], name: str, *, optional: bool = False, max_chars: int = MAX_ID_CHARS
) -> str | None:
    """A string field of the request, checked (an ApiError naming the field otherwise)."""
    if name not in data or (optional and data[name] is None):
        if optional:
            return None
        raise ApiError(422, "missing_field", f"field '{name}' is required")
    value = data[name]
    if not isinstance(value, str):
        wanted = "a string or null" if optional else "a string"
        raise ApiError(
            422, "wrong_type", f"field '{name}' must be {wanted}, got {_json_type(value)}"
        )
    if len(value) > max_chars:
        status = 413 if name == "text" else 422
        raise ApiError(
            status,
            "too_long",
            f"field '{name}' is {len(value)} characters long; the limit is {max_chars}",
        )
    if name == "text":
        if not optional and not value.strip():  # a photo's caption may be empty, a text not
            raise ApiError(422, "empty_field", "field 'text' must not be empty or blank")
    elif not value:
        hint = " (use null or leave it out for a private conversation)" if optional else ""
        raise ApiError(422, "empty_field", f"field '{name}' must not be empty{hint}")
    return clean_text(value)  # no lone surrogate gets past here (stored, logged, answered)


def _image_field(data: dict[str, Any]) -> bytes | None:
    """The ``image`` field: base64 (or a data URL) decoded, checked for size."""
    value = data.get("image")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(
            422,
            "wrong_type",
            f"field 'image' must be a base64 string or null, got {_json_type(value)}",
        )
    if value.startswith("data:"):
        header, _, value = value.partition(",")
        if ";base64" not in header:
            raise ApiError(422, "invalid_image", "field 'image' is a data URL without ;base64")
    if len(value) > MAX_IMAGE_BYTES * 4 // 3 + 8:
        raise _image_too_large()
    try:
        image = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid_image", "field 'image' is not valid base64") from None
    if not image:
        raise ApiError(422, "empty_field", "field 'image' must not be empty")
    if len(image) > MAX_IMAGE_BYTES:
        raise _image_too_large()
    return image


def _image_too_large() -> ApiError:
    return ApiError(
        413, "image_too_large", f"the image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB"
    )


def _escape(part: str) -> str:
    """``part`` with "%" and "/" escaped, so joining parts with "/" never makes two different
    (conversation, user) pairs one: ("a/b", "c") and ("a", "b/c") stay apart."""
    return part.replace("%", "%25").replace("/", "%2F")


@dataclass(frozen=True, slots=True)
class MessageRequest:
    """The body of ``POST /v1/messages``: a text, or a photo (``image``) with an optional
    text that is not read."""

    conversation: str
    user: str
    room: str | None
    text: str
    image: bytes | None = None
    #: the decision trace is asked for (allowed only with the admin token)
    debug: bool = False

    @classmethod
    def from_json(cls, data: object, *, with_photo: bool = False) -> MessageRequest:
        """Check a decoded JSON body (ApiError 422, or 413 for a too long text or image).
        ``with_photo``: the photo came apart (multipart), so the text may be empty."""
        if not isinstance(data, dict):
            raise ApiError(
                422, "wrong_type", f"the body must be a JSON object, got {_json_type(data)}"
            )
        conversation = _field(data, "conversation")
        user = _field(data, "user")
        room = _field(data, "room", optional=True)
        image = _image_field(data)
        photo = with_photo or image is not None
        text = _field(data, "text", max_chars=MAX_TEXT_CHARS, optional=photo)
        assert conversation is not None and user is not None
        debug = data.get("debug", False)
        if debug is None:
            debug = False
        if not isinstance(debug, bool):
            raise ApiError(
                422, "wrong_type", f"field 'debug' must be a boolean, got {_json_type(debug)}"
            )
        return cls(
            conversation=conversation,
            user=user,
            room=room,
            text=text or "",
            image=image,
            debug=debug,
        )

    def incoming(self, visitor: str | None = None) -> Incoming:
        """The engine's message. Users and rooms are scoped by the conversation id, so two API
        clients that use the same user or room names never share a conversation; a public
        page's ``visitor`` scopes them further, so two visitors never share one either (a
        visitor's user has three slashes, an API client's one)."""
        scope = _escape(self.conversation)
        if visitor is not None:
            scope = f"visitor/{visitor}/{scope}"
        return Incoming(
            user=f"{scope}/{_escape(self.user)}",
            text="" if self.image is not None else self.text,
            platform=PLATFORM,
            room=None if self.room is None else f"{scope}/{_escape(self.room)}",
            addressed=True,
            kind=MessageKind.IMAGE if self.image is not None else MessageKind.TEXT,
            image=self.image,
            explain=self.debug,
        )


async def _read_multipart(request: web.Request, max_field_bytes: int) -> MessageRequest:
    """A ``multipart/form-data`` body: text fields and an ``image`` file, each size-checked
    while it is read."""
    fields: dict[str, Any] = {}
    image: bytes | None = None
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise ApiError(422, "wrong_type", "nested multipart bodies are not accepted")
        name = part.name or ""
        limit = MAX_IMAGE_BYTES if name == "image" else max_field_bytes
        chunks, size = [], 0
        while chunk := await part.read_chunk(64 * 1024):
            size += len(chunk)
            if size > limit:
                if name == "image":
                    raise _image_too_large()
                raise ApiError(413, "too_long", f"field '{name}' is larger than {limit} bytes")
            chunks.append(chunk)
        value = b"".join(chunks)
        if name == "image":
            if not value:
                raise ApiError(422, "empty_field", "field 'image' must not be empty")
            image = value
        elif name in ("conversation", "user", "room", "text"):
            try:
                fields[name] = value.decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(422, "wrong_type", f"field '{name}' is not UTF-8 text") from None
    if image is None:
        raise ApiError(
            422,
            "missing_field",
            "field 'image' (a file) is required in a multipart body; send text as JSON",
        )
    fields.setdefault("text", "")
    if fields.get("room") == "":
        fields["room"] = None
    request_fields = MessageRequest.from_json(fields, with_photo=True)
    return MessageRequest(
        conversation=request_fields.conversation,
        user=request_fields.user,
        room=request_fields.room,
        text="",
        image=image,
    )


def _parse_json(body: bytes) -> MessageRequest:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8 JSON"
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {detail}") from None
    return MessageRequest.from_json(data)


# Errors aiohttp raises itself, as the API reports them.
_HTTP_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def _describe_http_error(exc: web.HTTPException, request: web.Request, max_body_bytes: int) -> str:
    path = request.path[:200]
    if exc.status == 404:
        return (
            f"no such endpoint: {request.method} {path} (the API has POST /v1/messages "
            "and GET /healthz)"
        )
    if exc.status == 405:
        allowed = exc.headers.get("Allow", "")
        return f"method {request.method} is not allowed on {path}; use {allowed}"
    if exc.status == 413:
        return (
            f"the request body is larger than {max_body_bytes} bytes "
            "(platforms.http.max_body_bytes)"
        )
    return exc.reason


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _guard_middleware(
    allowed_hosts: frozenset[str], clients: ClientAddress, limit: ClientRateLimit
) -> Any:
    """Refuse a Host that is not allowed (421) and a client over its rate limit (429)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        host = host_name(request.headers.get("Host", ""))
        if host not in allowed_hosts:
            log_refusal(
                "host",
                "http: refused a request for Host %r from %s (allowed: %s; "
                "platforms.http.allowed_hosts)",
                log_id(host),
                request.remote,
                ", ".join(sorted(allowed_hosts)),
            )
            raise ApiError(
                421,
                "host_not_allowed",
                "this server does not answer for that host name (platforms.http.allowed_hosts)",
            )
        if request.path.startswith("/v1/"):
            client = clients.of(request)
            wait = limit.retry_after(client)
            if wait > 0:
                log_refusal(
                    "rate", "http: client %s is over its rate limit; answered 429", log_id(client)
                )
                raise _too_many(wait)
        return await handler(request)

    return guard


def _too_many(wait: float) -> ApiError:
    return ApiError(
        429,
        "too_many_requests",
        f"too many requests; try again in {retry_after_header(wait)} s",
        {"Retry-After": retry_after_header(wait)},
    )


def _error_middleware(max_body_bytes: int) -> Any:
    """Turn every error into a JSON error response."""

    @web.middleware
    async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            return exc.response()
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            code = _HTTP_ERROR_CODES.get(exc.status, "http_error")
            headers = {k: v for k, v in exc.headers.items() if k in ("Allow", "WWW-Authenticate")}
            return ApiError(
                exc.status, code, _describe_http_error(exc, request, max_body_bytes), headers
            ).response()
        except (
            ConnectionError,
            aiohttp.ClientPayloadError,
            aiohttp.http.HttpProcessingError,
        ) as exc:
            # The client went away mid-body: one throttled line, no traceback.
            log_refusal(
                "client_gone",
                "http: a client went away during %s %s (%s)",
                request.method,
                request.path[:200],
                type(exc).__name__,
            )
            return ApiError(400, "bad_request", "the request body was cut off").response()
        except Exception:
            log.exception("http: unexpected error on %s %s", request.method, request.path[:200])
            return ApiError(
                500,
                "internal_error",
                "the server failed to handle this request; it has been logged",
            ).response()

    return errors


def _load_page() -> dict[str, bytes]:
    """The web page's files from the installed package (empty when they are missing)."""
    folder = resources.files("bot.adapters").joinpath("web")
    page: dict[str, bytes] = {}
    for name in PAGE_FILES:
        try:
            page[name] = folder.joinpath(name).read_bytes()
        except OSError:
            log.warning(
                "http: the web page file bot/adapters/web/%s is missing; / will not work", name
            )
    return page


class HttpAdapter(Adapter):
    """Serve the HTTP API and the web chat page until stopped."""

    name = "http"
    platform = "http"

    def __init__(self, config: Config, engine: MessageHandler) -> None:
        settings = config.platforms.http
        self._token = api_token(settings)
        #: a public page's visitor ids (None: not a public page)
        self._visitors = (
            VisitorIds(
                settings.visitor_secret.get_secret_value() if settings.visitor_secret else None
            )
            if settings.public_page
            else None
        )
        self._visitor_limit = ClientRateLimit(settings.visitor_rate_limit_per_minute)
        self._clients = ClientAddress(settings.trusted_proxies, settings.client_address_header)
        self._body_timeout = settings.body_timeout_seconds
        self._engine = engine
        self._page = _load_page()
        self._started_at = time.monotonic()
        self._stopped = asyncio.Event()
        self._max_body_bytes = settings.max_body_bytes
        # A photo may make a body larger than max_body_bytes; a body without one may not
        # (checked in _messages).
        guard = _guard_middleware(
            allowed_host_names(settings.host, settings.allowed_hosts),
            self._clients,
            ClientRateLimit(settings.rate_limit_per_minute),
        )
        app = web.Application(
            client_max_size=settings.max_body_bytes + IMAGE_BODY_ALLOWANCE,
            middlewares=[_error_middleware(settings.max_body_bytes), guard],
        )
        app.on_response_prepare.append(add_security_headers)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/healthz", self._healthz)
        if self._visitors is not None:
            app.router.add_post("/v1/visitor", self._new_visitor)
        app.router.add_get("/", self._page_file)
        for name in PAGE_FILES:
            if name != "index.html":
                app.router.add_get(f"/{name}", self._page_file)
        #: the counsellors' console at /admin (None: off, no admin token set)
        self.console = mount_console(app, config, engine)
        self._server = WebServer(
            app,
            settings.host,
            settings.port,
            idle_timeout=settings.idle_timeout_seconds,
            max_connections=settings.max_connections,
            max_per_client=settings.max_connections_per_client,
            error_headers={**SECURITY_HEADERS, "Cache-Control": API_CACHE_CONTROL},
        )
        self._host = settings.host
        #: the admin token that allows the debug trace (None: no trace for anyone)
        admin = settings.admin_token
        self._admin_token = admin.get_secret_value().strip() or None if admin else None

    @property
    def port(self) -> int | None:
        """The port the server is bound to (after :meth:`start`)."""
        return self._server.port

    async def start(self) -> None:
        """Start serving (returns once the port is bound)."""
        await self._server.start()
        self._started_at = time.monotonic()
        self._stopped.clear()
        log.info(
            "http: serving the API and the web page on http://%s:%s/ (%s)",
            self._host,
            self.port,
            (
                "a public page: visitors get ids of their own"
                + ("; API clients may use the token" if self._token else "")
            )
            if self._visitors is not None
            else f"token {'required' if self._token else 'not required'}",
        )

    async def run(self) -> None:
        """Serve until :meth:`stop` is called."""
        await self.start()
        await self._stopped.wait()

    async def stop(self) -> None:
        """Stop serving (requests in flight get a few seconds to finish)."""
        await self._server.stop()
        self._stopped.set()

    # ----- handlers ----------------------------------------------------------------------

    def _authorize(self, request: web.Request) -> str | None:
        """Check who may post; the visitor id of a public page's visitor (None: an API client
        with the token, or no token needed)."""
        header = request.headers.get("Authorization")
        if self._visitors is not None and (header is None or self._token is None):
            return self._visitor_of(request)
        if self._token is None:
            return None
        given = bearer_token(header)
        if not token_matches(given, self._token):
            raise ApiError(
                401,
                "unauthorized",
                "missing or wrong token: send the header 'Authorization: Bearer "
                "<token>' with the token set in platforms.http.token (BOT_HTTP_TOKEN)",
                {"WWW-Authenticate": 'Bearer realm="cuishou-bot"'},
            )
        return None

    def _visitor_of(self, request: web.Request) -> str:
        """The public page's visitor making this request (ApiError 401 without a valid id,
        403 from another site's page, 429 over the visitor's own rate limit)."""
        assert self._visitors is not None
        self._check_origin(request)
        visitor = self._visitors.verify(request.cookies.get(VISITOR_COOKIE))
        if visitor is None:
            raise ApiError(
                401,
                "visitor_needed",
                "no valid visitor id: open the page (GET /) or POST /v1/visitor to get one",
            )
        wait = self._visitor_limit.retry_after(visitor)
        if wait > 0:
            log_refusal(
                "visitor_rate", "http: visitor %s is over its rate limit; answered 429", visitor
            )
            raise _too_many(wait)
        return visitor

    def _check_origin(self, request: web.Request) -> None:
        """A browser's request from another site's page (its ``Origin`` names another host)
        gets 403; one without an Origin passes (the cookie is SameSite=Lax). Behind a trusted
        proxy that rewrites Host, its ``X-Forwarded-Host`` counts too."""
        origin = request.headers.get("Origin")
        if not origin:
            return
        hosts = [request.host]
        if self._clients.is_trusted(request):
            hosts += [h.strip() for h in request.headers.get("X-Forwarded-Host", "").split(",")]
        if origin_matches(origin, None, *hosts):
            return
        log_refusal(
            "visitor_origin",
            "http: refused a visitor's request from another site's page (Origin %r)",
            log_id(origin),
        )
        raise ApiError(403, "wrong_origin", "requests must come from this server's own page")

    def _give_visitor_id(self, request: web.Request, response: web.StreamResponse) -> None:
        assert self._visitors is not None
        _, cookie = self._visitors.issue()
        response.set_cookie(
            VISITOR_COOKIE,
            cookie,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self._clients.over_https(request),
        )

    async def _new_visitor(self, request: web.Request) -> web.Response:
        """``POST /v1/visitor``: a new visitor id in the cookie (a public page only)."""
        self._check_origin(request)
        response = web.json_response({"visitor": "issued"})
        self._give_visitor_id(request, response)
        return response

    def _authorize_debug(self, request: web.Request) -> None:
        """The decision trace shows how the bot reads messages: only for the admin token."""
        given = request.headers.get("X-Admin-Token")
        if self._admin_token is None or not token_matches(given, self._admin_token):
            raise ApiError(
                403,
                "forbidden",
                "the debug trace needs the admin token: send the header 'X-Admin-Token: "
                "<token>' with the token set in platforms.http.admin_token (BOT_ADMIN_TOKEN)",
            )

    async def _messages(self, request: web.Request) -> web.Response:
        visitor = self._authorize(request)
        if request.content_type not in ("multipart/form-data", "application/json"):
            raise ApiError(
                415,
                "unsupported_media_type",
                "the body must be JSON with the header 'Content-Type: "
                "application/json', or multipart/form-data with an image "
                f"(got {request.content_type!r})",
            )
        try:
            async with asyncio.timeout(self._body_timeout):
                if request.content_type == "multipart/form-data":
                    message = await _read_multipart(request, self._max_body_bytes)
                else:
                    message = await self._read_json(request)
        except TimeoutError:
            log_refusal(
                "slow_body",
                "http: a request body from %s took longer than %.0f s; answered 408",
                request.remote,
                self._body_timeout,
            )
            raise ApiError(
                408,
                "body_timeout",
                f"the request body did not arrive within {self._body_timeout:g} s "
                "(platforms.http.body_timeout_seconds)",
                {"Connection": "close"},
            ) from None
        if message.debug:
            self._authorize_debug(request)
        response = await self._engine.handle(message.incoming(visitor))
        if log.isEnabledFor(logging.DEBUG):  # per message: DEBUG only, masking costs
            log.debug(
                "http: conversation %s%s -> %s, %d repl%s",
                log_id(message.conversation),
                " (group)" if message.room is not None else "",
                response.intent or "no intent",
                len(response.replies),
                "y" if len(response.replies) == 1 else "ies",
            )
        answer: dict[str, Any] = {
            "conversation": message.conversation,
            "intent": response.intent,
            "confidence": round(response.confidence, 3),
            "replies": [clean_text(reply) for reply in response.replies],
            "choices": [clean_text(choice) for choice in response.choices],
            "urgent": response.urgent,
        }
        if message.debug:
            answer["trace"] = [clean_text(line) for line in response.trace]
        return web.json_response(answer, dumps=_dumps)

    async def _read_json(self, request: web.Request) -> MessageRequest:
        # A JSON body gets no photo allowance (a large photo comes as multipart): read at most
        # max_body_bytes + 1, whatever the body holds.
        limit = self._max_body_bytes
        body = bytearray()
        while len(body) <= limit and (chunk := await request.content.read(limit + 1 - len(body))):
            body += chunk
        if len(body) > limit:
            raise ApiError(
                413,
                "body_too_large",
                f"the request body is larger than {self._max_body_bytes} bytes "
                "(platforms.http.max_body_bytes); send a photo as multipart/form-data",
                {"Connection": "close"},
            )
        if len(body) > JSON_INLINE_BYTES:  # a large body is parsed off the event loop
            return await asyncio.to_thread(_parse_json, bytes(body))
        return _parse_json(bytes(body))

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "status": "ok",
                "content_version": _content_version(self._engine),
                "uptime_seconds": round(time.monotonic() - self._started_at, 1),
            }
        )

    async def _page_file(self, request: web.Request) -> web.Response:
        name = request.path.lstrip("/") or "index.html"
        body = self._page.get(name)
        if body is None:
            raise ApiError(
                500,
                "page_missing",
                f"the web page file bot/adapters/web/{name} is missing from the installation",
            )
        response = web.Response(
            body=body,
            content_type=PAGE_FILES[name].split(";")[0],
            charset="utf-8",
            headers=PAGE_HEADERS,
        )
        if (
            name == "index.html"
            and self._visitors is not None
            and self._visitors.verify(request.cookies.get(VISITOR_COOKIE)) is None
        ):
            self._give_visitor_id(request, response)
        return response


def _content_version(engine: object) -> str | None:
    """The version of the content the engine answers from now (it changes on reload)."""
    understanding = getattr(engine, "understanding", None)
    content = getattr(understanding, "content", None)
    version = getattr(content, "version", None)
    return version if isinstance(version, str) else None

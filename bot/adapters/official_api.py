"""The WeChat Official Account API calls the bot needs: the access token, customer-service
messages (客服消息), a follower's photo (临时素材, ``/cgi-bin/media/get``) and the custom menu
(自定义菜单).

wechatpy's own client is synchronous (requests) and fetches its token from a fixed
``https://api.weixin.qq.com`` address, so these few endpoints are called here with aiohttp
against a configurable base URL (tests point it at a fake server on 127.0.0.1); wechatpy still
does the crypto, the parsing and the passive replies (bot/adapters/official.py).

The access token is cached until shortly before it expires, fetched by one caller at a time,
and fetched again when WeChat says it is invalid or expired. Neither the AppSecret nor the
token is ever logged, and errors never carry a URL (it holds the token).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

#: errcodes meaning "this access token is no good": invalid, expired, not the latest
TOKEN_ERRCODES = frozenset({40001, 40014, 41001, 42001})
#: refresh this many seconds before WeChat says the token expires
TOKEN_MARGIN_SECONDS = 300.0

#: what some errcodes mean, for the log
ERRCODE_HINTS = {
    -1: "WeChat is busy; try again later",
    40013: "the AppID is wrong",
    40125: "the AppSecret is wrong",
    40164: "this server's IP address is not on the account's IP whitelist",
    45015: "the person has not written to the account in the last 48 hours",
    45047: "too many customer-service messages to this person since their last message",
    40007: "the media id is unknown or expired (temporary media last 3 days)",
    48001: "the account lacks the permission for this API (without 客服消息 set "
    "platforms.official.customer_service: false)",
}


class OfficialApiError(Exception):
    """A call to the WeChat API failed; the message names the endpoint, never the token."""

    def __init__(self, endpoint: str, message: str, errcode: int | None = None) -> None:
        super().__init__(f"{endpoint}: {message}")
        self.endpoint = endpoint
        self.errcode = errcode


class MediaTooLarge(OfficialApiError):
    """A media file larger than the caller takes."""


def describe_errcode(errcode: int, errmsg: str) -> str:
    """``errcode 45015 (hint): errmsg`` for a log line or an error."""
    hint = ERRCODE_HINTS.get(errcode)
    return f"errcode {errcode}{f' ({hint})' if hint else ''}: {errmsg[:200]}"


class OfficialApi:
    """Calls to the Official Account API with a cached, refreshed access token."""

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        *,
        timeout_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._app_id = app_id
        self._secret = app_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self.token_fetches = 0

    def __repr__(self) -> str:  # never the secret or the token
        return f"OfficialApi({self._base!r}, app_id={self._app_id!r})"

    async def close(self) -> None:
        """Close the HTTP connections."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _request(
        self, method: str, endpoint: str, params: dict[str, str], body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One call; the decoded JSON answer (an OfficialApiError when there is none)."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if data else None
        try:
            async with self._http().request(
                method, f"{self._base}{endpoint}", params=params, data=data, headers=headers
            ) as response:
                raw = await response.read()
                status = response.status
        except TimeoutError:
            raise OfficialApiError(endpoint, "no answer in time") from None
        except aiohttp.ClientError as exc:
            # The exception's text may hold the URL and so the token: name its type only.
            raise OfficialApiError(endpoint, f"connection failed ({type(exc).__name__})") from None
        if status != 200:
            raise OfficialApiError(endpoint, f"HTTP status {status}")
        try:
            result = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            raise OfficialApiError(endpoint, "the answer is not JSON") from None
        if not isinstance(result, dict):
            raise OfficialApiError(endpoint, "the answer is not a JSON object")
        return result

    async def access_token(self, *, refused: str | None = None) -> str:
        """The access token, fetched when there is none, it is about to expire, or it is the
        one WeChat just ``refused`` (unless another caller has replaced it meanwhile)."""
        async with self._lock:
            token = self._token
            if token is not None and self._clock() < self._expires_at and token != refused:
                return token
            result = await self._request(
                "GET",
                "/cgi-bin/token",
                {"grant_type": "client_credential", "appid": self._app_id, "secret": self._secret},
            )
            token = result.get("access_token")
            if not isinstance(token, str) or not token:
                errcode = _int(result.get("errcode"))
                raise OfficialApiError(
                    "/cgi-bin/token",
                    describe_errcode(
                        errcode if errcode is not None else -2, str(result.get("errmsg", ""))
                    ),
                    errcode,
                )
            expires_in = _int(result.get("expires_in")) or 7200
            margin = min(TOKEN_MARGIN_SECONDS, expires_in / 2)
            self._token = token
            self._expires_at = self._clock() + expires_in - margin
            self.token_fetches += 1
            log.info("official: fetched an access token (valid for %d s)", expires_in)
            return token

    async def call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``endpoint`` with the access token; again once with a fresh token
        when WeChat says the token is no good. An OfficialApiError unless errcode is 0."""
        token = await self.access_token()
        for attempt in (1, 2):
            result = await self._request("POST", endpoint, {"access_token": token}, body)
            errcode = _int(result.get("errcode")) or 0
            if errcode in TOKEN_ERRCODES and attempt == 1:
                log.info(
                    "official: WeChat refused the access token (errcode %d); fetching a new one",
                    errcode,
                )
                token = await self.access_token(refused=token)
                continue
            if errcode != 0:
                raise OfficialApiError(
                    endpoint, describe_errcode(errcode, str(result.get("errmsg", ""))), errcode
                )
            return result
        raise AssertionError("unreachable")

    async def send_text(self, open_id: str, text: str) -> None:
        """Send a customer-service text message (客服消息) to the follower ``open_id``."""
        await self.call(
            "/cgi-bin/message/custom/send",
            {"touser": open_id, "msgtype": "text", "text": {"content": text}},
        )

    async def get_media(self, media_id: str, max_bytes: int) -> bytes:
        """The file of a temporary media (a follower's photo: ``MediaId``), from
        ``/cgi-bin/media/get``, at most ``max_bytes`` (:class:`MediaTooLarge` beyond); again
        once with a fresh token when WeChat says the token is no good."""
        endpoint = "/cgi-bin/media/get"
        token = await self.access_token()
        for attempt in (1, 2):
            try:
                async with self._http().get(
                    f"{self._base}{endpoint}", params={"access_token": token, "media_id": media_id}
                ) as response:
                    if response.status != 200:
                        raise OfficialApiError(endpoint, f"HTTP status {response.status}")
                    kind = response.content_type
                    data = bytearray()
                    async for chunk in response.content.iter_chunked(64 * 1024):
                        data += chunk
                        if len(data) > max_bytes:
                            raise MediaTooLarge(endpoint, f"the file is over {max_bytes} bytes")
            except TimeoutError:
                raise OfficialApiError(endpoint, "no answer in time") from None
            except aiohttp.ClientError as exc:
                raise OfficialApiError(
                    endpoint, f"connection failed ({type(exc).__name__})"
                ) from None
            if kind.startswith(("image/", "application/octet-stream")) or not data.startswith(b"{"):
                return bytes(data)
            # an error comes as JSON (often labelled text/plain)
            try:
                result = json.loads(data.decode("utf-8", "replace"))
            except ValueError:
                return bytes(data)
            errcode = _int(result.get("errcode")) if isinstance(result, dict) else None
            if errcode in TOKEN_ERRCODES and attempt == 1:
                token = await self.access_token(refused=token)
                continue
            errmsg = str(result.get("errmsg", "")) if isinstance(result, dict) else ""
            raise OfficialApiError(
                endpoint, describe_errcode(errcode if errcode is not None else -2, errmsg), errcode
            )
        raise AssertionError("unreachable")

    async def create_menu(self, buttons: list[dict[str, object]]) -> None:
        """Replace the account's custom menu (自定义菜单) with ``buttons``."""
        await self.call("/cgi-bin/menu/create", {"button": buttons})


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None

"""A fake WeChat for the Official Account adapter, on 127.0.0.1.

As WeChat's servers do, it signs callbacks to the bot's URL, encrypts them in safe and
compatible mode (wechatpy's WeChatCrypto, the real AES), and decrypts and checks the bot's
passive replies. It also serves the API the bot calls: ``/cgi-bin/token`` (issuing access
tokens for the right AppID and AppSecret), ``/cgi-bin/message/custom/send`` and
``/cgi-bin/menu/create`` (recording what they get, refusing unknown or expired tokens with
WeChat's errcodes), and ``/cgi-bin/media/get`` (the files in ``media``, as WeChat serves a
follower's photo; an unknown id gets errcode 40007).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import xmltodict
from aiohttp import web
from wechatpy.crypto import WeChatCrypto

from bot.adapters.official import signature_of
from bot.adapters.webserver import WebServer

APP_ID = "wx5f1e3c0ad2b74e91"
APP_SECRET = "fake-app-secret-7d2c9a41e0b3"
TOKEN = "cuishouToken2026"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"  # 43 characters
ACCOUNT = "gh_0a1b2c3d4e5f"
ALICE = "oAlice_fake_openid_0001"
BOB = "oBob_fake_openid_0002"

Mode = Literal["safe", "compatible", "plain"]


def _cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


def message_xml(
    source: str, msg_type: str, fields: dict[str, str | int], *, create_time: int | None = None
) -> str:
    """A message or event as WeChat pushes it (plain XML)."""
    created = create_time if create_time is not None else int(time.time())
    parts = [
        f"<ToUserName>{_cdata(ACCOUNT)}</ToUserName>",
        f"<FromUserName>{_cdata(source)}</FromUserName>",
        f"<CreateTime>{created}</CreateTime>",
        f"<MsgType>{_cdata(msg_type)}</MsgType>",
    ]
    for name, value in fields.items():
        parts.append(
            f"<{name}>{value}</{name}>"
            if isinstance(value, int)
            else f"<{name}>{_cdata(value)}</{name}>"
        )
    return "<xml>" + "".join(parts) + "</xml>"


_ids = itertools.count(24_000_000_000_000_001)


def text(source: str, content: str, msg_id: int | None = None) -> str:
    """A text message."""
    return message_xml(
        source, "text", {"Content": content, "MsgId": msg_id if msg_id is not None else next(_ids)}
    )


def voice(source: str, recognition: str | None, msg_id: int | None = None) -> str:
    """A voice message; ``recognition`` is WeChat's transcript (None: the field is absent)."""
    fields: dict[str, str | int] = {"MediaId": "media-voice-1", "Format": "amr"}
    if recognition is not None:
        fields["Recognition"] = recognition
    fields["MsgId"] = msg_id if msg_id is not None else next(_ids)
    return message_xml(source, "voice", fields)


def image(source: str, msg_id: int | None = None, media_id: str = "media-image-1") -> str:
    """An image message."""
    return message_xml(
        source,
        "image",
        {
            "PicUrl": "http://127.0.0.1:9/photo.jpg",
            "MediaId": media_id,
            "MsgId": msg_id if msg_id is not None else next(_ids),
        },
    )


def event(source: str, name: str, key: str | None = None, create_time: int | None = None) -> str:
    """An event (subscribe, unsubscribe, CLICK...)."""
    fields: dict[str, str | int] = {"Event": name}
    if key is not None:
        fields["EventKey"] = key
    return message_xml(source, "event", fields, create_time=create_time)


@dataclass
class Reply:
    """The bot's answer to one callback."""

    status: int
    body: str
    #: the passive reply's text (decrypted when it was encrypted); None for "success"
    content: str | None
    encrypted: bool = False


class FakeWeChat:
    """WeChat's servers: the API on 127.0.0.1, and callbacks to ``callback_url``."""

    def __init__(self, *, expires_in: int = 7200) -> None:
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
        self.expires_in = expires_in
        self.token_requests = 0
        self.valid_tokens: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self.menus: list[dict[str, Any]] = []
        self.refused: list[int] = []  # errcodes returned
        #: temporary media (a follower's photos) by MediaId
        self.media: dict[str, bytes] = {}
        self.media_requests: list[str] = []
        self.callback_url = ""
        self._tokens = itertools.count(1)
        self._nonces = itertools.count(1000)
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/menu/create", self._menu_create)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        self._server = WebServer(app, "127.0.0.1", 0)
        self._http: aiohttp.ClientSession | None = None

    @property
    def base_url(self) -> str:
        """The API base URL the bot is configured with."""
        return f"http://127.0.0.1:{self._server.port}"

    async def start(self) -> None:
        """Serve the API."""
        await self._server.start()
        self._http = aiohttp.ClientSession()

    async def close(self) -> None:
        """Stop serving and close the client."""
        if self._http is not None:
            await self._http.close()
        await self._server.stop()

    def expire_tokens(self) -> None:
        """Make every access token issued so far invalid (WeChat's errcode 42001)."""
        self.valid_tokens.clear()

    # ----- the API -----------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        query = request.query
        if query.get("grant_type") != "client_credential":
            return web.json_response({"errcode": 40002, "errmsg": "invalid grant_type"})
        if query.get("appid") != APP_ID:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("secret") != APP_SECRET:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"ACCESS_TOKEN_{next(self._tokens)}_x9"
        self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": self.expires_in})

    def _token_error(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token")
        if not token:
            self.refused.append(41001)
            return web.json_response({"errcode": 41001, "errmsg": "access_token missing"})
        if token not in self.valid_tokens:
            self.refused.append(42001)
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        return None

    async def _custom_send(self, request: web.Request) -> web.Response:
        error = self._token_error(request)
        if error is not None:
            return error
        body = json.loads(await request.read())
        if (
            body.get("msgtype") != "text"
            or not body.get("touser")
            or not isinstance(body.get("text"), dict)
        ):
            return web.json_response({"errcode": 40008, "errmsg": "invalid message type"})
        content = body["text"].get("content", "")
        if len(content.encode("utf-8")) > 2048:
            return web.json_response({"errcode": 45002, "errmsg": "content size out of limit"})
        async with self._changed:
            self.sent.append(body)
            self._changed.notify_all()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _media_get(self, request: web.Request) -> web.Response:
        error = self._token_error(request)
        if error is not None:
            return error
        media_id = request.query.get("media_id", "")
        self.media_requests.append(media_id)
        data = self.media.get(media_id)
        if data is None:  # WeChat labels its JSON errors text/plain here
            return web.Response(
                text=json.dumps({"errcode": 40007, "errmsg": "invalid media_id"}),
                content_type="text/plain",
            )
        return web.Response(body=data, content_type="image/jpeg")

    async def _menu_create(self, request: web.Request) -> web.Response:
        error = self._token_error(request)
        if error is not None:
            return error
        body = json.loads(await request.read())
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return web.json_response({"errcode": 40016, "errmsg": "invalid button size"})
        self.menus.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def wait_for_sent(self, count: int, within: float = 10) -> list[dict[str, Any]]:
        """Wait until ``count`` customer-service messages have arrived."""

        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.sent) >= count)

        await asyncio.wait_for(wait(), within)
        return self.sent

    def sent_texts(self, open_id: str | None = None) -> list[str]:
        """The texts of the customer-service messages (to ``open_id``)."""
        return [
            m["text"]["content"] for m in self.sent if open_id is None or m["touser"] == open_id
        ]

    # ----- callbacks ---------------------------------------------------------------------

    def signed_query(
        self, *, timestamp: int | None = None, nonce: str | None = None, token: str = TOKEN
    ) -> dict[str, str]:
        """signature, timestamp and nonce as WeChat puts them on every callback."""
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or str(next(self._nonces) * 7919)
        return {"signature": signature_of(token, stamp, nonce), "timestamp": stamp, "nonce": nonce}

    def callback_request(
        self,
        xml: str,
        mode: Mode,
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
        token: str = TOKEN,
        encrypt: bool | None = None,
    ) -> tuple[dict[str, str], str]:
        """The query and body of a callback carrying ``xml``: encrypted in safe mode, both
        plain and encrypted in compatible mode (unless ``encrypt`` is False), plain in plain
        mode. ``token`` other than the account's makes the signatures wrong."""
        query = self.signed_query(timestamp=timestamp, nonce=nonce, token=token)
        query["openid"] = xmltodict.parse(xml)["xml"]["FromUserName"]
        encrypt = mode != "plain" if encrypt is None else encrypt
        if not encrypt:
            return query, xml
        crypto = self.crypto if token == TOKEN else WeChatCrypto(token, AES_KEY, APP_ID)
        envelope = xmltodict.parse(crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))[
            "xml"
        ]
        query["encrypt_type"] = "aes"
        query["msg_signature"] = envelope["MsgSignature"]
        encrypted = f"<Encrypt>{_cdata(envelope['Encrypt'])}</Encrypt>"
        if mode == "compatible":
            body = xml.replace("</xml>", encrypted + "</xml>")
        else:
            body = f"<xml><ToUserName>{_cdata(ACCOUNT)}</ToUserName>{encrypted}</xml>"
        return query, body

    async def post(
        self, query: dict[str, str], body: str | bytes, give_up_after: float = 5.0
    ) -> Reply:
        """POST a callback as WeChat does (it gives up after 5 s) and read the reply."""
        assert self._http is not None
        async with self._http.post(
            self.callback_url,
            params=query,
            data=body,
            headers={"Content-Type": "text/xml"},
            timeout=aiohttp.ClientTimeout(total=give_up_after),
        ) as response:
            raw = await response.text()
            status = response.status
        return self.read_reply(status, raw, query)

    async def send(self, xml: str, mode: Mode = "safe", **options: Any) -> Reply:
        """Push one message or event to the bot, signed (and encrypted) for ``mode``."""
        query, body = self.callback_request(xml, mode, **options)
        return await self.post(query, body)

    def read_reply(self, status: int, raw: str, query: dict[str, str]) -> Reply:
        """Decrypt (checking its signature) and read a passive reply."""
        if status != 200 or raw == "success" or raw == "":
            return Reply(status, raw, None)
        document = xmltodict.parse(raw)["xml"]
        encrypted = "Encrypt" in document
        if encrypted:
            plain = self.crypto.decrypt_message(
                raw, document["MsgSignature"], document["TimeStamp"], document["Nonce"]
            )
            document = xmltodict.parse(plain)["xml"]
        assert document["MsgType"] == "text", document
        assert document["FromUserName"] == ACCOUNT
        assert document["ToUserName"] == query["openid"]
        return Reply(status, raw, document["Content"], encrypted)

    async def verify_url(
        self, echostr: str, *, token: str = TOKEN, timestamp: int | None = None
    ) -> tuple[int, str]:
        """WeChat's check of the callback URL: GET with a signature and ``echostr``."""
        assert self._http is not None
        query = {**self.signed_query(token=token, timestamp=timestamp), "echostr": echostr}
        async with self._http.get(self.callback_url, params=query) as response:
            return response.status, await response.text()

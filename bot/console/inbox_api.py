"""The console's Inbox and Changes (the endpoints; the pages are static/inbox.js and
static/changes.js). Every endpoint sits behind the console's login, and every POST behind its
CSRF and Origin checks (bot/console/web.py).

- ``GET  /admin/api/inbox?state=open``: the groups in that state (``open``, ``taught``,
  ``off_topic``, ``dismissed`` or ``all``), the count in each state, and every intent and
  direct answer a message can be taught to;
- ``POST /admin/api/teach`` ``{text, intent, answer?, group?, confirm?}``: add the text as an
  example (bot/console/teach.py); answers the eval before and after, and
  ``status: "needs_confirmation"`` (nothing written) when an accuracy would go down, until the
  same request comes again with ``confirm: true``;
- ``POST /admin/api/off_topic`` and ``POST /admin/api/dismiss`` ``{group, text?}``;
- ``GET  /admin/api/answer_form``: what the new-answer form offers (the topics, the verified
  facts of the register, the lender types, how many phrasings an answer needs);
- ``POST /admin/api/answer`` ``{intent, question, short, facts, lenders, phrasings, confirm?,
  digest?}``: a new direct answer (bot/console/answers.py): first ``status: "preview"``
  (nothing written) with its ``digest``; written only when sent again with ``confirm: true``
  and that digest;
- ``GET  /admin/api/changes?before=ID``: the change log, newest first;
- ``POST /admin/api/undo`` ``{change}``: undo one change.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from aiohttp import web

from bot.console.answers import LENDER_LABELS, MAX_SHORT_CHARS, MIN_PHRASINGS, NewAnswer, register
from bot.console.audit import STATES, Change, ConsoleRecords
from bot.console.editing import EditError, Target
from bot.console.inbox import Inbox, catalogue
from bot.console.teach import Teacher
from bot.console.web import Console, ConsoleError, JsonHandler, read_json, session_of
from bot.operations.evaluation import TestSetError
from bot.storage.errors import StoreUnavailable

#: changes per page of the change log
CHANGES_PAGE = 50
#: groups shown at most (the largest first)
MAX_GROUPS = 200


def _text(body: dict[str, Any], name: str, *, required: bool = True, limit: int = 1000) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise ConsoleError(400, "bad_request", f"请求缺少有效的 {name}。")
    return value


def _describe(change: Change, content_titles: dict[str, str]) -> dict[str, Any]:
    """A change for the change log, with the intent's title."""
    data = change.to_json()
    intent = change.data.get("intent")
    data["title"] = content_titles.get(intent, intent) if isinstance(intent, str) else None
    return data


class InboxApi:
    """The endpoints (see the module docstring) over one engine."""

    def __init__(self, console: Console, records: ConsoleRecords | None = None) -> None:
        self.engine = console.engine
        self.records = records or ConsoleRecords.for_config(console.config)
        self.inbox = Inbox(self.engine, self.records)
        self.teacher = Teacher(self.engine, self.records, self.inbox)

    def _titles(self) -> dict[str, str]:
        return {spec.id: spec.title for spec in self.engine.understanding.content.intents}

    async def groups(self, request: web.Request) -> dict[str, Any]:
        """GET inbox."""
        state = request.query.get("state", "open")
        if state not in (*STATES, "all"):
            raise ConsoleError(400, "bad_request", "没有这种状态。")
        groups, left_out = await self.inbox.groups()
        counts = dict.fromkeys(STATES, 0)
        for group in groups:
            counts[group.state] += 1
        shown = [g for g in groups if state == "all" or g.state == state]
        return {
            "state": state,
            "counts": counts,
            "groups": [g.to_json() for g in shown[:MAX_GROUPS]],
            "more": max(0, len(shown) - MAX_GROUPS),
            "left_out": left_out,
            "recording": self.engine.insights.log is not None,
            "keeps_text": self.engine.config.insights.keep_unanswered_text,
            "catalogue": catalogue(self.engine.understanding.content),
            "now": time.time(),
        }

    async def teach(self, request: web.Request) -> dict[str, Any]:
        """POST teach."""
        body = await read_json(request)
        text = _text(body, "text")
        intent = _text(body, "intent", limit=100)
        answer = _text(body, "answer", required=False, limit=100) or None
        group = _text(body, "group", required=False, limit=100) or None
        confirm = body.get("confirm") is True
        try:
            result = await self.teacher.teach(
                text,
                Target(intent, answer),
                who=session_of(request).who,
                confirm=confirm,
                group=group,
            )
        except EditError as exc:
            raise ConsoleError(422, "refused", str(exc)) from None
        except TestSetError as exc:
            raise ConsoleError(500, "test_set", f"评估用的标注集读不了：{exc}") from None
        data = result.to_json()
        data["title"] = self._titles().get(intent, intent)
        return data

    async def answer_form(self, request: web.Request) -> dict[str, Any]:
        """GET answer_form."""
        content = self.engine.understanding.content
        return {
            "intents": [{"id": spec.id, "title": spec.title} for spec in content.intents],
            "facts": register(content),
            "lenders": [{"id": key, "label": label} for key, label in LENDER_LABELS.items()],
            "min_phrasings": MIN_PHRASINGS,
            "max_short": MAX_SHORT_CHARS,
        }

    async def answer(self, request: web.Request) -> dict[str, Any]:
        """POST answer."""
        body = await read_json(request)
        digest = body.get("digest")
        try:
            result = await self.teacher.add_answer(
                NewAnswer.from_json(body),
                who=session_of(request).who,
                confirm=body.get("confirm") is True,
                digest=digest if isinstance(digest, str) else None,
            )
        except EditError as exc:
            raise ConsoleError(422, "refused", str(exc)) from None
        except TestSetError as exc:
            raise ConsoleError(500, "test_set", f"评估用的标注集读不了：{exc}") from None
        data = result.to_json()
        data["title"] = self._titles().get(result.answer.intent, result.answer.intent)
        return data

    async def _decide(self, request: web.Request, state: str) -> dict[str, Any]:
        body = await read_json(request)
        signature = _text(body, "group", limit=100)
        text = _text(body, "text", required=False) or None
        try:
            change = await self.inbox.decide(session_of(request).who, state, signature, text)
        except LookupError:
            raise ConsoleError(
                404, "no_such_group", "找不到这组消息了（可能已过保留期），请刷新页面。"
            ) from None
        return {"change": change.to_json()}

    async def off_topic(self, request: web.Request) -> dict[str, Any]:
        """POST off_topic."""
        return await self._decide(request, "off_topic")

    async def dismiss(self, request: web.Request) -> dict[str, Any]:
        """POST dismiss."""
        return await self._decide(request, "dismissed")

    async def changes(self, request: web.Request) -> dict[str, Any]:
        """GET changes."""
        before_text = request.query.get("before")
        try:
            before = int(before_text) if before_text else None
        except ValueError:
            raise ConsoleError(400, "bad_request", "before 必须是数字。") from None
        found = await self.records.changes(limit=CHANGES_PAGE + 1, before=before)
        titles = self._titles()
        return {
            "changes": [_describe(c, titles) for c in found[:CHANGES_PAGE]],
            "more": len(found) > CHANGES_PAGE,
        }

    async def undo(self, request: web.Request) -> dict[str, Any]:
        """POST undo."""
        body = await read_json(request)
        change_id = body.get("change")
        if not isinstance(change_id, int) or isinstance(change_id, bool) or change_id < 1:
            raise ConsoleError(400, "bad_request", "请求缺少有效的 change。")
        try:
            undo = await self.teacher.undo(change_id, who=session_of(request).who)
        except EditError as exc:
            raise ConsoleError(422, "refused", str(exc)) from None
        return {"undo": undo.to_json()}


def store_errors(handler: JsonHandler) -> JsonHandler:
    """A store that cannot be reached (the turn log, the console's database) answers 503."""

    @functools.wraps(handler)
    async def guarded(request: web.Request) -> Any:
        try:
            return await handler(request)
        except StoreUnavailable as exc:
            raise ConsoleError(503, "store_unavailable", f"暂时无法读写记录：{exc}") from None

    return guarded


#: where the console's sub-application keeps its :class:`InboxApi`
INBOX_API = web.AppKey("inbox_api", InboxApi)


def install(console: Console) -> None:
    """Add the Inbox and Changes endpoints and tabs."""
    api = InboxApi(console)
    console.app[INBOX_API] = api

    async def close(_app: web.Application) -> None:
        await api.records.close()

    console.app.on_cleanup.append(close)
    console.get("inbox", store_errors(api.groups))
    console.post("teach", store_errors(api.teach))
    console.get("answer_form", store_errors(api.answer_form))
    console.post("answer", store_errors(api.answer))
    console.post("off_topic", store_errors(api.off_topic))
    console.post("dismiss", store_errors(api.dismiss))
    console.get("changes", store_errors(api.changes))
    console.post("undo", store_errors(api.undo))
    console.section("inbox", "待处理消息", script="inbox.js", order=20)
    console.section("answer", "写新回答", script="answer.js", order=25)
    console.section("changes", "修改记录", script="changes.js", order=40)

"""The platform-free message types that flow between adapters and the engine.

Adapters turn a platform's event into one :class:`Incoming` and send back the texts of the
:class:`Response` the engine returns. Nothing here knows about WeChat, QQ or HTTP.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class MessageKind(StrEnum):
    """What an incoming message carries. Only TEXT and CHAT_HISTORY carry text to understand."""

    TEXT = "text"
    CHAT_HISTORY = "chat_history"  # a forwarded chat record (WeChat ChatHistory)
    IMAGE = "image"
    VOICE = "voice"
    VIDEO = "video"
    FILE = "file"
    STICKER = "sticker"
    LINK = "link"
    TRANSFER = "transfer"
    LOCATION = "location"
    OTHER = "other"

    @property
    def has_text(self) -> bool:
        """True when the message's text is worth understanding."""
        return self in (MessageKind.TEXT, MessageKind.CHAT_HISTORY)


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a person, as any adapter sees it.

    ``room`` is the group id, or None in a private chat. ``addressed`` says whether the message
    is meant for the bot (always true in a private chat; in a group, an @mention or a trigger
    word). ``image`` carries a photo's bytes (kind IMAGE), for the photo check.
    """

    user: str
    text: str
    platform: str = "terminal"
    room: str | None = None
    addressed: bool = True
    kind: MessageKind = MessageKind.TEXT
    #: the bytes of a photo (kind IMAGE) when the platform delivered them; never logged
    image: bytes | None = field(default=None, repr=False)
    #: the sender asked for the decision trace (``chat --explain``; the HTTP API's debug
    #: flag with the admin token): ``Response.trace`` is filled only then
    explain: bool = False

    @property
    def in_group(self) -> bool:
        """True for a message sent in a group chat."""
        return self.room is not None


def _part(value: object) -> str:
    """One part of a key: text every store can keep (lone surrogates, possible from JSON
    input, replaced) with ``%`` and ``:`` escaped, so no two tuples of parts give one key."""
    text = value if isinstance(value, str) else str(value)
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    if "%" in text or ":" in text:
        text = text.replace("%", "%25").replace(":", "%3A")
    return text


@dataclass(frozen=True, slots=True)
class SessionKey:
    """Who is speaking and where: the one place keys are made from a message.

    ``user`` is the person across their conversations on one platform ("platform:user", the
    form ``admins`` and ``counsellors`` use; "删除我的记录" deletes by it). ``conversation`` is
    what the bot remembers: the person in a private chat; in a group the room and the person,
    or the room alone when ``per_room``. Parts are escaped, so distinct (platform, room,
    user) tuples never collide.
    """

    platform: str
    user_id: str
    room: str | None = None

    @classmethod
    def of(cls, incoming: Incoming) -> SessionKey:
        """The key of ``incoming``."""
        return cls(
            _part(incoming.platform),
            _part(incoming.user),
            None if incoming.room is None else _part(incoming.room),
        )

    @property
    def user(self) -> str:
        """The person: ``platform:user``."""
        return f"{self.platform}:{self.user_id}"

    def conversation(self, *, per_room: bool = False) -> str:
        """The conversation's key."""
        if self.room is None:
            return f"{self.platform}:u:{self.user_id}"
        if per_room:
            return f"{self.platform}:g:{self.room}"
        return f"{self.platform}:g:{self.room}:{self.user_id}"

    def listed_in(self, ids: Collection[str]) -> bool:
        """True when the person is in ``ids`` (configured as ``platform:user`` or as the bare
        user id, e.g. ``admins`` and ``counsellors``)."""
        return bool(ids) and (self.user in ids or self.user_id in ids)


def listed_on(platform: str, ids: Collection[str]) -> list[str]:
    """The user ids in ``ids`` that belong to ``platform`` (``platform:user`` or bare)."""
    prefix = f"{platform}:"
    return [i.removeprefix(prefix) for i in ids if i.startswith(prefix) or ":" not in i]


class Outcome(StrEnum):
    """What a reply is when it is not a topic's answer (``Response.intent`` holds an intent id
    or one of these)."""

    FALLBACK = "fallback"  # the polite "I cannot help with this"
    CLARIFY = "clarify"  # which of a few topics was meant
    MENU = "help"  # the menu of topics
    MORE = "more"  # 详细 with no topic to expand
    RESET = "reset"  # 重新开始
    FORGET = "forget"  # 删除我的记录
    EMPTY = "empty"  # nothing to read in the message
    PRIVACY = "privacy"  # a number posted in a group: retract it
    NON_TEXT = "non_text"  # a picture, voice … : please type
    ERROR = "error"  # the message could not be handled
    ADMIN_STATUS = "admin_status"
    ADMIN_RELOAD = "admin_reload"

    @property
    def label(self) -> str:
        """The outcome's name for people (reports, the status)."""
        return _OUTCOME_TITLES[self]


_OUTCOME_TITLES = {
    Outcome.FALLBACK: "没能回答（兜底回复）",
    Outcome.CLARIFY: "请对方选话题（澄清）",
    Outcome.MENU: "菜单",
    Outcome.MORE: "详细（没有话题）",
    Outcome.RESET: "重新开始",
    Outcome.FORGET: "删除记录",
    Outcome.EMPTY: "空消息",
    Outcome.NON_TEXT: "非文字消息",
    Outcome.ERROR: "出错",
    Outcome.PRIVACY: "提醒撤回个人号码",
    Outcome.ADMIN_STATUS: "管理员：状态",
    Outcome.ADMIN_RELOAD: "管理员：重新加载",
}


class RankedIntent(NamedTuple):
    """One candidate intent with its score in [0, 1] (a tuple: cheap to make by the dozen)."""

    intent: str
    score: float


@dataclass(frozen=True, slots=True)
class Response:
    """What the engine answers to one incoming message.

    ``replies`` are the texts to send, in order (each fits one chat message). ``choices`` are
    the numbered options the last reply offers, so a web page can show them as buttons.
    ``intent`` is the intent the reply is about (``None`` when the bot stays silent).
    """

    replies: list[str] = field(default_factory=list)
    intent: str | None = None
    confidence: float = 0.0
    intents: list[RankedIntent] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    #: clear danger: the emergency reply (bot/conversation/policies/urgency.py)
    urgent: bool = False
    #: the urgency tier: "clear", "possible" or "calm"
    tier: str = "calm"
    #: for clear and possible danger: the kind ("violence" | "self_harm") and the rule of
    #: the urgency decision that decided (for the console's safety view)
    kind: str = ""
    rule: str = ""
    #: which decision answered and why the ones before it declined, with the scores they
    #: used (``chat --explain``; the HTTP API shows it only to the admin token)
    trace: list[str] = field(default_factory=list)

    @property
    def silent(self) -> bool:
        """True when there is nothing to send."""
        return not self.replies

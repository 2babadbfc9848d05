"""OneBot v11 messages: reading an incoming message (a segment array, or a CQ-code string when
the implementation's message_format is "string") and building the segments we send."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.messages import MessageKind

Segment = dict[str, Any]

# What a message without text is, by its first segment that carries something.
_KIND_BY_SEGMENT = {
    "image": MessageKind.IMAGE,
    "record": MessageKind.VOICE,
    "video": MessageKind.VIDEO,
    "file": MessageKind.FILE,
    "face": MessageKind.STICKER,
    "mface": MessageKind.STICKER,
    "bface": MessageKind.STICKER,
    "sface": MessageKind.STICKER,
    "dice": MessageKind.STICKER,
    "rps": MessageKind.STICKER,
    "share": MessageKind.LINK,
    "json": MessageKind.LINK,
    "xml": MessageKind.LINK,
    "music": MessageKind.LINK,
    "location": MessageKind.LOCATION,
}
#: segments that carry nothing to answer: a quoted reply and @mentions
_MARKERS = {"at", "reply"}

_CQ_CODE = re.compile(r"\[CQ:([A-Za-z0-9_.-]+)((?:,[^\]]*)?)\]")


def unescape_cq(text: str, *, in_parameter: bool = False) -> str:
    """Undo CQ-code escaping (``&#91;`` → ``[``, …; ``&#44;`` → ``,`` inside parameters)."""
    text = text.replace("&#91;", "[").replace("&#93;", "]")
    if in_parameter:
        text = text.replace("&#44;", ",")
    return text.replace("&amp;", "&")


def parse_cq_string(message: str) -> list[Segment]:
    """The segments of a CQ-code string such as ``"[CQ:at,qq=123] 你好"``."""
    segments: list[Segment] = []
    position = 0
    for match in _CQ_CODE.finditer(message):
        if match.start() > position:
            segments.append(_text_segment(unescape_cq(message[position : match.start()])))
        data: dict[str, str] = {}
        for pair in filter(None, match.group(2).split(",")):
            key, _, value = pair.partition("=")
            data[key.strip()] = unescape_cq(value, in_parameter=True)
        segments.append({"type": match.group(1), "data": data})
        position = match.end()
    if position < len(message):
        segments.append(_text_segment(unescape_cq(message[position:])))
    return segments


def segments_of(message: object) -> list[Segment]:
    """An event's ``message`` as a list of segments, whichever form it came in."""
    if isinstance(message, str):
        return parse_cq_string(message)
    if isinstance(message, dict):
        message = [message]
    if not isinstance(message, list):
        return []
    return [s for s in message if isinstance(s, dict) and isinstance(s.get("type"), str)]


@dataclass(frozen=True, slots=True)
class ReadMessage:
    """What the engine needs from a OneBot message."""

    text: str
    kind: MessageKind
    mentions_self: bool


def read_message(message: object, self_id: str) -> ReadMessage:
    """The text (text segments joined, @mentions removed), the kind and whether the bot was
    @mentioned. A message without text is of the kind of its first other segment."""
    texts: list[str] = []
    mentions_self = False
    kind: MessageKind | None = None
    for segment in segments_of(message):
        data = segment.get("data")
        data = data if isinstance(data, dict) else {}
        seg_type = segment["type"]
        if seg_type == "text":
            texts.append(str(data.get("text", "")))
        elif seg_type == "at":
            mentions_self = mentions_self or (bool(self_id) and str(data.get("qq")) == self_id)
        elif seg_type not in _MARKERS and kind is None:
            kind = _KIND_BY_SEGMENT.get(seg_type, MessageKind.OTHER)
    text = "".join(texts).strip()
    if text or kind is None:
        return ReadMessage(text=text, kind=MessageKind.TEXT, mentions_self=mentions_self)
    return ReadMessage(text="", kind=kind, mentions_self=mentions_self)


def image_url(message: object) -> str | None:
    """The link of the first image segment (``data.url``, or ``data.file`` when it is a
    link), or None."""
    for segment in segments_of(message):
        if segment["type"] != "image":
            continue
        data = segment.get("data")
        data = data if isinstance(data, dict) else {}
        for key in ("url", "file"):
            value = data.get(key)
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                return value
        return None
    return None


def outgoing_message(text: str, mention_ids: tuple[str, ...] = ()) -> list[Segment]:
    """The segments of one reply: @mentions first (a space before the text), then the text.

    Sent as an array, so a reply that happens to contain ``[CQ:…]`` is never read as a code.
    """
    segments: list[Segment] = [{"type": "at", "data": {"qq": qq}} for qq in mention_ids]
    segments.append(_text_segment(f" {text}" if mention_ids else text))
    return segments


def _text_segment(text: str) -> Segment:
    return {"type": "text", "data": {"text": text}}

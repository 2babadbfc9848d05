"""The questions one message asks, when it asks more than one
("借呗逾期多久会被起诉，真的会上门吗？", "360借条逾期会上门吗？如果真的还不上，应该怎么办？").

A message is cut at question marks and at the words that open another question ("还有",
"另外", "顺便问", "再问"); a comma cuts too when the words on both sides each ask something.
Each piece that asks and has enough words to be read is one question. Pure, no I/O."""

from __future__ import annotations

import re

#: at most this many questions are read from one message
MAX_PARTS = 3
#: a piece shorter than this (without spaces and punctuation) is not read as a question
MIN_PART_CHARS = 4
#: messages longer than this are stories: their questions are not split out
MAX_TEXT_CHARS = 160

#: a piece asks something (the cues' "asks", plus how long / how much / which)
_ASKS = re.compile(
    r"[?？吗嘛]|怎么|怎样|如何|为什么|为啥|干什么|咋|能不能|可不可以|可以不|要不要|会不会|该不该"
    r"|是不是|行不行|有没有|算不算|合不合法|多久|多长|多少|几年|几个月|哪里|哪个|哪些|什么|呢$"
)
#: where a second question may start
_QUESTION_END = re.compile(r"[?？]+")
_OPENS_ANOTHER = re.compile(
    r"[,，;；。 ]*(?:还有|另外|顺便问一?下?|再问一?下?|以及|同时)[,，：: ]*"
)
_COMMA = re.compile(r"[,，;；。]")
_NOT_WORDS = re.compile(r"[\W_]+")


def question_parts(text: str) -> list[str]:
    """The questions ``text`` asks, in order, when it asks at least two; else []."""
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        return []
    pieces: list[str] = []
    for chunk in _QUESTION_END.split(text):
        for piece in _OPENS_ANOTHER.split(chunk):
            pieces.extend(_split_commas(piece))
    parts = [p.strip(" ,，;；。:：") for p in pieces]
    parts = [p for p in parts if _asks(p) and len(_NOT_WORDS.sub("", p)) >= MIN_PART_CHARS]
    return parts[:MAX_PARTS] if len(parts) >= 2 else []


def _split_commas(piece: str) -> list[str]:
    """A comma splits two questions only when the words after it ask something too ("多久会
    被起诉，真的会上门吗"); "如果平台拒绝协商，我们该怎么办" stays one question."""
    cuts = [m for m in _COMMA.finditer(piece)]
    if not cuts:
        return [piece]
    out: list[str] = []
    start = 0
    for m in cuts:
        left, right = piece[start : m.start()], piece[m.end() :]
        if _asks(left) and _asks(_until_comma(right)):
            out.append(left)
            start = m.end()
    out.append(piece[start:])
    return out


def _until_comma(text: str) -> str:
    m = _COMMA.search(text)
    return text if m is None else text[: m.start()]


def _asks(piece: str) -> bool:
    return _ASKS.search(piece.strip()) is not None

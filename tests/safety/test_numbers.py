"""Every crisis text names 12356 with its hours and the 24-hour line for the night, never
"随时" (issue 23, item 7; the fact register: 12356 serves at least 18 hours a day)."""

from __future__ import annotations

import re

import pytest

from bot.content import Content
from bot.conversation import crisis, numbers, texts


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, tuple | list):
        return [s for v in value for s in _strings(v)]
    return []


def _crisis_texts(content: Content) -> list[str]:
    found = [
        s
        for name, v in vars(crisis).items()
        if not name.startswith("__") and (name.isupper() or name.startswith("_"))
        for s in _strings(v)
    ]
    found += _strings(texts.HELPER_URGENT_DESPAIR)
    for spec in content.intents:
        if spec.urgent:
            found += [spec.advice.short, spec.advice.long]
    return [t for t in found if numbers.CRISIS_LINE in t]


def test_there_are_crisis_texts(understanding) -> None:
    assert len(_crisis_texts(understanding.content)) >= 10


def test_every_crisis_text_gives_the_hours_and_the_night_line(understanding) -> None:
    missing = [
        t[:40]
        for t in _crisis_texts(understanding.content)
        if "18小时" not in t or numbers.NIGHT_LINE not in t
    ]
    assert missing == []


@pytest.mark.parametrize("word", ["随时"])
def test_no_crisis_text_says_any_time(understanding, word: str) -> None:
    said = [
        sentence
        for t in _crisis_texts(understanding.content)
        for sentence in re.split(r"[。；\n]", t)
        if numbers.CRISIS_LINE in sentence and word in sentence
    ]
    assert said == []

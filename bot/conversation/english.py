"""A one-line English lead for a message written in English.

The advice is in Chinese; someone who wrote in English first gets one line saying what the
advice below is about and, when the message tells of danger, the numbers to call. The topic's
English title is content (``title_en`` in ``intents/<id>.yaml``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.content import Content

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")
#: at least this many English words, and more Latin letters than Chinese characters
MIN_WORDS = 3

DANGER_LINE = " If you are in danger now, call 110 (police); 120 if someone is hurt."
DESPAIR_LINE = (
    " If you are thinking of harming yourself, please call 12356 now (the national mental-health"
    " line, open at least 18 hours a day; at night 010-82951332, 24 hours); in danger 110/120."
)


def is_english(text: str) -> bool:
    """True when ``text`` is written mainly in English: at least :data:`MIN_WORDS` English
    words (not pinyin: "wo yao bengkui le" is Chinese), more Latin letters than Chinese
    characters."""
    words = _LATIN_WORD.findall(text)
    english = [w for w in words if not _is_pinyin(w.lower())]
    if len(english) < MIN_WORDS or len(english) * 2 < len(words):
        return False
    latin = sum(len(w) for w in words)
    return latin > 2 * len(_CJK.findall(text))


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (from pypinyin's dictionary)."""
    from pypinyin.constants import PINYIN_DICT

    out = set()
    for readings in PINYIN_DICT.values():
        for reading in readings.split(","):
            plain = "".join(
                c for c in unicodedata.normalize("NFD", reading) if unicodedata.category(c) != "Mn"
            )
            out.add(plain.replace("ü", "v"))
    return frozenset(out)


@lru_cache(maxsize=4096)
def _is_pinyin(word: str) -> bool:
    """True when ``word`` splits wholly into pinyin syllables ("bengkui", "woxiang")."""
    syllables = _syllables()
    n = len(word)
    reachable = [True] + [False] * n
    for end in range(1, n + 1):
        reachable[end] = any(
            reachable[start] and word[start:end] in syllables
            for start in range(max(0, end - 6), end)
        )
    return reachable[n]


def lead(content: Content, intent: str | None, danger: str | None) -> str | None:
    """The English line to put before the Chinese answer (None when there is nothing to say:
    an unknown intent, small talk)."""
    title = None
    if intent is not None and intent in content.ids:
        title = content.intent(intent).title_en
    if intent in ("greeting", "thanks"):
        title = None
    if title is None and danger is None:
        return None
    text = (
        f"(English) The advice below is in Chinese; it is about {title}."
        if title
        else ("(English) The advice below is in Chinese.")
    )
    if danger == "self_harm":
        text += DESPAIR_LINE
    elif danger == "violence":
        text += DANGER_LINE
    return text

"""Which language a message is written in: mainly English (not pinyin: "wo yao bengkui le"
is Chinese), read on the raw text before normalisation turns pinyin into characters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")
#: at least this many English words, and more Latin letters than Chinese characters
MIN_WORDS = 3


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
    from bot.understanding.readings import character_readings

    out = set()
    for readings in character_readings().values():
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

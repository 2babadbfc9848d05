"""Features of one normalised message — pure, the same at training and at inference.

A message (already normalised: Simplified, half-width, lower case, variants and pinyin read) is
described by:

* its character 1-, 2- and 3-grams over runs of Chinese characters (they survive typos, unknown
  words and segmentation errors);
* its jieba words;
* its Latin words and word bigrams (English and the pinyin the normaliser could not read), and
  the character 3-grams of each Latin word (misspellings);
* the letter 5-grams of its sound: every Chinese character replaced by its toneless pinyin and
  Latin letters kept, spaces dropped — so "woxinyongka yuqile" and "我信用卡逾期了" share
  features, and so do homophones (崔收 / 催收).

Features are strings with a one-letter prefix so the kinds never collide. The model weighs each
feature once (binary), and a message's evidence is divided by the square root of its number of
features (an L2-normalised binary vector).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z']*|\d+")

#: the length of the letter n-grams of a message's sound
SOUND_GRAM = 5

#: Features beyond this many are ignored: the cost of one message is bounded whatever is pasted.
MAX_FEATURES = 2000


def features(text: str, tokens: list[str]) -> list[str]:
    """The distinct features of the normalised ``text`` segmented into ``tokens``, in text
    order (deterministic), at most :data:`MAX_FEATURES`."""
    seen: dict[str, None] = {}
    for run in _CJK_RUN.findall(text):
        n = len(run)
        for i in range(n):
            seen["c" + run[i]] = None
            if i + 1 < n:
                seen["b" + run[i : i + 2]] = None
                if i + 2 < n:
                    seen["t" + run[i : i + 3]] = None
        if len(seen) >= MAX_FEATURES:
            break
    for token in tokens:
        seen["w" + token] = None
    previous = ""
    for word in _LATIN_WORD.findall(text):
        if word.isdigit():
            seen["d" + ("long" if len(word) > 4 else str(len(word)))] = None
            previous = ""
            continue
        seen["e" + word] = None
        if previous:
            seen["p" + previous + " " + word] = None
        previous = word
        padded = f"<{word}>"
        for i in range(len(padded) - 2):
            seen["g" + padded[i : i + 3]] = None
    sound = _sound(text)
    for i in range(len(sound) - SOUND_GRAM + 1):
        seen["y" + sound[i : i + SOUND_GRAM]] = None
    if len(seen) > MAX_FEATURES:
        return list(seen)[:MAX_FEATURES]
    return list(seen)


def _sound(text: str) -> str:
    """The message as letters: Chinese characters by their toneless pinyin, Latin letters as
    they are, everything else dropped."""
    get = _pinyin_table().get
    return "".join([get(ch, "") for ch in text[:MAX_FEATURES]])


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[str, str]:
    """Chinese character → its first toneless pinyin reading (pypinyin's dictionary); the
    Latin letters a–z stand for themselves."""
    from bot.understanding.readings import character_readings

    table = {letter: letter for letter in "abcdefghijklmnopqrstuvwxyz"}
    for code, readings in character_readings().items():
        first = readings.split(",")[0]
        table[chr(code)] = "".join(
            c for c in unicodedata.normalize("NFD", first) if unicodedata.category(c) != "Mn"
        ).replace("ü", "v")
    return table

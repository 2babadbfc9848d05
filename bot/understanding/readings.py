"""The pinyin readings of single Chinese characters, read from pypinyin's data file alone.

Importing ``pypinyin`` (or its ``constants``) also loads its phrase dictionary, about 50 MB of
memory and a quarter of a second, which the bot needs only to build its pinyin index (cached,
see pinyin.py). The per-character readings it needs for every message (the sound features and
telling pinyin from English) are one JSON file in the package: this module reads that file
without importing the package, and falls back to the import if the file is not where it was.
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def character_readings() -> dict[int, str]:
    """Code point → its readings, comma-separated, with tones ("zhōng,zhòng"), exactly as
    ``pypinyin.constants.PINYIN_DICT`` holds them."""
    spec = importlib.util.find_spec("pypinyin")  # finds the package without running it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "pinyin_dict.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return {int(code): readings for code, readings in raw.items()}
    from pypinyin.constants import PINYIN_DICT  # another layout: the whole package

    return dict(PINYIN_DICT)

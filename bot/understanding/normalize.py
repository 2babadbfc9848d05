"""Text normalisation: the first step of understanding a message.

Order matters: @mentions are stripped before NFKC (which would turn WeChat's U+2005 separator
into a plain space), Traditional → Simplified comes before the variant spellings (which are
written in Simplified), and everything is lower-cased before pinyin and abbreviations are read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import opencc

from bot.content import Lexicon
from bot.understanding.language import is_english
from bot.understanding.pinyin import PinyinReader
from bot.understanding.short_answers import ENGLISH_REPLY_WORDS

#: Text beyond this many characters is not analysed (the reply says so); this keeps the cost of
#: one message bounded whatever is pasted.
MAX_ANALYSED_CHARS = 2000

# WeChat ends an @mention with U+2005, so the name is known exactly and is removed. A
# hand-typed "@name" has no reliable end ("@助手我不想活了 真的"): only its "@" is dropped, so
# no words of the message are ever lost (the adapters remove the bot's own name themselves).
_MENTION = re.compile(r"@[^\s@\u2005]{1,40}\u2005")
_AT_SIGN = re.compile(r"(?<![\w.])@(?=\S)")
_WECHAT_EMOJI = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,8}\]")
# Control characters, zero-width characters and private-use code points carry no meaning.
_INVISIBLE = re.compile(
    r"[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f"
    r"\u2028-\u202f\u2060-\u206f\ufeff\ue000-\uf8ff\ufff0-\uffff]"
)
_SPACES = re.compile(r"[ \t\r\n\u3000]+")
#: Latin letters with a pinyin tone mark → the letter without it (ü, ǖ, ǘ, ǚ, ǜ → v, as typed)
_TONE_MARKS = str.maketrans(
    {
        **dict.fromkeys("āáǎà", "a"),
        **dict.fromkeys("ēéěè", "e"),
        **dict.fromkeys("īíǐì", "i"),
        **dict.fromkeys("ōóǒò", "o"),
        **dict.fromkeys("ūúǔù", "u"),
        **dict.fromkeys("üǖǘǚǜ", "v"),
        **dict.fromkeys("ńňǹ", "n"),
        "ḿ": "m",
    }
)
# Emoji, pictographs, dingbats, arrows and the joiners and selectors that glue emoji together.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf"
    "\u2900-\u297f\u2b00-\u2bff\u3030\u303d\u3297\u3299\ufe00-\ufe0f"
    "\u200d\U000e0000-\U000e007f]"
)
_LATIN_RUN = re.compile(r"[a-z][a-z' ]*[a-z]|[a-z]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
#: Variant spellings are replaced until none is left, at most this many times over.
_MAX_VARIANT_PASSES = 4


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised message: ``text`` is what the classifier reads."""

    text: str
    truncated: bool = False
    #: True when the word 催收 was restored because a platform had filtered it out
    restored_filtered_word: bool = False


class Normalizer:
    """Normalises text with a lexicon of variant spellings; build once, use from any task."""

    def __init__(
        self, lexicon: Lexicon, pinyin: PinyinReader | None = None, bot_names: tuple[str, ...] = ()
    ) -> None:
        self._t2s = opencc.OpenCC("t2s")
        names = sorted((n for n in bot_names if n), key=len, reverse=True)
        # "@<the bot's own name>" typed by hand: its end is known, so it is removed whole.
        self._own_mention = (
            re.compile("@(?:" + "|".join(map(re.escape, names)) + r")\s*") if names else None
        )
        self._pinyin_reader = pinyin or PinyinReader.build(lexicon.pinyin.values(), lexicon.pinyin)
        self._variants = self._alternation(lexicon.variants)
        self._variant_map = {k.lower(): v for k, v in lexicon.variants.items()}
        self._abbreviations = (
            re.compile(
                r"(?<![a-z])("
                + "|".join(
                    re.escape(k.lower())
                    for k in sorted(lexicon.abbreviations, key=len, reverse=True)
                )
                + r")(?![a-z])"
            )
            if lexicon.abbreviations
            else None
        )
        self._abbreviation_map = {k.lower(): v for k, v in lexicon.abbreviations.items()}
        self._abbreviation_initials = self._initials(self._abbreviation_map)
        self._english = self._whole_words(lexicon.english)
        self._english_map = {" ".join(k.lower().split()): v for k, v in lexicon.english.items()}
        self._english_initials = self._initials(self._english_map)
        self._filtered = [re.compile(p) for p in lexicon.filtered]

    @staticmethod
    def _alternation(mapping: dict[str, str]) -> re.Pattern[str] | None:
        if not mapping:
            return None
        keys = sorted((k.lower() for k in mapping), key=len, reverse=True)
        return re.compile("|".join(re.escape(k) for k in keys))

    @staticmethod
    def _whole_words(mapping: dict[str, str]) -> re.Pattern[str] | None:
        """One pattern for English phrases, longest first, matched as whole words with any
        run of spaces between the words."""
        if not mapping:
            return None
        phrases = sorted({" ".join(k.lower().split()) for k in mapping}, key=len, reverse=True)
        body = "|".join(r"\s+".join(map(re.escape, p.split(" "))) for p in phrases)
        return re.compile(rf"(?<![a-z'])(?:{body})(?![a-z])")

    @staticmethod
    def _initials(phrases: dict[str, str]) -> re.Pattern[str] | None:
        """A character some phrase begins with: a text without one has no phrase, and this
        one-character search is far cheaper than the phrases' pattern (tried at every
        position: most messages have no Latin letter at all). None when a phrase is empty (it
        would match anywhere)."""
        if not phrases or not all(phrases):
            return None
        return re.compile("[" + "".join(sorted({re.escape(p[0]) for p in phrases})) + "]")

    def _replace_english(self, match: re.Match[str]) -> str:
        return f" {self._english_map[' '.join(match.group(0).split())]} "

    def strip_decorations(self, text: str) -> str:
        """Remove @mentions, WeChat emoji codes and invisible characters."""
        if "@" in text:  # (most messages have neither an @ nor a [: no pattern to try)
            text = _MENTION.sub(" ", text)
            if self._own_mention is not None:
                text = self._own_mention.sub(" ", text)
            text = _AT_SIGN.sub(" ", text)
        if "[" in text:
            text = _WECHAT_EMOJI.sub(" ", text)
        return _INVISIBLE.sub("", text)

    def _replace_pinyin(self, match: re.Match[str]) -> str:
        run = match.group(0)
        reading = self._pinyin_reader.read(run)
        return run if reading is None else reading

    def _replace_pinyin_words(self, match: re.Match[str]) -> str:
        """In an English message, word by word: only pinyin that reads as whole known words
        ("cuishou say can jianmian some lixi" → "催收 say can 减免 some 利息")."""
        read = self._pinyin_reader.read
        return " ".join(
            read(word, words_only=True) or word for word in match.group(0).split(" ") if word
        )

    def normalize(self, text: str) -> Normalized:
        """Return the normalised form of ``text`` (any string; never raises)."""
        text = self.strip_decorations(text)
        truncated = len(text) > MAX_ANALYSED_CHARS
        if truncated:
            text = text[:MAX_ANALYSED_CHARS]
        text = unicodedata.normalize("NFKC", text)
        text = _EMOJI.sub(" ", text)
        converted = self._t2s.convert(text)
        if converted != text:
            # OpenCC's t2s is not always idempotent ("薴" → "苧" → "苎"): once more, so that
            # normalising twice changes nothing
            converted = self._t2s.convert(converted)
        text = converted.lower()
        if not text.isascii():
            # pinyin with its tone marks ("cuīshōu", "nǚ'ér") read as pinyin without them
            text = text.translate(_TONE_MARKS)
        if self._english is not None:
            text = text.replace("’", "'")
            if self._english_initials is None or self._english_initials.search(text):
                text = self._english.sub(self._replace_english, text)
        if self._abbreviations is not None and (
            self._abbreviation_initials is None or self._abbreviation_initials.search(text)
        ):
            text = self._abbreviations.sub(lambda m: self._abbreviation_map[m.group(1)], text)
        if _LATIN_LETTER.search(text) and text.strip(" .!?,") not in ENGLISH_REPLY_WORDS:
            # (else no English and no pinyin to read, or a one-word English reply)
            read = self._replace_pinyin_words if is_english(text) else self._replace_pinyin
            text = _LATIN_RUN.sub(read, text)
        if self._variants is not None:
            # A replacement may complete another variant ("崔收的人" → "催收的人" → "催收人员"):
            # repeat until nothing changes, so normalising twice changes nothing.
            for _ in range(_MAX_VARIANT_PASSES):
                replaced = self._variants.sub(lambda m: self._variant_map[m.group(0)], text)
                if replaced == text:
                    break
                text = replaced
        text = _SPACES.sub(" ", text).strip()
        restored = False
        if "催收" not in text and any(p.search(text) for p in self._filtered):
            text = "催收 " + text
            restored = True
        if len(text) > MAX_ANALYSED_CHARS:  # NFKC lengthens some characters ("ﷺ" is 18)
            text = text[:MAX_ANALYSED_CHARS].rstrip()
            truncated = True
        return Normalized(text=text, truncated=truncated, restored_filtered_word=restored)

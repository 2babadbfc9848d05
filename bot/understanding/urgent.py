"""Urgent signals: finding threats and despair whatever the wording — pure, no I/O.

The warning signs are data (``intents/warning_signs.yaml``, see :class:`bot.signs.UrgentSignals`):
each has a class (danger | despair) and a strength (clear | possible); the calm classes
(idioms with 死, games, news, hypotheticals, the job, a visit next week …) are found the same way.
A phrase is a sequence of parts with up to ``max_gap`` characters between two parts, so
"泼…油漆" finds 泼油漆, 泼了油漆 and 泼了红油漆. Matching is linear in the text: one Aho-Corasick
pass finds every occurrence of every part (and of every negation and exception), then each
phrase is chained part by part over a table of where the previous part ended.

Three views of one message are read:

* the normalised text (Simplified, half-width, lower case; pinyin of the bot's vocabulary
  already turned into characters) for the Chinese phrases;
* its Latin letters alone ("wo bu xiang huo le" → "wobuxianghuole") for pinyin, whatever the
  spacing and whether or not the normaliser could read it;
* its Latin words, space-separated, for English ("i can't go on"), matched on word boundaries.

A negation right before a phrase cancels it ("不会跳楼的", "i'm not going to kill myself");
an exception overlapping it cancels it too ("跳楼价"). Calm cues ("压力好大", "下周来单位") do
not cancel signs: they are evidence for the urgency decision
(:mod:`bot.conversation.policies.urgency`), which is the only place that weighs them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from bot.content import Content
from bot.signs import GAP, CalmCue, Strength, UrgentKind

_NOT_LATIN = re.compile(r"[^a-z]+")
#: Latin letters, half- or full-width: without them the pinyin and English views are empty.
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
_NOT_WORD = re.compile(r"[^a-z']+")
#: English negations, read before an English phrase (up to this many characters apart).
_ENGLISH_NEGATION_GAP = 12


@dataclass(frozen=True, slots=True)
class SignalHit:
    """One urgent signal found in a message."""

    signal: str  # the sign's id ("<intent>.keywords" for an intent's urgent_keywords)
    intent: str
    kind: UrgentKind
    phrase: str  # the phrase as written in the data
    strength: Strength = "clear"


class Found(NamedTuple):
    """What one message holds: its warning signs, its calm classes, its acute illness."""

    hits: list[SignalHit]
    calm: set[str]
    #: the acute-illness phrase found ("晕倒了", "not breathing"), or None
    medical: str | None = None


@dataclass(frozen=True, slots=True)
class _Phrase:
    owner: int  # index into the matcher's owners
    text: str
    parts: tuple[str, ...]
    max_gap: int
    view: int  # _CJK, _PINYIN or _ENGLISH
    calm: bool
    medical: bool = False


_CJK, _PINYIN, _ENGLISH = 0, 1, 2


class _View:
    """Occurrences of every part in one view of the text, by part: (start, end) pairs."""

    def __init__(self, automaton: ahocorasick.Automaton | None, text: str, words: bool) -> None:
        self.text = text
        self.found: dict[str, list[tuple[int, int]]] = defaultdict(list)
        if automaton is None or not text:
            return
        for end, part in automaton.iter(text):
            start = end - len(part) + 1
            if words and not _on_word_boundaries(text, start, end + 1):
                continue
            self.found[part].append((start, end + 1))


_NO_VIEW = _View(None, "", words=False)


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalpha() or after.isalpha())


class UrgentMatcher:
    """Finds the urgent signals of one content set; build once, use from any task."""

    def __init__(self, content: Content) -> None:
        spec = content.signals
        kinds = {s.intent: s.kind for s in spec.signals}
        self._owners: list[tuple[str, str, UrgentKind | None, Strength]] = []
        phrases: list[_Phrase] = []

        def add(
            owner: int, texts: Iterable[str], gap: int, view: int, calm: bool, medical: bool = False
        ) -> None:
            for text in texts:
                if view == _CJK:
                    parts = tuple(_cjk(p) for p in text.split(GAP))
                elif view == _ENGLISH:
                    parts = tuple(p.strip() for p in text.split(GAP))
                else:
                    parts = (text,)
                if all(parts):
                    phrases.append(_Phrase(owner, text, parts, gap, view, calm, medical))

        for signal in spec.signals:
            self._owners.append((signal.id, signal.intent, signal.kind, signal.strength))
            owner = len(self._owners) - 1
            add(owner, signal.phrases, signal.max_gap, _CJK, False)
            add(owner, signal.pinyin, 0, _PINYIN, False)
            add(owner, signal.english, signal.max_gap, _ENGLISH, False)
        # An exception holds for every phrase of its intent ("跳楼价" for the keyword 跳楼 too).
        # An acute illness now ("晕倒了", "not breathing"): read like a sign, owned by its id.
        if spec.medical is not None:
            medical = spec.medical
            self._owners.append((medical.id, medical.id, None, "clear"))
            add(len(self._owners) - 1, medical.phrases, medical.max_gap, _CJK, False, True)
            add(len(self._owners) - 1, medical.english, medical.max_gap, _ENGLISH, False, True)
        # An exception may have gaps too ("不准…去找"), up to its own sign's max_gap.
        unless_by_intent: dict[str, set[tuple[tuple[str, ...], int]]] = defaultdict(set)
        for signal in [*spec.signals, *([spec.medical] if spec.medical else [])]:
            owner_key = signal.id if signal is spec.medical else signal.intent
            for u in signal.unless:
                parts = tuple(_cjk(p) for p in u.split(GAP))
                if all(parts):
                    unless_by_intent[owner_key].add((parts, signal.max_gap))
        self._unless = {
            intent: tuple(sorted(words)) for intent, words in unless_by_intent.items() if words
        }
        for intent in content.intents:  # the intents' own urgent keywords are signals too
            kind = kinds.get(intent.id)
            if intent.urgent and kind is not None and intent.urgent_keywords:
                self._owners.append((f"{intent.id}.keywords", intent.id, kind, "possible"))
                add(len(self._owners) - 1, intent.urgent_keywords, 0, _CJK, False)
        #: the calm classes by id
        self.calm_cues: dict[str, CalmCue] = {cue.id: cue for cue in spec.calm}
        for cue in spec.calm:
            self._owners.append((cue.id, cue.intent, None, "clear"))
            add(len(self._owners) - 1, cue.phrases, cue.max_gap, _CJK, True)
        self._phrases = phrases
        # Only phrases whose last part occurs are looked at: a message costs its own length,
        # not the number of phrases.
        self._by_last_part: tuple[dict[str, list[int]], ...] = ({}, {}, {})
        for index, ph in enumerate(phrases):
            self._by_last_part[ph.view].setdefault(ph.parts[-1], []).append(index)
        self._negations = tuple(_cjk(n) for n in spec.negations if not n.isascii())
        self._english_negations = tuple(n.lower() for n in spec.negations if n.isascii())
        self._negation_gap = spec.negation_gap

        cjk_words = {p for ph in phrases if ph.view == _CJK for p in ph.parts}
        cjk_words.update(self._negations)
        cjk_words.update(p for unless in self._unless.values() for u, _ in unless for p in u)
        self._automata = (
            _automaton(cjk_words),
            _automaton({p for ph in phrases if ph.view == _PINYIN for p in ph.parts}),
            _automaton(
                {p for ph in phrases if ph.view == _ENGLISH for p in ph.parts}
                | set(self._english_negations)
            ),
        )

    def find(self, normalised: str, raw: str) -> Found:
        """The signs in a message (``normalised``: the normaliser's text; ``raw``: the text
        as sent), the ids of the calm classes it contains and its acute illness, if any."""
        latin = unicodedata.normalize("NFKC", raw).lower() if _LATIN.search(raw) else ""
        views = (
            (
                _View(self._automata[_CJK], normalised, words=False),
                _View(self._automata[_PINYIN], _NOT_LATIN.sub("", latin), words=False),
                _View(
                    self._automata[_ENGLISH],
                    " ".join(_NOT_WORD.sub(" ", latin.replace("’", "'")).split()),
                    words=True,
                ),
            )
            if latin
            else (_View(self._automata[_CJK], normalised, words=False), _NO_VIEW, _NO_VIEW)
        )
        hits: list[SignalHit] = []
        seen: set[int] = set()
        calm: set[str] = set()
        medical: str | None = None
        candidates = sorted(
            {
                index
                for view_index, view in enumerate(views)
                for part in view.found
                for index in self._by_last_part[view_index].get(part, ())
            }
        )
        for phrase in map(self._phrases.__getitem__, candidates):
            if phrase.owner in seen and not phrase.calm:
                continue
            signal_id, intent, kind, strength = self._owners[phrase.owner]
            if phrase.calm and signal_id in calm:
                continue
            if phrase.medical and medical is not None:
                continue
            view = views[phrase.view]
            for start, end in _chains(view.found, phrase.parts, phrase.max_gap):
                if not phrase.calm and self._cancelled(phrase, views, start, end):
                    continue
                if phrase.medical:
                    medical = phrase.text
                elif phrase.calm:
                    calm.add(signal_id)
                else:
                    seen.add(phrase.owner)
                    assert kind is not None
                    hits.append(SignalHit(signal_id, intent, kind, phrase.text, strength))
                break
        return Found(hits, calm, medical)

    def _cancelled(self, phrase: _Phrase, views: tuple[_View, ...], start: int, end: int) -> bool:
        """A negation right before the occurrence, or an exception overlapping it."""
        view = views[phrase.view]
        if phrase.view == _CJK:
            negations, gap = self._negations, self._negation_gap
        elif phrase.view == _ENGLISH:
            negations, gap = self._english_negations, _ENGLISH_NEGATION_GAP
        else:
            negations, gap = (), 0
        for negation in negations:
            for _n_start, n_end in view.found.get(negation, ()):
                if 0 <= start - n_end <= gap:
                    return True
        if phrase.view == _CJK:
            for parts, max_gap in self._unless.get(self._owners[phrase.owner][1], ()):
                for u_start, u_end in _chains(view.found, parts, max_gap):
                    if u_start < end and start < u_end:
                        return True
        return False


def _cjk(text: str) -> str:
    """A Chinese phrase part as the normaliser would leave it (half-width, lower case)."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def _automaton(words: set[str]) -> ahocorasick.Automaton | None:
    words = {w for w in words if w}
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


def _chains(
    found: dict[str, list[tuple[int, int]]], parts: tuple[str, ...], max_gap: int
) -> Iterable[tuple[int, int]]:
    """Spans (start, end) where ``parts`` occur in order with at most ``max_gap`` characters
    between consecutive parts. Linear in the occurrences: each part keeps, for every end
    position it reaches, the earliest start of a chain ending there."""
    reach: dict[int, int] = {}  # end of the chain so far -> its start
    for index, part in enumerate(parts):
        occurrences = found.get(part)
        if not occurrences:
            return
        if index == 0:
            reach = {}
            for start, end in occurrences:
                reach.setdefault(end, start)
            continue
        nxt: dict[int, int] = {}
        for start, end in occurrences:
            for gap in range(max_gap + 1):
                first = reach.get(start - gap)
                if first is not None:
                    nxt.setdefault(end, first)
                    break
        if not nxt:
            return
        reach = nxt
    for end, start in sorted(reach.items()):
        yield start, end

"""Reading one message: text in, :class:`Understood` out — pure, no I/O.

The steps, each in its own module: normalise (normalize.py, with pinyin.py), segment
(segment.py), rank the intents (classifier.py), pick the specific question it asks, if any
(direct_answers.py), read the details (the details/ package), the conversation command if the whole
message is one (short_answers.py) and the cues the conversation needs (cues.py: asks,
what-now, venting, closing, the police question, a correction …, each read on first use).
Everything later in the pipeline works on the :class:`Understood`; nothing reads the text
again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bot.content import Content
from bot.learning.direct_model import DirectModel
from bot.learning.model import WEIGHTS_DIR, LinearModel
from bot.messages import RankedIntent
from bot.understanding.classifier import Classification, Classifier
from bot.understanding.cues import Cues
from bot.understanding.details import EMPTY, Details, extract_details
from bot.understanding.direct_answers import DirectAnswerSelector, DirectMatch, DirectScores
from bot.understanding.fixed_readings import FILE_NAME as READINGS_FILE
from bot.understanding.fixed_readings import Keys, ReadingStore, shared_store
from bot.understanding.normalize import Normalizer
from bot.understanding.parts import question_parts
from bot.understanding.pinyin import PinyinReader, vocabulary
from bot.understanding.requests import question_text
from bot.understanding.segment import Segmenter
from bot.understanding.short_answers import Command, read_command


@dataclass(frozen=True, slots=True)
class Understood:
    """One message as the bot understood it: the ranking of intents (urgent ones flagged and
    first), the details it states, the command it is, if any, and the specific question it
    asks, if any (``direct``: the best direct answer for the role the message itself shows,
    and the runner-up; :meth:`direct_for` gives it for the conversation's role)."""

    classification: Classification
    details: Details
    command: Command | None
    direct: DirectMatch | None = None
    #: every direct answer's evidence, kept so the answer can be taken for another role
    direct_scores: DirectScores | None = None
    #: what the conversation needs to know about the wording (asks, what-now, venting …),
    #: read once, on first use
    cues: Cues = field(default_factory=lambda: Cues("", EMPTY))
    #: when the message asks two or three questions ("多久会被起诉，真的会上门吗"): each
    #: question's evidence for every direct answer, in order (empty for one question)
    part_scores: tuple[tuple[str, DirectScores], ...] = ()
    #: :meth:`direct_for` by (role, lender type), shared by the readings made from this one
    direct_cache: dict[tuple[str | None, str | None], DirectMatch | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def direct_for(self, role: str | None, lender_type: str | None = None) -> DirectMatch | None:
        """The best direct answer among those meant for a speaker of ``role`` (the
        conversation's ``Details.role``; None: not known) whose lender is of ``lender_type``
        (the conversation's; this message's own when it names one)."""
        lender_type = self.details.lender_type or lender_type
        if (role, lender_type) == (self.details.role, self.details.lender_type):
            return self.direct
        if self.direct_scores is None:
            return self.direct
        key = (role, lender_type)  # asked by several decisions of one turn: matched once
        if key not in self.direct_cache:
            self.direct_cache[key] = self.direct_scores.match(role, lender_type)
        return self.direct_cache[key]

    def direct_toward(
        self, intent: str, role: str | None, lender_type: str | None = None
    ) -> DirectMatch | None:
        """The best direct answer read as a follow-up inside a conversation about ``intent``
        (that topic's answers weighed as if the topic were certain; see
        :meth:`DirectScores.toward`), for the speaker of ``role``."""
        if self.direct_scores is None:
            return None
        lender_type = self.details.lender_type or lender_type
        return self.direct_scores.toward(intent).match(role, lender_type)

    def parts_for(
        self, role: str | None, lender_type: str | None = None
    ) -> list[tuple[str, DirectMatch]]:
        """Each question the message asks, when it asks several, with its best direct answer
        (see :meth:`direct_for` for ``role`` and ``lender_type``); questions with no answer
        meant for the speaker are left out."""
        lender_type = self.details.lender_type or lender_type
        found = ((part, scores.match(role, lender_type)) for part, scores in self.part_scores)
        return [(part, match) for part, match in found if match is not None]

    def without_urgent(self) -> Understood:
        """The same reading with no intent flagged urgent (the ranking's order is kept)."""
        return replace(self, classification=replace(self.classification, urgent=[], others=[]))

    @property
    def text(self) -> str:
        """The normalised text."""
        return self.classification.text

    @property
    def ranking(self) -> list[RankedIntent]:
        """Every intent, best first (urgent ones first when flagged)."""
        return self.classification.ranking

    @property
    def top(self) -> RankedIntent:
        """The best intent."""
        return self.classification.ranking[0]

    @property
    def confidence(self) -> float:
        """The probability of the best intent."""
        return self.classification.ranking[0].score

    @property
    def urgent(self) -> list[str]:
        """Urgent intents flagged, best first."""
        return self.classification.urgent

    @property
    def others(self) -> list[RankedIntent]:
        """With urgent intents flagged: the other intents ranked among themselves."""
        return self.classification.others

    @property
    def in_domain(self) -> bool:
        """True when the message contains a domain word or a topic keyword."""
        return self.classification.in_domain

    @property
    def truncated(self) -> bool:
        """True when only the first part of a very long message was analysed."""
        return self.classification.truncated

    @property
    def tokens(self) -> list[str]:
        """The words the message was segmented into."""
        return self.classification.tokens


#: Readings of texts up to this long are cached ...
CACHE_TEXT_CHARS = 120
#: ... this many of them (a few MB at most).
CACHE_ENTRIES = 4096


#: the names an "@" before them addresses the bot by in a group, besides the configured ones
#: (its name and trigger words): removed from the text before it is read
ADDRESS_NAMES = ("催收应对助手", "助手", "小助手", "机器人", "催收助手")


class Reader:
    """Understands messages against one content set (built once per content version)."""

    def __init__(
        self, classifier: Classifier, selector: DirectAnswerSelector | None = None
    ) -> None:
        self.classifier = classifier
        self.selector = selector or DirectAnswerSelector(classifier.content, classifier)
        # the reading of repeated short texts ("好的", "在吗", a forwarded notice pasted by
        # many): a bounded least-recently-used cache; a reader is built per content version
        # and per model, so an entry is never stale
        self._cached_read = lru_cache(maxsize=CACHE_ENTRIES)(self._read)

    @classmethod
    def build(
        cls,
        content: Content,
        bot_names: Sequence[str] = (),
        models: dict[str, LinearModel] | None = None,
        readings: ReadingStore | None = None,
        fresh_readings: bool = False,
        direct: DirectModel | bool = True,
    ) -> Reader:
        """The tokenizer, pinyin index, normaliser and classifier for ``content`` (with the
        learned ``models``; default: the shipped weights). ``readings``: where fixed texts'
        readings are kept; default: the process's store for this vocabulary, seeded from the
        shipped file; ``fresh_readings``: a new store holding only what this reader reads
        (training exports it). ``direct``: the direct-answer selector's learned model (True:
        the shipped one while it matches the content; False: none)."""
        segmenter, pinyin, names = cls._vocabulary(content, bot_names)
        normalizer = Normalizer(content.lexicon, pinyin, bot_names=names)
        if readings is None:
            keys = Keys.of(content.lexicon, content.dictionary, names, pinyin.digest)
            readings = (
                ReadingStore(keys)
                if fresh_readings
                else shared_store(keys, WEIGHTS_DIR / READINGS_FILE)
            )
        classifier = Classifier(
            content,
            normalizer,
            segmenter,
            learned=True if models is None else models,
            readings=readings,
        )
        return cls(classifier, DirectAnswerSelector(content, classifier, learned=direct))

    @staticmethod
    def _vocabulary(
        content: Content, bot_names: Sequence[str]
    ) -> tuple[Segmenter, PinyinReader, tuple[str, ...]]:
        segmenter = Segmenter(content.dictionary)
        pinyin = PinyinReader.build(vocabulary(content, segmenter), content.lexicon.pinyin)
        # the same at training and in chats: "@助手 …" is read without its address
        names = tuple(dict.fromkeys((*bot_names, *ADDRESS_NAMES)))
        return segmenter, pinyin, names

    @classmethod
    def keys_for(cls, content: Content, bot_names: Sequence[str] = ()) -> Keys:
        """What the readings of a reader built for ``content`` and ``bot_names`` depend on."""
        _segmenter, pinyin, names = cls._vocabulary(content, bot_names)
        return Keys.of(content.lexicon, content.dictionary, names, pinyin.digest)

    def cache_clear(self) -> None:
        """Forget every cached reading (the benchmark's "cold" figures)."""
        self._cached_read.cache_clear()

    def read(self, text: str) -> Understood:
        """Understand one message (any string; nothing raises). Short texts read before are
        answered from a bounded cache (the reading is a pure function of the text)."""
        if not isinstance(text, str) or len(text) > CACHE_TEXT_CHARS:
            return self._read(text)
        return self._cached_read(text)

    def _read(self, text: str) -> Understood:
        classification = self.classifier.classify(text)
        normalised = classification.text
        if not normalised:
            return Understood(classification, EMPTY, None)
        command = read_command(normalised)
        details = extract_details(normalised)
        cues = Cues(normalised, details)
        if command is not None:
            return Understood(classification, details, command, cues=cues)
        question = question_text(normalised)
        if question.text != normalised:
            # "我是法律援助站的，…？请给出具体依据": the question is read without the request
            # for the rules and the introduction (requests.py); the cue keeps the request
            classification = self.classifier.classify(question.text)
        scores = self.selector.score(classification)
        direct = scores.match(details.role, details.lender_type) if scores is not None else None
        return Understood(
            classification, details, command, direct, scores, cues, self._parts(question.text)
        )

    def _parts(self, normalised: str) -> tuple[tuple[str, DirectScores], ...]:
        """Each question and its evidence when the message asks more than one (parts.py)."""
        found = []
        for part in question_parts(normalised):
            scores = self.selector.score(self.classifier.classify(part))
            if scores is not None:
                found.append((part, scores))
        return tuple(found) if len(found) >= 2 else ()

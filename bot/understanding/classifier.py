"""Intent recognition: every intent gets a score; urgent intents are never missed.

The model is deliberately small and explainable, and trains in milliseconds at start-up from the
examples and keywords in ``intents/``:

* **Features** of a message are its jieba words, its Chinese character bigrams (which survive
  typos and unknown words) and the curated keywords it contains (found with an Aho-Corasick
  automaton, so all overlapping matches are seen in one linear pass).
* **Evidence weights** are binarised naive-Bayes log-odds: for each intent, how much more often
  a feature appears in that intent's examples than in the others'. Only positive evidence
  counts. Each matched keyword group adds a fixed bonus to its intent.
* **Confidence** is a softmax over the intents' evidence plus a "nothing recognised" pseudo
  class with a fixed score, so a message with little domain evidence falls back rather than
  being forced onto the least bad topic (Rasa's FallbackClassifier idea).
* **Urgency evidence**, never a decision: the warning signs found
  (:mod:`bot.understanding.urgent`, data in ``intents/warning_signs.yaml``), the calm classes
  found, and ``urgent_probability`` (today the urgent intents' summed probability; a learned,
  calibrated model will fill it). Whether a message is urgent is decided in one place,
  :mod:`bot.conversation.policies.urgency`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice

import ahocorasick

from bot.content import SYSTEM_INTENTS, Content
from bot.learning.features import features as learned_features
from bot.learning.model import (
    TOPIC_MODEL,
    URGENCY_MODEL,
    LinearModel,
    StackedModels,
    shipped_models,
)
from bot.messages import RankedIntent
from bot.understanding.fixed_readings import ReadingStore
from bot.understanding.normalize import Normalizer
from bot.understanding.segment import Segmenter
from bot.understanding.short_answers import compact, read_choice, read_yes_no
from bot.understanding.urgent import Found, SignalHit, UrgentMatcher

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")

#: makes a :class:`RankedIntent` from an (intent, score) pair: the same tuple as calling the
#: class, without the Python-level ``__new__`` a NamedTuple goes through (dozens per message)
_ranked = tuple.__new__


@dataclass(frozen=True, slots=True)
class Hyperparameters:
    """The few numbers of the model (chosen by cross-validation on the examples)."""

    #: Laplace smoothing of the document frequencies
    smoothing: float = 0.5
    #: a feature seen in df examples counts df / (df + support_damping) of its log-odds, so
    #: one-off words of a single example do not dominate
    support_damping: float = 1.0
    #: the largest evidence one feature can give an intent
    max_weight: float = 4.0
    #: character bigrams count this much of a word's evidence
    bigram_factor: float = 0.6
    #: evidence added by each keyword group an intent matches
    keyword_bonus: float = 4.5
    #: score of the "nothing recognised" pseudo class: evidence must beat this to count
    none_score: float = 3.0
    #: softmax temperature: larger spreads the probability over more intents
    temperature: float = 2.0
    #: messages with more features than this have their evidence scaled by sqrt(this / n)
    length_norm_features: int = 12
    #: evidence of a message with no domain word and no topic keyword is scaled by this
    off_domain_factor: float = 0.8
    #: a bare short answer this long or shorter ("不知道", "没有", "2") has nothing to read
    short_answer_chars: int = 4


#: Features of a message beyond this many are ignored (bounded cost for huge messages).
MAX_FEATURES = 3000


@dataclass(frozen=True, slots=True)
class Classification:
    """The classifier's view of one message."""

    text: str  # the normalised text
    tokens: list[str]
    ranking: list[RankedIntent]  # every intent, best first (urgent ones first when flagged)
    #: urgent intents flagged, best first: set by the urgency decision
    #: (:func:`bot.conversation.policies.urgency.apply`), never by the classifier
    urgent: list[str] = field(default_factory=list)
    truncated: bool = False
    #: True when the message contains a domain word or a topic keyword
    in_domain: bool = False
    #: the non-urgent intents ranked among themselves, so the topic the person also asked
    #: about can be answered after (or instead of) the urgent advice
    others: list[RankedIntent] = field(default_factory=list)
    #: the warning signs found
    signals: tuple[SignalHit, ...] = ()
    #: an acute illness or injury told as happening now ("我妈心口疼 喘不上气"): the phrase
    medical: str | None = None
    #: the calm classes found (ids in intents/warning_signs.yaml)
    calm: frozenset[str] = frozenset()
    #: one of them is a frame (a game, a film, a hypothetical …): it lowers a weak sign too
    calm_frame: bool = False
    #: the urgent intents the calm classes found set aside (the calm topic answers)
    calm_set_aside: frozenset[str] = frozenset()
    #: the probability that the message is urgent (today: the urgent intents' summed
    #: probability; the learned model's calibrated probability when it arrives)
    urgent_probability: float | None = None
    #: given urgent, the probability that it is self-harm rather than violence
    urgent_kind_probability: float | None = None
    #: a bare short answer ("不知道", "2") or only words without content ("那我该怎么办"):
    #: its likelihood has nothing to read
    nothing_to_read: bool = False
    #: the learned urgency model's calibrated probabilities (calm, possible_violence,
    #: possible_self_harm, clear_violence, clear_self_harm); empty without the model
    urgency: dict[str, float] = field(default_factory=dict)
    #: the probability of clear danger (the urgency model's clear classes; None: no model)
    urgent_clear_probability: float | None = None

    @property
    def top(self) -> RankedIntent:
        """The best intent."""
        return self.ranking[0]

    @property
    def confidence(self) -> float:
        """The probability of the best intent."""
        return self.ranking[0].score


class Classifier:
    """Scores messages against the intents of one :class:`Content`."""

    def __init__(
        self,
        content: Content,
        normalizer: Normalizer,
        segmenter: Segmenter,
        params: Hyperparameters | None = None,
        learned: dict[str, LinearModel] | bool | None = True,
        readings: ReadingStore | None = None,
    ) -> None:
        """``learned``: the learned models by name; True (default) takes the shipped weights,
        None or False the naive-Bayes evidence alone. A topic model is used only when its
        labels are exactly this content's intents (other content, e.g. a test's, falls back
        to naive Bayes, trained here from the examples in milliseconds). ``readings``: where
        the readings of fixed texts (examples, keywords) are kept — shared by readers of one
        vocabulary and seeded from the shipped file (bot/understanding/fixed_readings.py);
        default: a private store."""
        self.content = content
        self.normalizer = normalizer
        self.segmenter = segmenter
        self.readings = readings if readings is not None else ReadingStore(None)
        self.params = params or Hyperparameters()
        self._ids = [spec.id for spec in content.intents]
        self._topic_indexes = {
            i for i, spec in enumerate(content.intents) if spec.id not in SYSTEM_INTENTS
        }
        self._keywords = self._build_keywords(content)
        self._urgent = UrgentMatcher(content)
        self._empty_words = frozenset(
            token
            for word in content.signals.empty_words
            for token in segmenter.cut(normalizer.normalize(word).text)
        ) | {" "}
        self._domain_words = self._build_domain_words(content)
        #: the features of every intent example, in file order (the direct-answer selector
        #: reuses them instead of reading the examples again)
        self.example_features: list[dict[str, None]] = []
        # Dense rows (one score per intent) let a message's evidence be summed in C.
        self._vectors: dict[str, tuple[float, ...]] = {
            feature: tuple(dict(entries).get(i, 0.0) for i in range(len(self._ids)))
            for feature, entries in self._train(content).items()
        }
        self._fallback = self._ids.index("fallback") if "fallback" in self._ids else None
        self._urgent_indexes = {i for i, spec in enumerate(content.intents) if spec.urgent}
        models = shipped_models() if learned is True else (learned or {})
        topic = models.get(TOPIC_MODEL)
        self.topic_model = topic if topic and sorted(topic.labels) == sorted(self._ids) else None
        # the model's classes in this content's order
        self._topic_order = (
            [self.topic_model.labels.index(i) for i in self._ids] if self.topic_model else []
        )
        self.urgency_model = models.get(URGENCY_MODEL)
        # both models over one vocabulary: one lookup scores both
        self._learned = [m for m in (self.topic_model, self.urgency_model) if m is not None]
        self._stack = (
            StackedModels(self._learned)
            if len({id(m.vocabulary) for m in self._learned}) == 1 and self._learned
            else None
        )
        self._last_learned: tuple[str, list[str]] = ("", [])
        #: the non-urgent intents (the ``others`` ranking) and the fallback's place among them
        self._rest = [i for i in range(len(self._ids)) if i not in self._urgent_indexes]
        self._rest_ids = [self._ids[i] for i in self._rest]
        self._rest_fallback = (
            self._rest.index(self._fallback) if self._fallback in self._rest else None
        )
        self._model_names = [m.meta.get("name", "") for m in self._learned]
        despair = {s.intent for s in content.signals.signals if s.kind == "despair"}
        self._despair_indexes = {i for i in self._urgent_indexes if self._ids[i] in despair}
        #: the calm classes by id (for the urgency decision)
        self.calm_cues = self._urgent.calm_cues

    # -- building ---------------------------------------------------------------------------

    def _canonical(self, word: str) -> str:
        normal = self.readings.normal(word, self._normal_text)
        return normal.replace("催收 ", "").strip() or word

    def _normal_text(self, text: str) -> str:
        return self.normalizer.normalize(text).text

    def read_fixed(self, text: str) -> tuple[str, ...]:
        """The features of a fixed text (an example, a labelled question), kept in
        :attr:`readings`: the same as a message's naive-Bayes features."""
        return self.readings.features(text, self._read_text)

    def _read_text(self, text: str) -> tuple[str, ...]:
        normal = self.normalizer.normalize(text).text
        return tuple(self._features(normal, self.segmenter.cut(normal)))

    def _build_keywords(self, content: Content) -> ahocorasick.Automaton | None:
        by_word: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for index, spec in enumerate(content.intents):
            for group_index, group in enumerate(spec.keyword_groups):
                for word in group:
                    by_word[self._canonical(word)].add((index, group_index))
        return self._automaton(by_word)

    def _build_domain_words(self, content: Content) -> ahocorasick.Automaton | None:
        """Words that show a message is about debt collection at all (the domain gate)."""
        words = {self._canonical(w) for w in content.lexicon.domain_words}
        for spec in content.intents:
            if spec.id in SYSTEM_INTENTS:
                continue
            words.update(self._canonical(w) for group in spec.keyword_groups for w in group)
            words.update(self._canonical(w) for w in spec.urgent_keywords)
        return self._automaton({w: {(0, 0)} for w in words if w})

    @staticmethod
    def _automaton(by_word: dict[str, set[tuple[int, int]]]) -> ahocorasick.Automaton | None:
        if not by_word:
            return None
        automaton = ahocorasick.Automaton()
        for word, targets in by_word.items():
            automaton.add_word(word, tuple(sorted(targets)))
        automaton.make_automaton()
        return automaton

    def _train(self, content: Content) -> dict[str, tuple[tuple[int, float], ...]]:
        p = self.params
        n_intents = len(content.intents)
        doc_freq: dict[str, list[int]] = defaultdict(lambda: [0] * n_intents)
        docs_per_intent = [0] * n_intents
        for index, spec in enumerate(content.intents):
            for example in spec.examples:
                features = dict.fromkeys(self.read_fixed(example))
                self.example_features.append(features)
                for feature in features:
                    doc_freq[feature][index] += 1
                docs_per_intent[index] += 1
        total_docs = sum(docs_per_intent)
        weights: dict[str, tuple[tuple[int, float], ...]] = {}
        for feature, freqs in doc_freq.items():
            total = sum(freqs)
            factor = p.bigram_factor if feature.startswith("b:") else 1.0
            entries = []
            for index, df in enumerate(freqs):
                if df == 0:
                    continue
                inside = (df + p.smoothing) / (docs_per_intent[index] + 2 * p.smoothing)
                rest_docs = total_docs - docs_per_intent[index]
                outside = (total - df + p.smoothing) / (rest_docs + 2 * p.smoothing)
                weight = min(math.log(inside / outside), p.max_weight)
                weight *= factor * df / (df + p.support_damping)
                if weight > 0:
                    entries.append((index, weight))
            if entries:
                weights[feature] = tuple(entries)
        return weights

    # -- features ---------------------------------------------------------------------------

    @staticmethod
    def _features(text: str, tokens: list[str]) -> dict[str, None]:
        """Words and character bigrams, in text order (a dict keeps it deterministic)."""
        features = dict.fromkeys("w:" + token for token in tokens)
        words = set(tokens)
        for run in _CJK_RUN.findall(text):
            for i in range(len(run) - 1):
                bigram = run[i : i + 2]
                if bigram not in words:  # a two-character word already counts as a word
                    features["b:" + bigram] = None
        return features

    # -- classifying ------------------------------------------------------------------------

    def classify(self, text: str) -> Classification:
        """Normalise, segment and score ``text``; never raises on any string."""
        p = self.params
        normalized = self.normalizer.normalize(text)
        norm_text = normalized.text
        tokens = self.segmenter.cut(norm_text) if norm_text else []
        learned = learned_features(norm_text, tokens) if norm_text else []
        self._last_learned = (norm_text, learned)
        outputs = self._model_outputs(learned)
        if self.topic_model is not None:
            model_probabilities = outputs[TOPIC_MODEL]
            # log-probabilities: the softmax below (with no "nothing" class) gives them back
            # max(p, 1e-12) without the cost of calling max twenty times
            log = math.log
            scores = [
                log(1e-12 if prob < 1e-12 else prob)
                for prob in map(model_probabilities.__getitem__, self._topic_order)
            ]
        else:
            scores = self._naive_bayes_scores(norm_text, self._features(norm_text, tokens))

        in_domain = bool(
            self._domain_words is not None
            and norm_text
            and next(self._domain_words.iter(norm_text), None) is not None
        )
        if not in_domain and self.topic_model is None:
            for index in self._topic_indexes:
                scores[index] *= p.off_domain_factor

        ids = self._ids
        signals, calm, medical = (
            self._urgent.find(norm_text, text) if norm_text else Found([], set())
        )
        probabilities = self._softmax(scores, self._fallback)
        order = sorted(range(len(ids)), key=probabilities.__getitem__, reverse=True)
        short = compact(norm_text)
        nothing_to_read = (
            len(short) <= p.short_answer_chars
            and (read_yes_no(short) is not None or read_choice(short, 9) is not None)
        ) or all(token in self._empty_words or not token.strip() for token in tokens)
        urgency: dict[str, float] = {}
        clear: float | None = None
        if not norm_text:  # nothing to read: no evidence of anything
            urgent_probability, despair, clear = 0.0, 0.0, 0.0
        elif self.urgency_model is not None:
            # the learned urgency model's calibrated evidence
            urgency = dict(zip(self.urgency_model.labels, outputs[URGENCY_MODEL], strict=True))
            urgent_probability = 1.0 - urgency["calm"]
            despair = urgency["possible_self_harm"] + urgency["clear_self_harm"]
            clear = urgency["clear_violence"] + urgency["clear_self_harm"]
        else:  # without it: the urgent topics' likelihood
            urgent_probability = sum(probabilities[i] for i in self._urgent_indexes)
            despair = sum(probabilities[i] for i in self._despair_indexes)
        rest_probabilities = self._softmax([scores[i] for i in self._rest], self._rest_fallback)
        rest_order = sorted(
            range(len(rest_probabilities)), key=rest_probabilities.__getitem__, reverse=True
        )
        rest_ids = self._rest_ids
        return Classification(
            text=norm_text,
            tokens=tokens,
            ranking=[_ranked(RankedIntent, (ids[i], probabilities[i])) for i in order],
            truncated=normalized.truncated,
            in_domain=in_domain,
            others=[
                _ranked(RankedIntent, (rest_ids[i], rest_probabilities[i])) for i in rest_order
            ],
            signals=tuple(signals),
            medical=medical,
            calm=frozenset(calm),
            calm_frame=any(self.calm_cues[c].frame for c in calm),
            calm_set_aside=frozenset(
                i for c in calm if self.calm_cues[c].set_aside for i in self.calm_cues[c].explains
            ),
            urgent_probability=urgent_probability,
            urgent_kind_probability=despair / urgent_probability if urgent_probability else None,
            nothing_to_read=bool(norm_text) and nothing_to_read,
            urgency=urgency,
            urgent_clear_probability=clear,
        )

    def learned_features_of(self, classification: Classification) -> list[str]:
        """The learned features of a classified message (bot/learning/features.py): those
        of the message just classified are kept (the direct-answer selector reads them
        right after), any other's are computed again."""
        text, learned = self._last_learned
        if text == classification.text:
            return learned
        tokens = classification.tokens
        return learned_features(classification.text, tokens) if classification.text else []

    def _model_outputs(self, learned: list[str]) -> dict[str, list[float]]:
        """Each learned model's probabilities (one lookup when they share a vocabulary)."""
        if self._stack is not None:
            return dict(zip(self._model_names, self._stack.probabilities(learned), strict=True))
        return dict(
            zip(self._model_names, (m.probabilities(learned) for m in self._learned), strict=True)
        )

    def _naive_bayes_scores(self, norm_text: str, features: dict[str, None]) -> list[float]:
        """Each intent's naive-Bayes evidence (and keyword bonuses) for one message."""
        p = self.params
        vectors = self._vectors
        rows = [row for row in map(vectors.get, islice(features, MAX_FEATURES)) if row]
        scores: list[float] = (
            list(map(float, map(sum, zip(*rows, strict=True)))) if rows else [0.0] * len(self._ids)
        )
        if len(features) > p.length_norm_features:
            scale = math.sqrt(p.length_norm_features / len(features))
            scores = [score * scale for score in scores]

        if self._keywords is not None and norm_text:
            matched = {
                target for _end, targets in self._keywords.iter(norm_text) for target in targets
            }
            for index, _group in matched:
                scores[index] += p.keyword_bonus

        return scores

    def _softmax(self, scores: list[float], fallback: int | None) -> list[float]:
        """Probabilities of the intents; the "nothing recognised" mass goes to the fallback
        (the intent at index ``fallback``). With the learned model the scores are already
        log-probabilities and this only renormalises them."""
        if self.topic_model is not None:
            top = max(scores)
            exp = math.exp
            exps = [exp(v - top) for v in scores]
            total = sum(exps)
            return [e / total for e in exps]
        temperature = self.params.temperature
        none_logit = self.params.none_score / temperature
        logits = [score / temperature for score in scores]
        top = max(none_logit, *logits) if logits else none_logit
        exps = [math.exp(v - top) for v in logits]
        none_exp = math.exp(none_logit - top)
        total = sum(exps) + none_exp
        probabilities = [e / total for e in exps]
        if fallback is not None:
            probabilities[fallback] += none_exp / total
        return probabilities

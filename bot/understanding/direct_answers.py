"""Direct answers: which specific question, if any, a message asks (Rasa's ResponseSelector idea).

The topic classifier picks the family ("a collector at the door"); this second, finer model
picks the sentence ("should I open the door?"). It is trained at start-up, in milliseconds, on
the ``examples`` of every intent's ``answers`` in ``intents/*.yaml``:

* **Features** are the classifier's: the message's jieba words and Chinese character bigrams,
  taken from the classification already made (the text is not normalised or segmented twice).
* **Evidence** is binarised naive-Bayes log-odds per answer against all other answers, damped
  for features seen in few examples; only positive evidence counts.
* **Topic prior**: the probability the topic classifier gives the answer's intent is added
  (scaled), so a question is matched within the family the message is about.
* **"None"**: a pseudo class takes the probability mass when no answer's evidence is strong;
  its score is a fixed floor plus the evidence for a general message (the intents' own
  examples, trained as one more class); the general message "催收上门了怎么办" asks no
  specific question and gets the topic's advice, not a direct answer.

* **Audience**: every answer speaks to someone (``audience`` in the YAML: the debtor, bank
  staff or a collector, a relative or friend asking for someone, or anyone). The scores are
  computed once per message (:class:`DirectScores`); the match is then taken among the answers
  meant for the speaker's role (:data:`AUDIENCES_FOR_ROLE`), so a collector asking "客户家里只有
  孩子在怎么办" gets the staff answer and the debtor's own answers are not offered to staff.

The result is a :class:`DirectMatch` (best answer, its intent, its probability and the
runner-up) or None; ``confident`` says whether the dialogue should use it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from itertools import islice

import numpy as np

from bot.content import Content
from bot.learning.answer_labels import GENERAL, training_labels
from bot.learning.direct_model import (
    GENERAL_CLASS,
    DirectModel,
    content_digest,
    shipped_direct_model,
)
from bot.understanding.articles import ArticleIndex
from bot.understanding.classifier import MAX_FEATURES, Classification, Classifier

#: the topic of bank staff and collectors asking how to run a visit
STAFF_TOPIC = "collector_conduct"

#: The answers each speaker's role may get, by ``Details.role`` (None: not known yet). A speaker
#: of unknown role may get any answer: the words decide (a collector's first message is not yet
#: known to be one). Bank staff and collectors get only the staff side; a relative or friend
#: asking for someone gets the helper's answers and the debtor's (their rights are the same).
AUDIENCES_FOR_ROLE: dict[str | None, frozenset[str]] = {
    None: frozenset({"debtor", "helper", "staff", "any"}),
    "debtor": frozenset({"debtor", "helper", "any"}),
    "helper": frozenset({"debtor", "helper", "any"}),
    "staff": frozenset({"staff", "any"}),
}


@dataclass(frozen=True, slots=True)
class SelectorParameters:
    """The few numbers of the selector (tuned on bot/operations/data/direct_answers.jsonl)."""

    smoothing: float = 0.5
    support_damping: float = 1.0
    max_weight: float = 4.0
    bigram_factor: float = 0.6
    #: messages with more features than this have their evidence scaled by sqrt(this / n)
    length_norm_features: int = 12
    #: evidence added per unit of the topic classifier's probability for the answer's intent
    topic_weight: float = 2.5
    #: evidence added per unit of the learned model's margin (bot/learning/direct_model.py;
    #: chosen on the validation side of the labelled real questions: 10-20 were alike)
    learned_weight: float = 12.0
    #: score of the "no specific question" pseudo class ...
    none_score: float = 3.0
    #: ... plus this share of the evidence for a general message (the intents' own examples,
    #: trained as one more class)
    general_weight: float = 0.6
    temperature: float = 1.5
    #: evidence taken off staff answers while the speaker's role is not known (in the
    #: scale of the learned margins added: at 2, "报警了 他们就走了" from a debtor got the
    #: staff answer; 10 changes nothing on the validation questions)
    unknown_role_staff_penalty: float = 10.0
    #: evidence added to the answers for a relative or friend when such a person asks
    #: ("朋友欠分期乐为什么给我打电话": "you owe nothing" before the debtor's own steps)
    helper_bonus: float = 1.0
    #: ... unless the topic model reads the message as a staff question at least this likely
    #: ("客户说压力太大不想活了 我们该怎么办": 0.46)
    staff_topic_floor: float = 0.4
    #: evidence added to the staff answers once the speaker is known to be bank or agency staff
    #: ("客户说压力太大不想活了 我们该怎么办": the staff's lines, not an answer for anyone)
    staff_bonus: float = 6.0
    #: evidence taken off answers worded for some kinds of lender while the kind is not known
    unknown_lender_penalty: float = 0.5
    #: evidence added to the answers citing an article the message names ("2018解释第6条具体
    #: 怎么推定", "刑法293之一能用吗": bot/understanding/articles.py) ...
    article_bonus: float = 12.0
    #: ... and to those citing a law it names without an article ("走治安管理处罚法哪条")
    law_bonus: float = 5.0
    #: how much one labelled real question counts beside one of the answer's own examples
    label_weight: float = 0.5
    #: ... less when it has more features than this
    label_length_features: int = 60
    #: how many of the likeliest answers share the probability with "none"
    candidates: int = 5
    #: the best answer is used from this probability on ...
    threshold: float = 0.45
    #: ... and when it beats the runner-up by at least this ratio
    margin: float = 1.3


@dataclass(frozen=True, slots=True)
class DirectMatch:
    """The specific question a message asks: the best answer and the runner-up."""

    answer: str  # the answer id
    intent: str  # the intent the answer belongs to
    score: float  # its probability (the "none" class included in the softmax)
    runner_up: str | None = None
    runner_up_score: float = 0.0
    confident: bool = False  # good enough to be given


@dataclass(frozen=True, slots=True)
class AnswerTable:
    """What the selector knows of every answer, as arrays (built once per content version):
    the match for a role and a lender type is then a few vector operations, not a loop."""

    answers: tuple[tuple[str, str], ...]  # (answer id, intent id), in selector order
    #: the answers each role may get (AUDIENCES_FOR_ROLE), as a mask per role
    role_masks: dict[str | None, np.ndarray]
    staff: np.ndarray  # 1.0 for an answer meant for staff, else 0.0
    helper: np.ndarray  # 1.0 for an answer meant for a relative or friend, else 0.0
    #: 1.0 for an answer worded for some kinds of lender only, else 0.0
    lender_specific: np.ndarray
    #: per lender type: the answers whose wording is true for it
    lender_masks: dict[str, np.ndarray]

    @classmethod
    def build(
        cls,
        answers: list[tuple[str, str]],
        audiences: tuple[str, ...],
        lenders: tuple[tuple[str, ...], ...],
    ) -> AnswerTable:
        audience = np.array(audiences, dtype=object)
        general = np.array(["any" in kinds for kinds in lenders], dtype=bool)
        kinds = {kind for answer_kinds in lenders for kind in answer_kinds} - {"any"}
        return cls(
            answers=tuple(answers),
            role_masks={
                role: np.isin(audience, sorted(allowed)) if len(audience) else np.zeros(0, bool)
                for role, allowed in AUDIENCES_FOR_ROLE.items()
            },
            staff=(audience == "staff").astype(np.float64),
            helper=(audience == "helper").astype(np.float64),
            lender_specific=(~general).astype(np.float64),
            lender_masks={
                kind: general | np.array([kind in k for k in lenders], dtype=bool) for kind in kinds
            },
        )

    def intent_mask(self, intent: str) -> np.ndarray:
        """1.0 for the answers of ``intent``, else 0.0."""
        return np.fromiter((i == intent for _a, i in self.answers), np.float64, len(self.answers))

    def lender_mask(self, lender_type: str) -> np.ndarray:
        """The answers true for ``lender_type`` (an unknown kind: only the general ones)."""
        mask = self.lender_masks.get(lender_type)
        return mask if mask is not None else self.lender_specific == 0.0


@dataclass(frozen=True, slots=True)
class DirectScores:
    """One message's evidence for every direct answer (computed once); :meth:`match` picks the
    best answer among those meant for a speaker's role."""

    table: AnswerTable
    scores: np.ndarray  # evidence plus topic prior, per answer
    none_score: float  # the "no specific question" pseudo class
    params: SelectorParameters
    #: answers whose stage or subject the message does not name (``requires``): never given,
    #: but still a reading of the message, so an answer beside them is no surer for it
    blocked: frozenset[int] = frozenset()
    #: the scores without the learned model's margins (None: the same as ``scores``): a
    #: follow-up read inside a topic (:meth:`toward`) uses these — the model learned
    #: standalone questions, and the leaning's floors are naive Bayes's
    base_scores: np.ndarray | None = None
    base_none: float | None = None
    #: the topic model's probability that the message is a staff question (STAFF_TOPIC)
    staff_reading: float = 0.0

    def toward(self, intent: str) -> DirectScores:
        """The same evidence read inside a conversation about ``intent``: only that topic's
        answers compete (with the prior of a sure topic reading), against "none". A
        follow-up leans on what is being talked about ("大概多久给答复" after a complaint:
        how long the complaint takes)."""
        mask = self.table.intent_mask(intent)
        base = self.scores if self.base_scores is None else self.base_scores
        scores = np.where(mask > 0, base + self.params.topic_weight, -math.inf)
        none_score = self.none_score if self.base_none is None else self.base_none
        return replace(self, scores=scores, none_score=none_score, base_scores=None)

    def match(self, role: str | None = None, lender_type: str | None = None) -> DirectMatch | None:
        """The best answer for a speaker of ``role`` (a ``Details.role`` value or None) whose
        lender is of ``lender_type``, or None when no answer is meant for them. An answer
        worded for other kinds of lender is never given once the kind is known; while it is
        not, such an answer needs clearer evidence than one worded for every lender."""
        table = self.table
        p = self.params
        allowed = table.role_masks.get(role)
        unknown_role = allowed is None or role is None
        if allowed is None:
            allowed = table.role_masks[None]
        # Most people who write are the debtor: while the role is not known, a staff answer
        # needs clearly staff words to win ("报警了他们就走了" is not a collector's question).
        adjusted = self.scores
        if unknown_role and self.staff_reading < p.staff_topic_floor:
            # not read as a staff question either (the topic model): the debtor's side
            adjusted = adjusted - p.unknown_role_staff_penalty * table.staff
        elif role == "helper":
            adjusted = adjusted + p.helper_bonus * table.helper
        elif role == "staff":
            adjusted = adjusted + p.staff_bonus * table.staff
        if lender_type is None:
            adjusted = adjusted - p.unknown_lender_penalty * table.lender_specific
            usable = allowed
        else:
            usable = allowed & table.lender_mask(lender_type)
        pool = np.flatnonzero(usable)
        if not len(pool):
            return None
        # the probability is taken among the few likeliest answers and "none": a bank of
        # hundreds of answers must not thin out a clear match with its long tail (ties go to
        # the later answer, as a heap of (score, index) pairs would give them)
        pool_scores = adjusted[pool]
        order = np.lexsort((pool, pool_scores))[::-1]
        blocked = self.blocked
        if blocked:
            # the best answer that may be given, with the few likeliest readings around it
            # (a blocked one among them: it still competes)
            givable = next((k for k in order if int(pool[k]) not in blocked), None)
            if givable is None:
                return None
            head = [k for k in order[: p.candidates] if k != givable]
            order = np.array([givable, *head[: p.candidates - 1]])
        else:
            order = order[: p.candidates]
        ranked = [(float(pool_scores[k]), int(pool[k])) for k in order]
        top_score, best = ranked[0]
        second_score, second = ranked[1] if len(ranked) > 1 else (-math.inf, -1)
        top = max(top_score, self.none_score)
        inv_t = 1 / p.temperature
        total = sum(math.exp((score - top) * inv_t) for score, _i in ranked)
        total += math.exp((self.none_score - top) * inv_t)
        prob = math.exp((top_score - top) * inv_t) / total
        prob2 = math.exp((second_score - top) * inv_t) / total if second >= 0 else 0.0
        confident = prob >= p.threshold and prob >= p.margin * prob2
        answer, intent = table.answers[best]
        return DirectMatch(
            answer=answer,
            intent=intent,
            score=prob,
            runner_up=table.answers[second][0] if second >= 0 else None,
            runner_up_score=prob2,
            confident=confident,
        )


class DirectAnswerSelector:
    """Scores a classified message against every direct answer of one :class:`Content`."""

    def __init__(
        self,
        content: Content,
        classifier: Classifier,
        params: SelectorParameters | None = None,
        labelled: Sequence[tuple[str, str]] | None = None,
        learned: DirectModel | bool = True,
    ) -> None:
        """``labelled``: real questions and the answer id (or ``general``) that answers each,
        learned beside the answers' own examples; default: the training side of
        ``corpus/answers`` (bot/learning/answer_labels.py). ``learned``: the learned model
        whose margins are added (True: the shipped one when the classifier uses the learned
        models; False: none)."""
        self.params = params or SelectorParameters()
        self._classifier = classifier
        self._answers: list[tuple[str, str]] = [
            (answer.id, spec.id) for spec in content.intents for answer in spec.answers
        ]
        self._intents = [intent for _answer, intent in self._answers]
        self._audiences = tuple(
            answer.audience for spec in content.intents for answer in spec.answers
        )
        self._lenders = tuple(
            tuple(answer.lenders) for spec in content.intents for answer in spec.answers
        )
        self._intent_ids = [spec.id for spec in content.intents]
        #: answers given only when the message names their stage (``requires``)
        self._requires = [
            (i, re.compile(answer.requires))
            for i, answer in enumerate(
                answer for spec in content.intents for answer in spec.answers
            )
            if answer.requires
        ]
        self._table = AnswerTable.build(self._answers, self._audiences, self._lenders)
        #: the laws and articles each answer's facts cite
        self._articles = ArticleIndex(
            [answer.facts for spec in content.intents for answer in spec.answers], content.facts
        )
        intent_index = {intent: i for i, intent in enumerate(self._intent_ids)}
        self._intent_position = intent_index
        #: each answer's intent, as an index into the topic probabilities
        self._answer_intent = np.array(
            [intent_index[intent] for intent in self._intents], dtype=np.intp
        )
        # Sparse postings (the answers a feature is evidence for, and how much; the general
        # class last): a message's evidence is one bincount over its features' postings, so
        # the cost grows with the evidence found, not with the number of answers.
        self._width = len(self._answers) + 1
        model = (
            (shipped_direct_model() if classifier.topic_model is not None else None)
            if learned is True
            else (learned or None)
        )
        if (
            learned is True
            and model is not None
            and model.meta.get("content") != (content_digest(content))
        ):
            # examples taught since it was trained: naive Bayes learns them at once, the
            # model has not (the background retraining, or ``python -m bot train``, brings
            # one back)
            model = None
        self._learned: DirectModel | None = model
        if self._learned is not None:
            # each answer's column among the model's classes (an answer the model never
            # learned, one taught since: the extra column, a margin of 0)
            position = {label: k for k, label in enumerate(self._learned.labels)}
            extra = len(self._learned.labels)
            self._learned_columns = np.array(
                [position.get(answer, extra) for answer, _intent in self._answers], dtype=np.intp
            )
            self._learned_general = position.get(GENERAL_CLASS, extra)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = self._train(
            content, classifier, labelled
        )

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def learned_model(self) -> DirectModel | None:
        """The learned model whose margins are added (None: naive Bayes alone)."""
        return self._learned

    def _train(
        self,
        content: Content,
        classifier: Classifier,
        labelled: Sequence[tuple[str, str]] | None,
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each feature's postings: the answers (and the general class, last) it is evidence
        for, with the weight of that evidence (smoothed log odds of the feature inside the
        answer's texts against outside them, damped while its support is small). Counted
        in arrays: one (feature, class, weight) triple per feature of each text."""
        p = self.params
        n = len(self._answers) + 1  # the last class: general messages (the intents' examples)
        feature_ids: dict[str, int] = {}
        features: list[int] = []
        classes: list[int] = []
        weights: list[float] = []
        docs = np.zeros(n)

        # the texts' features are kept in the classifier's store of fixed readings (shared
        # by readers of one vocabulary, seeded from the shipped file: fixed_readings.py)
        read_fixed = classifier.read_fixed
        setdefault = feature_ids.setdefault

        def add(read: Collection[str], index: int, weight: float = 1.0) -> None:
            if weight != 1.0 and len(read) > p.label_length_features:
                # a long labelled question lends its many words less each: its story is
                # not what the answer is about
                weight *= math.sqrt(p.label_length_features / len(read))
            features.extend(setdefault(feature, len(feature_ids)) for feature in read)
            classes.extend([index] * len(read))
            weights.extend([weight] * len(read))
            docs[index] += weight

        index = 0
        for spec in content.intents:
            for answer in spec.answers:
                for example in answer.examples:
                    add(read_fixed(example), index)
                index += 1
        if labelled is None:
            labelled = training_labels([answer for answer, _intent in self._answers])
        position = {answer: i for i, (answer, _intent) in enumerate(self._answers)}
        position[GENERAL] = n - 1
        for text, answer_id in labelled:
            if answer_id in position:
                add(read_fixed(text), position[answer_id], p.label_weight)
        for read in classifier.example_features:  # read once, by the classifier
            add(read, n - 1)
        if not features:
            return {}
        # the weight of each (feature, class) pair, summed: df
        pair = np.asarray(features, dtype=np.int64) * n + np.asarray(classes, dtype=np.int64)
        pairs, inverse = np.unique(pair, return_inverse=True)
        df = np.bincount(inverse, weights=np.asarray(weights, dtype=np.float64))
        feature_of, class_of = pairs // n, pairs % n
        total = np.bincount(feature_of, weights=df)[feature_of]  # the feature's weight in all
        total_docs = docs.sum()
        inside = (df + p.smoothing) / (docs[class_of] + 2 * p.smoothing)
        outside = (total - df + p.smoothing) / (total_docs - docs[class_of] + 2 * p.smoothing)
        weight = np.minimum(np.log(inside / outside), p.max_weight)
        names = list(feature_ids)
        bigram = np.fromiter(
            (name.startswith("b:") for name in names), dtype=bool, count=len(names)
        )
        weight *= np.where(bigram[feature_of], p.bigram_factor, 1.0) * df / (df + p.support_damping)
        kept = weight > 0
        feature_of, class_of, weight = feature_of[kept], class_of[kept], weight[kept]
        # (the pairs are sorted by feature, then class: each feature's postings are one slice)
        starts = np.flatnonzero(np.r_[True, feature_of[1:] != feature_of[:-1]])
        ends = np.r_[starts[1:], len(feature_of)]
        class_of = class_of.astype(np.intp)
        return {
            names[feature_of[a]]: (class_of[a:b], weight[a:b])
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        }

    def select(self, classification: Classification, role: str | None = None) -> DirectMatch | None:
        """The best direct answer for a classified message said by a speaker of ``role`` (a
        ``Details.role`` value; None: not known), or None when there is no answer at all, the
        message has no words or no answer is meant for that role."""
        scores = self.score(classification)
        return scores.match(role) if scores is not None else None

    def score(self, classification: Classification) -> DirectScores | None:
        """Every answer's evidence for a classified message (see the module docstring), or
        None when there is no answer at all or the message has no known words."""
        if not self._answers or not classification.text:
            return None
        p = self.params
        features = Classifier._features(classification.text, classification.tokens)
        found = [hit for hit in map(self._postings.get, islice(features, MAX_FEATURES)) if hit]
        if not found:
            return None
        # the topic classifier's probability of each answer's intent is added as a prior
        topic = np.zeros(len(self._intent_ids))
        index_of = self._intent_position
        for ranked in classification.ranking:
            topic[index_of[ranked.intent]] = ranked.score
        if classification.signals or urgent_leads(classification):
            # beside words of danger, the topic the person also asked about counts too
            for ranked in classification.others:
                topic[index_of[ranked.intent]] = ranked.score
        indexes = np.concatenate([hit[0] for hit in found])
        weights = np.concatenate([hit[1] for hit in found])
        scores: np.ndarray = np.bincount(indexes, weights, minlength=self._width)
        if len(features) > p.length_norm_features:
            scores = scores * math.sqrt(p.length_norm_features / len(features))
        none_score = p.none_score + p.general_weight * float(scores[-1])
        prior = topic[self._answer_intent] * p.topic_weight
        answer_scores = scores[:-1] + prior
        cited = self._articles.evidence(classification.text, p.article_bonus, p.law_bonus)
        if cited is not None:  # an article or a law named: the answers resting on it
            answer_scores = answer_scores + cited
        base_scores, base_none = answer_scores, none_score
        if self._learned is not None and p.learned_weight:
            margins = np.append(
                self._learned.margins(self._classifier.learned_features_of(classification)), 0.0
            )
            answer_scores = answer_scores + p.learned_weight * margins[self._learned_columns]
            none_score += p.learned_weight * float(margins[self._learned_general])
        blocked = frozenset(
            i for i, pattern in self._requires if not pattern.search(classification.text)
        )  # the stage or subject it speaks of is not named
        return DirectScores(
            table=self._table,
            scores=answer_scores,
            none_score=none_score,
            params=p,
            blocked=blocked,
            base_scores=base_scores,
            base_none=base_none,
            staff_reading=float(topic[index_of[STAFF_TOPIC]]) if STAFF_TOPIC in index_of else 0.0,
        )


def urgent_leads(classification: Classification) -> bool:
    """True when an urgent intent is the best reading (its evidence would drown the topic
    the person asked about)."""
    others = {r.intent for r in classification.others}
    return bool(classification.ranking) and classification.ranking[0].intent not in others

"""The conversation: from an understood message and the session to the texts to send.

Pure: no I/O; the engine loads the session before and saves it after. The session's
``details`` are the situation memory: every message adds what it says (where, who is
speaking, whether credentials were shown, the police called, money handed over …), a
question whose answer is already known is never asked, and the next step uses what is known.
Conversation repair (closings, repeats, non-understanding inside a topic, a crisis) lives
here in one place; the topics stay data (intents/*.yaml).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass, field

from bot.config import Config
from bot.content import SYSTEM_INTENTS, Content, DirectAnswer, FollowUp, IntentSpec, Option
from bot.conversation import calculator, texts
from bot.conversation.crisis import (
    AGAIN,
    CRISIS_OF_INTENT,
    Act,
    CrisisKind,
    again_for,
    crisis_reply,
    fallback_step,
    possible_lines,
    reminder,
)
from bot.conversation.numbers import EMERGENCY_LINE, has_emergency_number
from bot.conversation.policies.urgency import (
    INTENT_OF_KIND,
    Kind,
    Tier,
    Urgency,
    UrgencyContext,
    apply,
    decide,
)
from bot.conversation.state import Pending, PendingKind, Session
from bot.messages import Outcome, RankedIntent
from bot.understanding.cues import SHORT_REPLY_CHARS, bigrams, content_bigrams
from bot.understanding.details import Details
from bot.understanding.reader import Understood
from bot.understanding.short_answers import Command, Repair, YesNo, compact

#: The intent whose detail answers get a repayment calculation.
CALCULATOR_INTENT = "negotiate_installments"
#: The topic that speaks to bank staff and collectors.
STAFF_INTENT = "collector_conduct"
#: Debtor-side topics that mean the staff topic when bank staff or a collector asks.
DEBTOR_SIDE = frozenset(
    {
        "collector_at_door",
        "verify_identity",
        "know_rights",
        "record_evidence",
        "harassment",
        "complain",
        "safe_repayment",
        "verify_debt",
        "threat_or_violence",
    }
)
#: Replies this short may repeat (a confirmation, a number): only blocks are never sent twice.
REPEATABLE_CHARS = 20
#: A direct answer with its topic's steps stays this short; longer, the steps are offered.
DIRECT_REPLY_CHARS = 300
#: Inside a topic, its own direct answer is given from this probability on when it leads the
#: runner-up by this factor (a short question in context: "要开吗", "扫了会怎样")
CONTEXT_DIRECT_FLOOR = 0.12
CONTEXT_DIRECT_MARGIN = 1.8
#: Inside a conversation, an unsure direct answer is still given (flagged as the closest
#: point) from this probability on, when it leads the runner-up by this factor
CLOSEST_ANSWER_FLOOR = 0.15
CLOSEST_ANSWER_MARGIN = 3.0
#: a question shares at least this many word pairs with the answer just given to be about it
ABOUT_ANSWER_OVERLAP = 2
#: a message this short whose best reading is a topic, with "nothing" under this share of
#: it, is answered as that topic with a one-line check (not the fallback apology)
SHORT_LEAD_CHARS = 6
SHORT_LEAD_RATIO = 0.75
#: The most block ids remembered per conversation.
MAX_SENT = 80


@dataclass
class Turn:
    """What the dialogue decided for one message."""

    replies: list[str] = field(default_factory=list)
    intent: str | None = None
    choices: list[str] = field(default_factory=list)
    #: the person asked for this content again (详细, 菜单, 再说一遍): repeats are allowed
    repeat_ok: bool = False
    #: replies that may repeat even so (a direct answer to a question asked again)
    repeatable: set[str] = field(default_factory=set)
    #: the message answered (to point back to the step it asks about)
    said: str = ""
    #: the direct answer given just before this message, if any
    previous_answer: str | None = None
    #: the urgency decision for this message
    urgency: Urgency | None = None

    def add(self, text: str) -> None:
        """Append a reply (empty texts are skipped)."""
        if text and text.strip():
            self.replies.append(text.strip())


#: the topics of a visit or of danger: a closing there reminds of 110
_VISIT_TOPICS = frozenset({"collector_at_door", "threat_or_violence", "verify_identity"})


def _visit_or_danger(session: Session) -> bool:
    """True when the conversation was about a visit or danger (the parting reminder of 110
    belongs there, not after a question about credit records)."""
    details = session.details
    return bool(
        session.crisis
        or session.active_intent in _VISIT_TOPICS
        or details.present is not None
        or details.police is not None
        or details.left is not None
    )


def block_id(text: str) -> str:
    """A short id of a reply block (what ``Session.sent`` remembers, never the text)."""
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=6).hexdigest()


class Dialogue:
    """Decides the replies for one message given what the conversation remembers."""

    def __init__(self, content: Content, config: Config) -> None:
        self.content = content
        self.config = config
        self._specs = {spec.id: spec for spec in content.intents}
        #: the topics' step blocks: one sent before is pointed to, not silently dropped
        self._advice_blocks = {
            block_id(spec.advice.short.strip()): spec
            for spec in content.intents
            if spec.id not in SYSTEM_INTENTS
        }

    # -- public -----------------------------------------------------------------------------

    def respond(
        self,
        understood: Understood,
        session: Session,
        *,
        in_group: bool = False,
        counsellor: bool = False,
    ) -> Turn:
        """Decide the reply to one message and update ``session`` in place (``counsellor``:
        a listed counsellor speaks, whose specific questions get only the point asked).

        The details the message states are remembered first, whatever else happens. Then,
        in order, the first that applies wins:

        1. a conversation command (详细, 菜单, 重新开始, 人工, 再说一遍);
        2. inside a crisis, a message that moves it on (police called or arrived, they left,
           still there, "what now", "no one can help me", "I'm OK now") gets the next step;
        3. urgent intents (threats, violence, self-harm) are answered first, whatever else is
           going on, and start (or renew) the crisis;
        4. a closing ("好的明白了", "谢谢", "thx") gets a short closing;
        5. an answer to the bot's pending question: a number, the option's own words, yes/no
           (not when the words after 是/不是/可以 carry something else), or the detail asked;
        5a. a specific question with a confident direct answer (:meth:`_direct_answer`): the
           answer, then the topic's steps if that topic is not already the active one;
        6. news about the situation (money already handed over, a paper to sign, let in,
           police called) gets its specific advice;
        7. new amounts or periods after a calculation: the calculation again;
        8. the topics recognised: the best one when it is clear (with a one-line check when
           it is only the clear leader), a question between two or three close ones, and
           otherwise one polite scope line — inside an active topic or a crisis never the
           fallback apology.
        Inside a crisis, an ordinary answer gets a reminder line with the numbers. Finally a
        block already sent in the conversation is not sent again word for word.
        """
        turn = Turn(said=understood.cues.compact)
        found = understood.details
        before = session.details
        session.details = before.merged(found)
        crisis = CrisisKind(session.crisis) if session.crisis in set(CrisisKind) else None

        urgency = self.urgency(understood, session, found=found, before=before)
        understood = apply(understood, urgency)
        turn.urgency = urgency
        if crisis is not None and self._false_alarm(understood, urgency, session):
            # the crisis rested on a likelihood alone and the person now asks an ordinary
            # question: it was a false alarm, dropped; the question is answered as usual
            session.crisis = None
            session.crisis_basis = None
            crisis = None
        session.safety_check = None
        turn.previous_answer = session.last_answer
        if understood.command is None:
            session.last_answer = None  # 详细 expands a direct answer only right after it
        if understood.command is not None:
            self._command(understood.command, session, turn)
        elif crisis is not None and self._crisis_step(crisis, understood, found, session, turn):
            pass
        elif understood.urgent:
            self._urgent(understood, session, turn, in_group=in_group)
        elif urgency.tier is Tier.POSSIBLE and urgency.kind is not None and crisis is None:
            self._possible(urgency.kind, understood, found, before, session, turn, in_group)
        else:
            self._ordinary(
                understood, found, before, session, turn, in_group=in_group, counsellor=counsellor
            )
            if crisis is not None and session.crisis:
                self._keep_crisis_context(crisis, turn, session)
        self._finish(turn, session)
        if in_group:
            _fit_group(turn)
        return turn

    def _false_alarm(self, understood: Understood, urgency: Urgency, session: Session) -> bool:
        """Inside a crisis that only the model's likelihood started: a calm message that asks
        an ordinary question (a confident direct answer, or a clear calm topic)."""
        if session.crisis_basis != "model" or urgency.tier is not Tier.CALM:
            return False
        if understood.command is not None or not understood.text:
            return False
        direct = understood.direct_for(session.details.role, session.details.lender_type)
        if direct is not None and direct.confident:
            return True
        top = understood.top
        return (
            top.intent not in SYSTEM_INTENTS
            and not self._specs[top.intent].urgent
            and top.score >= self.config.classifier.threshold
        )

    def urgency(
        self,
        understood: Understood,
        session: Session,
        *,
        found: Details | None = None,
        before: Details | None = None,
    ) -> Urgency:
        """The urgency of a message in this conversation: what the conversation knows is
        gathered here, the decision is made in :mod:`bot.conversation.policies.urgency`."""
        active = self._specs.get(session.active_intent or "")
        direct = understood.direct_for(session.details.role, session.details.lender_type)
        found = understood.details if found is None else found
        before = session.details if before is None else before
        context = UrgencyContext(
            role=session.details.role,
            crisis=session.crisis,
            calm_topic=active is not None and not active.urgent and active.id not in SYSTEM_INTENTS,
            acknowledgement=understood.cues.short_acknowledgement
            and (session.pending is not None or session.crisis is not None),
            question_of_topic=direct is not None
            and direct.confident
            and active is not None
            and direct.intent == active.id,
            police_after_paying=_police_after_paying(understood, session),
            acting_news=self._acting_news(found, before),
            safety_check=session.safety_check,
        )
        return decide(understood.classification, context, self.config.urgency)

    def _possible(
        self,
        kind: Kind,
        understood: Understood,
        found: Details,
        before: Details,
        session: Session,
        turn: Turn,
        in_group: bool,
    ) -> None:
        """Possible danger: one or two warm lines that ask directly and give the numbers (in a
        group: an invitation to a private chat and the numbers, never the question), then the
        answer to the rest of the message, never a menu or the fallback."""
        rest = Turn(said=turn.said, previous_answer=turn.previous_answer)
        self._ordinary(understood, found, before, session, rest, in_group=in_group)
        if rest.intent in (Outcome.FALLBACK, Outcome.CLARIFY, Outcome.MENU) or (
            rest.intent in SYSTEM_INTENTS
        ):
            rest = Turn()
            session.pending = None
        turn.add(possible_lines(kind, in_group=in_group))
        turn.replies += rest.replies
        turn.choices = rest.choices
        turn.intent = rest.intent or INTENT_OF_KIND[kind]
        if not in_group:
            session.safety_check = kind.value

    def menu(self, session: Session, turn: Turn) -> None:
        """Offer every topic by number."""
        topics = [spec.id for spec in self.content.topics]
        lines = [texts.MENU_HEADER]
        lines += [f"{i}. {self._specs[t].title}" for i, t in enumerate(topics, start=1)]
        lines.append(texts.MENU_FOOTER)
        turn.add("\n".join(lines))
        turn.choices = [self._specs[t].title for t in topics]
        turn.intent = turn.intent or Outcome.MENU
        session.pending = Pending(kind=PendingKind.MENU, choices=topics)

    @staticmethod
    def urgent_brief(urgency: Urgency) -> str:
        """The short group reply to an urgent message nobody addressed to the bot (clear
        danger: the numbers and a step; possible: the numbers and an invitation to talk in
        private, never a question about self-harm in public)."""
        from bot.conversation.crisis import GROUP_BRIEF

        if urgency.tier is Tier.POSSIBLE and urgency.kind is not None:
            return possible_lines(urgency.kind, in_group=True)
        kind = CrisisKind.DESPAIR if urgency.kind is Kind.SELF_HARM else CrisisKind.THREAT
        return GROUP_BRIEF[kind]

    # -- the steps --------------------------------------------------------------------------

    def _ordinary(
        self,
        understood: Understood,
        found: Details,
        before: Details,
        session: Session,
        turn: Turn,
        *,
        in_group: bool,
        counsellor: bool = False,
    ) -> None:
        """Steps 4–8 of :meth:`respond`."""
        pending = session.pending
        if _police_after_paying(understood, session):
            turn.intent = "safe_repayment" if "safe_repayment" in self._specs else None
            turn.add(texts.REPORT_AFTER_PAYING)
            return
        cues = understood.cues
        repair = cues.repair
        if repair is not None and pending is not None:
            self._repair(repair, session, turn)
            return
        if (
            session.active_intent in self._specs
            and (cues.what_now or cues.short_how)
            and self._best_topic_score(understood) < self.config.classifier.threshold
        ):
            self._what_now(session, turn)
            return
        closing = cues.closing
        if closing is True or (closing is False and not self._yes_no_pending(pending)):
            self._closing(understood, session, turn)
            return
        if (
            closing is None
            and cues.closing_with_tail
            and self._best_topic_score(understood) < self.config.classifier.threshold
        ):
            self._closing(understood, session, turn)  # "嗯 懂了 我去问问客服"
            return
        if self._unreadable_amount(understood, session, turn, in_group=in_group):
            return
        if pending is not None and self._answer_pending(
            pending, understood, found, session, turn, in_group=in_group
        ):
            return
        acting = self._acting_news(found, before) and bool(
            session.active_intent or session.crisis or before
        )
        if acting and not cues.asks:
            # "是的 一张什么分期协议 我看不懂" in the middle of a visit: a paper to sign or money
            # handed over, told and not asked about: its advice comes before any answer to a
            # question nobody asked (a first message is answered by its direct answer)
            news = self._news(found, before, session)
            if self._situation_news(news, understood, session, turn, told=True):
                return
        if not in_group and self._monthly_overview(understood, session, turn):
            return
        if self._direct_answer(understood, session, turn, counsellor=counsellor):
            return
        news = self._news(found, before, session)
        if news and self._situation_news(news, understood, session, turn):
            return
        if self._detail_follow_on(understood, found, session, turn, in_group=in_group):
            return
        self._topics(understood, session, turn, in_group=in_group, pending=pending, news=news)

    def _unreadable_amount(
        self, understood: Understood, session: Session, turn: Turn, *, in_group: bool
    ) -> bool:
        """ "1e308元", "-5000元": one clear sentence saying the figure was not taken (the
        details never read it), and the pending question stays for the next message."""
        bad = understood.cues.unreadable_amount
        if bad is None:
            return False
        kind, written = bad
        if in_group:
            turn.add(texts.AMOUNT_UNREADABLE_GROUP)
        elif kind == "exponent":
            turn.add(texts.AMOUNT_EXPONENT.format(written=written))
        else:
            turn.add(texts.AMOUNT_NEGATIVE.format(written=written))
        intent = session.active_intent or CALCULATOR_INTENT
        turn.intent = intent if intent in self._specs else None
        return True

    def _command(self, command: Command, session: Session, turn: Turn) -> None:
        turn.repeat_ok = True
        if command is Command.MORE:
            if session.last_answer is not None:
                with contextlib.suppress(KeyError):
                    answer_spec, answer = self.content.answer(session.last_answer)
                    turn.intent = answer_spec.id
                    turn.add(self.direct_long_answer(answer_spec, answer))
                    return
            spec = self._specs.get(session.active_intent or "")
            if spec is None:
                turn.intent = Outcome.MORE
                turn.add(texts.NO_TOPIC_FOR_MORE)
                return
            turn.intent = spec.id
            turn.add(self.long_answer(spec))
        elif command is Command.MENU:
            self.menu(session, turn)
        elif command is Command.RESET:
            session.reset()
            turn.intent = Outcome.RESET
            turn.add(texts.RESET_DONE)
        elif command is Command.HUMAN:
            turn.intent = "seek_help"
            turn.add(texts.HUMAN)
        elif command is Command.REPEAT:
            spec = self._specs.get(session.active_intent or "")
            if spec is None:
                turn.intent = Outcome.MORE
                turn.add(texts.NO_TOPIC_FOR_MORE)
                return
            turn.intent = spec.id
            turn.add(spec.advice.short)
            question = self._pending_question(session.pending)
            if question:
                turn.add(question)
        # Command.FORGET never reaches the dialogue: the engine carries it out.

    def _direct_answer(
        self, understood: Understood, session: Session, turn: Turn, *, counsellor: bool = False
    ) -> bool:
        """A specific question with a confident direct answer: the answer first, then the
        topic's short advice unless that topic is already the active one, then the topic's
        next follow-up question. False when the message asks no such question, or when it
        states the figures for a repayment calculation (the calculation answers it)."""
        direct = understood.direct_for(
            session.details.role, session.details.lender_type
        )  # the answers for this speaker
        if direct is None or understood.urgent:
            return False
        in_context = (  # "要开吗" at the door: a question of the topic being talked about
            direct.intent == session.active_intent
            and direct.score >= CONTEXT_DIRECT_FLOOR
            and direct.score >= CONTEXT_DIRECT_MARGIN * direct.runner_up_score
        )
        if not direct.confident and not in_context:
            return False
        found = understood.details
        if calculator.ready(session.details) and calculator.follows_on(found, session.details):
            return False  # "欠5万分24期", "每月最多还1500": the calculation answers it
        try:
            spec, answer = self.content.answer(direct.answer)
        except KeyError:
            return False
        if not direct.confident and block_id(answer.short) in session.sent:
            return False  # a weak reading of a point already answered ("好吧我不开")
        if session.details.role == "staff" and answer.audience == "debtor":
            return False  # bank staff and collectors get the staff side (the topics)
        turn.intent = spec.id
        if block_id(answer.short.strip()) in session.sent:
            # the same question again: its gist, pointing up, not the block word for word
            turn.add(texts.SAME_ANSWER.format(gist=_gist(answer.short)))
        else:
            turn.add(answer.short)
        if (
            session.details.role == "helper"
            and "helper" not in session.noticed
            and spec.id not in SYSTEM_INTENTS
        ):
            session.noticed.append("helper")  # asking for someone else: said once
            turn.add(texts.HELPER_NOTE)
        session.last_answer = answer.id
        if spec.id in SYSTEM_INTENTS:  # e.g. a scope note: the answer is the whole reply
            return True
        if counsellor:
            return True  # a counsellor's follow-up: the point asked only
        if session.crisis:
            return True  # inside a crisis: the point asked, no new topic or menu

        if session.active_intent == spec.id:
            question = self._pending_question(session.pending)
            if question and not self._pending_answered(session):
                turn.add(texts.STILL_ASKING.format(question=question))  # still open: kept
            else:
                self._ask_next(spec, session, turn)
            return True
        topic = Turn()
        self._start_topic(spec, session, topic, include_advice=True)
        turn.intent = turn.intent or topic.intent
        turn.choices = topic.choices
        fresh = [t for t in topic.replies if block_id(t) not in session.sent]
        if len(answer.short) + sum(len(t) for t in fresh) <= DIRECT_REPLY_CHARS:
            turn.replies += topic.replies
        else:
            # The answer first, short; the steps on request ("步骤"), the question last.
            self._offer_steps(spec, session, turn)
            turn.add(topic.replies[-1])
        return True

    def _urgent(
        self, understood: Understood, session: Session, turn: Turn, *, in_group: bool
    ) -> None:
        for intent_id in understood.urgent:  # a second kind only with a sign of its own
            turn.add(self._specs[intent_id].advice.short)
        lead = self._specs[understood.urgent[0]]
        turn.intent = lead.id
        # The urgent advice comes first; the topic the person also asked about follows.
        others = [
            r
            for r in understood.others
            if r.intent not in SYSTEM_INTENTS
            and r.score >= self.config.classifier.urgent_secondary_floor
            and not self._specs[r.intent].urgent
        ]
        if others:
            turn.add(self._specs[others[0].intent].advice.short)
        kind = CRISIS_OF_INTENT.get(lead.id)
        if kind is not None:
            # A despair that comes on top of a threat (or the other way round) takes over.
            session.crisis = kind.value
            rule = turn.urgency.rule if turn.urgency is not None else ""
            session.crisis_basis = "model" if rule == "the model is confident" else "sign"
        if session.details.role == "helper" and "helper_urgent" not in session.noticed:
            session.noticed.append("helper_urgent")  # asking for someone else: what they can do
            turn.add(
                texts.HELPER_URGENT_DESPAIR if kind is CrisisKind.DESPAIR else texts.HELPER_URGENT
            )
        self._start_topic(lead, session, turn, include_advice=False)

    def _crisis_step(
        self, kind: CrisisKind, understood: Understood, found: Details, session: Session, turn: Turn
    ) -> bool:
        """A message that moves the crisis on gets the next step of the safety plan; False
        when the message does something else (it is then answered as usual)."""
        details = session.details
        after_visit = bool(details.left) or details.police == "arrived"
        act = understood.cues.act_after_visit if after_visit else understood.cues.act
        if (
            act in (Act.THANKS, Act.OTHER)
            and not understood.urgent  # "有 想过从楼上跳下去" is no plain "yes"
            and self._yes_no_pending(session.pending)
            and understood.cues.yes_no is not None
        ):
            return False  # "嗯" to "你现在安全吗？": the answer to the question asked
        urgent_kind = CRISIS_OF_INTENT.get(understood.urgent[0]) if understood.urgent else None
        if urgent_kind is not None and urgent_kind is not kind:
            return False  # despair on top of a threat (or the reverse): answered as urgent
        if act is Act.OTHER:
            if urgent_kind is None:
                return False
            # The same danger said again: the numbers again, in other words, not the block.
            act = Act.HOPELESS if kind is CrisisKind.DESPAIR else Act.STILL_THERE
        replies, ended = crisis_reply(kind, act, session.details)
        if not replies:
            return False
        replies = [
            text
            if block_id(text) not in session.sent
            else self._again(kind, session, act, session.details)
            for text in replies
        ]
        for text in replies:
            turn.add(text)
        lead = next((i for i, k in CRISIS_OF_INTENT.items() if k is kind), None)
        turn.intent = lead
        if ended:
            session.crisis = None
            session.pending = None
            return True
        spec = self._specs.get(lead or "")
        if kind is CrisisKind.DESPAIR:
            session.pending = None  # stay with the person: no menu after "no one can help me"
        elif spec is not None and act is not Act.THANKS:
            session.active_intent = spec.id
            remaining = self._unanswered(spec, session)
            if remaining:
                self._ask(spec, remaining[0], session, turn)
            else:
                session.pending = None
        return True

    @staticmethod
    def _again(
        kind: CrisisKind, session: Session, act: Act | None = None, situation: Details | None = None
    ) -> str:
        """The same step in other words, not sent yet in this conversation."""
        options = again_for(kind, act, situation) if act is not None else AGAIN[kind]
        return next((t for t in options if block_id(t) not in session.sent), options[-1])

    def _keep_crisis_context(self, kind: CrisisKind, turn: Turn, session: Session) -> None:
        """Inside a crisis: never the fallback or a bare menu, and the numbers stay in view."""
        if turn.intent in (Outcome.FALLBACK, Outcome.CLARIFY):
            turn.replies = [fallback_step(kind, session.details)]
            turn.choices = []
            turn.intent = next((i for i, k in CRISIS_OF_INTENT.items() if k is kind), None)
            return
        if not any(has_emergency_number(r) for r in turn.replies):
            turn.replies.insert(0, reminder(kind))

    def _repair(self, repair: Repair, session: Session, turn: Turn) -> None:
        """ "等一下", "你问这个干嘛", "啥意思": answer about the question, keep it open."""
        question = self._pending_question(session.pending) or texts.MENU_HINT
        turn.intent = session.active_intent or Outcome.CLARIFY
        if repair is Repair.HOLD:
            turn.add(texts.HOLD)
        elif repair is Repair.WHY:
            turn.add(texts.WHY_ASK.format(question=question))
        else:
            turn.add(texts.HUH.format(question=question))
        turn.repeat_ok = True

    def _what_now(self, session: Session, turn: Turn) -> None:
        """ "那我该怎么办" inside a topic: the steps that matter most now, and the open
        question (or the next one)."""
        spec = self._specs[session.active_intent or ""]
        turn.intent = spec.id
        steps = [line for line in spec.advice.short.splitlines() if re.match(r"\d+\.", line)]
        branch = self._unsent_branch(spec, session)
        if block_id(spec.advice.short) not in session.sent or not steps:
            turn.add(spec.advice.short)
        elif branch is not None:  # the step for what is known, not given yet
            turn.add(branch)
        elif (pointed := self._point_to_known(spec, session, turn.said)) is not None:
            turn.add(pointed)  # "怎么查": the step above that says how
        else:  # what is known, then the first steps again (they come first for a reason)
            known = situation_summary(session.details)
            lead = texts.KNOWN_PREFIX.format(known=known) if known else ""
            turn.add("\n".join([lead + texts.KEY_STEPS, *steps[:2]]))
        question = self._pending_question(session.pending)
        if question:
            turn.add(question)
        else:
            remaining = self._unanswered(spec, session)
            if remaining:
                self._ask(spec, remaining[0], session, turn)

    def _point_to_known(self, spec: IntentSpec, session: Session, said: str) -> str | None:
        """The step, among the advice for what is known (most specific first) and the topic's
        steps, that a short question ("怎么查") asks about; None when none clearly fits."""
        blocks = [
            reply
            for follow_up in spec.follow_ups
            if (reply := self._branch_reply(follow_up, session.details)) is not None
        ]
        for block in [*blocks, spec.advice.short]:
            found = _matching_step(block, said)
            if found is not None:
                return texts.POINT_BACK_STEP.format(step=found[1])
        return None

    def _best_topic_score(self, understood: Understood) -> float:
        best = self._best_topic(understood)
        return 0.0 if best is None else best.score

    def _closing(self, understood: Understood, session: Session, turn: Turn) -> None:
        thanks = self._specs.get("thanks")
        said_thanks = understood.cues.thanks
        turn.intent = "thanks"
        if session.details.role == "staff":
            turn.add(
                texts.STAFF_CLOSING
            )  # the debtor's "call 110 if they threaten you" is not theirs
        elif not _visit_or_danger(session):
            # a conversation about calls, credit or the law: no "call 110" as a parting word
            turn.add(texts.THANKS_PLAIN if said_thanks else texts.CLOSING_PLAIN)
        elif said_thanks and thanks is not None:
            turn.add(thanks.advice.short)
        else:
            turn.add(texts.CLOSING)
        session.pending = None

    def _answer_pending(
        self,
        pending: Pending,
        understood: Understood,
        found: Details,
        session: Session,
        turn: Turn,
        *,
        in_group: bool,
    ) -> bool:
        """Read the message as the answer to ``pending``; False when it is not one.

        A menu or clarifying question takes a number or the topic's own words. A follow-up
        with options takes a number, the option's words or a paraphrase, or the situation
        detail the question is about ("在门口" → now). A yes/no follow-up takes its slot's
        detail ("没看到什么证" → no), or yes/no/unsure (or 1/2 for the offered choices) —
        but not when the words after 是/不是/可以 say something else ("是借款确认书"). A
        detail follow-up takes a message stating that detail, unless a longer message is
        clearly about another topic.
        """
        if pending.kind in (PendingKind.MENU, PendingKind.CLARIFY):
            choice = understood.cues.choice(len(pending.choices))
            if choice is None and (wrong := understood.cues.out_of_range(len(pending.choices))):
                turn.add(wrong)  # the question stays pending: the next number answers it
                return True
            if choice is None:
                choice = understood.cues.option([self._specs[c].title for c in pending.choices])
            if choice is None:
                return False
            self._answer_topic(self._specs[pending.choices[choice]], session, turn)
            return True

        spec = self._specs.get(pending.intent or "")
        follow_up = self._follow_up(spec, pending.follow_up) if spec else None
        if spec is None or follow_up is None:
            session.pending = None
            return False

        if follow_up.answers is not None:
            if spec.id == CALCULATOR_INTENT and calculator.follows_on(found, session.details):
                return False  # "不对，是36期" corrects the plan; it is no "no"
            answer = self._read_yes_no(follow_up, understood, found, spec)
            if answer is None:
                return False
            self._fill_slot(follow_up, session, answer)
            if answer is YesNo.AFFIRM:
                turn.add(follow_up.answers.affirm)
            elif answer is YesNo.DENY:
                turn.add(follow_up.answers.deny)
            elif follow_up.answers.unsure is not None:
                turn.add(follow_up.answers.unsure)
            else:
                turn.add(texts.UNSURE_PREFIX + "\n" + follow_up.answers.deny)
        elif follow_up.options is not None:
            choice = understood.cues.choice(len(follow_up.options))
            if choice is None:
                choice = self._option_by_slot(follow_up, found)
            if choice is None:
                choice = understood.cues.option([o.label for o in follow_up.options])
            if choice is None:
                return False
            option = follow_up.options[choice]
            self._fill_option(follow_up, option, session)
            if option.intent is not None:
                self._answer_topic(self._specs[option.intent], session, turn)
                return True
            turn.add(option.reply or "")
        else:
            wanted = follow_up.detail
            if wanted == "any":
                if found.amount is None and found.lender is None:
                    return False
            elif not self._has_detail(found, wanted):
                return False
            best = self._best_topic(understood)
            if (
                len(understood.cues.compact) > 15
                and best is not None
                and best.intent != spec.id
                and best.score >= self.config.classifier.threshold
            ):
                return False  # details given while asking about something else: a new topic
            heard = "" if in_group else figures_heard(found)  # no amounts in a group
            reply = follow_up.reply or ""
            if heard:  # say back what was understood, so a misreading is seen at once
                reply = texts.HEARD.format(figures=heard) + NOTED_OPENING.sub("", reply)
            turn.add(reply)
            if spec.id == CALCULATOR_INTENT:
                self._calculation(session, turn, in_group=in_group)
        turn.intent = spec.id
        self._ask_next(spec, session, turn)
        return True

    def _read_yes_no(
        self, follow_up: FollowUp, understood: Understood, found: Details, spec: IntentSpec
    ) -> YesNo | None:
        if follow_up.slot is not None:
            value = getattr(found, follow_up.slot, None)
            if value is not None:
                return YesNo.AFFIRM if value not in (False, "") else YesNo.DENY
        cues = understood.cues
        answer = cues.yes_no
        if answer is None:  # "1"/"2" pick the offered choices (有/没有, 是/不是) by number
            choice = cues.choice(2)
            return None if choice is None else (YesNo.AFFIRM, YesNo.DENY)[choice]
        rest = cues.rest_after_yes_no
        if len(rest) >= 2:
            # "是借款确认书", "可以 但是我想先问分期": the words after the yes/no say more.
            slot_only = follow_up.slot is not None and set(found.as_dict()) <= {follow_up.slot}
            news = bool(found) and not slot_only
            best = self._best_topic(understood)
            # a few words after a clear yes/no ("没有 就说是银行的") still answer the question;
            # a longer tail about another topic ("可以 但是我想先问问分期的事") does not
            elsewhere = (
                len(rest) >= 8
                and best is not None
                and best.intent != spec.id
                and best.score >= self.config.classifier.threshold
            )
            # "可以先拍照给家里人看吗": a question of its own, not a "yes"
            asks = cues.rest_asks
            if news or elsewhere or asks:
                return None
        return answer

    def _fill_slot(self, follow_up: FollowUp, session: Session, answer: YesNo) -> None:
        slot = follow_up.slot
        if slot is None or getattr(session.details, slot) is not None or answer is YesNo.UNSURE:
            return
        if answer is YesNo.AFFIRM:
            value: bool | str = follow_up.slot_yes if follow_up.slot_yes is not None else True
            session.details = session.details.merged(Details.from_json({slot: value}))
        elif follow_up.slot_yes is None:
            session.details = session.details.merged(Details.from_json({slot: False}))

    def _option_by_slot(self, follow_up: FollowUp, found: Details) -> int | None:
        """The option whose ``value`` the message states ("在敲门" answers "now or later?")."""
        if follow_up.slot is None or follow_up.options is None:
            return None
        value = getattr(found, follow_up.slot, None)
        if value is None:
            return None
        for index, option in enumerate(follow_up.options):
            if option.value is not None and option.value == value:
                return index
        return None

    def _fill_option(self, follow_up: FollowUp, option: Option, session: Session) -> None:
        slot = follow_up.slot
        if slot is not None and option.value is not None and getattr(session.details, slot) is None:
            session.details = session.details.merged(Details.from_json({slot: option.value}))

    def _news(self, found: Details, before: Details, session: Session) -> list[str]:
        """Specific advice for what just became known: money handed over, a paper to sign,
        visitors let in, the police called, the visitors left."""
        news: list[str] = []
        if found.paid is not None and before.paid is None:
            news.append(texts.PAID_PERSONAL if found.paid == "personal" else texts.PAID_ALREADY)
        if found.signed and not before.signed:
            news.append(texts.SIGNED)
        elif found.document is not None and found.document != before.document:
            news.append(
                texts.SIGN_ADVICE.format(
                    document=found.document if found.document != "文件" else ""
                )
            )
        if found.present is True and before.present is False:
            news.append(texts.NOW_HERE)  # announced for later, and now they are here
        if found.let_in is True and before.let_in is not True:
            news.append(texts.LET_IN)
        if found.police is not None and found.police != before.police:
            if session.details.role == "staff":
                news.append(texts.STAFF_POLICE)
            else:
                act = Act.POLICE_ARRIVED if found.police == "arrived" else Act.POLICE_CALLED
                news.extend(crisis_reply(CrisisKind.THREAT, act, session.details)[0])
                session.crisis = CrisisKind.THREAT.value
        elif (
            found.left is True
            and before.left is not True
            and session.active_intent
            in ("collector_at_door", "threat_or_violence", "verify_identity")
        ):
            news.extend(crisis_reply(CrisisKind.THREAT, Act.LEFT, session.details)[0])
        elif found.left is False and session.active_intent in (
            "collector_at_door",
            "verify_identity",
        ):
            news.append(texts.STILL_THERE)
        return news

    def _monthly_overview(self, understood: Understood, session: Session, turn: Turn) -> bool:
        """ "每月大概还多少" when the amount is known (said earlier, or in a forwarded case) but
        no number of periods: a first look over usual periods, not the topic again."""
        details = session.details
        if not understood.cues.monthly:
            return False
        if calculator.ready(details):  # the figures are all there: the calculation itself
            turn.intent = CALCULATOR_INTENT
            session.active_intent = CALCULATOR_INTENT
            session.pending = None
            self._calculation(session, turn, in_group=False)
            return True
        if details.months is not None or details.budget is not None:
            return False
        text = calculator.overview(details)
        if text is None:
            return False
        turn.intent = CALCULATOR_INTENT
        session.active_intent = CALCULATOR_INTENT
        session.pending = None
        turn.add(text)
        return True

    @staticmethod
    def _acting_news(found: Details, before: Details) -> bool:
        """True when the message newly tells of a paper to sign, money handed over, or that
        a visit announced for later is happening now."""
        return (
            (found.present is True and before.present is False)
            or (found.paid is not None and before.paid is None)
            or (bool(found.signed) and not before.signed)
            or (found.document is not None and found.document != before.document)
        )

    def _situation_news(
        self,
        news: list[str],
        understood: Understood,
        session: Session,
        turn: Turn,
        *,
        told: bool = False,
    ) -> bool:
        """The news alone, then the pending question again — unless the message is mainly
        about another topic (then the news goes with that topic's answer; not when ``told``:
        a paper to sign or money handed over, told and not asked about)."""
        best = self._best_topic(understood)
        if (
            not told
            and best is not None
            and best.score >= self.config.classifier.threshold
            and best.intent != session.active_intent
            and not session.details.police
        ):
            return False  # the message is mainly about another topic: answer that
        for text in news:
            turn.add(text)
        turn.intent = session.active_intent or (best.intent if best else None)
        question = self._pending_question(session.pending)
        if question and not self._pending_answered(session):
            turn.add(texts.STILL_ASKING.format(question=question))
        return True

    def _pending_answered(self, session: Session) -> bool:
        pending = session.pending
        if pending is None or pending.kind is not PendingKind.FOLLOW_UP:
            return False
        follow_up = self._follow_up(self._specs.get(pending.intent or ""), pending.follow_up)
        return (
            follow_up is not None
            and follow_up.slot is not None
            and getattr(session.details, follow_up.slot) is not None
        )

    def _detail_follow_on(
        self,
        understood: Understood,
        found: Details,
        session: Session,
        turn: Turn,
        *,
        in_group: bool,
    ) -> bool:
        """ "那分36期呢？" after a calculation: redo it with the new detail."""
        if not calculator.follows_on(found, session.details):
            return False
        top = self._best_topic(understood)
        if session.active_intent != CALCULATOR_INTENT:
            if not calculator.asks_calculation(found, understood.cues) and (
                (top is not None and top.score >= self.config.classifier.threshold)
                or not calculator.starts_calculation(found, understood.cues)
            ):
                return False
            # "600期", "我想算一下 本金8万分12期": the calculator topic, not the fallback
            spec = self._specs[CALCULATOR_INTENT]
            if calculator.ready(session.details):
                self._calculation_first(spec, session, turn, in_group=in_group)
            else:
                self._answer_topic(spec, session, turn)
            return True
        if (
            top is not None
            and top.intent != CALCULATOR_INTENT
            and top.score >= self.config.classifier.threshold
            and not calculator.calculator_only(found)
            and not understood.cues.figures_only
        ):
            return False  # clearly a new topic
        if not calculator.ready(session.details):
            return False
        turn.intent = CALCULATOR_INTENT
        session.active_intent = CALCULATOR_INTENT
        self._calculation(session, turn, in_group=in_group)
        return True

    def _topics(
        self,
        understood: Understood,
        session: Session,
        turn: Turn,
        *,
        in_group: bool,
        pending: Pending | None,
        news: list[str] | None = None,
    ) -> None:
        """Choose the topic. A clear best is answered; a clear leader below the threshold is
        answered with a one-line check; two or three close candidates get a question; a
        message about nothing the bot covers gets one scope line (inside an active topic:
        "I did not understand" and the pending question, never the fallback apology)."""
        settings = self.config.classifier
        topics = [r for r in understood.ranking if r.intent not in SYSTEM_INTENTS]
        if session.details.role == "staff":
            topics = self._for_staff(topics)
        best = topics[0] if topics else None
        first = understood.ranking[0]

        if best is not None and best.score >= settings.threshold:
            self._answer_best(best, topics, understood, session, turn, in_group=in_group, news=news)
            return

        if (
            first.intent in SYSTEM_INTENTS
            and first.intent != "fallback"
            and first.score >= settings.threshold
        ):
            self._system(self._specs[first.intent], session, turn)
            return

        candidates = [r for r in topics[:3] if r.score >= settings.clarify_floor]
        nothing = next((r.score for r in understood.ranking if r.intent == "fallback"), 0.0)
        talking = session.active_intent in self._specs and session.active_intent not in (
            SYSTEM_INTENTS
        )  # inside a topic, "他们让我先还两千 可以吗" needs no domain word to be in the domain
        # a short message whose best reading is a topic, well ahead of "nothing": "他们来了",
        # "人来了" at the door need no domain word to be about the topic
        short_lead = (
            bool(candidates)
            and len(understood.cues.compact) <= SHORT_LEAD_CHARS
            and understood.ranking[0].intent == candidates[0].intent
            and nothing < candidates[0].score * SHORT_LEAD_RATIO
        )
        if (understood.in_domain or talking or short_lead) and candidates:
            leader = candidates[0]
            clear = (len(candidates) == 1 or leader.score >= 2 * candidates[1].score) and (
                nothing < leader.score / 2 or short_lead
            )
            if clear and leader.score >= settings.clarify_floor:
                if leader.intent != session.active_intent:
                    turn.add(texts.LEADER_CHECK.format(title=self._specs[leader.intent].title))
                self._answer_best(
                    leader, topics, understood, session, turn, in_group=in_group, news=news
                )
                return
            close = [r for r in candidates if r.score >= leader.score / 2]
            if talking and any(r.intent == session.active_intent for r in close):
                close = []  # the topic being talked about is one of them: read it in context
            if len(close) >= 2 and nothing < leader.score:
                self._clarify(close, session, turn)
                return
        if (
            understood.in_domain
            and len(understood.cues.compact) <= 4
            and session.active_intent is None
        ):
            turn.add(texts.WHICH_ASPECT)  # a bare "银行", "催收": every topic, by number
            self.menu(session, turn)
            turn.intent = Outcome.CLARIFY  # unanswered: the report keeps the message
            return
        if talking and self._about_last_answer(understood, session, turn):
            return
        if talking and self._closest_answer(understood, session, turn):
            return
        if session.active_intent in self._specs and session.active_intent not in SYSTEM_INTENTS:
            if understood.details and not understood.cues.asks:
                # it tells something about the situation (and asks nothing): noted
                turn.intent = session.active_intent
                question = self._pending_question(pending)
                branch = self._unsent_branch(self._specs[session.active_intent], session)
                if branch is not None:  # what is known has a step not given yet: that step
                    turn.add(branch)
                    if question:
                        turn.add(question)
                    session.pending = pending
                    return
                turn.add(texts.NOTED + (question or texts.MENU_HINT))
                return
            off_topic = understood.top.intent == "fallback" and not understood.in_domain
            self._not_understood(
                session,
                turn,
                pending,
                off_topic=off_topic,
                venting=understood.cues.venting,
                short_ack=understood.cues.acknowledgement
                and len(understood.cues.compact) <= SHORT_REPLY_CHARS + 4,
            )
            return
        self._fallback(session, turn, pending)

    def _about_last_answer(self, understood: Understood, session: Session, turn: Turn) -> bool:
        """A question about the answer just given ("是从还清那天开始算吗" after "the record
        stays 5 years from the day it is settled"): that answer's point again, pointed to."""
        if turn.previous_answer is None or not understood.cues.asks:
            return False
        try:
            _spec, answer = self.content.answer(turn.previous_answer)
        except KeyError:
            return False
        asked = understood.cues.content_bigrams
        if len(asked & bigrams(compact(answer.short))) < ABOUT_ANSWER_OVERLAP:
            return False
        turn.intent = turn.intent or session.active_intent
        turn.add(texts.SAME_ANSWER.format(gist=_gist(answer.short)))
        session.last_answer = answer.id  # 详细 still expands it
        question = self._pending_question(session.pending)
        if question:
            turn.add(texts.STILL_ASKING.format(question=question))
        return True

    def _closest_answer(self, understood: Understood, session: Session, turn: Turn) -> bool:
        """Inside a conversation, a question no topic is sure of but one direct answer clearly
        leads ("他父母需要知道吗" → whether the family has to pay): that answer, flagged as the
        closest point, instead of "I did not understand". The open question stays open."""
        direct = understood.direct
        if (
            direct is None
            or direct.score < CLOSEST_ANSWER_FLOOR
            or direct.score < CLOSEST_ANSWER_MARGIN * direct.runner_up_score
            or not understood.cues.asks
        ):
            return False
        try:
            spec, answer = self.content.answer(direct.answer)
        except KeyError:
            return False
        if spec.id in SYSTEM_INTENTS or block_id(answer.short.strip()) in session.sent:
            return False
        turn.intent = spec.id
        turn.add(texts.CLOSEST_ANSWER + answer.short)
        session.last_answer = answer.id
        question = self._pending_question(session.pending)
        if question:
            turn.add(texts.STILL_ASKING.format(question=question))
        return True

    def _for_staff(self, topics: list[RankedIntent]) -> list[RankedIntent]:
        """For bank staff and collectors, the debtor-side topics mean the staff topic."""
        if STAFF_INTENT not in self._specs:
            return topics
        remapped: list[RankedIntent] = []
        for ranked in topics:
            if ranked.intent in DEBTOR_SIDE:
                ranked = RankedIntent(STAFF_INTENT, ranked.score)
            if all(r.intent != ranked.intent for r in remapped):
                remapped.append(ranked)
        return remapped

    def _answer_best(
        self,
        best: RankedIntent,
        topics: list[RankedIntent],
        understood: Understood,
        session: Session,
        turn: Turn,
        *,
        in_group: bool,
        news: list[str] | None = None,
    ) -> None:
        settings = self.config.classifier
        spec = self._specs[best.intent]
        if spec.id == session.active_intent and block_id(spec.advice.short) in session.sent:
            self._next_step(spec, session, turn)
            return
        extra = Turn()  # goes between the advice and the follow-up question
        for text in news or []:
            extra.add(text)
        second = next((r for r in topics[1:] if r.intent != best.intent), None)
        if (
            second is not None
            and second.score >= settings.secondary_ratio * best.score
            and second.score >= settings.clarify_floor
        ):
            extra.add(self._specs[second.intent].advice.short)
        if best.intent == CALCULATOR_INTENT and calculator.ready(session.details):
            self._calculation_first(spec, session, turn, in_group=in_group, extra=extra.replies)
            return
        if session.details.role == "helper" and "helper" not in session.noticed:
            session.noticed.append("helper")
            turn.add(texts.HELPER_NOTE)
        self._answer_topic(spec, session, turn, extra=extra.replies)

    def _calculation_first(
        self,
        spec: IntentSpec,
        session: Session,
        turn: Turn,
        *,
        in_group: bool,
        extra: list[str] | None = None,
    ) -> None:
        """ "每个月只能还1500", "算一下 8万分12期": the figures asked for come first; the
        topic's steps only on request ("步骤"), then the topic's question."""
        calculation = Turn()
        self._calculation(session, calculation, in_group=in_group)
        topic = Turn()
        self._answer_topic(spec, session, topic, extra=extra)
        turn.intent = turn.intent or topic.intent
        turn.choices = topic.choices
        turn.replies += calculation.replies
        self._offer_steps(spec, session, turn)
        turn.replies += [t for t in topic.replies if t != spec.advice.short.strip()]

    @staticmethod
    def _offer_steps(spec: IntentSpec, session: Session, turn: Turn) -> None:
        """ "回复“步骤”…": the topic's steps offered, unless they were sent already."""
        if block_id(spec.advice.short) not in session.sent:
            turn.add(texts.STEPS_OFFER.format(title=spec.title))

    def _next_step(self, spec: IntentSpec, session: Session, turn: Turn) -> None:
        """The active topic asked again: its advice was sent; point back and go on."""
        turn.intent = spec.id
        turn.add(self._point_back(spec, turn.said))
        question = self._pending_question(session.pending)
        if question:
            turn.add(question)
            return
        remaining = self._unanswered(spec, session)
        if remaining:
            self._ask(spec, remaining[0], session, turn)
        else:
            turn.add(texts.MORE_HINT)

    # -- reply builders ---------------------------------------------------------------------

    def _answer_topic(
        self, spec: IntentSpec, session: Session, turn: Turn, extra: list[str] | None = None
    ) -> None:
        if spec.id in SYSTEM_INTENTS:
            self._system(spec, session, turn)
            return
        self._start_topic(spec, session, turn, include_advice=True, extra=extra)

    def _start_topic(
        self,
        spec: IntentSpec,
        session: Session,
        turn: Turn,
        *,
        include_advice: bool,
        extra: list[str] | None = None,
    ) -> None:
        """Make ``spec`` the active topic: its advice, any extra replies, the branch for a
        question the person already answered (at most one), then the first follow-up
        question still open (it comes last, where the person will answer it)."""
        turn.intent = turn.intent or spec.id
        if session.active_intent != spec.id:
            session.asked = []
        session.active_intent = spec.id
        session.pending = None
        if include_advice:
            turn.add(spec.advice.short)
        for text in extra or []:
            turn.add(text)
        self._known_branch(spec, session, turn)
        remaining = self._unanswered(spec, session)
        if remaining:
            self._ask(spec, remaining[0], session, turn, hint=True)
        else:
            turn.add(texts.MORE_HINT)

    def _known_branch(self, spec: IntentSpec, session: Session, turn: Turn) -> None:
        """The next step for a question whose answer is already known ("你说他们没出示证件：…")."""
        for follow_up in spec.follow_ups:
            if follow_up.slot is None or follow_up.id in session.asked:
                continue
            reply = self._branch_reply(follow_up, session.details)
            if reply is None:
                continue
            session.asked.append(follow_up.id)
            if block_id(reply) not in session.sent:
                turn.add(self._with_summary(reply, session.details))
                return

    def _unsent_branch(self, spec: IntentSpec, session: Session) -> str | None:
        """The step for an answer already known whose advice was not sent yet (it was left out
        of a short reply), with what is known before it; None when there is none."""
        for follow_up in spec.follow_ups:
            reply = self._branch_reply(follow_up, session.details)
            if reply is not None and block_id(reply) not in session.sent:
                if follow_up.id not in session.asked:
                    session.asked.append(follow_up.id)
                return self._with_summary(reply, session.details)
        return None

    @staticmethod
    def _with_summary(reply: str, details: Details) -> str:
        known = situation_summary(details)
        return texts.KNOWN_PREFIX.format(known=known) + "\n" + reply if known else reply

    @staticmethod
    def _branch_reply(follow_up: FollowUp, details: Details) -> str | None:
        """The branch of ``follow_up`` that the remembered situation already answers."""
        if follow_up.slot is None:
            return None
        value = getattr(details, follow_up.slot)
        if value is None:
            return None
        if follow_up.answers is not None:
            return follow_up.answers.affirm if value not in (False, "") else follow_up.answers.deny
        if follow_up.options is not None:
            return next(
                (
                    o.reply
                    for o in follow_up.options
                    if o.auto and o.value is not None and o.value == value and o.reply
                ),
                None,
            )
        return None

    def _ask(
        self,
        spec: IntentSpec,
        follow_up: FollowUp,
        session: Session,
        turn: Turn,
        *,
        hint: bool = False,
    ) -> None:
        lines = [follow_up.question]
        if follow_up.options:
            lines += [f"{i}. {opt.label}" for i, opt in enumerate(follow_up.options, start=1)]
            turn.choices = [opt.label for opt in follow_up.options]
        elif follow_up.answers:
            yes_no_is = re.search(r"是不是|是否|是吗|对吗", follow_up.question)
            turn.choices = ["是", "不是"] if yes_no_is else ["有", "没有"]
        if hint:
            lines.append(texts.MORE_HINT)
        turn.add("\n".join(lines))
        session.pending = Pending(
            kind=PendingKind.FOLLOW_UP, intent=spec.id, follow_up=follow_up.id
        )
        if follow_up.id not in session.asked:
            session.asked.append(follow_up.id)

    def _unanswered(self, spec: IntentSpec, session: Session) -> list[FollowUp]:
        """Follow-ups not asked yet, skipping questions whose answer is already known."""
        return [
            fu
            for fu in spec.follow_ups
            if fu.id not in session.asked and not self._known(spec, fu, session)
        ]

    def _known(self, spec: IntentSpec, follow_up: FollowUp, session: Session) -> bool:
        details = session.details
        if follow_up.slot is not None and getattr(details, follow_up.slot) is not None:
            return True
        if any(getattr(details, name, None) == value for name, value in follow_up.skip_if.items()):
            return True
        if follow_up.detail is None:
            return False
        if follow_up.detail == "any":
            return details.amount is not None or details.lender is not None
        if follow_up.detail == "amount" and spec.id == CALCULATOR_INTENT:
            return calculator.ready(details)  # an amount and a number of periods or a budget
        return self._has_detail(details, follow_up.detail)

    def _ask_next(self, spec: IntentSpec, session: Session, turn: Turn) -> None:
        remaining = self._unanswered(spec, session)
        if remaining:
            self._ask(spec, remaining[0], session, turn)
        else:
            session.pending = None
            turn.add(texts.NEXT_HINT)

    def _system(self, spec: IntentSpec, session: Session, turn: Turn) -> None:
        turn.intent = spec.id
        turn.add(spec.advice.short)
        if spec.id == "help":
            self.menu(session, turn)
            turn.intent = "help"

    def _clarify(self, candidates: list[RankedIntent], session: Session, turn: Turn) -> None:
        choices = [r.intent for r in candidates]
        lines = [texts.CLARIFY]
        lines += [f"{i}. {self._specs[c].title}" for i, c in enumerate(choices, start=1)]
        turn.add("\n".join(lines))
        turn.choices = [self._specs[c].title for c in choices]
        turn.intent = Outcome.CLARIFY
        session.pending = Pending(kind=PendingKind.CLARIFY, choices=choices)

    def _not_understood(
        self,
        session: Session,
        turn: Turn,
        pending: Pending | None,
        *,
        off_topic: bool,
        venting: bool = False,
        short_ack: bool = False,
    ) -> None:
        """Inside an active topic: one scope line (off topic) or "I did not understand", and
        the open question again (or the next step) — never the fallback apology."""
        turn.intent = Outcome.FALLBACK if off_topic else Outcome.CLARIFY
        turn.repeat_ok = True  # a short repair line may come again; it carries the question
        question = self._pending_question(pending)
        if venting:
            turn.add(
                texts.VENT + (texts.STILL_ASKING.format(question=question) if question else "")
            )
        elif off_topic:
            turn.add(
                texts.SCOPE_LINE
                + (texts.STILL_ASKING.format(question=question) if question else texts.MENU_HINT)
            )
        elif short_ack:
            # "好吧我不开", "行 我知道了": heard; the open question (if any) stays open
            turn.add(texts.ACK + (texts.STILL_ASKING.format(question=question) if question else ""))
        elif question:
            turn.add(texts.NOT_UNDERSTOOD.format(question=question))
        else:
            turn.add(texts.NOT_UNDERSTOOD_NO_QUESTION)
        if question:
            session.pending = pending

    def _fallback(self, session: Session, turn: Turn, pending: Pending | None) -> None:
        spec = self._specs["fallback"]
        turn.intent = Outcome.FALLBACK
        turn.add(spec.advice.short)
        question = self._pending_question(pending)
        if question:
            turn.add(texts.FALLBACK_HINT.format(question=question))
            session.pending = pending  # keep waiting for the answer

    def _calculation(self, session: Session, turn: Turn, *, in_group: bool) -> None:
        for text in calculator.calculator_reply(
            session.details, self.config.calculator, in_group=in_group
        ):
            turn.add(text)

    def long_answer(self, spec: IntentSpec) -> str:
        """The fuller answer with the rules behind it, for 详细 and counsellors."""
        parts = [texts.MORE_HEADER.format(title=spec.title), spec.advice.long]
        sources = self.content.sources(spec.references)  # from the fact register
        if sources:
            parts.append(texts.RULES_HEADER + "\n" + "\n".join(f"· {s}" for s in sources))
        if spec.id not in SYSTEM_INTENTS:
            parts.append(texts.NOT_LEGAL_ADVICE)
        return "\n".join(parts)

    def direct_long_answer(self, spec: IntentSpec, answer: DirectAnswer) -> str:
        """详细 after a direct answer: its long text (else the topic's) and the rules behind
        it from the fact register."""
        parts = [texts.MORE_HEADER.format(title=spec.title), answer.long or answer.short]
        if answer.long is None and spec.id not in SYSTEM_INTENTS:
            parts.append(spec.advice.long)
        sources = self.content.sources([*answer.facts, *([] if answer.facts else spec.references)])
        if sources:
            parts.append(texts.RULES_HEADER + "\n" + "\n".join(f"· {s}" for s in sources))
        if spec.id not in SYSTEM_INTENTS:
            parts.append(texts.NOT_LEGAL_ADVICE)
        return "\n".join(parts)

    # -- helpers ----------------------------------------------------------------------------

    def _finish(self, turn: Turn, session: Session) -> None:
        """Never send a block twice word for word: drop repeats (unless asked for) and,
        when nothing new is left, point back to what was sent."""
        kept: list[str] = []
        dropped = False
        for text in turn.replies:
            ident = block_id(text)
            if (
                len(text) > REPEATABLE_CHARS
                and not turn.repeat_ok
                and text not in turn.repeatable
                and ident in session.sent
            ):
                dropped = True
                steps_of = self._advice_blocks.get(ident)
                if steps_of is not None and session.crisis is None:
                    kept.append(self._point_back(steps_of, turn.said))  # steps sent earlier
                continue
            kept.append(text)
        if dropped and not any(len(t) > REPEATABLE_CHARS for t in kept):
            crisis = CrisisKind(session.crisis) if session.crisis in set(CrisisKind) else None
            if crisis is not None:  # in a crisis: the step again in other words, never "above"
                kept.insert(0, self._again(crisis, session))
            elif turn.intent == Outcome.FALLBACK:
                kept.insert(0, texts.SCOPE_LINE + texts.MENU_HINT)
            elif turn.intent == "greeting":
                kept.insert(0, texts.GREETING_AGAIN)
            elif turn.intent == "thanks":
                kept.insert(0, texts.CLOSING_AGAIN)  # short: a closing said again
            else:
                spec = self._specs.get(str(turn.intent or ""))
                kept.insert(0, self._point_back(spec, turn.said) if spec else texts.ALREADY_SENT)
        turn.replies = kept
        for text in kept:
            if len(text) > REPEATABLE_CHARS:
                ident = block_id(text)
                if ident not in session.sent:
                    session.sent.append(ident)
        del session.sent[:-MAX_SENT]

    @staticmethod
    def _point_back(spec: IntentSpec, said: str) -> str:
        """ "上面第3条：…" — the step of the topic's advice (already sent) that the message
        asks about, when one clearly fits; else the plain pointer to the steps above."""
        found = _matching_step(spec.advice.short, said)
        if found is None:
            return texts.ALREADY_SENT
        number, step = found
        return texts.POINT_BACK.format(number=number, step=step)

    @staticmethod
    def _yes_no_pending(pending: Pending | None) -> bool:
        return pending is not None and pending.kind is PendingKind.FOLLOW_UP

    @staticmethod
    def _follow_up(spec: IntentSpec | None, follow_up_id: str | None) -> FollowUp | None:
        if spec is None:
            return None
        for follow_up in spec.follow_ups:
            if follow_up.id == follow_up_id:
                return follow_up
        return None

    def _pending_question(self, pending: Pending | None) -> str | None:
        if pending is None or pending.kind is not PendingKind.FOLLOW_UP:
            return None
        follow_up = self._follow_up(self._specs.get(pending.intent or ""), pending.follow_up)
        if follow_up is None:
            return None
        if follow_up.options:  # asked again: with its choices, never a bare "回复数字："
            choices = "；".join(f"{i}. {o.label}" for i, o in enumerate(follow_up.options, 1))
            return f"{follow_up.question}{choices}"
        return follow_up.question

    @staticmethod
    def _has_detail(found: Details, wanted: str | None) -> bool:
        key = {"overdue": "overdue_months"}.get(wanted or "", wanted or "")
        return getattr(found, key, None) is not None

    @staticmethod
    def _best_topic(understood: Understood) -> RankedIntent | None:
        for ranked in understood.ranking:
            if ranked.intent not in SYSTEM_INTENTS:
                return ranked
        return None


#: A group reply stays this short: the full steps are for a private chat.
GROUP_CHARS = 280
#: ... and never longer than this, whatever it carries
GROUP_MAX = 300
_EMERGENCY = EMERGENCY_LINE


def _fit_group(turn: Turn) -> None:
    """Cut a group reply to about ``GROUP_CHARS``: the longest block keeps its first lines
    and every line with an emergency number, and points to a private chat for the rest."""
    total = sum(len(r) for r in turn.replies)
    if total <= GROUP_CHARS or not turn.replies:
        return
    long_blocks = [i for i, r in enumerate(turn.replies) if len(r) > 120]
    if len(long_blocks) > 1:  # the first (most urgent) block only; the rest in private
        turn.replies = [r for i, r in enumerate(turn.replies) if i not in long_blocks[1:]]
        total = sum(len(r) for r in turn.replies)
    longest = max(range(len(turn.replies)), key=lambda i: len(turn.replies[i]))
    budget = max(GROUP_CHARS - (total - len(turn.replies[longest])), 80)
    kept: list[str] = []
    used = len(texts.GROUP_MORE)
    for line in turn.replies[longest].splitlines():
        urgent = has_emergency_number(line)
        if used + len(line) + 1 <= budget or (urgent and used + len(line) + 1 <= budget + 60):
            kept.append(line)
            used += len(line) + 1
    # never more than GROUP_MAX: drop the last plain steps (never a line with a number to call)
    while sum(len(r) for r in turn.replies) + len(texts.GROUP_MORE) > GROUP_MAX:
        plain = [i for i, line in enumerate(kept) if i and not _EMERGENCY.search(line)]
        if not plain:
            break
        del kept[plain[-1]]
        turn.replies[longest] = "\n".join(kept)
    turn.replies[longest] = "\n".join([*kept, texts.GROUP_MORE])
    if sum(len(r) for r in turn.replies) > GROUP_CHARS + 60:
        turn.replies = [r for r in turn.replies if r != texts.MORE_HINT]


#: a detail follow-up's reply that opens with its own "noted" (replaced by what was heard)
NOTED_OPENING = re.compile(r"^(好的?[，,]?\s*)?记下了[。.]?\s*")


def _police_after_paying(understood: Understood, session: Session) -> bool:
    """ "要不要报警" once money went to a person: a question about reporting a fraud."""
    return session.details.paid == "personal" and understood.cues.police_question


def _gist(text: str, least: int = 16) -> str:
    """The opening sentences of ``text``, at least ``least`` characters when it has them."""
    text = text.strip()
    end = 0
    for match in re.finditer(r"[。；！？]", text):
        end = match.end()
        if end >= least:
            break
    else:
        end = len(text)
    return text[:end].rstrip("；，。！？")


def figures_heard(found: Details) -> str:
    """The figures of a message, said back ("欠款约5万元（50,000元）、招商银行、分12期")."""
    parts = []
    if found.lender:
        parts.append(found.lender)
    if found.amount is not None and found.amount > 0:
        amount = int(found.amount) if float(found.amount).is_integer() else found.amount
        about = "约" if found.amount_approx else ""
        if amount >= 10_000 and isinstance(amount, int) and amount % 1000 == 0:
            parts.append(f"欠款{about}{amount / 10_000:g}万元（{amount:,}元）")
        else:
            parts.append(f"欠款{about}{amount:,}元")
    if found.months is not None and found.months > 0:
        parts.append(f"分{found.months}期")
    return "、".join(parts)


def situation_summary(details: Details) -> str:
    """What is known of the visit, in the person's terms ("他们现在就在门口、没出示证件")."""
    parts = []
    if details.present is True and details.left is not True:
        parts.append("他们现在就在门口")
    elif details.present is False:
        parts.append("他们说过几天要来")
    if details.let_in:
        parts.append("已经让他们进了屋")
    if details.credentials is False:
        parts.append("没出示证件")
    elif details.credentials is True:
        parts.append("出示了证件")
    if details.police == "called":
        parts.append("已经报了警")
    return "、".join(parts)


#: a numbered step of an advice ("3. …")
_STEP = re.compile(r"^\s*\d+\.\s*")
#: everyday words for what the steps say in other words ("怎么查" → the step that says 核实)
_STEP_WORDS = {
    "查": "核实",
    "真假": "核实",
    "验证": "核实",
    "录": "录音",
    "拍": "录像",
    "报警": "110",
}


def _matching_step(block: str, said: str) -> tuple[int, str] | None:
    """The numbered step of ``block`` that ``said`` asks about (its number and text), when
    one clearly fits better than the others."""
    steps = [line for line in block.splitlines() if _STEP.match(line)]
    text = said
    for word, step_word in _STEP_WORDS.items():
        if word in text:
            text += step_word
    asked = content_bigrams(text)
    if not steps or not asked:
        return None
    # A pair of characters found in few steps says more than one found in all of them.
    counts = {b: sum(b in line for line in steps) for b in asked}
    scores = [sum(1.0 / counts[b] for b in asked if b in line) for line in steps]
    best = max(range(len(steps)), key=lambda i: scores[i])
    ranked = sorted(scores, reverse=True)
    if ranked[0] < 1.0 or (len(ranked) > 1 and ranked[1] >= ranked[0]):
        return None
    return best + 1, _STEP.sub("", steps[best])

"""The conversation: from an understood message and the session to the texts to send.

Pure: no I/O; the engine loads the session before and saves it after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.config import Config
from bot.content import SYSTEM_INTENTS, Content, FollowUp, IntentSpec
from bot.conversation import texts
from bot.conversation.calculator import format_plan
from bot.conversation.state import Pending, PendingKind, Session
from bot.messages import Outcome, RankedIntent
from bot.understanding.details import Details
from bot.understanding.reader import Understood
from bot.understanding.short_answers import Command, YesNo, read_choice, read_yes_no

#: The intent whose detail answers get a repayment calculation.
CALCULATOR_INTENT = "negotiate_installments"


@dataclass
class Turn:
    """What the dialogue decided for one message."""

    replies: list[str] = field(default_factory=list)
    intent: str | None = None
    choices: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        """Append a reply (empty texts are skipped)."""
        if text and text.strip():
            self.replies.append(text.strip())


class Dialogue:
    """Decides the replies for one message given what the conversation remembers."""

    def __init__(self, content: Content, config: Config) -> None:
        self.content = content
        self.config = config
        self._specs = {spec.id: spec for spec in content.intents}

    # -- public -----------------------------------------------------------------------------

    def respond(self, understood: Understood, session: Session, *,
                in_group: bool = False) -> Turn:
        """Decide the reply to one message and update ``session`` in place.

        The details the message states are remembered first, whatever else happens. Then,
        in order, the first that applies wins:

        1. a conversation command (详细, 菜单, 重新开始, 人工);
        2. urgent intents (threats, violence, self-harm), answered first whatever else is
           going on;
        3. an answer to the bot's pending question (yes/no, a number, a detail);
        4. new amounts or periods after a calculation: the calculation again;
        5. the topics recognised, best first (a second topic too when it is nearly as likely);
        6. a clarifying question offering the likeliest topics, or the polite fallback.
        """
        turn = Turn()
        found = understood.details
        session.details = session.details.merged(found)

        if understood.command is not None:
            self._command(understood.command, session, turn)
            return turn

        if understood.urgent:
            self._urgent(understood, session, turn, in_group=in_group)
            return turn

        pending = session.pending
        if pending is not None and self._answer_pending(pending, understood, found, session, turn,
                                                        in_group=in_group):
            return turn

        if self._detail_follow_on(understood, found, session, turn, in_group=in_group):
            return turn

        self._topics(understood, session, turn, in_group=in_group, pending=pending)
        return turn

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

    # -- steps ------------------------------------------------------------------------------

    def _command(self, command: Command, session: Session, turn: Turn) -> None:
        if command is Command.MORE:
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
        # Command.FORGET never reaches the dialogue: the engine carries it out.

    def _urgent(self, understood: Understood, session: Session, turn: Turn, *,
                in_group: bool) -> None:
        for intent_id in understood.urgent:
            spec = self._specs[intent_id]
            turn.add(spec.advice.short)
        lead = self._specs[understood.urgent[0]]
        turn.intent = lead.id
        # The urgent advice comes first; the topic the person also asked about follows.
        others = [r for r in understood.others
                  if r.intent not in SYSTEM_INTENTS
                  and r.score >= self.config.classifier.urgent_secondary_floor]
        if others:
            turn.add(self._specs[others[0].intent].advice.short)
        self._start_topic(lead, session, turn, include_advice=False)

    def _answer_pending(self, pending: Pending, understood: Understood, found: Details,
                        session: Session, turn: Turn, *, in_group: bool) -> bool:
        """Read the message as the answer to ``pending``; False when it is not one.

        A menu or clarifying question takes a number; a yes/no follow-up takes yes/no/unsure
        (or 1/2 for the offered choices); an options follow-up takes a number; a detail
        follow-up takes a message stating the detail asked for, unless the message is clearly
        about another topic.
        """
        if pending.kind in (PendingKind.MENU, PendingKind.CLARIFY):
            choice = read_choice(understood.text, len(pending.choices))
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
            answer = read_yes_no(understood.text)
            if answer is None:  # "1"/"2" pick the offered choices (有/没有, 是/不是) by number
                choice = read_choice(understood.text, 2)
                answer = None if choice is None else (YesNo.AFFIRM, YesNo.DENY)[choice]
            if answer is None:
                return False
            if answer is YesNo.AFFIRM:
                turn.add(follow_up.answers.affirm)
            elif answer is YesNo.DENY:
                turn.add(follow_up.answers.deny)
            elif follow_up.answers.unsure is not None:
                turn.add(follow_up.answers.unsure)
            else:
                turn.add(texts.UNSURE_PREFIX + "\n" + follow_up.answers.deny)
        elif follow_up.options is not None:
            choice = read_choice(understood.text, len(follow_up.options))
            if choice is None:
                return False
            option = follow_up.options[choice]
            if option.intent is not None:
                self._answer_topic(self._specs[option.intent], session, turn)
                return True
            turn.add(option.reply or "")
        else:
            wanted = follow_up.detail
            if not found or (wanted not in ("any", None) and not self._has_detail(found, wanted)):
                return False
            best = self._best_topic(understood)
            if best is not None and best.intent != spec.id and \
                    best.score >= self.config.classifier.threshold:
                return False  # details given while asking about something else: a new topic
            turn.add(follow_up.reply or "")
            if spec.id == CALCULATOR_INTENT:
                self._calculation(session, turn, in_group=in_group)
        turn.intent = spec.id
        self._ask_next(spec, session, turn)
        return True

    def _detail_follow_on(self, understood: Understood, found: Details, session: Session,
                          turn: Turn, *, in_group: bool) -> bool:
        """"那分36期呢？" after a calculation: redo it with the new detail."""
        if found.amount is None and found.months is None:
            return False
        if session.active_intent != CALCULATOR_INTENT:
            return False
        top = self._best_topic(understood)
        if top is not None and top.intent != CALCULATOR_INTENT and \
                top.score >= self.config.classifier.threshold:
            return False  # clearly a new topic
        if not session.details.known("amount", "months"):
            return False
        turn.intent = CALCULATOR_INTENT
        session.active_intent = CALCULATOR_INTENT
        self._calculation(session, turn, in_group=in_group)
        return True

    def _topics(self, understood: Understood, session: Session, turn: Turn, *, in_group: bool,
                pending: Pending | None) -> None:
        settings = self.config.classifier
        topics = [r for r in understood.ranking if r.intent not in SYSTEM_INTENTS]
        best = topics[0] if topics else None
        first = understood.ranking[0]

        if best is not None and best.score >= settings.threshold:
            extra = Turn()  # goes between the advice and the follow-up question
            second = topics[1] if len(topics) > 1 else None
            if second is not None and second.score >= settings.secondary_ratio * best.score \
                    and second.score >= settings.clarify_floor:
                extra.add(self._specs[second.intent].advice.short)
            if best.intent == CALCULATOR_INTENT and session.details.known("amount", "months"):
                self._calculation(session, extra, in_group=in_group)
            self._answer_topic(self._specs[best.intent], session, turn, extra=extra.replies)
            return

        if first.intent in SYSTEM_INTENTS and first.intent != "fallback" \
                and first.score >= settings.threshold:
            self._system(self._specs[first.intent], session, turn)
            return

        # A message about debts whose topic is unclear gets a question; one that is not about
        # debts at all (no domain word) needs a clearer topic before we offer any.
        floor = settings.clarify_floor / 3 if understood.in_domain else settings.clarify_floor
        candidates = [r for r in topics[:3] if r.score >= floor]
        if candidates:
            self._clarify(candidates, session, turn)
            return

        self._fallback(session, turn, pending)

    # -- reply builders ---------------------------------------------------------------------

    def _answer_topic(self, spec: IntentSpec, session: Session, turn: Turn,
                      extra: list[str] | None = None) -> None:
        if spec.id in SYSTEM_INTENTS:
            self._system(spec, session, turn)
            return
        self._start_topic(spec, session, turn, include_advice=True, extra=extra)

    def _start_topic(self, spec: IntentSpec, session: Session, turn: Turn, *,
                     include_advice: bool, extra: list[str] | None = None) -> None:
        """Make ``spec`` the active topic: its advice, any extra replies, then its first
        follow-up question (the question comes last, where the person will answer it)."""
        turn.intent = turn.intent or spec.id
        session.active_intent = spec.id
        session.asked = []
        session.pending = None
        if include_advice:
            turn.add(spec.advice.short)
        for text in extra or []:
            turn.add(text)
        remaining = self._unanswered(spec, session)
        if remaining:
            self._ask(spec, remaining[0], session, turn, hint=True)
        else:
            turn.add(texts.MORE_HINT)

    def _ask(self, spec: IntentSpec, follow_up: FollowUp, session: Session, turn: Turn, *,
             hint: bool = False) -> None:
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
        session.pending = Pending(kind=PendingKind.FOLLOW_UP, intent=spec.id,
                                  follow_up=follow_up.id)
        session.asked.append(follow_up.id)

    def _unanswered(self, spec: IntentSpec, session: Session) -> list[FollowUp]:
        """Follow-ups not asked yet, skipping questions about details already known."""
        return [fu for fu in spec.follow_ups
                if fu.id not in session.asked and not self._known(spec, fu, session)]

    def _known(self, spec: IntentSpec, follow_up: FollowUp, session: Session) -> bool:
        details = session.details
        if follow_up.detail is None:
            return False
        if follow_up.detail == "any":
            return details.amount is not None or details.lender is not None
        if follow_up.detail == "amount" and spec.id == CALCULATOR_INTENT:
            return details.known("amount", "months")  # the calculator needs both
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

    def _fallback(self, session: Session, turn: Turn, pending: Pending | None) -> None:
        spec = self._specs["fallback"]
        turn.intent = Outcome.FALLBACK
        turn.add(spec.advice.short)
        question = self._pending_question(pending)
        if question:
            turn.add(texts.FALLBACK_HINT.format(question=question))
            session.pending = pending  # keep waiting for the answer

    def _calculation(self, session: Session, turn: Turn, *, in_group: bool) -> None:
        details = session.details
        if in_group:
            turn.add(texts.GROUP_PRIVACY)
            return
        if details.amount is None:
            turn.add(texts.CALC_NEEDS_AMOUNT)
            return
        if details.months is None:
            turn.add(texts.CALC_NEEDS_MONTHS)
            return
        try:
            plan = format_plan(details.amount, details.months,
                               self.config.calculator.default_annual_rate)
        except (ValueError, ArithmeticError):
            turn.add(texts.CALC_NEEDS_AMOUNT)
            return
        turn.add(plan)

    def long_answer(self, spec: IntentSpec) -> str:
        """The fuller answer with the rules behind it, for 详细 and counsellors."""
        parts = [texts.MORE_HEADER.format(title=spec.title), spec.advice.long]
        sources = self.content.sources(spec.references)  # from the fact register
        if sources:
            parts.append(texts.RULES_HEADER + "\n" + "\n".join(f"· {s}" for s in sources))
        if spec.id not in SYSTEM_INTENTS:
            parts.append(texts.NOT_LEGAL_ADVICE)
        return "\n".join(parts)

    # -- helpers ----------------------------------------------------------------------------

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
        return follow_up.question if follow_up else None

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

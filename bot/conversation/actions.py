"""Ways of saying things, shared by the policies: a topic's steps and its next question, the
menu, a question between topics, the scope line, the pending question asked again, a
calculation, the fuller answers with their rules, a pointer to a step sent earlier.

Each writes to the :class:`Turn` being put together and records what it changes in the
policy's :class:`Draft` (never in the session itself).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from bot.config import Config
from bot.content import SYSTEM_INTENTS, Content, DirectAnswer, FollowUp, IntentSpec
from bot.conversation import calculator, texts
from bot.conversation.context import Draft, News, Turn, block_id
from bot.conversation.crisis import (
    AGAIN,
    SAFE_THEN_ANSWER,
    Act,
    CrisisKind,
    again_for,
    crisis_reply,
)
from bot.conversation.lenders import lender_line
from bot.conversation.state import Pending, PendingKind, Session
from bot.conversation.upfront import received_line
from bot.facts import arabic_articles, rules_cited
from bot.messages import Outcome, RankedIntent
from bot.understanding.cues import content_bigrams
from bot.understanding.details import Details
from bot.understanding.reader import Understood

#: The intent whose detail answers get a repayment calculation.
CALCULATOR_INTENT = "negotiate_installments"
#: The topic that speaks to bank staff and collectors.
STAFF_INTENT = "collector_conduct"
#: the fact of the anti-fraud line: an answer resting on it warned of a scam
SCAM_FACT = "channel_96110"
#: a rules line names at most this many rules, each with at most this many of its articles
RULES_NAMED = 3
RULE_ARTICLES = 3
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
#: The topics of a visit or of danger: a closing there reminds of 110; news that the
#: visitors left belongs to them, and after it what to do next is the aftermath
#: (policies/what_now.py)
VISIT_TOPICS = frozenset({"collector_at_door", "threat_or_violence", "verify_identity"})


def visitors_left_now(found: Details, before: Details, active_intent: str | None) -> bool:
    """The message tells that the visitors left, news in this conversation: a first message
    ("刚才催收的来家里 现在走了"), one in a talk about the visit, or one after a visit was
    told, whatever was asked between ("他们说要抓我" … "他们走了"; "我妈说门口有两个人要债" …
    "救护车来了 催收的也走了"); not someone else gone ("朋友借了钱 他人跑了")."""
    return (
        found.left is True
        and before.left is not True
        and (
            active_intent is None
            or active_intent in VISIT_TOPICS
            or before.present is True
            or before.place is not None
        )
    )


#: a figure with its unit ("5年", "22点", "15个工作日")
_FIGURE_WITH_UNIT = re.compile(r"\d+(?:\.\d+)?(?:个)?[年月日天次点号人岁万元%]")


def echoes_a_figure(said: str, answer: str) -> bool:
    """The message repeats a figure the answer gave ("还清了也是5年吗" after "kept 5 years"):
    a question about that answer, whatever else its words read as."""
    return bool(set(_FIGURE_WITH_UNIT.findall(said)) & set(_FIGURE_WITH_UNIT.findall(answer)))


class Actions:
    """The ways of saying things for one content set."""

    def __init__(self, content: Content, config: Config) -> None:
        self.content = content
        self.config = config
        self.specs = {spec.id: spec for spec in content.intents}
        #: the topics' step blocks: one sent before is pointed to, not silently dropped
        self.advice_blocks = {
            block_id(spec.advice.short.strip()): spec
            for spec in content.intents
            if spec.id not in SYSTEM_INTENTS
        }

    def menu(self, session: Draft, turn: Turn) -> None:
        """Offer every topic by number."""
        topics = [spec.id for spec in self.content.topics]
        lines = [texts.MENU_HEADER]
        lines += [f"{i}. {self.specs[t].title}" for i, t in enumerate(topics, start=1)]
        lines.append(texts.MENU_FOOTER)
        turn.add("\n".join(lines))
        turn.choices = [self.specs[t].title for t in topics]
        turn.intent = turn.intent or Outcome.MENU
        session.pending = Pending(kind=PendingKind.MENU, choices=topics)

    @staticmethod
    def again(
        kind: CrisisKind,
        sent: Sequence[str],
        act: Act | None = None,
        situation: Details | None = None,
    ) -> str:
        """The same step in other words, not sent yet in this conversation."""
        options = again_for(kind, act, situation) if act is not None else AGAIN[kind]
        return next((t for t in options if block_id(t) not in sent), options[-1])

    def point_to_known(self, spec: IntentSpec, session: Draft, said: str) -> str | None:
        """The step, among the advice for what is known (most specific first) and the topic's
        steps, that a short question ("怎么查") asks about; None when none clearly fits."""
        blocks = [
            reply
            for follow_up in spec.follow_ups
            if (reply := self.branch_reply(follow_up, session.details)) is not None
        ]
        for block in [*blocks, spec.advice.short]:
            found = matching_step(block, said)
            if found is not None:
                return texts.POINT_BACK_STEP.format(step=found[1])
        return None

    def best_topic_score(self, understood: Understood) -> float:
        best = self.best_topic(understood)
        return 0.0 if best is None else best.score

    @staticmethod
    def in_a_visit(active_intent: str | None, in_crisis: bool, before: Details) -> bool:
        """A visit is being talked about: its topic, a crisis, or visitors known to be at the
        door (news of the police then leads any answer, in one line)."""
        at_the_door = before.present is True and before.left is not True
        return active_intent in VISIT_TOPICS or in_crisis or at_the_door

    def news(
        self, found: Details, before: Details, session: Session, after_answer: str | None = None
    ) -> News:
        """Specific advice for what just became known: money handed over, a paper to sign,
        visitors let in, the police called (this starts the threat crisis), the visitors
        left. Pure: read once per message, through :attr:`TurnContext.news`. Money handed
        over right after an answer that warned of a scam (one resting on the anti-fraud line:
        "转到安全账户" from a caller claiming to be the police) went to the scammers, wherever
        the message says it went ("可是我已经转了2000过去了")."""
        threat = False
        news: list[str] = []
        visit: list[str] = []  # the police called or come: the block, and in one line
        visit_line: str | None = None
        if found.paid is not None and before.paid is None:
            personal = found.paid == "personal" or self._warned_of_a_scam(after_answer)
            news.append(texts.PAID_PERSONAL if personal else texts.PAID_ALREADY)
        if found.signed and not before.signed:
            news.append(texts.SIGNED)
        elif found.document is not None and found.document != before.document:
            news.append(
                texts.SIGN_ADVICE.format(
                    document=found.document if found.document != "文件" else ""
                )
            )
        # a bank or agency employee speaks of the visits they make: the visit news is the
        # debtor's ("他们现在真的来了：先别开门…" is no answer to "客户不开门 我们能等多久")
        staff = session.details.role == "staff"
        if found.present is True and before.present is False and not staff:
            news.append(texts.NOW_HERE)  # announced for later, and now they are here
        if found.let_in is True and before.let_in is not True and not staff:
            news.append(texts.LET_IN)
        if found.police is not None and found.police != before.police:
            if staff:
                news.append(texts.STAFF_POLICE)
            else:
                act = Act.POLICE_ARRIVED if found.police == "arrived" else Act.POLICE_CALLED
                visit = crisis_reply(CrisisKind.THREAT, act, session.details)[0]
                visit_line = SAFE_THEN_ANSWER[act]
                threat = True
        elif not staff and visitors_left_now(found, before, session.active_intent):
            # (what to do now they left is advice in its own right: the block, always)
            news.extend(crisis_reply(CrisisKind.THREAT, Act.LEFT, session.details)[0])
        elif (
            found.left is False
            and not staff
            and session.active_intent
            in (
                "collector_at_door",
                "verify_identity",
            )
        ):
            news.append(texts.STILL_THERE)
        night = texts.NIGHT_RULE if found.night and not before.night and not staff else None
        if night:
            news.append(night)
        others = tuple(n for n in news if n is not night)
        return News((*news, *visit), threat, visit_line, others, night)

    def situation_news(
        self,
        news: list[str],
        understood: Understood,
        session: Draft,
        turn: Turn,
        *,
        told: bool = False,
    ) -> bool:
        """The news alone, then the pending question again — unless the message is mainly
        about another topic (then the news goes with that topic's answer; not when ``told``:
        a paper to sign or money handed over, told and not asked about)."""
        best = self.best_topic(understood)
        if (
            not told
            and best is not None
            and best.score >= self.config.classifier.threshold
            and best.intent != session.active_intent
            and best.intent not in ABOUT_THE_SITUATION
            # the police came or were called: the visit itself is no other topic
            and not (session.details.police and best.intent in VISIT_TOPICS)
        ):
            # the message is mainly about another topic: answer that, the news before it in
            # one line ("警察把他们劝走了。……能协商吗", "已经报警了。这种半夜来的能投诉吗")
            return False
        for text in news:
            turn.add(text)
        turn.intent = session.active_intent or (best.intent if best else None)
        question = self.pending_question(session.pending)
        if question and not self.pending_answered(session):
            turn.add(texts.STILL_ASKING.format(question=question))
        return True

    def pending_answered(self, session: Draft) -> bool:
        pending = session.pending
        if pending is None or pending.kind is not PendingKind.FOLLOW_UP:
            return False
        follow_up = self.follow_up(self.specs.get(pending.intent or ""), pending.follow_up)
        return (
            follow_up is not None
            and follow_up.slot is not None
            and getattr(session.details, follow_up.slot) is not None
        )

    def for_staff(self, topics: list[RankedIntent]) -> list[RankedIntent]:
        """For bank staff and collectors, the debtor-side topics mean the staff topic."""
        if STAFF_INTENT not in self.specs:
            return topics
        remapped: list[RankedIntent] = []
        for ranked in topics:
            if ranked.intent in DEBTOR_SIDE:
                ranked = RankedIntent(STAFF_INTENT, ranked.score)
            if all(r.intent != ranked.intent for r in remapped):
                remapped.append(ranked)
        return remapped

    def calculation_first(
        self,
        spec: IntentSpec,
        session: Draft,
        turn: Turn,
        *,
        in_group: bool,
        extra: list[str] | None = None,
        remaining: bool = False,
    ) -> None:
        """ "每个月只能还1500", "算一下 8万分12期": the figures asked for come first; the
        topic's steps only on request ("步骤"), then the topic's question."""
        calculation = Turn()
        self.calculation(session, calculation, in_group=in_group, remaining=remaining)
        topic = Turn(in_group=in_group)
        self.answer_topic(spec, session, topic, extra=extra)
        turn.intent = turn.intent or topic.intent
        turn.choices = topic.choices
        turn.replies += calculation.replies
        self.offer_steps(spec, session, turn)
        turn.replies += [t for t in topic.replies if t != spec.advice.short.strip()]

    @staticmethod
    def offer_steps(spec: IntentSpec, session: Draft, turn: Turn) -> None:
        """ "回复“步骤”…": the topic's steps offered, unless they were sent already."""
        if block_id(spec.advice.short) not in session.sent:
            turn.add(texts.STEPS_OFFER.format(title=spec.title))

    def next_step(self, spec: IntentSpec, session: Draft, turn: Turn) -> None:
        """The active topic asked again: its advice was sent; the step asked about (or the
        steps again), and go on."""
        turn.intent = spec.id
        turn.add(self.said_again(spec, turn))
        question = self.pending_question(session.pending)
        if question:
            turn.add(question)
            return
        remaining = self.unanswered(spec, session)
        if remaining:
            self.ask(spec, remaining[0], session, turn)
        else:
            turn.add(texts.MORE_HINT)

    def answer_topic(
        self, spec: IntentSpec, session: Draft, turn: Turn, extra: list[str] | None = None
    ) -> None:
        if spec.id in SYSTEM_INTENTS:
            self.system(spec, session, turn)
            return
        self.start_topic(spec, session, turn, include_advice=True, extra=extra)

    def start_topic(
        self,
        spec: IntentSpec,
        session: Draft,
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
            session.forget_asked()
        session.active_intent = spec.id
        session.pending = None
        if include_advice:
            lender_line(spec, session, turn)
            turn.add(spec.advice.short)
            received_line(session, turn)  # "借了3000到手2100": the principal is what came
        for text in extra or []:
            turn.add(text)
        self.known_branch(spec, session, turn)
        remaining = self.unanswered(spec, session)
        if remaining:
            self.ask(spec, remaining[0], session, turn, hint=True)
        else:
            turn.add(texts.MORE_HINT)

    def known_branch(self, spec: IntentSpec, session: Draft, turn: Turn) -> None:
        """The next step for a question whose answer is already known ("你说他们没出示证件：…")."""
        for follow_up in spec.follow_ups:
            if follow_up.slot is None or follow_up.id in session.asked:
                continue
            reply = self.branch_reply(follow_up, session.details)
            if reply is None:
                continue
            session.ask(follow_up.id)
            if block_id(reply) not in session.sent:
                turn.add(self.with_summary(reply, session.details))
                return

    def unsent_branch(self, spec: IntentSpec, session: Draft) -> str | None:
        """The step for an answer already known whose advice was not sent yet (it was left out
        of a short reply), with what is known before it; None when there is none."""
        for follow_up in spec.follow_ups:
            reply = self.branch_reply(follow_up, session.details)
            if reply is not None and block_id(reply) not in session.sent:
                if follow_up.id not in session.asked:
                    session.ask(follow_up.id)
                return self.with_summary(reply, session.details)
        return None

    @staticmethod
    def with_summary(reply: str, details: Details) -> str:
        known = situation_summary(details)
        return texts.KNOWN_PREFIX.format(known=known) + "\n" + reply if known else reply

    @staticmethod
    def branch_reply(follow_up: FollowUp, details: Details) -> str | None:
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

    def ask(
        self,
        spec: IntentSpec,
        follow_up: FollowUp,
        session: Draft,
        turn: Turn,
        *,
        hint: bool = False,
    ) -> None:
        lines = [follow_up.question]
        if (
            follow_up.detail == "amount"
            and spec.id == CALCULATOR_INTENT
            and session.details.amount is not None
        ):
            lines = [texts.ASK_PERIODS]  # the amount was told: never asked again
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
            session.ask(follow_up.id)

    def unanswered(self, spec: IntentSpec, session: Draft) -> list[FollowUp]:
        """Follow-ups not asked yet, skipping questions whose answer is already known."""
        return [
            fu
            for fu in spec.follow_ups
            if fu.id not in session.asked and not self.known(spec, fu, session)
        ]

    def known(self, spec: IntentSpec, follow_up: FollowUp, session: Draft) -> bool:
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
        return self.has_detail(details, follow_up.detail)

    def ask_next(self, spec: IntentSpec, session: Draft, turn: Turn) -> None:
        remaining = self.unanswered(spec, session)
        if remaining:
            self.ask(spec, remaining[0], session, turn)
        else:
            session.pending = None
            turn.add(texts.NEXT_HINT)

    def system(self, spec: IntentSpec, session: Draft, turn: Turn) -> None:
        turn.intent = spec.id
        turn.add(spec.advice.short)
        if spec.id == "help":
            self.menu(session, turn)
            turn.intent = "help"

    def clarify(self, candidates: list[RankedIntent], session: Draft, turn: Turn) -> None:
        choices = [r.intent for r in candidates]
        lines = [texts.CLARIFY]
        lines += [f"{i}. {self.specs[c].title}" for i, c in enumerate(choices, start=1)]
        turn.add("\n".join(lines))
        turn.choices = [self.specs[c].title for c in choices]
        turn.intent = Outcome.CLARIFY
        session.pending = Pending(kind=PendingKind.CLARIFY, choices=choices)

    def not_understood(
        self,
        session: Draft,
        turn: Turn,
        pending: Pending | None,
        *,
        off_topic: bool,
        venting: bool = False,
        short_ack: bool = False,
        statement: bool = False,
    ) -> None:
        """Inside an active topic: one scope line (off topic) or "I did not understand" with a
        concrete question back (the open one, else the topic's next, else whether it is the
        topic's matter) — never the fallback apology, and never the same line twice."""
        turn.intent = Outcome.FALLBACK if off_topic else Outcome.CLARIFY
        question = self.pending_question(pending)
        still = texts.STILL_ASKING.format(question=question) if question else ""
        if venting:
            variants = (texts.VENT, *texts.VENT_AGAIN)
            turn.add(first_unsent([v + still for v in variants], session.sent))
        elif off_topic:
            turn.add(texts.SCOPE_LINE + (still or texts.MENU_HINT))
        elif short_ack:
            # "好吧我不开", "行 我知道了": heard; the open question (if any) stays open
            turn.add(texts.ACK + still)
        elif statement:
            # something told inside the topic that no reading places ("老爸除了一套老房子
            # 啥都没有"): part of the conversation, heard; the open question or the topic's
            # next one, never the scope line
            spec = self.specs.get(session.active_intent or "")
            remaining = self.unanswered(spec, session) if spec is not None else []
            if question:
                turn.add(texts.LISTENING_ASK.format(question=question))
            elif spec is not None and remaining:
                turn.add(texts.LISTENING)
                self.ask(spec, remaining[0], session, turn)
                return
            else:
                turn.add(texts.LISTENING + texts.MENU_HINT)
        elif question:
            turn.add(texts.NOT_UNDERSTOOD.format(question=question))
        else:
            spec = self.specs.get(session.active_intent or "")
            remaining = self.unanswered(spec, session) if spec is not None else []
            if spec is not None and remaining:
                turn.add(texts.NOT_UNDERSTOOD_QUESTION)
                self.ask(spec, remaining[0], session, turn)
                return
            title = spec.title if spec is not None else ""
            turn.add(texts.NOT_UNDERSTOOD_TOPIC.format(title=title))
        turn.repeat_ok = not venting  # the line carries the question: it may come again
        if question:
            session.pending = pending

    def fallback(self, session: Draft, turn: Turn, pending: Pending | None) -> None:
        spec = self.specs["fallback"]
        turn.intent = Outcome.FALLBACK
        turn.add(spec.advice.short)
        question = self.pending_question(pending)
        if question:
            turn.add(texts.FALLBACK_HINT.format(question=question))
            session.pending = pending  # keep waiting for the answer

    def calculation(
        self,
        session: Draft,
        turn: Turn,
        *,
        in_group: bool,
        details: Details | None = None,
        remaining: bool = False,
    ) -> None:
        """The repayment calculation for what is known (``details``: other than the
        conversation's, for this reply only): asked for, it is always given (also when the
        same figures come again). ``remaining``: the person asks about what is left after a
        repayment they told ("剩下的要还多久"): the calculation is on what is left."""
        details = details or session.details
        left = calculator.left_after_repaying(details) if remaining and not in_group else None
        if left is not None:
            turn.add(
                texts.CALC_AFTER_REPAYING.format(
                    repaid=calculator.money(Decimal(str(details.repaid))),
                    left=calculator.money(Decimal(str(left))),
                )
            )
            details = replace(details, amount=left, debts=None, repaid=None)
        replies = calculator.calculator_reply(details, self.config.calculator, in_group=in_group)
        for index, text in enumerate(replies):
            turn.add(text)
            if index == 0:  # the figures (the notes after them are not said twice)
                turn.repeatable.add(text.strip())

    def long_answer(self, spec: IntentSpec) -> str:
        """The fuller answer with the rules behind it, for 详细 and counsellors."""
        parts = [texts.MORE_HEADER.format(title=spec.title), spec.advice.long]
        sources = self.content.sources(spec.references)  # from the fact register
        if sources:
            parts.append(texts.RULES_HEADER + "\n" + "\n".join(f"· {s}" for s in sources))
        if spec.id not in SYSTEM_INTENTS:
            parts.append(texts.NOT_LEGAL_ADVICE)
        return "\n".join(parts)

    def _warned_of_a_scam(self, answer_id: str | None) -> bool:
        """The answer ``answer_id`` rests on the anti-fraud line (a scam was warned of)."""
        if answer_id is None:
            return False
        try:
            _spec, answer = self.content.answer(answer_id)
        except KeyError:
            return False
        return SCAM_FACT in answer.facts

    def rules_line(self, spec: IntentSpec, answer: DirectAnswer | None = None) -> str | None:
        """One line naming the rules a direct answer rests on (its facts' sources, else its
        topic's; the topic's without an answer), for a counsellor or a question that asks for
        them ("…违规吗，依据是什么"); None when it rests on no law or rule."""
        facts = answer.facts if answer is not None else []
        sources = self.content.sources([*facts, *([] if facts else spec.references)])
        names = [
            title + "、".join(articles[:RULE_ARTICLES])
            for title, articles in rules_cited(sources).items()
            if "《" in title  # a law or a rule, not a helpline or a practice
        ]
        if not names:
            return None
        # "第196条": the figures a practitioner writes and searches for
        return arabic_articles(texts.RULES_HEADER + "；".join(names[:RULES_NAMED]))

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

    @staticmethod
    def point_back(spec: IntentSpec, said: str) -> str | None:
        """ "上面第3条说的就是这个：…" — the step of the topic's advice (already sent) that the
        message asks about, with the step itself, when one clearly fits; else None (never a
        bare "see above")."""
        found = matching_step(spec.advice.short, said)
        if found is None:
            return None
        number, step = found
        return texts.POINT_BACK.format(number=number, step=step)

    @staticmethod
    def steps_again(spec: IntentSpec) -> str:
        """The topic's steps again, introduced as a repeat (so never the block word for word)."""
        return texts.STEPS_AGAIN + "\n" + spec.advice.short.strip()

    def said_again(self, spec: IntentSpec, turn: Turn) -> str:
        """The topic asked again after its steps were sent: the step asked about (with the
        step), or, for the whole "what do I do" again, the steps themselves."""
        pointer = None if turn.whole_question else self.point_back(spec, turn.said)
        if pointer is not None:
            return pointer
        again = self.steps_again(spec)
        turn.repeatable.add(again)  # asked again as a whole: the steps, each time
        return again

    @staticmethod
    def yes_no_pending(pending: Pending | None) -> bool:
        return pending is not None and pending.kind is PendingKind.FOLLOW_UP

    @staticmethod
    def follow_up(spec: IntentSpec | None, follow_up_id: str | None) -> FollowUp | None:
        if spec is None:
            return None
        for follow_up in spec.follow_ups:
            if follow_up.id == follow_up_id:
                return follow_up
        return None

    def pending_question(self, pending: Pending | None) -> str | None:
        if pending is None or pending.kind is not PendingKind.FOLLOW_UP:
            return None
        follow_up = self.follow_up(self.specs.get(pending.intent or ""), pending.follow_up)
        if follow_up is None:
            return None
        if follow_up.options:  # asked again: with its choices, never a bare "回复数字："
            choices = "；".join(f"{i}. {o.label}" for i, o in enumerate(follow_up.options, 1))
            return f"{follow_up.question}{choices}"
        return follow_up.question

    @staticmethod
    def has_detail(found: Details, wanted: str | None) -> bool:
        key = {"overdue": "overdue_months"}.get(wanted or "", wanted or "")
        return getattr(found, key, None) is not None

    @staticmethod
    def best_topic(understood: Understood) -> RankedIntent | None:
        for ranked in understood.ranking:
            if ranked.intent not in SYSTEM_INTENTS:
                return ranked
        return None


#: Topics that are about the situation itself, not another subject: fear and shaking after
#: the visit ("他们走了 我手还在抖"), danger told with the news; the news answers them.
ABOUT_THE_SITUATION = frozenset({"emotional_distress", "threat_or_violence"})


#: a detail follow-up's reply that opens with its own "noted" (replaced by what was heard)
def first_unsent(options: Sequence[str], sent: Sequence[str]) -> str:
    """The first of ``options`` not sent yet in this conversation (the last when all were)."""
    return next((o for o in options if block_id(o) not in sent), options[-1])


NOTED_OPENING = re.compile(r"^(好的?[，,]?\s*)?记下了[。.]?\s*")


def gist(text: str, least: int = 16) -> str:
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
    if found.overdue_months:
        about = "约" if found.overdue_approx else ""
        parts.append(f"逾期{about}{found.overdue_months}个月")
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


def matching_step(block: str, said: str) -> tuple[int, str] | None:
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


def recap(session: Session, content: Content, *, in_group: bool) -> str:
    """What a conversation still knows, in one line ("上次说的是“有人上门催收”：他们现在就在
    门口、没出示证件；招商银行、欠款约5万元（50,000元）"); no figures in a group."""
    parts = []
    spec = content.intent(session.active_intent) if session.active_intent in content.ids else None
    if spec is not None and spec.id not in SYSTEM_INTENTS:
        parts.append(f"“{spec.title}”")
    known = situation_summary(session.details)
    if known:
        parts.append(known)
    if not in_group:
        figures = figures_heard(session.details)
        if figures:
            parts.append(figures)
        paper = session.paper
        if paper is not None:
            parts.append("你发过一张" + texts.PAPER_NAMES.get(paper.kind, "图片"))
    return "；".join(parts)

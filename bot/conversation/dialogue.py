"""The conversation: from an understood message and the session to the texts to send.

Pure: no I/O; the engine loads the session before and saves it after. :meth:`Dialogue.respond`
is one loop over :data:`POLICIES`, an ordered tuple of policies (bot/conversation/policies/),
each in its own module. A policy reads the :class:`TurnContext` and either returns a decision
(the replies and the session changes, as data) or declines with a reason; no policy calls
another, and only this loop applies a decision's changes to the session. Ways of saying
things the policies share are in actions.py; what every reply goes through afterwards (no
repeats, the crisis context, the group length) in output.py. The topics stay data
(intents/*.yaml).
"""

from __future__ import annotations

from dataclasses import replace

from bot.config import Config
from bot.content import SYSTEM_INTENTS, Content, DirectAnswer, IntentSpec
from bot.conversation import told
from bot.conversation.actions import Actions
from bot.conversation.context import (
    Decision,
    Decline,
    Draft,
    Policy,
    Turn,
    TurnContext,
    acting_news,
)
from bot.conversation.crisis import CrisisKind, possible_lines
from bot.conversation.output import (
    fit_group,
    fit_phone,
    keep_crisis_context,
    no_repeats,
    quiet_numbers,
)
from bot.conversation.policies import (
    amounts,
    calculation,
    closing,
    commands,
    crisis_steps,
    direct,
    fallback,
    fraud_report,
    in_topic,
    monthly,
    news,
    owed,
    paper,
    pending,
    reassure,
    recall,
    repair,
    spare,
    told_news,
    topics,
    urgency,
    what_now,
)
from bot.conversation.policies.urgency import Kind, Tier, Urgency, UrgencyContext, apply, decide
from bot.conversation.state import PendingKind, Session
from bot.messages import Outcome
from bot.understanding.details import Details, LenderType, lender_type
from bot.understanding.language import is_english
from bot.understanding.reader import Understood

#: The policies, in the order they are asked; the first that decides answers. (The README's
#: "How a conversation carries on" lists the same names; tests/conversation/test_policies.py
#: keeps the three equal.)
POLICIES: tuple[Policy, ...] = (
    urgency.POLICY,
    commands.POLICY,
    recall.POLICY,
    crisis_steps.POLICY,
    fraud_report.POLICY,
    repair.POLICY,
    what_now.POLICY,
    closing.POLICY,
    amounts.POLICY,
    owed.POLICY,
    spare.POLICY,
    pending.POLICY,
    told_news.POLICY,
    monthly.POLICY,
    paper.POLICY,
    direct.POLICY,
    news.POLICY,
    calculation.POLICY,
    reassure.POLICY,
    topics.POLICY,
    in_topic.POLICY,
    fallback.POLICY,
)
#: the policies before the ordinary answers: inside a crisis, an answer of any other keeps
#: the crisis context (the numbers in view, never the fallback)
_CRISIS_AWARE = frozenset({"urgency", "commands", "crisis_steps"})


#: topics whose advice is about danger itself, or about a visit (someone at the door: "call
#: 110 if they threaten you" is one of the steps): their numbers stay whatever the tier
_DANGER_TOPICS = frozenset({"threat_or_violence", "emotional_distress", "collector_at_door"})


def _nothing_happening(assessed: Urgency, session: Session, turn: Turn, decided_by: str) -> bool:
    """A calm message, no crisis, no visit going on now, an ordinary topic: the reply names
    the police in words (output.quiet_numbers)."""
    details = session.details
    return (
        assessed.tier is Tier.CALM
        and not assessed.urgent
        and session.crisis is None
        and decided_by not in _CRISIS_AWARE
        and turn.intent not in _DANGER_TOPICS
        and not (details.present is True and details.left is not True)
    )


class Dialogue:
    """Decides the replies for one message given what the conversation remembers."""

    def __init__(self, content: Content, config: Config) -> None:
        self.content = content
        self.config = config
        self.actions = Actions(content, config)
        self._specs = self.actions.specs

    def respond(
        self,
        understood: Understood,
        session: Session,
        *,
        in_group: bool = False,
        counsellor: bool = False,
        explain: bool = False,
        written: str | None = None,
    ) -> Turn:
        """Decide the reply to one message and update ``session`` (``counsellor``: a
        counsellor speaks, whose specific questions get only the point asked; ``explain``:
        keep the trace of every policy asked in ``Turn.trace``; ``written``: the message as
        written, before normalising, when the caller has it: its language, and the clauses
        kept for a question asking back, are read on it).

        First the loop reads: the details the message states are remembered, whatever else
        happens (a debt named by its kind among several, "信用卡那笔", is that debt); the
        urgency is decided (:mod:`~bot.conversation.policies.urgency`); a crisis that rested on
        a likelihood alone ends at a calm ordinary question; a pending question the content no
        longer has is dropped. Then the policies are asked in this order, and
        the first that decides answers:

        1. ``urgency``: clear danger gets the urgent advice first and starts (or renews) the
           crisis; possible danger gets one or two warm lines with the numbers, and the next
           policies answer the rest of the message (a fallback, a menu or a question between
           topics is then left out);
        2. ``commands``: 详细, 菜单, 重新开始, 人工, 再说一遍;
        3. ``recall``: "你还记得我欠的是哪家多少钱吗", "我刚才说有几张卡来着": what was told,
           said back (also inside a crisis);
        4. ``crisis_steps``: inside a crisis, the next step of the safety plan;
        5. ``fraud_report``: "要不要报警" once money went to a person;
        6. ``repair``: "等一下", "你问这个干嘛", "啥意思" while a question is open;
        7. ``what_now``: "那我该怎么办", "怎么查" inside a topic;
        8. ``closing``: "好的明白了", "谢谢", "thx";
        9. ``amounts``: a figure that cannot be taken ("1e308元", "-5000元");
        10. ``owed``: "所以我总共欠多少来着", "加起来多少": each debt told and the total;
        11. ``spare``: what is left of a month's income after the costs named;
        12. ``pending``: the answer to the bot's open question;
        13. ``told_news``: a paper to sign or money handed over, told and not asked about;
        14. ``monthly``: "每月大概还多少" when the amount is known;
        15. ``paper``: "这封信是真的吗" after a photo of a paper: what it showed, how to verify;
        16. ``direct``: a specific question's direct answer;
        17. ``news``: news about the situation (paid, a paper, let in, the police, gone);
        18. ``calculation``: new figures for a calculation;
        19. ``reassure``: "怕", "好慌" once the conversation is going: presence and one step;
        20. ``topics``: the best topic, a clear leader with a check, the likelier of close
            ones with the others offered, a system reply, the menu for a bare domain word;
        21. ``in_topic``: inside a topic, the point of the answer just given, the closest
            answer, "noted", venting, "not understood" with a concrete question back;
        22. ``fallback``: one polite scope line.

        Then the output (bot/conversation/output.py): inside a crisis an ordinary answer keeps
        the numbers in view; a block already sent is not sent again word for word; a group
        reply is cut to fit. With ``explain``, ``Turn.trace`` says which policy answered and
        why the ones before it declined.
        """
        written = understood.text if written is None else written
        found = _debt_named(understood.details, session.details)
        if understood.cues.another_debt:
            found = _debt_added(found, session.details)
        before = session.details
        session.details = before.merged(found)
        crisis = CrisisKind(session.crisis) if session.crisis in set(CrisisKind) else None

        assessed = self.urgency(understood, session, found=found, before=before)
        understood = apply(understood, assessed)
        if crisis is not None and self._false_alarm(understood, assessed, session):
            # the crisis rested on a likelihood alone and the person now asks an ordinary
            # question: it was a false alarm, dropped; the question is answered as usual
            session.crisis = None
            session.crisis_basis = None
            crisis = None
        safety_asked, session.safety_check = session.safety_check, None
        previous_answer = session.last_answer
        if understood.command is None:
            session.last_answer = None  # 详细 expands a direct answer only right after it
        if self._stale(session):
            session.pending = None  # the content changed since the question was asked
        ctx = TurnContext(
            understood=understood,
            found=found,
            before=before,
            session=session,
            config=self.config,
            actions=self.actions,
            urgency=assessed,
            crisis=crisis,
            pending=session.pending,
            previous_answer=previous_answer,
            in_group=in_group,
            counsellor=counsellor,
            english=is_english(written),
            written=written,
            safety_asked=safety_asked,
        )

        trace: list[tuple[str, Decision | Decline]] = []
        lead: Decision | None = None
        decision: Decision | None = None
        decided_by = ""
        draft = Draft(session)
        for policy in POLICIES:
            outcome = policy.decide(ctx, draft)
            if explain:
                trace.append((policy.name, outcome))
            if isinstance(outcome, Decline):
                if draft.changes:  # (never: a policy declines before it writes)
                    draft = Draft(session)
                continue
            draft = Draft(session)
            for change in outcome.changes:
                change.apply(session)
            if outcome.lead:
                lead = outcome
                if policy in (crisis_steps.POLICY, pending.POLICY):
                    # a step of the crisis or the answer to the bot's question, and a question
                    # beside it: the rest is answered after it, the question no longer pending
                    # ("they left", "the police came", said in the lead, is not news again)
                    heard = replace(ctx.before, police=found.police, left=found.left)
                    if crisis is not None and session.crisis is None:
                        # the crisis ended with it ("没事了 刚才气话 我就想问…"): the rest is
                        # answered as outside it
                        crisis = None
                        ctx = replace(ctx, crisis=None, pending=session.pending, before=heard)
                    else:  # ("已经报警了，这种能投诉吗": the crisis goes on)
                        ctx = replace(ctx, pending=session.pending, before=heard)
                continue
            decision, decided_by = outcome, policy.name
            break
        assert decision is not None  # the fallback always decides

        turn = decision.turn
        if lead is not None:
            turn = self._after_lead(lead.turn, turn, session)
        if crisis is not None and decided_by not in _CRISIS_AWARE and session.crisis:
            keep_crisis_context(crisis, turn, session)
        turn.urgency = assessed
        turn.trace = trace
        if (
            not in_group
            and not counsellor
            and session.crisis is None
            and not (assessed.urgent or decided_by in _CRISIS_AWARE)
        ):
            fit_phone(turn)
        no_repeats(self.actions, turn, session)
        if in_group:
            fit_group(turn)
        elif understood.command is None and not understood.cues.recall:
            session.told = told.remember(session.told, written)  # asked back later
        if _nothing_happening(assessed, session, turn, decided_by):
            quiet_numbers(turn)  # (after the fitting, which keeps the lines with numbers)
        return turn

    @staticmethod
    def _after_lead(lead: Turn, rest: Turn, session: Session) -> Turn:
        """Possible danger: the warm lines, then the answer to the rest of the message —
        never a fallback, a menu, a question between topics or a system reply after them
        (a goodbye is kept: "好 我周一就去派出所" still gets its closing)."""
        if rest.intent in (Outcome.FALLBACK, Outcome.CLARIFY, Outcome.MENU) or (
            rest.intent in SYSTEM_INTENTS and rest.intent != "thanks"  # (a goodbye stays)
        ):
            rest = Turn()
            session.pending = None
        lead.replies += rest.replies
        lead.repeatable |= rest.repeatable  # (a calculation asked again is said again)
        lead.choices = rest.choices
        lead.intent = rest.intent or lead.intent
        return lead

    def _stale(self, session: Session) -> bool:
        """The pending follow-up question is no longer in the content (after a reload)."""
        pending_question = session.pending
        if pending_question is None or pending_question.kind is not PendingKind.FOLLOW_UP:
            return False
        spec = self._specs.get(pending_question.intent or "")
        return self.actions.follow_up(spec, pending_question.follow_up) is None

    def _false_alarm(self, understood: Understood, urgency: Urgency, session: Session) -> bool:
        """Inside a crisis that only the model's likelihood started: a calm message that asks
        an ordinary question (a confident direct answer, or a clear calm topic)."""
        if session.crisis_basis != "model" or urgency.tier is not Tier.CALM:
            return False
        if understood.command is not None or not understood.text:
            return False
        found = understood.details
        if found.police is not None or found.left is not None:
            return False  # news of the crisis ("我报警了 … 他们一听就下楼走了") moves it on
        direct_match = understood.direct_for(session.details.role, session.details.lender_type)
        if direct_match is not None and direct_match.confident:
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
        direct_match = understood.direct_for(session.details.role, session.details.lender_type)
        found = understood.details if found is None else found
        before = session.details if before is None else before
        context = UrgencyContext(
            role=session.details.role,
            crisis=session.crisis,
            calm_topic=active is not None and not active.urgent and active.id not in SYSTEM_INTENTS,
            acknowledgement=understood.cues.short_acknowledgement
            and (session.pending is not None or session.crisis is not None),
            closing=understood.cues.closing is not None
            or understood.cues.closing_plan
            or understood.cues.thanks_closing,
            question_of_topic=direct_match is not None
            and direct_match.confident
            and active is not None
            and direct_match.intent == active.id,
            debt_question=understood.cues.asks
            and (understood.in_domain or understood.top.intent != "fallback"),
            police_after_paying=fraud_report.after_paying(session.details, understood),
            acting_news=acting_news(found, before),
            safety_check=session.safety_check,
            reports_client=understood.cues.reports_someone,
            departed=found.left is True,
            police_news=found.police is not None,
            asks_back=understood.cues.recall,
        )
        return decide(understood.classification, context, self.config.urgency)

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

    def long_answer(self, spec: IntentSpec) -> str:
        """The fuller answer with the rules behind it, for 详细 and counsellors."""
        return self.actions.long_answer(spec)

    def direct_long_answer(self, spec: IntentSpec, answer: DirectAnswer) -> str:
        """详细 after a direct answer: its long text (else the topic's) and its rules."""
        return self.actions.direct_long_answer(spec, answer)


def trace_lines(trace: list[tuple[str, Decision | Decline]]) -> list[str]:
    """The trace as lines: each policy asked, whether it answered (why, with the scores it
    used, and the session changes) or declined (and why)."""
    lines = []
    for name, outcome in trace:
        if isinstance(outcome, Decline):
            lines.append(f"{name}: declined: {outcome.reason}")
            continue
        verdict = "answers" + (" first, the rest after it" if outcome.lead else "")
        if outcome.why:
            verdict += f": {outcome.why}"
        if outcome.changes:
            verdict += " [" + "; ".join(str(c) for c in outcome.changes) + "]"
        lines.append(f"{name}: {verdict}")
    return lines


def _debt_named(found: Details, known: Details) -> Details:
    """Several debts are kept apart and referred to by name: "回到信用卡那笔" names the card
    among "招商银行信用卡2万、借呗1万8" (the one debt of that kind), so the calculation is of
    that debt, not of the one named last."""
    if found.lender is not None or found.lender_type is None or not known.debts:
        return found
    kinds = {LenderType.BANK_CARD, LenderType.BANK_LOAN}
    wanted = kinds if found.lender_type in kinds else {found.lender_type}
    named = [name for name, _ in known.debts if lender_type("", name) in wanted]
    if len(named) != 1:
        return found
    return replace(found, lender=named[0])


def _debt_added(found: Details, known: Details) -> Details:
    """A debt added to those told ("借呗欠了2万8" … "还有一张浦发信用卡欠1万2"): both kept
    apart by name, the amount their total (a debt of a lender already told is a change of
    that one, :meth:`Details.merged`)."""
    if found.lender is None or found.amount is None or found.debts is not None:
        return found
    debts = known.debts or (
        ((known.lender, known.amount),) if known.lender and known.amount is not None else ()
    )
    if not debts or found.lender in {name for name, _ in debts}:
        return found
    added = (*debts, (found.lender, found.amount))
    return replace(
        found,
        debts=added,
        amount=float(sum(value for _, value in added)),
        lenders=tuple(name for name, _ in added),
        lender=added[0][0],
    )

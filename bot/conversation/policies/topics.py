"""The topics recognised: a clear best is answered (with the next topic's steps when it is
close, the news of the message between the steps and the question); a clear leader below
the threshold is answered with a one-line check ("如果你问的是……"); two or three close
candidates get a question between them; a system intent (greeting, help) its reply; a bare
domain word ("银行", "催收") the menu. Otherwise it declines, with the scores it saw."""

from __future__ import annotations

from bot.content import SYSTEM_INTENTS
from bot.conversation import calculator, texts
from bot.conversation.actions import CALCULATOR_INTENT
from bot.conversation.context import (
    Decision,
    Decline,
    Draft,
    Policy,
    Turn,
    TurnContext,
    block_id,
)
from bot.conversation.crisis import calm_topics
from bot.messages import Outcome, RankedIntent

#: a message this short whose best reading is a topic, with "nothing" under this share of
#: it, is answered as that topic with a one-line check (not the fallback apology)
SHORT_LEAD_CHARS = 6
SHORT_LEAD_RATIO = 0.75


_A_FIGURE_OF_THE_CASE = Decline("a figure of the case told, below the threshold")
_TOLD_INSIDE_THE_TOPIC = Decline("told, not asked, inside the topic whose steps were sent")


def _told_inside_the_topic(ctx: TurnContext, session: Draft, best: RankedIntent) -> bool:
    """ "隔着猫眼看是两个男的 说是浦发的" at the door, the door's steps already sent: what
    happens next is told, not asked — heard inside the topic (its next step, what is noted,
    the open question), never the same steps pointed to again."""
    cues = ctx.understood.cues
    if best.intent != session.active_intent or cues.asked or cues.what_now:
        return False
    found = ctx.found
    if found.lender is None and found.amount is None and found.credentials is None:
        return False  # nothing of the case told ("他们又来了"): the topic answers
    spec = ctx.actions.specs.get(best.intent)
    return spec is not None and block_id(spec.advice.short) in session.sent


_ABOUT_THE_PREVIOUS_ANSWER = Decline("a question repeating a figure of the answer just given")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    if ctx.echoes_previous_answer:  # the in-topic policy says that answer's point again
        return _ABOUT_THE_PREVIOUS_ANSWER
    understood, act = ctx.understood, ctx.actions
    settings = ctx.config.classifier
    if ctx.crisis is None and ctx.urgency.tier == "calm":
        # the urgency policy (the one home of that decision) found no danger
        topics = calm_topics(understood.classification)
    else:
        topics = [r for r in understood.ranking if r.intent not in SYSTEM_INTENTS]
    if session.details.role == "staff":
        topics = act.for_staff(topics)
    best = topics[0] if topics else None
    first = understood.ranking[0]
    turn = ctx.turn()

    if best is not None and best.score >= settings.threshold:
        if _told_inside_the_topic(ctx, session, best):
            return _TOLD_INSIDE_THE_TOPIC
        _answer_best(ctx, best, topics, session, turn)
        return session.decision(turn, f"{best.intent} {best.score:.2f} >= {settings.threshold}")

    system = first.intent in SYSTEM_INTENTS and first.intent != "fallback"
    if system and first.score >= settings.threshold:
        act.system(act.specs[first.intent], session, turn)
        return session.decision(turn, f"{first.intent} {first.score:.2f}")

    candidates = [r for r in topics[:3] if r.score >= settings.clarify_floor]
    nothing = next((r.score for r in understood.ranking if r.intent == "fallback"), 0.0)
    in_topic = ctx.talking
    cues = understood.cues
    if in_topic and session.details.debts and ctx.found.amount is not None and not cues.asks:
        # "不对 中信是1.2万" after the debts were listed: a figure of the case told, not a
        # topic asked about on a reading below the threshold; heard inside the topic
        return _A_FIGURE_OF_THE_CASE
    # a short message whose best reading is a topic, well ahead of "nothing": "他们来了",
    # "人来了" at the door need no domain word to be about the topic
    short_lead = (
        bool(candidates)
        and len(understood.cues.compact) <= SHORT_LEAD_CHARS
        and understood.ranking[0].intent == candidates[0].intent
        and nothing < candidates[0].score * SHORT_LEAD_RATIO
    )

    def scores() -> str:
        best3 = ", ".join(f"{r.intent} {r.score:.2f}" for r in topics[:3])
        return f"{best3}; nothing {nothing:.2f}"

    if (understood.in_domain or in_topic or short_lead) and candidates:
        if ctx.urgency.tier == "calm":
            # a message the urgency policy found calm is not answered with an urgent topic's
            # advice on a reading below the threshold ("协议是不是要留一份原件" read a little
            # like despair): the calm topics among the candidates answer
            candidates = [r for r in candidates if not act.specs[r.intent].urgent] or candidates
        leader = candidates[0]
        clear = (len(candidates) == 1 or leader.score >= 2 * candidates[1].score) and (
            nothing < leader.score / 2 or short_lead
        )
        if clear and leader.score >= settings.clarify_floor:
            if leader.intent != session.active_intent:
                turn.add(texts.LEADER_CHECK.format(title=act.specs[leader.intent].title))
            _answer_best(ctx, leader, topics, session, turn)
            return session.decision(turn, f"a clear leader: {scores()}")
        close = [r for r in candidates if r.score >= leader.score / 2]
        if in_topic and any(r.intent == session.active_intent for r in close):
            if (
                cues.asked
                and leader.intent != session.active_intent
                and leader.score >= settings.clarify_floor
                and nothing < leader.score / 2
            ):
                # a question the reading places ahead of the topic being talked about ("They
                # show some card with Chinese on it. How do I know it's real?" at the door):
                # that topic, with a one-line check — never "没看懂" to a question
                turn.add(texts.LEADER_CHECK.format(title=act.specs[leader.intent].title))
                _answer_best(ctx, leader, topics, session, turn)
                return session.decision(turn, f"a question ahead of the topic: {scores()}")
            close = []  # the topic being talked about is one of them: read it in context
        if len(close) >= 2 and nothing < leader.score:
            if ctx.urgency.tier == "possible":  # (a StrEnum: no policy imports another)
                # after the warm lines of possible danger, never a menu: the likelier topic
                _answer_best(ctx, leader, topics, session, turn)
                return session.decision(turn, f"possible danger, the likelier topic: {scores()}")
            # close readings: never a menu as the whole reply. The likelier topic is answered
            # (with the second's short steps when it is nearly as likely), and the others
            # are offered in one line. A message the urgency policy found calm is not
            # answered with an urgent topic's advice on a reading this unsure
            first = next((r for r in close if not act.specs[r.intent].urgent), leader)
            others = [first, *(r for r in topics if r.intent != first.intent)]
            _answer_best(ctx, first, others, session, turn)
            given = "\n".join(turn.replies)
            rest = [
                r
                for r in close
                if r.intent != first.intent
                and not act.specs[r.intent].urgent
                and act.specs[r.intent].advice.short.strip() not in given
            ]
            if rest:
                titles = "、".join(f"“{act.specs[r.intent].title}”" for r in rest)
                turn.add(texts.ALSO_ABOUT.format(titles=titles))
            return session.decision(turn, f"close candidates, the likelier first: {scores()}")
    if understood.in_domain and len(understood.cues.compact) <= 4 and not session.active_intent:
        turn.add(texts.WHICH_ASPECT)  # a bare "银行", "催收": every topic, by number
        act.menu(session, turn)
        turn.intent = Outcome.CLARIFY  # unanswered: the report keeps the message
        return session.decision(turn, "a bare domain word")
    return Decline(f"no topic clear enough: {scores()}")


def _answer_best(
    ctx: TurnContext, best: RankedIntent, topics: list[RankedIntent], session: Draft, turn: Turn
) -> None:
    act = ctx.actions
    settings = ctx.config.classifier
    spec = act.specs[best.intent]
    if spec.id == session.active_intent and block_id(spec.advice.short) in session.sent:
        act.next_step(spec, session, turn)
        return
    in_a_visit = act.in_a_visit(session.active_intent, ctx.crisis is not None, ctx.before)
    for line in ctx.news.leading(spec.advice.short, in_a_visit=in_a_visit):
        turn.add(line)  # the police in one line; the quiet hours
    extra = Turn()  # goes between the advice and the follow-up question
    for text in ctx.news.others:
        extra.add(text)
    calm = ctx.urgency.tier == "calm"  # (a StrEnum: no policy imports another)
    second = next(
        (
            r
            for r in topics[1:]
            if r.intent != best.intent and not (calm and act.specs[r.intent].urgent)
        ),
        None,
    )
    if (
        second is not None
        and second.score >= settings.secondary_ratio * best.score
        and second.score >= settings.clarify_floor
    ):
        extra.add(act.specs[second.intent].advice.short)
    if ctx.understood.cues.asks_rules and spec.id not in SYSTEM_INTENTS:
        rules = act.rules_line(spec)  # "…违规吗，依据是什么": the rules behind the steps
        if rules is not None:
            extra.add(rules)
    if best.intent == CALCULATOR_INTENT and calculator.ready(session.details):
        act.calculation_first(
            spec,
            session,
            turn,
            in_group=ctx.in_group,
            extra=extra.replies,
            remaining=ctx.understood.cues.after_repaying,
        )
        return
    if session.details.role == "helper" and "helper" not in session.noticed:
        session.notice("helper")
        turn.add(texts.HELPER_NOTE)
    act.answer_topic(spec, session, turn, extra=extra.replies)


POLICY = Policy("topics", _decide)

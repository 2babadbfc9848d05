"""An answer to the bot's pending question: a number, the option's own words, yes/no (not
when the words after 是/不是/可以 carry something else), or the detail asked."""

from __future__ import annotations

from bot.content import SYSTEM_INTENTS, FollowUp, IntentSpec, Option
from bot.conversation import calculator, texts
from bot.conversation.actions import CALCULATOR_INTENT, NOTED_OPENING, figures_heard
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext
from bot.conversation.state import PendingKind
from bot.messages import Outcome
from bot.understanding.details import Details
from bot.understanding.short_answers import YesNo

#: the reasons this policy declines for (made once: most messages are declined)
_NO_QUESTION_OPEN = Decline("no question open")
_QUESTION_GONE = Decline("the question is no longer in the content")
_A_CORRECTION_OF_THE_PLAN = Decline("a correction of the plan")
_THEY_LEFT = Decline("the visitors left: that news is answered")
_NO_YES_NO_READ = Decline("no yes/no read")
_NO_OPTION_READ = Decline("no option read")
_NO_AMOUNT_OR_LENDER_GIVEN = Decline("no amount or lender given")


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    """Read the message as the answer to the pending question; decline when it is not one.

    A menu or clarifying question takes a number or the topic's own words. A follow-up
    with options takes a number, the option's words or a paraphrase, or the situation
    detail the question is about ("在门口" → now). A yes/no follow-up takes its slot's
    detail ("没看到什么证" → no), or yes/no/unsure (or 1/2 for the offered choices) —
    but not when the words after 是/不是/可以 say something else ("是借款确认书"). A
    detail follow-up takes a message stating that detail, unless a longer message is
    clearly about another topic.
    """
    pending = ctx.pending
    if pending is None:
        return _NO_QUESTION_OPEN
    act, understood, found, in_group = ctx.actions, ctx.understood, ctx.found, ctx.in_group
    turn = ctx.turn()
    if pending.kind in (PendingKind.MENU, PendingKind.CLARIFY):
        choice = understood.cues.choice(len(pending.choices))
        if choice is None and (wrong := understood.cues.out_of_range(len(pending.choices))):
            turn.add(wrong)  # the question stays pending: the next number answers it
            turn.intent = Outcome.MENU if pending.kind is PendingKind.MENU else Outcome.CLARIFY
            return session.decision(turn, "a number outside the choices")
        if choice is None:
            choice = understood.cues.option([act.specs[c].title for c in pending.choices])
        if choice is None:
            return Decline(f"no choice of the {pending.kind.value} read")
        act.answer_topic(act.specs[pending.choices[choice]], session, turn)
        return session.decision(turn, f"choice {choice + 1} of the {pending.kind.value}")

    spec = act.specs.get(pending.intent or "")
    follow_up = act.follow_up(spec, pending.follow_up) if spec else None
    if spec is None or follow_up is None:
        return _QUESTION_GONE

    if ctx.visitors_left:
        # "我报警了 … 他们一听就下楼走了" to "你已经打110报警了吗？": their leaving is the news,
        # and its aftermath the answer (the news policy's), not the yes-branch's wait for police
        return _THEY_LEFT
    if follow_up.answers is not None:
        if spec.id == CALCULATOR_INTENT and calculator.follows_on(found, session.details):
            return _A_CORRECTION_OF_THE_PLAN  # "不对，是36期" is no "no"
        answer = _read_yes_no(ctx, follow_up, found, spec)
        if answer is None:
            return _NO_YES_NO_READ
        _fill_slot(follow_up, session, answer)
        if answer is YesNo.AFFIRM:
            turn.add(follow_up.answers.affirm)
        elif answer is YesNo.DENY:
            turn.add(follow_up.answers.deny)
        elif follow_up.answers.unsure is not None:
            turn.add(follow_up.answers.unsure)
        else:
            turn.add(texts.UNSURE_PREFIX + "\n" + follow_up.answers.deny)
        if _asks_another_topic(ctx, spec):
            # "已经报警了。这种半夜来的能投诉吗？": the answer to the bot's question first, then
            # the question asked beside it (the policies after this one answer it)
            turn.intent = spec.id
            session.pending = None
            why = f"the answer to {spec.id}/{follow_up.id}, a question beside it"
            return Decision(turn, tuple(session.changes), why, lead=True)
    elif follow_up.options is not None:
        choice = understood.cues.choice(len(follow_up.options))
        if choice is None:
            choice = _option_by_slot(follow_up, found)
        if choice is None:
            choice = understood.cues.option([o.label for o in follow_up.options])
        if choice is None:
            return _NO_OPTION_READ
        option = follow_up.options[choice]
        _fill_option(follow_up, option, session)
        if option.intent is not None:
            act.answer_topic(act.specs[option.intent], session, turn)
            return session.decision(turn, f"option {choice + 1}")
        turn.add(option.reply or "")
    else:
        wanted = follow_up.detail
        if wanted == "any":
            if found.amount is None and found.lender is None:
                return _NO_AMOUNT_OR_LENDER_GIVEN
        elif not act.has_detail(found, wanted):
            return Decline(f"no {wanted} given")
        best = act.best_topic(understood)
        if (
            len(understood.cues.compact) > 15
            and best is not None
            and best.intent != spec.id
            and best.score >= ctx.config.classifier.threshold
        ):
            # details given while asking about something else: a new topic
            return Decline(f"details, but about {best.intent} ({best.score:.2f})")
        heard = "" if in_group else figures_heard(found)  # no amounts in a group
        reply = follow_up.reply or ""
        if heard:  # say back what was understood, so a misreading is seen at once
            reply = texts.HEARD.format(figures=heard) + NOTED_OPENING.sub("", reply)
        turn.add(reply)
        if spec.id == CALCULATOR_INTENT:
            act.calculation(session, turn, in_group=in_group)
    turn.intent = spec.id
    act.ask_next(spec, session, turn)
    return session.decision(turn, f"the answer to {spec.id}/{follow_up.id}")


def _asks_another_topic(ctx: TurnContext, spec: IntentSpec) -> bool:
    """Beside the answer, the message plainly asks about another topic (read at least at the
    threshold, a question, not a system topic)."""
    best = ctx.actions.best_topic(ctx.understood)
    return (
        ctx.understood.cues.asked
        and best is not None
        and best.intent != spec.id
        and best.intent not in SYSTEM_INTENTS
        and best.score >= ctx.config.classifier.threshold
    )


def _read_yes_no(
    ctx: TurnContext, follow_up: FollowUp, found: Details, spec: IntentSpec
) -> YesNo | None:
    understood = ctx.understood
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
        best = ctx.actions.best_topic(understood)
        # a few words after a clear yes/no ("没有 就说是银行的") still answer the question;
        # a longer tail about another topic ("可以 但是我想先问问分期的事") does not
        elsewhere = (
            len(rest) >= 8
            and best is not None
            and best.intent != spec.id
            and best.score >= ctx.config.classifier.threshold
        )
        # "可以先拍照给家里人看吗": a question of its own, not a "yes"
        asks = cues.rest_asks
        if news or elsewhere or asks:
            return None
    return answer


def _fill_slot(follow_up: FollowUp, session: Draft, answer: YesNo) -> None:
    slot = follow_up.slot
    if slot is None or getattr(session.details, slot) is not None or answer is YesNo.UNSURE:
        return
    if answer is YesNo.AFFIRM:
        value: bool | str = follow_up.slot_yes if follow_up.slot_yes is not None else True
        session.details = session.details.merged(Details.from_json({slot: value}))
    elif follow_up.slot_yes is None:
        session.details = session.details.merged(Details.from_json({slot: False}))


def _option_by_slot(follow_up: FollowUp, found: Details) -> int | None:
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


def _fill_option(follow_up: FollowUp, option: Option, session: Draft) -> None:
    slot = follow_up.slot
    if slot is not None and option.value is not None and getattr(session.details, slot) is None:
        session.details = session.details.merged(Details.from_json({slot: option.value}))


POLICY = Policy("pending", _decide)

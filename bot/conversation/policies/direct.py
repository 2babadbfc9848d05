"""A specific question with a confident direct answer (or, inside its topic, a short
question the topic's answer clearly leads: "要开吗" at the door): the answer first, then the
topic's steps if that topic is not the active one (offered instead when the whole reply would
pass 300 characters), then the topic's next question. A counsellor, or a person in a crisis,
gets the point asked only."""

from __future__ import annotations

from bot.content import SYSTEM_INTENTS
from bot.conversation import calculator, texts
from bot.conversation.actions import gist
from bot.conversation.context import Decision, Decline, Draft, Policy, Turn, TurnContext, block_id
from bot.conversation.lenders import lender_line
from bot.conversation.upfront import received_line
from bot.understanding.cues import asks_what_was_told
from bot.understanding.direct_answers import DirectMatch

#: the reasons this policy declines for (made once: most messages are declined)
_NO_DIRECT_ANSWER = Decline("no direct answer")
_URGENT = Decline("urgent")
_FIGURES_FOR_THE_CALCULATION = Decline("figures for the calculation")
_THEY_LEFT = Decline("they left, told: that news is answered")
_A_FIGURE_CORRECTED = Decline("a figure told before, corrected")
_DEBTOR_ANSWER_FOR_STAFF = Decline("a debtor's answer for a staff speaker")

#: A direct answer with its topic's steps stays this short; longer, the steps are offered.
DIRECT_REPLY_CHARS = 300
#: The same question asked again: the answer's opening sentences, at least this long (its
#: point, not only its first clause: "先列清单" without what comes first is no answer)
ASKED_AGAIN_GIST = 60
#: the out-of-scope reading from which a question is never leaned on the topic being talked
#: about ("周末去哪里玩" inside the rules: 1.00)
OUT_OF_SCOPE_SURE = 0.9
#: Inside a topic, its own direct answer is given from this probability on when it leads the
#: runner-up by this factor (a short question in context: "要开吗", "扫了会怎样")
CONTEXT_DIRECT_FLOOR = 0.12
CONTEXT_DIRECT_MARGIN = 1.8
#: ... and when the topic reading gives each of their topics at least this probability
TIE_TOPIC_FLOOR = 0.03
#: A follow-up question nothing places on its own, read among the active topic's answers
#: only, gets the best of them from this probability on, when it leads the next by this factor
LEANING_FLOOR = 0.2
LEANING_MARGIN = 2.5
#: ... and a detail told right after an answer, from this probability on (a statement shares
#: words with neighbouring points more often than it asks one: "隔着猫眼看是两个男的")
TOLD_LEANING_FLOOR = 0.5
#: Two specific questions that tie (neither confident, each at least this likely, so the
#: "no specific question" reading is small) are both answered briefly, never a menu: on the
#: direct-answer set, the question asked was one of the two in 32 of 37 such ties.
TIE_FLOOR = 0.3
#: The two answers together stay this short (a group's limit).
TIE_REPLY_CHARS = 300
#: Several questions in one message: their answers together stay this short (a phone's
#: screen; a group's limit in a group).
SEVERAL_REPLY_CHARS = 560
SEVERAL_GROUP_CHARS = 300
#: a question read alone is answered from this probability on (chosen by reading the
#: multi-question real questions of the retired sets: below it, a part without its context
#: drifted to a neighbouring answer about as often as not)
PART_FLOOR = 0.6
#: the person's question is named in at most this many characters
PART_LABEL_CHARS = 24
#: News told, not asked ("信用卡逾期三个月了 催收说要来家里"), that the topics read
#: confidently as another topic than the answer's: that topic's steps answer it, unless the
#: answer is at least this likely (0.6 until the written questions made the answers surer of
#: statements: a list of debts got the online-loan installment answer at 0.77)
TOLD_DIRECT_FLOOR = 0.8


def _news_first(ctx: TurnContext, session: Draft, turn: Turn, answer: str) -> None:
    """ "已经报警了。能投诉吗": the news in one line before the point asked ("晚上11点了 有两个
    人在门口": the quiet hours, unless the answer names them)."""
    in_a_visit = ctx.actions.in_a_visit(session.active_intent, ctx.crisis is not None, ctx.before)
    for line in ctx.news.leading(answer, in_a_visit=in_a_visit):
        turn.add(line)


def _tie(ctx: TurnContext, session: Draft, direct: DirectMatch) -> Decision | None:
    """Both of two tying questions answered briefly, the likelier first; None when they do
    not tie, one is not meant for the speaker, or the two would not fit in one short reply."""
    if direct.runner_up is None or min(direct.score, direct.runner_up_score) < TIE_FLOOR:
        return None
    cues = ctx.understood.cues
    if not cues.asked:
        return None  # told, not asked ("someone is knocking on my door"): the topic's steps
    if ctx.english:
        return None  # the lines quote the Chinese examples: English gets the likelier alone
    content = ctx.actions.content
    try:
        pair = [content.answer(direct.answer), content.answer(direct.runner_up)]
    except KeyError:
        return None
    if any(
        spec.id in SYSTEM_INTENTS or (session.details.role == "staff" and a.audience == "debtor")
        for spec, a in pair
    ):
        return None
    reading = {r.intent: r.score for r in ctx.understood.ranking}
    if any(reading.get(spec.id, 0.0) < TIE_TOPIC_FLOOR for spec, _a in pair):
        return None  # one of the two is about a topic the message is plainly not about
    lines = [texts.TIE_ANSWER.format(question=a.examples[0], answer=a.short) for _spec, a in pair]
    if sum(map(len, lines)) + len(texts.TIE_LEAD) > TIE_REPLY_CHARS:
        return None
    turn = ctx.turn()
    turn.intent = pair[0][0].id
    _news_first(ctx, session, turn, pair[0][1].short)
    turn.add(texts.TIE_LEAD + "\n" + "\n".join(lines))
    if not ctx.counsellor:
        received_line(session, turn)  # "到手只有1400": the principal is what came
    session.last_answer = pair[0][1].id
    # the likelier question's topic is what is being talked about now: a follow-up ("那要
    # 多久才有结果") leans on it, as after a single direct answer
    session.active_intent = pair[0][0].id
    return session.decision(
        turn,
        f"two questions tie: {direct.answer} {direct.score:.2f}, "
        f"{direct.runner_up} {direct.runner_up_score:.2f}: both answered briefly",
    )


def _several(ctx: TurnContext, session: Draft) -> Decision | None:
    """Two or three questions in one message ("借呗逾期多久会被起诉，真的会上门吗？"), each with a
    clear answer of its own: each answered briefly, in the order asked; None when fewer than
    two have one, one is not meant for the speaker, or they would not fit. A question read
    alone has lost the words around it, so its answer must be clearer than a whole message's
    (``PART_FLOOR``)."""
    details = session.details
    content = ctx.actions.content
    chosen: list = []
    for part, match in ctx.understood.parts_for(details.role, details.lender_type):
        if not match.confident or match.score < PART_FLOOR:
            continue
        if asks_what_was_told(part):
            continue  # "你还记得我欠的是哪家银行吗": said back before (policies/recall.py)
        if any(a.id == match.answer for _p, _s, a, _m in chosen):
            continue
        try:
            spec, answer = content.answer(match.answer)
        except KeyError:
            continue
        if spec.id in SYSTEM_INTENTS or (details.role == "staff" and answer.audience == "debtor"):
            continue
        chosen.append((part, spec, answer, match.score))
    if len(chosen) < 2:
        return None
    lines = [
        # the person's own words name each question; in a group no member is quoted
        texts.TIE_ANSWER.format(
            question=a.examples[0] if ctx.in_group else _shortened(part), answer=a.short
        )
        for part, _s, a, _m in chosen
    ]
    lead = texts.SEVERAL_LEAD.format(count=texts.COUNT_WORDS.get(len(chosen), len(chosen)))
    limit = SEVERAL_GROUP_CHARS if ctx.in_group else SEVERAL_REPLY_CHARS
    if sum(map(len, lines)) + len(lead) > limit:
        return None
    turn = ctx.turn()
    turn.intent = chosen[0][1].id
    _news_first(ctx, session, turn, chosen[0][2].short)
    turn.add(lead + "\n" + "\n".join(lines))
    if not ctx.counsellor:
        received_line(session, turn)
    session.last_answer = chosen[-1][2].id
    return session.decision(
        turn,
        "several questions: "
        + ", ".join(f"{a.id} {m:.2f}" for _p, _s, a, m in chosen)
        + ": each answered",
    )


_ABOUT_THE_PREVIOUS_ANSWER = Decline("a question repeating a figure of the answer just given")


def _about_the_previous_answer(ctx: TurnContext, direct: DirectMatch) -> bool:
    """A question that repeats a figure the answer just given stated is about that answer
    (the in-topic policy says its point again), not a new question another answer reads."""
    return direct.answer != ctx.previous_answer and ctx.echoes_previous_answer


def _leaning_on_the_topic(ctx: TurnContext, session: Draft) -> DirectMatch | None:
    """A question inside a topic that nothing places on its own ("大概多久给答复" after a
    complaint, "房东会不会有责任" after calls to the landlord): read again with the topic
    being talked about as the prior; its answer when that reading is confident."""
    active = session.active_intent
    cues = ctx.understood.cues
    if not active or active in SYSTEM_INTENTS:
        return None
    if not cues.asked and (
        ctx.previous_answer is None
        or cues.acknowledgement
        or cues.closing is not None
        or cues.closing_plan
        or cues.repair is not None
        or ctx.news
        or ctx.found.as_dict()
    ):
        # told, not asked: only right after an answer, what refines the question it answered
        # ("这张卡是他婚前办的" after "老公的卡要我还吗"), not "好的，我今晚先去朋友家住" nor
        # news or figures ("他们走了 我手还在抖", "不对，美团是1.6万": their policies answer)
        return None
    if ctx.found.left is True and ctx.before.left is not True:
        # "催收的也走了 … 这事以后怎么弄": their leaving is the news and its aftermath the
        # answer (the news policy's), not a guess among the visit's answers
        return None
    best = ctx.actions.best_topic(ctx.understood)
    if best is not None and best.intent != active and best.score >= ctx.config.classifier.threshold:
        return None  # another topic is clear: the topics answer it
    top = ctx.understood.top
    if top.intent == "fallback" and not ctx.understood.in_domain and top.score >= OUT_OF_SCOPE_SURE:
        return None  # plainly about something else ("周末去哪里玩"): the scope line, not a lean
    leaning = ctx.understood.direct_toward(
        active, session.details.role, session.details.lender_type
    )
    floor = LEANING_FLOOR if cues.asked else TOLD_LEANING_FLOOR
    if (
        leaning is None
        or leaning.score < floor
        or leaning.score < LEANING_MARGIN * leaning.runner_up_score
    ):
        return None
    return leaning


def _shortened(part: str) -> str:
    return part if len(part) <= PART_LABEL_CHARS else part[: PART_LABEL_CHARS - 1] + "…"


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    understood, act = ctx.understood, ctx.actions
    direct = understood.direct_for(session.details.role, session.details.lender_type)
    if direct is None and not understood.part_scores:
        return _NO_DIRECT_ANSWER
    if understood.urgent:
        return _URGENT
    if understood.part_scores and not calculator.follows_on(ctx.found, session.details):
        several = _several(ctx, session)
        if several is not None:
            return several
    if direct is None:
        return _NO_DIRECT_ANSWER
    if ctx.corrects_a_figure:
        return _A_FIGURE_CORRECTED
    if (
        ctx.found.left is True
        and ctx.before.left is not True
        and not understood.cues.asked
        and (ctx.before.present is not None or ctx.before.place is not None or ctx.crisis)
    ):
        # "走了走了 吓死我了" after a visit: the news and its aftermath (the news policy's);
        # without a visit told, "他人跑了" is about someone else
        return _THEY_LEFT

    def scores() -> str:
        assert direct is not None
        return f"{direct.answer} {direct.score:.2f}, runner-up {direct.runner_up_score:.2f}"

    in_context = (  # "要开吗" at the door: a question of the topic being talked about
        # (a statement is no question: "隔着猫眼看是两个男的" is not asking about peeking in)
        understood.cues.asked
        and direct.intent == session.active_intent
        and direct.score >= CONTEXT_DIRECT_FLOOR
        and direct.score >= CONTEXT_DIRECT_MARGIN * direct.runner_up_score
    )
    if _about_the_previous_answer(ctx, direct):
        return _ABOUT_THE_PREVIOUS_ANSWER  # "还清了也是5年吗": that answer's point again
    if calculator.ready(session.details) and (
        (
            calculator.follows_on(ctx.found, session.details)
            and not calculator.convention_question(ctx.found, understood.cues)
        )
        # "按我刚才说的每个月能还的钱，大概多久能还完": the figures told before
        or calculator.asks_calculation(ctx.found, understood.cues, session.details)
    ):
        # "欠5万分24期", "欠3.5万": the calculation answers ("停息挂账银行必须同意吗" is a
        # question about that way of paying: its answer)
        return _FIGURES_FOR_THE_CALCULATION
    if not direct.confident and not in_context:
        leaning = _leaning_on_the_topic(ctx, session)
        if leaning is not None:
            direct, in_context = leaning, True
    if not direct.confident and not in_context:
        tie = _tie(ctx, session, direct)
        return tie or Decline(f"not confident: {scores()}")
    best = act.best_topic(understood)
    if (
        not in_context
        and not understood.cues.asked
        and best is not None
        and best.intent != direct.intent
        and best.score >= ctx.config.classifier.threshold
        and direct.score < TOLD_DIRECT_FLOOR
    ):
        return Decline(f"told, not asked, and read as {best.intent}: {scores()}")
    try:
        spec, answer = act.content.answer(direct.answer)
    except KeyError:
        return Decline(f"{direct.answer} is no longer in the content")
    if not direct.confident and block_id(answer.short) in session.sent:
        return Decline(f"a weak reading of a point already answered: {scores()}")  # "好吧我不开"
    if session.details.role == "staff" and answer.audience == "debtor":
        return _DEBTOR_ANSWER_FOR_STAFF  # the staff side: the topics
    why = ("in context: " if not direct.confident else "") + scores()
    turn = ctx.turn()
    turn.intent = spec.id
    if spec.id not in SYSTEM_INTENTS:
        _news_first(ctx, session, turn, answer.short)
    if block_id(answer.short.strip()) in session.sent:
        # the same question again: its gist, pointing up, not the block word for word
        turn.add(texts.SAME_ANSWER.format(gist=gist(answer.short, ASKED_AGAIN_GIST)))
    else:
        turn.add(answer.short)
        if not ctx.counsellor:
            lender_line(spec, session, turn)  # "美团月付…能分期吗": said with its lender
            received_line(session, turn)  # "到手只有2100": the principal is what came
        if ctx.counsellor or understood.cues.asks_rules:
            # "…能分期吗？有没有条文可引": the rules it rests on, from the fact register
            rules = act.rules_line(spec, answer)
            if rules is not None:
                turn.add(rules)
    if (
        session.details.role == "helper"
        and "helper" not in session.noticed
        and spec.id not in SYSTEM_INTENTS
    ):
        session.notice("helper")  # asking for someone else: said once
        turn.add(texts.HELPER_NOTE)
    session.last_answer = answer.id
    if spec.id in SYSTEM_INTENTS:  # e.g. a scope note: the answer is the whole reply
        return session.decision(turn, why)
    if ctx.counsellor:
        return session.decision(turn, why + "; a counsellor: the point only")
    if session.crisis:
        return session.decision(turn, why + "; in a crisis: the point only")

    if session.active_intent == spec.id:
        question = act.pending_question(session.pending)
        if question and not act.pending_answered(session):
            turn.add(texts.STILL_ASKING.format(question=question))  # still open: kept
        else:
            act.ask_next(spec, session, turn)
        return session.decision(turn, why)
    topic = ctx.turn()
    act.start_topic(spec, session, topic, include_advice=True)
    turn.intent = turn.intent or topic.intent
    turn.choices = topic.choices
    fresh = [t for t in topic.replies if block_id(t) not in session.sent]
    if len(answer.short) + sum(len(t) for t in fresh) <= DIRECT_REPLY_CHARS:
        # (the lender line, added with the answer, is not said again with the steps)
        turn.replies += [t for t in topic.replies if t not in turn.replies]
    else:
        # The answer first, short; the steps on request ("步骤"), the question last.
        act.offer_steps(spec, session, turn)
        turn.add(topic.replies[-1])
    return session.decision(turn, why)


POLICY = Policy("direct", _decide)

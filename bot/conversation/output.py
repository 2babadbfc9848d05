"""After the policy that answered: what every reply goes through, in this order.

1. inside a crisis, an ordinary answer never is the fallback or a bare question between
   topics, and the emergency numbers stay in view (:func:`keep_crisis_context`);
2. a block already sent in the conversation is never sent again word for word: it is
   dropped, and when nothing new is left the bot points to the step asked about, or says
   the crisis step in other words (:func:`no_repeats`);
3. in a group the reply is cut to fit (:func:`fit_group`, at most 300 characters); in a
   private chat an ordinary reply over one phone screen loses the "详细" hint
   (:func:`fit_phone`);
4. a calm reply, with nothing happening now, names the police and the ambulance in words,
   not as emergency numbers (:func:`quiet_numbers`; after the fitting, which keeps the lines
   that carry them).

These belong to the loop (bot/conversation/dialogue.py), which alone writes the session: the
ids of the blocks sent are remembered here.
"""

from __future__ import annotations

import re

from bot.content import IntentSpec
from bot.conversation import texts
from bot.conversation.actions import Actions, first_unsent, gist
from bot.conversation.context import Turn, block_id
from bot.conversation.crisis import CRISIS_OF_INTENT, CrisisKind, fallback_step, reminder
from bot.conversation.numbers import EMERGENCY_LINE, has_emergency_number, quieted
from bot.conversation.state import Session
from bot.messages import Outcome

#: Replies this short may repeat (a confirmation, a number): only blocks are never sent twice.
REPEATABLE_CHARS = 20
#: The most block ids remembered per conversation.
MAX_SENT = 80


def keep_crisis_context(kind: CrisisKind, turn: Turn, session: Session) -> None:
    """Inside a crisis: never the fallback or a bare menu, and the numbers stay in view."""
    if turn.intent in (Outcome.FALLBACK, Outcome.CLARIFY):
        turn.replies = [first_unsent(fallback_step(kind, session.details), session.sent)]
        turn.choices = []
        turn.intent = next((i for i, k in CRISIS_OF_INTENT.items() if k is kind), None)
        return
    over = kind is CrisisKind.THREAT and (
        session.details.left is True or session.details.police == "arrived"
    )
    if not over and not any(has_emergency_number(r) for r in turn.replies):
        # (once they left or the police came, an ordinary question gets no "call 110" line)
        turn.replies.insert(0, reminder(kind))


def quiet_numbers(turn: Turn) -> None:
    """A calm reply with nothing happening now: "闹得不走就打110" becomes "闹得不走就报警".
    The advice stays (whom to call and when); the emergency number is kept for danger now,
    so a calm person is not alarmed by it (issue 23: calm gets the ordinary answer)."""
    turn.replies = [quieted(r) for r in turn.replies]
    turn.choices = [quieted(c) for c in turn.choices]


def no_repeats(actions: Actions, turn: Turn, session: Session) -> None:
    """Never send a block twice word for word: a repeat is dropped (unless asked for). A
    topic's steps asked about again are pointed to with the step itself; when nothing new is
    left, the reply still says something: in a crisis the step in other words, the topic's
    steps again (introduced as such), a scope line with a question not sent yet, or the gist
    of what was said — never a bare "see above". The ids of what is sent are remembered."""
    kept: list[str] = []
    dropped: list[str] = []
    steps_of: IntentSpec | None = None
    for text in turn.replies:
        ident = block_id(text)
        if (
            len(text) > REPEATABLE_CHARS
            and not turn.repeat_ok
            and text not in turn.repeatable
            and ident in session.sent
        ):
            dropped.append(text)
            spec = actions.advice_blocks.get(ident)
            if spec is not None and session.crisis is None:
                steps_of = spec
                pointer = None if turn.whole_question else actions.point_back(spec, turn.said)
                if pointer is not None and block_id(pointer) not in session.sent:
                    kept.append(pointer)  # the step asked about, with the step
            continue
        kept.append(text)
    if dropped and not any(len(t) > REPEATABLE_CHARS for t in kept):
        kept.insert(0, _instead(actions, turn, session, dropped[0], steps_of))
    turn.replies = kept
    for text in kept:
        if len(text) > REPEATABLE_CHARS:
            ident = block_id(text)
            if ident not in session.sent:
                session.sent.append(ident)
    del session.sent[:-MAX_SENT]


def _instead(
    actions: Actions, turn: Turn, session: Session, dropped: str, steps_of: IntentSpec | None
) -> str:
    """What to say when everything the reply held was sent before."""
    crisis = CrisisKind(session.crisis) if session.crisis in set(CrisisKind) else None
    if crisis is not None:  # in a crisis: the step again in other words, never "above"
        return actions.again(crisis, session.sent)
    if turn.intent == Outcome.FALLBACK:
        return first_unsent(texts.SCOPE_AGAIN, session.sent)
    if turn.intent == "greeting":
        return texts.GREETING_AGAIN
    if turn.intent == "thanks":  # short: a closing said again (in the language it was said)
        return (
            texts.CLOSING_EN_AGAIN if dropped.startswith(texts.CLOSING_EN) else texts.CLOSING_AGAIN
        )
    if steps_of is not None:
        return actions.said_again(steps_of, turn)
    return texts.SAME_ANSWER.format(gist=gist(dropped))


#: the pointer to a private chat, in both languages (said once, at the end)
_POINTERS = frozenset({texts.GROUP_MORE, texts.ENGLISH["GROUP_MORE"]})
#: A group reply stays this short: the full steps are for a private chat.
GROUP_CHARS = 280
#: ... and never longer than this, whatever it carries
GROUP_MAX = 300


def fit_group(turn: Turn, more: str = texts.GROUP_MORE) -> None:
    """Cut a group reply to about ``GROUP_CHARS``: the longest block without an emergency
    number keeps its first lines, and points (``more``, in the reply's language) to a private
    chat for the rest; a block that gives the numbers to call is never the one cut."""
    total = sum(len(r) for r in turn.replies)
    if total <= GROUP_CHARS or not turn.replies:
        return
    turn.replies = [r for r in turn.replies if r.strip() not in _POINTERS]
    long_blocks = [i for i, r in enumerate(turn.replies) if len(r) > 120]
    if len(long_blocks) > 1:  # the first (most urgent) block only; the rest in private
        turn.replies = [r for i, r in enumerate(turn.replies) if i not in long_blocks[1:]]
        total = sum(len(r) for r in turn.replies)
    plain_blocks = [i for i, r in enumerate(turn.replies) if not has_emergency_number(r)]
    longest = max(plain_blocks or range(len(turn.replies)), key=lambda i: len(turn.replies[i]))
    budget = max(GROUP_CHARS - (total - len(turn.replies[longest])), 80)
    kept: list[str] = []
    used = len(more)
    cut = False
    for line in turn.replies[longest].splitlines():
        urgent = has_emergency_number(line)
        if used + len(line) + 1 <= budget or (urgent and used + len(line) + 1 <= budget + 60):
            kept.append(line)
            used += len(line) + 1
        elif not cut:
            # the first line that does not fit keeps its opening sentences that do (a direct
            # answer is one long line: "两个都简单说一下：" must not stand alone)
            opening = _sentences_within(line, budget - used - 1)
            if opening:
                kept.append(opening)
                used += len(opening) + 1
            cut = True
    # never more than GROUP_MAX: drop the last plain steps (never a line with a number to call)
    while sum(len(r) for r in turn.replies) + len(more) > GROUP_MAX:
        plain = [i for i, line in enumerate(kept) if i and not EMERGENCY_LINE.search(line)]
        if not plain:
            break
        del kept[plain[-1]]
        turn.replies[longest] = "\n".join(kept)
    if kept:
        turn.replies[longest] = "\n".join([*kept, more])
    else:  # nothing of it fits (one long line): it goes to the private chat, and the
        # pointer comes last, never before the lines with the numbers to call
        del turn.replies[longest]
        turn.replies.append(more)
    if sum(len(r) for r in turn.replies) > GROUP_CHARS + 60:
        turn.replies = [r for r in turn.replies if r != texts.MORE_HINT]


#: a sentence's end inside a line
_SENTENCE_END = re.compile(r"(?<=[。；！？])")
#: an opening shorter than this is no answer: the line goes whole to the private chat
_LEAST_OPENING = 30


def _sentences_within(line: str, room: int) -> str:
    """The opening sentences of ``line`` within ``room`` characters ("" when not even
    ``_LEAST_OPENING`` of them fit)."""
    opening = ""
    for sentence in _SENTENCE_END.split(line):
        if len(opening) + len(sentence) > room:
            break
        opening += sentence
    return opening if len(opening) >= _LEAST_OPENING else ""


def cap_group(
    replies: list[str], limit: int = GROUP_MAX, more: str = texts.GROUP_MORE
) -> list[str]:
    """A group reply of any path (the conversation, a counsellor's brief or dossier, notices
    put before it) within ``limit`` characters in all: first cut as :func:`fit_group` cuts,
    then, if still too long, whole lines are kept in order — those with an emergency number
    first — and the rest is left for a private chat."""
    if len("\n".join(replies)) <= limit:  # (as the replies read one after another)
        return replies
    turn = Turn(replies=list(replies))
    fit_group(turn, more)
    if len("\n".join(turn.replies)) <= limit:
        return turn.replies
    lines = [(i, line) for i, reply in enumerate(turn.replies) for line in reply.splitlines()]
    room = limit - len(turn.replies)  # (the line breaks between the replies)
    kept: set[int] = set()
    used = 0
    # the lines with the numbers to call first, in the whole room; the rest leaves room for
    # the pointer to a private chat
    for urgent, budget in ((True, room), (False, room - len(more) - 1)):
        for index, (_, line) in enumerate(lines):
            if index in kept or has_emergency_number(line) is not urgent:
                continue
            if line.strip() in _POINTERS:
                continue
            if used + len(line) + 1 <= budget:
                kept.add(index)
                used += len(line) + 1
    if not kept:  # one line longer than the whole room: its opening
        return [lines[0][1][: room - len(more) - 2] + "…\n" + more]
    out: dict[int, list[str]] = {}
    for index, (reply, line) in enumerate(lines):
        if index in kept:
            out.setdefault(reply, []).append(line)
    capped = ["\n".join(parts) for _, parts in sorted(out.items())]
    if used + len(more) + 1 <= room:
        capped[-1] += "\n" + more
    return capped


#: An ordinary private reply longer than this (one phone screen) loses its "详细" hint.
PHONE_CHARS = 300


#: the offer of the topic's steps after a direct answer ("回复“步骤”看…"), as it starts
_STEPS_OFFER_START = texts.STEPS_OFFER.split("{")[0]


def fit_phone(turn: Turn) -> None:
    """An ordinary private reply over ``PHONE_CHARS`` loses its pointers first: the "详细"
    hint line, then the offer of the topic's steps (the content stays whole: cutting steps
    lost points people asked for, measured on the retired conversation sets)."""
    for droppable in (lambda line: line == texts.MORE_HINT, _is_steps_offer):
        if sum(len(r) for r in turn.replies) <= PHONE_CHARS:
            return
        kept = [
            "\n".join(line for line in r.splitlines() if not droppable(line)) for r in turn.replies
        ]
        turn.replies = [r for r in kept if r.strip()]


def _is_steps_offer(line: str) -> bool:
    return line.startswith(_STEPS_OFFER_START) and line.endswith("）。")

"""English for a message written in English.

Someone who wrote in English (read by bot/understanding/language.py) gets a topic's steps in
English where the content has them (``advice.short_en`` in ``intents/<id>.yaml``,
:func:`in_english`), and first one line saying what the reply is about and, when the message
tells of danger, the numbers to call. The topic's English title is content (``title_en``).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.content import Content
from bot.conversation.context import block_id

DANGER_LINE = " If you are in danger now, call 110 (police); 120 if someone is hurt."
DESPAIR_LINE = (
    " If you are thinking of harming yourself, please call 12356 now (the national mental-health"
    " line, open at least 18 hours a day; at night 010-82951332, 24 hours); in danger 110/120."
)


#: the same danger lines in other words (a block is never sent twice in a conversation)
DANGER_LINE_AGAIN = " In danger now: 110 (police), 120 (ambulance)."
DESPAIR_LINE_AGAIN = (
    " If the thoughts of harming yourself come back: 12356 (at least 18 hours a day; at night"
    " 010-82951332); in danger 110/120."
)


def lead_once(
    content: Content, intent: str | None, danger: str | None, sent: Sequence[str]
) -> str | None:
    """The English lead for this turn in a conversation that has had ``sent`` (block ids):
    the full line first; the same topic again gets a shorter one, then none (the person knows
    the advice is in Chinese by now); danger always gets its numbers, in other words when
    they were said."""
    full = lead(content, intent, danger)
    if full is None or block_id(full) not in sent:
        return full
    if danger is not None:
        again = lead(content, intent, danger, again=True)
        return (
            again
            if again is not None and block_id(again) not in sent
            else (DANGER_LINE_AGAIN if danger == "violence" else DESPAIR_LINE_AGAIN).strip()
        )
    title = content.intent(intent).title_en if intent in content.ids else None
    short = f"(English) In Chinese below: {title}." if title else None
    return short if short is not None and block_id(short) not in sent else None


def lead(
    content: Content, intent: str | None, danger: str | None, *, again: bool = False
) -> str | None:
    """The English line to put before the Chinese answer (None when there is nothing to say:
    an unknown intent, small talk)."""
    title = None
    if intent is not None and intent in content.ids:
        title = content.intent(intent).title_en
    if intent in ("greeting", "thanks"):
        title = None
    if title is None and danger is None:
        return None
    text = (
        f"(English) The advice below is in Chinese; it is about {title}."
        if title
        else ("(English) The advice below is in Chinese.")
    )
    if danger == "self_harm":
        text += DESPAIR_LINE_AGAIN if again else DESPAIR_LINE
    elif danger == "violence":
        text += DANGER_LINE_AGAIN if again else DANGER_LINE
    return text


#: the lead when the steps below are in English and the rest (a question, a specific answer)
#: still in Chinese
STEPS_IN_ENGLISH = "(English) {title}: the steps are in English below; the rest is in Chinese."


def in_english(content: Content, replies: list[str]) -> str | None:
    """Replace every topic's steps in ``replies`` by their English text where the content has
    one (in place); the intent whose steps were replaced first, or None."""
    english = {
        block_id(spec.advice.short): (spec.id, spec.advice.short_en)
        for spec in content.intents
        if spec.advice.short_en
    }
    first: str | None = None
    for i, reply in enumerate(replies):
        found = english.get(block_id(reply))
        if found is not None:
            intent, text = found
            replies[i] = text
            first = first or intent
    return first

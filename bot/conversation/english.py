"""A one-line English lead for a message written in English.

The advice is in Chinese; someone who wrote in English (read by
bot/understanding/language.py) first gets one line saying what the
advice below is about and, when the message tells of danger, the numbers to call. The topic's
English title is content (``title_en`` in ``intents/<id>.yaml``).
"""

from __future__ import annotations

from bot.content import Content

DANGER_LINE = " If you are in danger now, call 110 (police); 120 if someone is hurt."
DESPAIR_LINE = (
    " If you are thinking of harming yourself, please call 12356 now (the national mental-health"
    " line, open at least 18 hours a day; at night 010-82951332, 24 hours); in danger 110/120."
)


def lead(content: Content, intent: str | None, danger: str | None) -> str | None:
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
        text += DESPAIR_LINE
    elif danger == "violence":
        text += DANGER_LINE
    return text

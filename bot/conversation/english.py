"""English for a message written in English.

Someone who wrote in English (read by bot/understanding/language.py) gets a topic's steps in
English where the content has them (``advice.short_en`` in ``intents/<id>.yaml``), and
likewise each direct answer (its ``short_en``), each follow-up's question, choices and replies
(``question_en``, ``label_en``…) and the interface's hints (:class:`English`). When some of the
reply is still in Chinese, one line first says what it is about; when it tells of danger, the
numbers to call come first in English. The topic's English title is content (``title_en``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.content import LENDER_PLACEHOLDER, Content
from bot.conversation import texts
from bot.conversation.context import Turn, block_id
from bot.conversation.crisis_en import crisis_english
from bot.conversation.numbers import has_emergency_number, quieted
from bot.conversation.output import cap_group
from bot.conversation.state import Session
from bot.understanding.language import is_english

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
#: the lead when part of the reply is in English and part still in Chinese
PARTLY_IN_ENGLISH = "(English) {title}: what is not in English below is in Chinese."

#: a placeholder of an interface sentence ("{question}")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _lender_template(text: str) -> re.Pattern[str]:
    """The pattern of a lender line: the first ``{lender}`` a named group, any later one the
    same name again."""
    first, second, *more = text.split(LENDER_PLACEHOLDER)
    pattern = re.escape(first) + "(?P<lender>.+?)" + re.escape(second)
    pattern += "".join("(?P=lender)" + re.escape(part) for part in more)
    return re.compile(f"^{pattern}$")


def _template(chinese: str) -> re.Pattern[str]:
    """The pattern of an interface sentence with placeholders, each a named group (a
    placeholder said twice must be the same both times)."""
    parts = _PLACEHOLDER.split(chinese)
    seen: set[str] = set()
    pattern = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            pattern += re.escape(part)
        elif part in seen:
            pattern += f"(?P={part})"
        else:
            seen.add(part)
            pattern += f"(?P<{part}>.+?)"
    return re.compile(f"^{pattern}$")


#: a line still in Chinese: this many Chinese characters in a row, outside brackets and quotes
#: (a term such as "(工作证)" or “分期” is English with its Chinese word)
_CHINESE_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")
_TERM = re.compile(r"[（(][^（()）]*[）)]|“[^”]*”|\"[^\"]*\"")


def is_chinese(line: str) -> bool:
    """Whether ``line`` is (still) Chinese, not English naming a Chinese term (in brackets or
    quotes, or a name such as 工商银行 in a line that is mostly English words)."""
    bare = _TERM.sub("", line)
    if not _CHINESE_RUN.search(bare):
        return False
    return len(_LATIN.findall(bare)) <= 2 * len(_CJK.findall(bare))


#: letters of English words, and Chinese characters (a line mostly of the first is English)
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Translated:
    """The replies in English where the content has them."""

    replies: list[str]
    #: the topic whose steps were put in English (None: no steps among the replies)
    steps_of: str | None
    #: some line is still in Chinese
    chinese_left: bool
    #: how many blocks and lines were put in English
    count: int


class English:
    """Every text the content has in English, read once: a topic's steps (``short_en``, whole
    blocks: the English steps are not line for line), each direct answer (``short_en``), each
    follow-up's question, choices and replies (line for line) and the interface's hints."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._blocks: dict[str, tuple[str, str]] = {}
        self._lines: dict[str, str] = {}
        #: the interface's sentences with placeholders, as patterns, with their English
        self._templates: list[tuple[re.Pattern[str], str]] = []
        for name, sentence in texts.ENGLISH.items():
            chinese = getattr(texts, name)
            if _PLACEHOLDER.search(chinese):
                self._templates.append((_template(chinese), sentence))
            else:
                self._lines[chinese] = sentence
        #: the interface's fixed sentences that may open a longer line, longest first
        self._heads = sorted(
            (
                getattr(texts, n)
                for n in texts.ENGLISH
                if not _PLACEHOLDER.search(getattr(texts, n))
            ),
            key=len,
            reverse=True,
        )
        #: the lender lines and their English (the lender's name is kept as said)
        self._lenders: list[tuple[re.Pattern[str], str]] = []
        #: the topics' titles in English (a title fills "{title}")
        self._titles = {spec.title: spec.title_en for spec in content.intents if spec.title_en}
        for spec in content.intents:
            if spec.advice.short_en:
                self._blocks[spec.advice.short.strip()] = (spec.id, spec.advice.short_en.strip())
            for answer in spec.answers:
                if answer.short_en:
                    self._lines[answer.short.strip()] = answer.short_en.strip()
            for line in spec.lender_lines.values():
                if line.text_en:
                    self._lenders.append((_lender_template(line.text), line.text_en))
            for follow_up in spec.follow_ups:
                for _, chinese, english in follow_up.english_texts(labels=False):
                    self._pair(chinese, english)
                for i, option in enumerate(follow_up.options or [], 1):  # as the menu shows them
                    if option.label_en:
                        self._lines[f"{i}. {option.label}"] = f"{i}. {option.label_en}"
        #: the crisis steps, the possible tier's lines and their reminders (crisis_en.py)
        for chinese, english in crisis_english():
            self._pair(chinese, english)
        # a calm reply names the police in words (output.quiet_numbers): those lines too
        for chinese, english in list(self._lines.items()):
            self._lines.setdefault(quieted(chinese), quieted(english))
        for chinese, (topic, english) in list(self._blocks.items()):
            self._blocks.setdefault(quieted(chinese), (topic, quieted(english)))
        #: each topic's English steps (and their calm form), and the topic they are of
        self.steps_topics = {english: topic for topic, english in self._blocks.values()}

    def _pair(self, chinese: str | None, english: str | None) -> None:
        """A text and its English, line for line (the content checks the line counts)."""
        if not chinese or not english:
            return
        for zh, en in zip(chinese.strip().splitlines(), english.strip().splitlines(), strict=True):
            if zh.strip() and en.strip():
                self._lines.setdefault(zh.strip(), en.strip())

    def _filled(self, line: str) -> str | None:
        """An interface sentence with placeholders in English, what fills them too where it
        has English (a follow-up question, a topic's title); None when it is none of them."""
        for pattern, english in self._templates:
            found = pattern.match(line)
            if found is None:
                continue
            values = {
                key: self._lines.get(value.strip()) or self._titles.get(value, value)
                for key, value in found.groupdict().items()
            }
            if any(is_chinese(value) for value in values.values()):
                return None  # what fills it has no English: the line stays as it is
            return english.format(**values)
        return None

    def _lender_line(self, line: str) -> str | None:
        """A lender line in English, the lender's name as the person wrote it."""
        for pattern, english in self._lenders:
            found = pattern.match(line)
            if found is not None:
                return english.replace(LENDER_PLACEHOLDER, found.group("lender"))
        return None

    def _line(self, line: str) -> str | None:
        """One line in English: as a whole, else an interface sentence it starts with and the
        rest ("这个问题不在我能帮的范围内…（还想确认一下：…）"), each in English."""
        english = self._lines.get(line) or self._filled(line) or self._lender_line(line)
        if english is not None or not line:
            return english
        for head in self._heads:
            if line.startswith(head) and len(line) > len(head):
                rest = self._line(line[len(head) :].strip())
                return None if rest is None else f"{self._lines[head]} {rest}"
        return None

    def translate(self, replies: list[str]) -> Translated:
        """Each reply in English where the content has its English: a topic's steps as a
        whole, every other line on its own; lines without an English twin stay as they are."""
        out: list[str] = []
        steps_of: str | None = None
        chinese_left = False
        count = 0
        for reply in replies:
            whole = self._blocks.get(reply.strip())
            if whole is not None:
                steps_of = steps_of or whole[0]
                out.append(whole[1])
                count += 1
                continue
            lines = []
            for line in reply.splitlines():
                english = self._line(line.strip())
                if english is None:
                    chinese_left = chinese_left or is_chinese(line)
                    lines.append(line)
                else:
                    lines.append(english)
                    count += 1
            out.append("\n".join(lines))
        return Translated(out, steps_of, chinese_left, count)


def lead_for(
    content: Content,
    intent: str | None,
    danger: str | None,
    translated: Translated,
    sent: Sequence[str],
) -> str | None:
    """The English line before the reply: none when the whole reply is in English (but the
    numbers to call when it tells of danger); what the Chinese is about when some is left."""
    if translated.count == 0 or (translated.chinese_left and danger is not None):
        return lead_once(content, intent, danger, sent)
    if translated.chinese_left:
        title = content.intent(intent).title_en if intent in content.ids else None
        if title is None and translated.steps_of is not None:
            title = content.intent(translated.steps_of).title_en
        template = STEPS_IN_ENGLISH if translated.steps_of is not None else PARTLY_IN_ENGLISH
        title = title or "the reply"
        line = template.format(title=title[:1].upper() + title[1:])
        return None if block_id(line) in sent else line
    if danger is None:
        return None
    for line in (
        (DANGER_LINE if danger == "violence" else DESPAIR_LINE).strip(),
        (DANGER_LINE_AGAIN if danger == "violence" else DESPAIR_LINE_AGAIN).strip(),
    ):
        if block_id(line) not in sent:
            return line
    return None


#: English runs about twice as long as the same Chinese: a calm private reply longer than
#: this (about a phone screen) loses its "more" hint, then, after an answer, the topic's steps
#: are offered instead of given, then the topic's question goes
ENGLISH_PHONE_CHARS = 420


def _fit_phone(
    english: English, turn: Turn, translated: Translated, session: Session, chinese: list[str]
) -> None:
    """A calm English reply (or one of possible danger: its first line, with the numbers, stays)
    over :data:`ENGLISH_PHONE_CHARS`: without the "more" hint, then,
    when the message asked a question and no visitor is there now, with the steps that follow
    its answer offered ("Reply “steps” …") instead of given; still over, after an answer, the
    topic's question goes (``chinese``: the replies before translation); the offer, short,
    stays."""
    more = texts.ENGLISH["MORE_HINT"]

    if _size(turn) <= ENGLISH_PHONE_CHARS:
        return
    _offer_steps(english, turn, translated, session, more)
    if _size(turn) <= ENGLISH_PHONE_CHARS:
        return
    # the line naming the lender's own channels after an answer (which says the channels)
    lender_lines = {
        i for i, c in enumerate(chinese) if i and english._lender_line(c.strip()) is not None
    }
    if lender_lines and len(turn.replies) == len(chinese):
        turn.replies = [r for i, r in enumerate(turn.replies) if i not in lender_lines]
        chinese = [c for i, c in enumerate(chinese) if i not in lender_lines]
    # a second topic's steps beside the first: offered in one line ("Reply “steps” …")
    steps_at = [i for i, r in enumerate(turn.replies) if r.strip() in english.steps_topics]
    for i in steps_at[1:]:
        if _size(turn) <= ENGLISH_PHONE_CHARS:
            break
        spec = english.content.intent(english.steps_topics[turn.replies[i].strip()])
        turn.replies[i] = texts.ENGLISH["STEPS_OFFER"].format(title=spec.title_en or spec.title)
    if _size(turn) <= ENGLISH_PHONE_CHARS or not (turn.cues is not None and turn.cues.asked):
        return
    asked = [
        kept
        for c in chinese
        if (kept := "\n".join(line for line in c.splitlines() if line != texts.MORE_HINT))
    ]
    if (
        session.pending is not None
        and len(turn.replies) > 1
        and asked
        and _is_question(asked[-1])
        and turn.replies[-1] == english.translate([asked[-1]]).replies[0]
    ):
        # the answer stands alone; the question is not left open unseen
        turn.replies.pop()
        session.pending = None


def _size(turn: Turn) -> int:
    return sum(len(r) for r in turn.replies)


def _is_question(chinese: str) -> bool:
    return chinese.rstrip().endswith(("？", "?")) or ("回复" in chinese and "1." in chinese)


def _offer_steps(
    english: English, turn: Turn, translated: Translated, session: Session, more: str
) -> None:
    turn.replies = [
        "\n".join(line for line in r.splitlines() if line.strip() != more) for r in turn.replies
    ]
    turn.replies = [r for r in turn.replies if r.strip()]
    steps_of = translated.steps_of
    if _size(turn) <= ENGLISH_PHONE_CHARS or steps_of is None:
        return
    if turn.cues is None or not turn.cues.asked:
        return  # told, not asked ("someone is knocking on my door"): the steps are the answer
    if session.details.present:
        return  # the visitors are there now: the steps for the moment are kept
    spec = english.content.intent(steps_of)
    steps = (spec.advice.short_en or "").strip()
    at = next((i for i, r in enumerate(turn.replies) if r.strip() == steps), None)
    if at is None or at == 0:
        return  # the steps are the answer itself: kept whole
    title = spec.title_en or spec.title
    turn.replies[at] = texts.ENGLISH["STEPS_OFFER"].format(title=title)


#: the mark in ``Session.noticed`` of someone who writes English (a short reply such as "1" or
#: "yes" is answered in English too)
ENGLISH_MARK = "english"
_CHINESE = re.compile(r"[\u3400-\u9fff]")


def writes_english(text: str, session: Session) -> bool:
    """Whether to answer in English: a message written in English, or a short one with no
    Chinese ("1", "yes", "steps") from someone whose last written message was English
    (remembered in ``session.noticed``; writing Chinese switches back)."""
    if is_english(text):
        if ENGLISH_MARK not in session.noticed:
            session.noticed.append(ENGLISH_MARK)
        return True
    if _CHINESE.search(text):
        if ENGLISH_MARK in session.noticed:
            session.noticed.remove(ENGLISH_MARK)
        return False
    return ENGLISH_MARK in session.noticed


def put_in_english(english: English, turn: Turn, session: Session, *, in_group: bool) -> None:
    """The turn's replies in English where the content has them, with the one English line
    first when some is left in Chinese or the message tells of danger (never twice)."""
    urgency = turn.urgency
    danger = None
    if urgency is not None and urgency.tier != "calm":  # (a StrEnum)
        danger = urgency.kind.value if urgency.kind else "violence"
    chinese = list(turn.replies)
    translated = english.translate(turn.replies)
    turn.replies = translated.replies
    if in_group:  # English runs longer than Chinese: the group limit again
        turn.replies = cap_group(turn.replies, more=texts.ENGLISH["GROUP_MORE"])
    elif urgency is None or not urgency.urgent:
        # calm, or possible danger (its warm line with the numbers comes first and stays)
        _fit_phone(english, turn, translated, session, chinese)
    if (
        danger is not None
        and not translated.chinese_left
        and any(has_emergency_number(r) for r in turn.replies)
    ):
        danger = None  # (the numbers are in the English reply: no second line of them)
    lead = lead_for(english.content, turn.intent, danger, translated, session.sent)
    if lead:
        turn.replies.insert(0, lead)
        session.sent.append(block_id(lead))

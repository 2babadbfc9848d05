"""Someone who writes English is answered in English: a topic's steps, each direct answer, the
follow-up questions with their choices and replies, and the interface's hints — with the same
numbers as the Chinese, and the conversation stays in English for short replies ("no", "1",
"more") until the person writes Chinese."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from bot.content import FollowUp
from bot.conversation import crisis, crisis_en, numbers
from bot.conversation.english import English, is_chinese
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from tests.harness import Chat

#: numbers a reader must get right in any language: phone lines, articles, hours, amounts
_NUMBER = re.compile(r"\d[\d,.:：]*\d|\d")
#: a whole sentence of Chinese inside an English text (a term in brackets is shorter)
_CHINESE_RUN = re.compile(r"[\u4e00-\u9fff]{12,}")


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


def test_every_answer_has_english_with_the_same_numbers(
    understanding: Understanding,
) -> None:
    content = understanding.content
    answers = [a for spec in content.intents for a in spec.answers]
    missing = [a.id for a in answers if not a.short_en]
    assert not missing, missing
    for answer in answers:
        english = answer.short_en or ""
        lost = set(_NUMBER.findall(answer.short)) - set(_NUMBER.findall(english))
        assert not lost, (answer.id, lost)
        assert not _CHINESE_RUN.search(english), answer.id


def test_every_follow_up_has_english_line_for_line(understanding: Understanding) -> None:
    content = understanding.content
    for spec in content.intents:
        for follow_up in spec.follow_ups:
            assert follow_up.question_en, (spec.id, follow_up.id)
            texts = [(follow_up.reply, follow_up.reply_en)]
            for option in follow_up.options or []:
                assert option.label_en, (spec.id, follow_up.id, option.label)
                texts.append((option.reply, option.reply_en))
            if follow_up.answers is not None:
                a = follow_up.answers
                texts += [(a.affirm, a.affirm_en), (a.deny, a.deny_en), (a.unsure, a.unsure_en)]
            for chinese, english in texts:
                assert (chinese is None) == (english is None), (spec.id, follow_up.id)
                if chinese is not None:
                    lost = set(_NUMBER.findall(chinese)) - set(_NUMBER.findall(english or ""))
                    assert not lost, (spec.id, follow_up.id, lost)


def test_english_must_match_the_chinese_line_for_line() -> None:
    with pytest.raises(ValidationError, match="as many lines"):
        FollowUp.model_validate(
            {
                "id": "called",
                "question": "你打过客服电话了吗？",
                "question_en": "Have you\ncalled the hotline?",
                "answers": {"affirm": "好的。", "deny": "现在就打。"},
            }
        )


def test_a_line_without_english_stays_as_it_is(
    understanding: Understanding,
) -> None:
    content = understanding.content
    english = English(content)
    answer = content.intent("harassment").answers[0]
    translated = english.translate([f"{answer.short}\n这一行没有英文的版本哦"])
    assert translated.replies[0].startswith(answer.short_en or "?")
    assert translated.chinese_left and translated.count == 1


async def test_a_specific_question_in_english_gets_its_answer_in_english(chat: Chat) -> None:
    text = joined(await chat.say("Collectors keep calling my boss at work. Is that allowed?"))
    assert "12378" in text
    assert not any(is_chinese(line) for line in text.splitlines()), text
    assert "(English) The advice below is in Chinese" not in text


async def test_english_carries_on_through_short_replies(chat: Chat) -> None:
    first = joined(await chat.say("Two collectors are at my door, what should I do?"))
    assert "110" in first and "work ID" in first
    no = joined(await chat.say("no"))  # they showed no ID: the deny reply, in English
    assert no and not any(is_chinese(line) for line in no.splitlines()), no
    more = joined(await chat.say("more"))  # the command, never pinyin ("末热")
    assert chat.last.intent == "collector_at_door" and "依据" in more
    chinese = joined(await chat.say("他们还在门口"))  # written in Chinese: answered in Chinese
    assert any(is_chinese(line) for line in chinese.splitlines())


def test_one_word_english_replies_are_never_read_as_pinyin(understanding: Understanding) -> None:
    reader = understanding.reader
    assert reader.read("more").command is not None
    assert reader.read("no").classification.text == "no"
    assert reader.read("ni hao").classification.text != "ni hao"  # pinyin is still read


def test_the_interface_sentences_in_english_say_the_same() -> None:
    from bot.conversation import texts

    placeholder = re.compile(r"\{(\w+)\}")
    for name, english in texts.ENGLISH.items():
        chinese = getattr(texts, name)  # every key names a sentence of the interface
        assert set(placeholder.findall(english)) == set(placeholder.findall(chinese)), name
        assert set(_NUMBER.findall(chinese)) <= set(_NUMBER.findall(english)), name


async def test_a_question_asked_again_is_put_in_english_inside_its_sentence(chat: Chat) -> None:
    await chat.say("Two collectors are at my door, what should I do?")
    text = joined(await chat.say("hmm"))  # not an answer: the question again, in English
    assert not any(is_chinese(line) for line in text.splitlines()), text
    assert "?" in text


async def test_a_long_english_answer_offers_the_steps_instead(engine: Engine) -> None:
    """English runs longer than Chinese: a question answered with the topic's steps after it
    would pass a phone screen, so the steps are offered ("Reply “steps”") and come in English
    when asked; with the visitors at the door now, or told and not asked, the steps stay."""
    from bot.conversation.english import ENGLISH_PHONE_CHARS

    spec = engine.understanding.content.intent("collector_at_door")
    steps = (spec.advice.short_en or "").strip()
    asked = Chat(engine, user="en-visit-asked")
    replies = await asked.say(
        "Collectors said they will visit my home next week. Can I refuse to meet them?"
    )
    text = joined(replies)
    # the answer and the one-line offer (the answer itself may fill most of the screen)
    assert sum(len(r) for r in replies) <= ENGLISH_PHONE_CHARS + 100, text
    assert steps not in text and "“steps”" in text, text
    assert steps in joined(await asked.say("steps"))
    at_the_door = Chat(engine, user="en-door-asked")
    said = "Two men are at my door saying they collect my ICBC card debt. Do I have to open?"
    assert steps in joined(await at_the_door.say(said))
    told = Chat(engine, user="en-door-told")
    assert steps in joined(await told.say("someone from the bank is knocking on my door"))


_CRISIS_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: the numbers a crisis text may name: each one in the Chinese is in the English too
_NUMBERS = (
    numbers.POLICE,
    numbers.AMBULANCE,
    numbers.CRISIS_LINE,
    numbers.NIGHT_LINE,
    crisis_en.COMPLAINT_LINE,
)


def _has_number(text: str, number: str) -> bool:
    return re.search(rf"(?<![\d-]){re.escape(number)}(?![\d-])", text) is not None


def _crisis_texts() -> set[str]:
    """Every Chinese text constant of crisis.py (strings, and those in dicts and tuples), but
    not the fragments it imports from numbers.py."""
    fragments = {numbers.CRISIS_LINES, numbers.CRISIS_LINES_SHORT, numbers.IN_DANGER}
    found: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, str):
            if _CRISIS_CJK.search(value) and value not in fragments:
                found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, tuple | list):
            for item in value:
                collect(item)

    for name, value in vars(crisis).items():
        if not name.startswith("__"):
            collect(value)
    return found


def test_every_crisis_text_has_its_english_line_for_line() -> None:
    """bot/conversation/crisis_en.py pairs every Chinese crisis text (by reference) with its
    English: line for line, no Chinese left, the same numbers, 12356 always with its hours,
    and every crisis text covered once."""
    pairs = crisis_en.crisis_english()
    assert len(pairs) >= 40
    chinese = [zh for zh, _ in pairs]
    assert len(set(chinese)) == len(chinese), "a Chinese text is paired twice"
    for zh, en in pairs:
        assert zh.strip(), "empty Chinese"
        assert en.strip(), f"empty English for {zh!r}"
        assert len(en.split("\n")) == len(zh.split("\n")), f"line counts differ: {en!r}"
        assert _CRISIS_CJK.search(en) is None, f"Chinese left in the English: {en!r}"
        for number in _NUMBERS:
            assert _has_number(zh, number) == _has_number(en, number), f"{number} in {en!r}"
        if _has_number(en, numbers.CRISIS_LINE):
            assert "at least 18 hours a day" in en, f"12356 without its hours: {en!r}"
        lowered = en.lower()
        assert "24/7" not in lowered, en
        assert "any time" not in lowered, en
        assert "anytime" not in lowered, en
    missing = _crisis_texts() - set(chinese)
    assert not missing, f"crisis texts without English: {sorted(missing)}"


async def test_the_crisis_steps_come_in_english_to_someone_writing_english(engine: Engine) -> None:
    chat = Chat(engine, user="en-crisis")
    await chat.say("honestly I don't see a way out, maybe everyone is better off without me")
    replies = await chat.say("I'm still here. what should I do first tonight")
    text = "\n".join(replies)
    assert "12356" in text and "18 hours" in text
    assert not re.search(r"[\u4e00-\u9fff]", text), text


def test_a_line_made_of_two_interface_sentences_is_put_in_english(engine: Engine) -> None:
    """The scope line with the open question after it, in one line: both in English (the
    lead no longer says the reply is in Chinese)."""
    from bot.conversation import texts

    english = engine.understanding.english
    question = "欠款的本金大概多少？"  # a follow-up question of the content, with its English
    line = texts.SCOPE_LINE + texts.STILL_ASKING.format(question=question)
    translated = english.translate([line])
    assert translated.replies[0].startswith(texts.ENGLISH["SCOPE_LINE"]), translated
    assert "principal" in translated.replies[0] and not translated.chinese_left


async def test_a_short_question_pointing_back_is_never_out_of_scope(engine: Engine) -> None:
    """ "Should I refuse it?" after an answer about a 诉前调解 call: about the conversation (a
    question back if it cannot be placed), never the scope line."""
    from bot.conversation import texts

    chat = Chat(engine, user="points-back")
    await chat.say("I got a text that says 12368 and something about 法院. Is this real?")
    await chat.say("It says 诉前调解. What's that?")
    text = joined(await chat.say("Should I refuse it?"))
    assert texts.ENGLISH["SCOPE_LINE"] not in text and texts.SCOPE_LINE not in text, text


@pytest.mark.parametrize(
    "text",
    [
        "@助手 evry day i wake up and wish i didnt. 6 apps overdue. wat do i even do",
        "@助手 Is it true that debts die with you? Asking because I don't see another way out.",
    ],
)
async def test_possible_danger_in_english_in_a_group_keeps_the_numbers_whole(
    engine: Engine, text: str
) -> None:
    """The warm line with the numbers is never the block cut to fit a group, and the pointer to
    a private chat is in English and said once (it gives way to the numbers when both do not
    fit)."""
    response = await engine.handle(Incoming(user="en-group", text=text, room="g-en"))
    reply = "\n".join(response.replies)
    assert response.tier != "calm", reply
    assert "12356" in reply and "110" in reply, reply
    assert len(reply) <= 300, reply
    assert "群里只说要点" not in reply, reply


def test_a_line_of_english_naming_a_chinese_lender_is_english() -> None:
    assert not is_chinese("What you told me: lender: 工商银行; total owed: 30,000 yuan.")
    assert is_chinese("先打银行官方客服核实 App")


async def test_an_english_reply_gives_one_topics_steps_and_offers_the_other(
    engine: Engine,
) -> None:
    """Over a phone screen, a second topic's English steps are offered in one line; the first
    topic's steps stay whole."""
    chat = Chat(engine, user="en-two-topics")
    reply = await chat.text("Hi, I owe about 30k RMB on an ICBC credit card.")
    steps = {
        (s.advice.short_en or "").strip()
        for s in engine.understanding.content.intents
        if s.advice.short_en
    }
    assert sum(block.strip() in steps for block in chat.last.replies) <= 1, reply
    assert "Reply “steps”" in reply, reply


async def test_a_night_visit_told_in_english_is_the_quiet_hours_answer(engine: Engine) -> None:
    chat = Chat(engine, user="en-11pm")
    reply = await chat.text("they said they'll come back at 11pm tonight, is that allowed?")
    assert "22:00" in reply and "21:30" not in reply, reply

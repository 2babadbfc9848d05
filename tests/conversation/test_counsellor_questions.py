"""A counsellor's forwarded question gets its specific answer and the rules it rests on
(issue 25): a question the question bank answers confidently is answered with that answer,
whichever topic its sentence was read as; the brief names the rules that answer cites, with
their articles; 详细 gives that answer in full with its sources."""

from __future__ import annotations

import re

import pytest

from bot.conversation import counsellor
from bot.engine import Engine
from bot.facts import arabic_articles, rules_cited
from bot.storage.sessions.memory import MemoryStore
from tests.harness import Chat

BRIEF = "【给顾问的简要】"

FORWARDED = [
    "客户问：她丈夫去世了，银行要她还丈夫的信用卡，她需要还吗？",
    "客户借了某网贷平台3万，到手只有2.4万，平台说是服务费，现在要按3万还，这合法吗",
    "帮客户问：她老公婚前欠的信用卡，现在催到她这里了，她要还吗",
]


def _counsellor_chat(engine: Engine, user: str) -> Chat:
    config = engine.config.model_copy(update={"counsellors": [f"terminal:{user}"]})
    return Chat(Engine(config, engine.understanding, MemoryStore(3600)), user=user)


@pytest.mark.parametrize("said", FORWARDED)
async def test_a_question_the_bank_answers_gets_that_answer_and_its_rules(
    engine: Engine, said: str
) -> None:
    reading = engine.understanding.reader.read(said).direct_for(counsellor.CLIENT_ROLE)
    assert reading is not None and reading.confident, (said, reading)
    spec, answer = engine.understanding.content.answer(reading.answer)
    chat = _counsellor_chat(engine, "li")
    replies = await chat.say(said)
    text = "\n".join(replies)
    assert BRIEF in replies[-1]
    assert answer.short in text, text
    assert chat.last.intent == spec.id
    # the brief names the rules that answer rests on, each with the article it cites
    rules = rules_cited(engine.understanding.content.sources(answer.facts))
    named = replies[-1].split("适用规定：", 1)[1].splitlines()[0]
    first_title, first_articles = next(iter(rules.items()))
    # (the articles in Arabic figures, as practitioners write them: "第196条")
    assert first_title in named, named
    assert not first_articles or arabic_articles(first_articles[0]) in named, named
    # 详细: that answer in full, with its sources
    more = "\n".join(await chat.say("详细"))
    assert (answer.long or answer.short) in more
    for source in engine.understanding.content.sources(answer.facts):
        assert source in more, (source, more[-600:])


async def test_one_answer_for_two_sentences_is_given_once(engine: Engine) -> None:
    said = "客户说她老公去世了，银行找她还老公的卡。她丈夫走了以后，这个卡的钱她要替他还吗？"
    chat = _counsellor_chat(engine, "wang")
    replies = await chat.say(said)
    heads = [r for r in replies if r.startswith("【问题")]
    answers = [r.split("\n")[-1] for r in heads]
    assert len(answers) == len(set(answers)), replies


def test_rules_are_named_once_with_their_articles() -> None:
    rules = rules_cited(
        [
            "最高人民法院《关于适用〈民法典〉婚姻家庭编的解释（一）》（法释〔2020〕22号）第三十六条；"
            "《民法典》第一千一百六十一条",
            "最高人民法院《关于适用〈民法典〉婚姻家庭编的解释（一）》（法释〔2020〕22号）第三十三条",
            "《商业银行信用卡业务监督管理办法》（银监会令2011年第2号）第六十九条",
            "中国银行业协会《金融机构个人消费类贷款催收工作指引（试行）》",
            "最高人民法院《关于审理银行卡民事纠纷案件若干问题的规定》（2021年5月25日）",
        ]
    )
    assert rules == {
        "最高人民法院《关于适用〈民法典〉婚姻家庭编的解释（一）》": ["第三十六条", "第三十三条"],
        "《民法典》": ["第一千一百六十一条"],
        "《商业银行信用卡业务监督管理办法》": ["第六十九条"],
        "中国银行业协会《金融机构个人消费类贷款催收工作指引（试行）》": [],
        "最高人民法院《关于审理银行卡民事纠纷案件若干问题的规定》": [],
    }


def test_a_point_cut_to_one_line_keeps_the_line_its_heading_introduces() -> None:
    assert counsellor._first_line("先分清民事和刑事：\n1. 还不起是民事纠纷。\n2. 别失联。") == (
        "先分清民事和刑事：\n1. 还不起是民事纠纷。"
    )
    assert counsellor._first_line("不用还。\n理由如下") == "不用还。"


async def test_more_after_another_question_is_about_the_latest_answer(engine: Engine) -> None:
    chat = _counsellor_chat(engine, "zhao")
    brief = await chat.say(FORWARDED[0])
    assert BRIEF in brief[-1]
    case_intent = chat.last.intent
    await chat.say("那“停息挂账”到底有没有法规依据")
    latest = chat.last.intent
    assert latest != case_intent
    more = "\n".join(await chat.say("详细"))
    title = engine.understanding.content.intent(latest).title
    assert title in more and engine.understanding.content.intent(case_intent).title not in more


async def test_a_counsellor_writing_english_gets_the_points_and_brief_in_english(
    engine: Engine,
) -> None:
    """An English-writing counsellor: the introduction and "Please cite the article." are not
    the client's questions (never read as a topic of their own), and the points, the brief's
    words and its questions come in English; the rules keep their official Chinese titles."""
    chat = _counsellor_chat(engine, "ellen")
    replies = await chat.say(
        "I'm a legal aid volunteer in Shanghai helping a client. Which regulation limits who"
        " collectors can contact? Please cite the article."
    )
    text = "\n".join(replies)
    assert "[Brief for the counsellor]" in replies[-1], text
    assert "Rules (official Chinese titles): 《" in replies[-1], text
    assert text.count("[Question ") == 1, text  # one question: neither aside is a question
    assert "Client's words: Which regulation" in text, text
    assert not any(n in text for n in ("12356", "120", "110")), text  # no crisis read into it
    # the point itself is English (Chinese only inside the rules' titles and glosses)
    point = replies[0].splitlines()[2]
    assert re.fullmatch(r"[^\u4e00-\u9fff]*(?:[\u4e00-\u9fff]{1,8}[^\u4e00-\u9fff]*)?", point), (
        point
    )
    assert replies[-1].endswith(
        "Reply “more” for each question's full answer and the rules behind it."
    )


def test_a_brief_keeps_the_points_and_leaves_hotlines_out_of_its_rules() -> None:
    """Over the budget, the brief's tail (what to ask, then the rules) goes before a point
    does: the point is the answer; a telephone line is never listed as a rule."""
    parts = [("【问题1/1：甲】", "第一行要点。\n第二行细节" + "很长" * 40)]
    brief = (
        "【给顾问的简要】\n情况：甲\n适用规定：" + "规" * 120 + "\n建议向客户了解：" + "问" * 100
    )
    replies = counsellor._fit(parts, brief, 200, more="回复“详细”。")
    text = "\n".join(replies)
    assert "第一行要点" in text and len(text) <= 200 + len(replies), text
    assert "建议向客户了解" not in text and "情况：甲" in text
    assert counsellor._PHONE_LINE.search("公安机关报警电话110")
    assert counsellor._PHONE_LINE.search("公安机关反诈预警劝阻专线96110")
    assert not counsellor._PHONE_LINE.search("《商业银行信用卡业务监督管理办法》")

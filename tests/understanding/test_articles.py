"""The laws and articles a message names, and the answers resting on them
(bot/understanding/articles.py)."""

from __future__ import annotations

from bot.engine import Engine
from bot.understanding.articles import ArticleIndex, cited, references
from tests.harness import Chat


def test_articles_are_read_with_the_law_named_before_them() -> None:
    assert references("2018解释第6条具体怎么推定") == {("card_interpretation", "6")}
    assert references("那刑法293之一能用吗") == {("criminal_law", "293之一")}
    assert references("民法典第一千零六十四条怎么理解") == {("civil_code", "1064")}
    assert references("第六十八条原话是什么") == {(None, "68")}
    assert references("信用卡办法§70") == {("card_rules", "70")}


def test_counts_and_laws_named_in_passing_are_no_reference() -> None:
    assert references("一天收到3条短信") == frozenset()
    assert references("会不会触犯刑法") == frozenset()  # named in passing
    assert references("刑法哪条管暴力催收") == {("criminal_law", None)}  # which rule: asked
    assert references("恐吓辱骂走治安管理处罚法吗") == {("public_security", None)}


def test_fact_sources_are_read_into_laws_and_articles() -> None:
    source = (
        "最高人民法院、最高人民检察院《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》"
        "第六条、第七条"
    )
    assert {("card_interpretation", "6"), ("card_interpretation", "7")} <= cited([source])
    assert ("criminal_law", "293之一") in cited(
        ["《刑法》第二百九十三条之一（2021年3月1日起施行）"]
    )


def test_an_answer_about_the_rule_gets_more_than_one_it_only_rests_on(
    engine: Engine,
) -> None:
    content = engine.understanding.content
    ids = ["about", "behind", "other"]
    facts = [
        ["interpretation_2018_6_evasion"],
        ["channel_bank_first", "interpretation_2018_6_evasion"],
        ["channel_bank_first"],
    ]
    index = ArticleIndex(facts, content.facts)
    evidence = index.evidence("两高解释第6条怎么理解", 12.0, 5.0)
    assert evidence is not None
    about, behind, other = (float(evidence[i]) for i in range(len(ids)))
    assert about == 12.0 and behind == 6.0 and other == 0.0
    assert index.evidence("催收的人在门口", 12.0, 5.0) is None


async def test_a_counsellor_asking_by_article_gets_the_answer_about_it(engine: Engine) -> None:
    chat = Chat(engine, user="article-1")
    for question, point in (
        ("2018解释第6条具体怎么推定", "改变联系方式"),
        ("那刑法293之一能用吗？催收方态度很恶劣", "非法债务"),
        ("我上午问的时效中断，催收短信算不算", "第三条"),
    ):
        reply = await chat.text(question)
        assert point in reply, (question, reply)

"""Direct answers by audience (the answer meant for who is speaking), the answers added for
family, money handed over, the fraud app, threats and the collector's side (each asked in
words that are not its examples), and English at the door."""

from __future__ import annotations

import numpy as np
import pytest

from bot.engine import Engine, Understanding
from bot.understanding.direct_answers import (
    AUDIENCES_FOR_ROLE,
    AnswerTable,
    DirectScores,
    SelectorParameters,
)
from tests.harness import Chat


def _audience(understanding: Understanding, answer_id: str) -> str:
    return understanding.content.answer(answer_id)[1].audience


# -- the match among the answers meant for a role (pure) -------------------------------------------


def _scores(audiences: tuple[str, ...], scores: tuple[float, ...]) -> DirectScores:
    answers = tuple((f"a{i}", "topic") for i in range(len(audiences)))
    lenders = tuple(("any",) for _ in answers)
    table = AnswerTable.build(list(answers), audiences, lenders)
    return DirectScores(table, np.array(scores), none_score=3.0, params=SelectorParameters())


def test_match_takes_the_best_answer_meant_for_the_role() -> None:
    scores = _scores(("debtor", "staff", "helper", "any"), (12.0, 9.0, 2.0, 1.0))
    assert scores.match(None).answer == "a0"  # unknown speaker: the words decide
    staff = scores.match("staff")
    assert staff is not None and staff.answer == "a1" and staff.confident
    assert staff.runner_up == "a3"  # the debtor's answer is not even the runner-up
    helper = scores.match("helper")
    assert helper is not None and helper.answer == "a0"
    assert scores.match("debtor").answer == "a0"
    assert scores.match("someone else").answer == "a0"  # an unknown role counts as unknown


def test_the_probability_is_taken_within_the_role() -> None:
    """A staff answer far below the debtor's is confident for staff only when it beats the
    "no specific question" class on its own."""
    scores = _scores(("debtor", "staff"), (12.0, 2.0))
    staff = scores.match("staff")
    assert staff is not None and not staff.confident  # 2.0 is under the none class (3.0)
    assert scores.match(None).confident


def test_staff_answers_need_clear_words_while_the_role_is_unknown() -> None:
    penalty = SelectorParameters().unknown_role_staff_penalty
    assert penalty > 0
    scores = _scores(("debtor", "staff"), (6.0, 6.0 + penalty / 2))
    assert scores.match(None).answer == "a0"  # a slight staff lead is not enough
    assert scores.match("staff").answer == "a1"
    clear = _scores(("debtor", "staff"), (6.0, 6.0 + 2 * penalty))
    assert clear.match(None).answer == "a1"


def test_no_answer_for_the_role_is_none() -> None:
    assert _scores(("debtor", "helper"), (5.0, 4.0)).match("staff") is None


def test_every_role_may_get_the_answers_for_anyone() -> None:
    assert all("any" in allowed for allowed in AUDIENCES_FOR_ROLE.values())
    assert "debtor" not in AUDIENCES_FOR_ROLE["staff"]
    assert "staff" not in AUDIENCES_FOR_ROLE["helper"]


def test_every_audience_in_the_content_is_known(understanding: Understanding) -> None:
    known = set().union(*AUDIENCES_FOR_ROLE.values())
    for spec in understanding.content.intents:
        for answer in spec.answers:
            assert answer.audience in known, answer.id


# -- the reader ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("去了客户家 开门的就一个小学生", "staff_elderly_children"),
        ("欠款人家里只剩他八十岁的老母亲", "staff_elderly_children"),
        ("我们做外访的 可以拍欠款人门牌发到组里吗", "staff_share_info"),
        ("客户电话老打不通 一天能打多少次", "staff_phone_collection"),
    ],
)
def test_a_collectors_question_gets_the_staff_answer(
    understanding: Understanding, text: str, answer: str
) -> None:
    understood = understanding.reader.read(text)
    direct = understood.direct_for("staff")
    assert direct is not None and direct.confident and direct.answer == answer


@pytest.mark.parametrize(
    "text",
    [
        "我不在家 就我闺女一个人在 有人敲门说来要账",
        "家里只剩我老娘 有俩人说是银行的来要钱",
        "我们要不要开门",
        "爸妈要替我还吗",
        "报警了 他们就走了",
        "派出所的人来过了",
    ],
)
def test_a_debtor_never_gets_a_staff_answer(understanding: Understanding, text: str) -> None:
    understood = understanding.reader.read(text)
    for role in (None, "debtor", "helper"):
        direct = understood.direct_for(role)
        assert (
            direct is None
            or not direct.confident
            or _audience(understanding, direct.answer) != "staff"
        ), (role, text)


def test_staff_never_get_a_debtor_answer(understanding: Understanding) -> None:
    for text in ("催收在敲门 我要不要开门", "我爸妈要替我还钱吗", "能不能只还本金"):
        direct = understanding.reader.read(text).direct_for("staff")
        assert direct is None or _audience(understanding, direct.answer) in {"staff", "any"}


def test_the_message_own_role_chooses_the_stored_answer(understanding: Understanding) -> None:
    understood = understanding.reader.read("我是做外访的 客户家里只有孩子")
    assert understood.details.role == "staff"
    assert understood.direct is not None and understood.direct.answer == "staff_elderly_children"
    assert understood.direct_for("staff") == understood.direct


# -- the new answers, asked in other words ---------------------------------------------------------

NEW_PHRASINGS = [
    ("催收老给我妈打电话 说儿子不还就找她", "family_contacted"),
    ("网贷的人天天打我爸手机 让他帮我还上", "family_contacted"),
    ("跟我爸妈要怎么说这个事", "tell_family"),
    ("我奶奶一个人住 要提醒她什么", "tell_family"),
    ("结婚前欠的卡债 我老婆有没有责任", "spouse_premarital"),
    ("他婚前借的钱 跟我有啥关系", "spouse_premarital"),
    ("公司领导说催收再打来就让我卷铺盖走人", "workplace_job_fear"),
    ("催收打到单位 我怕被开掉", "workplace_job_fear"),
    ("催收发消息说下礼拜到我厂里找我", "workplace_visit_announced"),
    ("给那人的钱银行认不认啊", "does_it_count"),
    ("打到他私人账户上的 算不算我还的", "does_it_count"),
    ("客服说没查到我这笔还款", "payment_not_received"),
    ("那三千块能追回来吗", "get_money_back"),
    ("按他说的下了个软件 还把屏幕共享给他了", "app_installed"),
    ("银行卡密码得改吗", "change_password"),
    ("卡里余额还在 没少", "money_still_there"),
    ("欠钱会被拘留吗", "detention_fear"),
    ("说下周就到法院起诉我", "lawsuit_threat"),
    ("协议我能带回家看看再签吗", "sign_take_time"),
    ("我爸老实 怕他们让按手印他就按了", "tell_family"),
    ("小区监控拍到他们了", "cctv_footage"),
    ("孩子上下学要不要我亲自接", "child_threatened"),
    ("有办法让他们以后别来了吗", "no_contact_order"),
    ("门上被写的字能先擦吗", "property_damaged"),
    ("报警了 可警察说欠钱是民事纠纷不归他们管", "police_say_civil"),
]


@pytest.mark.parametrize(("text", "answer"), NEW_PHRASINGS)
def test_new_answers_in_other_words(understanding: Understanding, text: str, answer: str) -> None:
    _spec, chosen = understanding.content.answer(answer)
    role = "staff" if chosen.audience == "staff" else None
    direct = understanding.reader.read(text).direct_for(role)
    assert direct is not None and direct.confident and direct.answer == answer, direct


# -- through the engine ----------------------------------------------------------------------------


async def test_a_collector_asking_about_children_gets_the_staff_answer(engine: Engine) -> None:
    chat = Chat(engine, user="collector")
    await chat.text("我们外访员想请教几个问题")
    reply = await chat.text("客户家里只有个小孩在 怎么办")
    _spec, answer = engine.understanding.content.answer("staff_elderly_children")
    assert reply.startswith(answer.short.strip()), reply
    assert "110" not in reply.split("\n")[0]


async def test_a_debtor_with_children_at_home_gets_no_staff_answer(engine: Engine) -> None:
    chat = Chat(engine, user="debtor")
    reply = await chat.text("家里就我儿子一个人在 门口有催收的在敲门")
    _spec, staff = engine.understanding.content.answer("staff_elderly_children")
    assert staff.short.strip() not in reply
    assert "门" in reply


# -- English at the door ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Debt collectors are outside my door, what should I do?",
        "two collectors knocking at my door right now",
        "guys from the bank at my house what can i do",
    ],
)
def test_english_at_the_door_reaches_the_door_topic(
    understanding: Understanding, text: str
) -> None:
    understood = understanding.reader.read(text)
    assert understood.top.intent in {"collector_at_door", "threat_or_violence"}, understood.ranking
    assert understood.details.place == "home"


def test_english_refusing_to_leave_is_urgent(understanding: Understanding) -> None:
    from bot.conversation.policies.urgency import flagged

    read = understanding.reader.read("the collector refuses to leave my house")
    assert flagged(read.classification).urgent == ["threat_or_violence"]


def test_english_words_are_replaced_as_whole_words_only(understanding: Understanding) -> None:
    norm = understanding.classifier.normalizer.normalize
    assert norm("banking app").text == "banking app"
    assert norm("BANK   people").text == "银行 people"
    assert norm("they won’t leave").text == "they 不肯走"


async def test_english_door_message_gets_door_advice(engine: Engine) -> None:
    chat = Chat(engine, user="english")
    reply = await chat.text("someone from the bank is knocking on my door")
    spec = engine.understanding.content.intent("collector_at_door")
    assert (spec.advice.short_en or spec.advice.short).strip() in reply


def test_repeated_short_texts_are_read_once_and_the_cache_is_bounded(
    understanding: Understanding, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.understanding import reader as reader_module
    from bot.understanding.reader import Reader

    monkeypatch.setattr(reader_module, "CACHE_ENTRIES", 3)  # read when a reader is built
    reader = Reader(understanding.reader.classifier, understanding.reader.selector)
    first = reader.read("信用卡逾期了怎么办")
    assert reader.read("信用卡逾期了怎么办") is first  # the same reading, not read again
    for text in ("你好", "在吗", "谢谢", "好的"):
        reader.read(text)
    assert reader._cached_read.cache_info().currsize == 3  # the oldest went first
    assert reader.read("信用卡逾期了怎么办") is not first  # read again once it went
    long = "催收" * 200
    assert reader.read(long).text == reader.read(long).text
    assert reader.read(long) is not reader.read(long)  # long texts are not kept
    assert reader._cached_read.cache_info().currsize == 3

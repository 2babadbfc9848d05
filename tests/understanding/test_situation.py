"""read_situation: who speaks, credentials, police, left, let in, paid, a paper, where —
and the negations and look-alikes that must not count."""

from __future__ import annotations

import pytest

from bot.understanding.details import extract_details
from bot.understanding.details.situation import read_situation
from bot.understanding.normalize import Normalizer

CASES: list[tuple[str, dict[str, object]]] = [
    ("催收说明天去我公司找我", {"place": "workplace"}),
    ("我是做外访的 客户不开门怎么办", {"role": "staff"}),
    ("我是银行信用卡中心的 想问上门要注意什么", {"role": "staff"}),
    ("客户报警了怎么办", {"role": "staff", "police": "called"}),
    ("我们外访员上门前要准备啥", {"role": "staff"}),
    ("欠款人老是不接 还能打吗", {"role": "staff"}),
    ("客户家中就剩个老太太", {"role": "staff"}),
    ("我们可不可以联系欠款人的同事", {"role": "staff"}),
    ("我们下礼拜准备外访 要带什么", {"role": "staff"}),
    ("做贷后要注意哪些红线", {"role": "staff"}),
    ("我妈欠了信用卡 被催收上门", {"role": "helper"}),
    ("帮我爸问一下 网贷逾期了怎么办", {"role": "helper"}),
    ("他们没出示证件", {"credentials": False}),
    ("没看到什么证", {"credentials": False}),
    ("工作证给我看了", {"credentials": True}),
    ("出示了工作证和委托书", {"credentials": True}),
    ("报警了", {"police": "called"}),
    ("打过了 说在路上", {"police": "called"}),
    ("警察马上到", {"police": "called"}),
    ("警察说五分钟到", {"police": "called"}),
    ("报了 派出所说马上到 我弟现在该干嘛", {"police": "called"}),
    ("警察来了", {"police": "arrived"}),
    ("他们走了", {"left": True}),
    # a few words of how between them and their going
    ("我报警了 他们一听就下楼走了", {"left": True, "police": "called"}),
    ("那两个人骂了几句就走了", {"left": True}),
    # the police came and dealt with it; someone else sent them away
    ("报警了 警察给我做了笔录", {"police": "arrived"}),
    ("民警把那两个人带走了", {"police": "arrived"}),
    ("保安把横幅收了 人也走了", {"left": True}),
    ("村里治保主任过来把他们劝走了", {"left": True}),
    ("我妈让他们进来了", {"let_in": True}),
    ("我已经转了2000到他个人账户", {"paid": "personal"}),
    ("扫了他的码付了", {"paid": "personal"}),
    ("是借款确认书", {"document": "借款确认书"}),
    ("要我签一份还款承诺书", {"document": "还款承诺书"}),
    ("他们要我妈签字", {"document": "文件"}),
    ("他们说我欠了三万八，让我开门签个字", {"document": "文件"}),
    ("他们说要去我单位找我", {"place": "workplace"}),
    ("说要去我老家", {"place": "family_home"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reads_the_situation(text: str, expected: dict[str, object]) -> None:
    found = read_situation(text)
    for key, value in expected.items():
        assert found.get(key) == value, (text, found)


@pytest.mark.parametrize("text", ["没报警", "要不要报警", "不敢报警", "能报警吗"])
def test_a_police_question_or_negation_is_not_police_called(text: str) -> None:
    assert "police" not in read_situation(text)


@pytest.mark.parametrize(
    "text",
    ["我们家被外访了", "我们小区来了电催的人", "他们说我们这边外访很多", "做催收的人来我家了"],
)
def test_a_debtor_speaking_of_collectors_is_not_staff(text: str) -> None:
    assert read_situation(text).get("role") != "staff"


@pytest.mark.parametrize("text", ["他们还没走", "我没转钱", "不让他们进来", "我不签"])
def test_negations_do_not_count(text: str) -> None:
    found = read_situation(text)
    assert found.get("left") is not True
    assert "paid" not in found and found.get("let_in") is not True


def test_the_situation_reaches_details_through_normalisation() -> None:
    """Traditional and full-width text is read after normalisation (as the reader does)."""
    found = extract_details("他們沒出示證件".translate(str.maketrans("們沒證", "们没证")))
    assert found.credentials is False
    assert Normalizer  # the reader normalises first (see test_normalize)


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "😀" * 50, "报警" * 5000])
def test_never_raises(text: str) -> None:
    assert isinstance(read_situation(text), dict)


def test_a_corrected_paper_is_the_one_named_after_shi() -> None:
    assert extract_details("不是欠条 是叫什么还款计划确认").document == "还款计划"
    assert extract_details("让我按个手印").document == "文件"


@pytest.mark.parametrize(
    "text",
    [
        "晚上11点了，有两个人在门口",
        "昨晚十一点半还打来了",
        "半夜有人敲门",
        "凌晨两点打电话",
        "23:30还在打电话",
        "早上6点半就来敲门",
        "晚上十点多 楼下有人喊我名字",
    ],
)
def test_the_quiet_hours_are_read(text: str) -> None:
    assert read_situation(text).get("night") is True


@pytest.mark.parametrize(
    "text",
    [
        "晚上9点来的",
        "21:30来敲门",
        "下午3点打的电话",
        "不是半夜 是下午",
        "我10点上班",
        "十二点吃饭",
        "现在快十一点了",
    ],  # (no part of the day said: 11 in the morning as well)
)
def test_other_hours_are_not_the_quiet_hours(text: str) -> None:
    assert "night" not in read_situation(text)


def test_a_creditors_company_is_no_workplace_and_a_later_transfer_no_payment() -> None:
    """Found when the conversation began saying back what it remembered: "债权转让给XX资产
    管理公司" had been read as a visit to the workplace, "说转过去以后要另外收" as money paid."""
    assert "place" not in read_situation(
        "收到一个通知，说我在光大银行的信用卡债权已经转让给XX资产管理公司，以后还给他们"
    )
    assert "paid" not in read_situation("他们说转过去以后要另外收3000服务费")
    assert read_situation("我已经转过去了2000").get("paid") is not None


@pytest.mark.parametrize("text", ["他们说不走了", "他们说要等到我回来才走", "他们说明天就走了吗"])
def test_their_words_about_going_are_not_their_going(text: str) -> None:
    assert read_situation(text).get("left") is not True

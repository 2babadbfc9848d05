"""Reading a paper's text never fails and never takes long, whatever the OCR hands over."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.photo import answer_reading, read_document
from bot.photo.document import DocKind
from bot.photo.reader import Reading
from bot.privacy import mask

PIECES = [
    "催收函",
    "律师函",
    "律师事务所",
    "人民法院",
    "传票",
    "收款人：",
    "账号：",
    "户名",
    "6222021234567890",
    "13812345678",
    "人民币",
    "12,345.67元",
    "2026年12月5日前",
    "立案",
    "安全账户",
    "公安",
    "转账",
    "通知您的单位",
    "家人",
    "黑名单",
    "子女",
    "上门",
    "wxp://f2f0",
    "https://qr.alipay.com/x",
    "银行",
    "有限公司",
    "委托",
    "（",
    "）",
    ":",
    "\n",
    " ",
    "1",
    "0",
    "年",
    "月",
    "日",
]
LINES = st.lists(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=20).map("".join),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    lines=LINES, qr=st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=40)), max_size=3)
)
def test_any_text_is_read_without_failing(lines: list[str], qr: list[str]) -> None:
    document = read_document(lines, qr)
    assert isinstance(document.kind, DocKind)
    answer = answer_reading(Reading(lines=tuple(lines), qr_codes=tuple(qr)))
    assert answer.replies and all(isinstance(r, str) and r for r in answer.replies)
    if answer.masked_text:  # what may be logged or recorded is the masked text
        assert answer.masked_text == mask(document.text)


def test_a_huge_text_is_read_quickly() -> None:
    lines = ["受招商银行委托北京某某资产管理有限公司通知您的单位和家人立案12,345.67元" * 40] * 60
    started = time.perf_counter()
    read_document(lines, ["wxp://x" * 500])
    assert time.perf_counter() - started < 2.0

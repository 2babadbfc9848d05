"""Normalisation: width, script, decorations, variant spellings, pinyin, filtered words."""

from __future__ import annotations

import pytest

from bot.engine import Understanding
from bot.understanding.normalize import MAX_ANALYSED_CHARS


@pytest.fixture(scope="module")
def norm(understanding: Understanding):
    return understanding.classifier.normalizer.normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＣＳ上门了，怎么办？", "催收上门了,怎么办?"),  # full-width → half-width, CS → 催收
        ("催收人員在門口", "催收人员在门口"),  # Traditional → Simplified
        ("[捂脸]催收的人来了[流泪]", "催收人员来了"),  # WeChat emoji codes, variant 催收的人
        ("@催收应对助手\u2005有人在门口", "有人在门口"),  # @mention with WeChat's U+2005
        ("崔收打电话", "催收打电话"),
        ("催手说要上们", "催收说要上门"),
        ("tingxi guazhang zenme ban", "停息挂账怎么办"),
        ("cuishou shangmen le", "催收上门了"),
        ("😭😭 不想活了 🙏", "不想活了"),
        ("a\x00b\u200bc\x07", "abc"),
        ("俺家来了俩人 让俺签字 这咋整", "我家来了俩人 让我签字 这怎么办"),  # northern Mandarin
    ],
)
def test_normalises(norm, raw: str, expected: str) -> None:
    assert norm(raw).text == expected


def test_english_words_are_not_read_as_pinyin(norm) -> None:
    assert norm("python 怎么读取文件").text == "python 怎么读取文件"
    assert norm("help").text == "help"


def test_in_english_only_pinyin_that_reads_as_whole_words_is_read(norm) -> None:
    # "mate" is no 吗特; "jianmian", "lixi" and "cuishou" are words of the debt
    assert "mate" in norm("brilliant, mate, cheers for the tips, I owe you a beer").text
    text = norm("Cuishou say can jianmian some lixi if I pay 3000 in 3 days").text
    assert "催收" in text and "减免" in text and "利息" in text and "say can" in text


@pytest.mark.parametrize("name", ["助手", "小助手", "机器人"])
def test_the_bot_addressed_by_a_usual_name_is_not_read(norm, name: str) -> None:
    assert norm(f"@{name} 收到 我截图发他").text == "收到 我截图发他"


def test_filtered_word_restored(norm) -> None:
    result = norm("信用卡上门怎么办")
    assert result.restored_filtered_word
    assert "催收" in result.text


def test_filtered_word_not_added_when_present_or_unrelated(norm) -> None:
    assert not norm("催收上门怎么办").restored_filtered_word
    assert not norm("快递上门取件").restored_filtered_word


def test_huge_input_is_truncated(norm) -> None:
    result = norm("催收" * 100_000)
    assert result.truncated
    assert len(result.text) <= MAX_ANALYSED_CHARS


def test_empty_and_symbols(norm) -> None:
    assert norm("").text == ""
    assert norm("   \n\t ").text == ""
    assert norm("👍👍🎉").text == ""


@pytest.mark.parametrize(
    ("marked", "plain"),
    [
        ("cuī shōu de rén zài wǒ jiā mén kǒu", "cui shou de ren zai wo jia men kou"),
        (
            "Xiéshāng huánkuǎn de shíhou yīnggāi zěnme shuō",
            "xieshang huankuan de shihou yinggai zenme shuo",
        ),
        (
            "Cuīshōu bào de jīn'é gēn yínháng zhàngdān bù yíyàng",
            "cuishou bao de jin'e gen yinhang zhangdan bu yiyang",
        ),
        ("nǚ'ér de xuéxiào", "nv'er de xuexiao"),
    ],
)
def test_pinyin_with_tone_marks_reads_as_without(norm, marked: str, plain: str) -> None:
    """Pinyin typed with its tone marks (as input methods and copied text give it) is read
    exactly as the same pinyin without them: into Chinese, never into stray characters."""
    assert norm(marked).text == norm(plain).text
    assert not norm(marked).text.isascii()  # read into Chinese


def test_a_character_opencc_converts_in_two_steps_is_normalised_once_for_all(norm) -> None:
    once = norm("薴").text  # t2s: 薴 → 苧 → 苎
    assert norm(once).text == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("at my door 有人", None),  # an English phrase among Chinese
        ("someone AT\tMY   door", None),  # any run of spaces between its words
        ("催收 at my door", None),
        ("催收上门了", "催收上门了"),  # no Latin letter: the phrases are not even tried
    ],
)
def test_english_phrases_are_read_whatever_surrounds_them(
    norm, understanding: Understanding, raw: str, expected: str | None
) -> None:
    normalizer = understanding.classifier.normalizer
    text = norm(raw).text
    if expected is not None:
        assert text == expected
    else:  # read: the phrase is gone, its reading is there
        assert "door" not in text
        assert normalizer._english_map["at my door"] in text

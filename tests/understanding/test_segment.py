"""The segmenter finds exactly the words jieba finds (it follows jieba's own path search)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engine import Understanding
from bot.understanding.segment import _WORD, Segmenter

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "messages"


@pytest.fixture(scope="module")
def segmenter(understanding: Understanding) -> Segmenter:
    return understanding.classifier.segmenter


def _jieba_words(segmenter: Segmenter, text: str) -> tuple[str, ...]:
    return tuple(w for w in segmenter._tokenizer.cut(text, HMM=False) if _WORD.search(w))


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "催收上门了,怎么办?",
        "abc def 123 x1y2 c++ 和 c#",
        "催收abc def%#&.-_说要上门",
        "\u9fd6\u9fff啊 \r\n 好",  # CJK beyond jieba's blocks, a CRLF
        "𠀀中文 ÀÉ ａｂ",
        "我信用卡逾期了三个月,每天接到好几个电话",
        "研究生命起源",  # a classic ambiguous segmentation
    ],
)
def test_the_same_words_as_jieba(segmenter: Segmenter, text: str) -> None:
    assert segmenter._segment(text) == _jieba_words(segmenter, text)


def test_the_same_words_as_jieba_on_the_corpus(
    segmenter: Segmenter, understanding: Understanding
) -> None:
    normalize = understanding.classifier.normalizer.normalize
    texts = []
    for path in sorted(CORPUS.glob("*.jsonl"))[:6]:
        with path.open(encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in lines if line.strip()]
    assert texts
    for text in texts[:3000]:
        normal = normalize(text).text
        assert segmenter._segment(normal) == _jieba_words(segmenter, normal), normal
        assert segmenter._segment(text) == _jieba_words(segmenter, text), text

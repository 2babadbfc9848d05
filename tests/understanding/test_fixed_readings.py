"""The readings of fixed texts: shipped with the weights, used only for the inputs they were
made from, and never different from reading the texts afresh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import Content, load_content
from bot.learning.model import WEIGHTS_DIR
from bot.learning.training import export_readings
from bot.understanding.fixed_readings import (
    FILE_NAME,
    Keys,
    ReadingStore,
    file_status,
    has_latin,
    shared_store,
)
from bot.understanding.reader import ADDRESS_NAMES, Reader

REPO = Path(__file__).resolve().parents[2]
NAMES = ("催收应对助手",)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(REPO / "intents")


@pytest.fixture(scope="module")
def exported(content: Content, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_readings(content, NAMES, tmp_path_factory.mktemp("weights"))


def _fresh_features(reader: Reader, text: str) -> tuple[str, ...]:
    c = reader.classifier
    normal = c.normalizer.normalize(text).text
    return tuple(c._features(normal, c.segmenter.cut(normal)))


def test_exported_readings_equal_reading_afresh(content: Content, exported: Path) -> None:
    keys = Reader.keys_for(content, NAMES)
    store = ReadingStore(keys)
    taken = store.seed(exported)
    assert taken > 5_000  # examples, answers' examples, labelled questions, keywords
    reader = Reader.build(content, NAMES, models={}, readings=ReadingStore(keys))
    examples = [e for spec in content.intents for e in spec.examples]
    examples += [e for spec in content.intents for a in spec.answers for e in a.examples]
    latin = [e for e in examples if has_latin(e)]
    assert latin, "some examples are English or pinyin"
    for text in examples[::7] + latin:
        assert store.features(text, lambda t: ("not read",)) == _fresh_features(reader, text)


def test_a_reader_from_shipped_readings_classifies_as_one_from_scratch(
    content: Content, exported: Path
) -> None:
    keys = Reader.keys_for(content, NAMES)
    seeded = ReadingStore(keys)
    seeded.seed(exported)
    a = Reader.build(content, NAMES, readings=seeded)
    b = Reader.build(content, NAMES, readings=ReadingStore(keys))
    for text in ("催收的人在门口", "能不能停息挂账分60期", "cuishou keeps calling my mum", "你好"):
        ra, rb = a.read(text), b.read(text)
        assert [(r.intent, round(r.score, 9)) for r in ra.ranking] == [
            (r.intent, round(r.score, 9)) for r in rb.ranking
        ]
        assert (ra.direct and ra.direct.answer) == (rb.direct and rb.direct.answer)


def test_other_inputs_never_take_the_readings(content: Content, exported: Path) -> None:
    keys = Reader.keys_for(content, NAMES)
    # another lexicon: nothing is taken
    lexicon = content.lexicon.model_copy(
        update={"variants": {**content.lexicon.variants, "崔": "催"}}
    )
    other = Keys.of(lexicon, content.dictionary, (*NAMES, *ADDRESS_NAMES), "x")
    assert ReadingStore(other).seed(exported) == 0
    assert file_status(other, exported) is not None
    # another pinyin index only: the plain readings are taken, the Latin ones are not
    same_plain = Keys(keys.plain, "another pinyin index")
    store = ReadingStore(same_plain)
    assert store.seed(exported) > 0
    assert all(not has_latin(t) for t in store._features)
    assert file_status(keys, exported) is None


def test_a_broken_or_missing_file_is_read_as_none(tmp_path: Path, content: Content) -> None:
    keys = Reader.keys_for(content, NAMES)
    (tmp_path / FILE_NAME).write_bytes(b"\x00not gzip")
    assert ReadingStore(keys).seed(tmp_path / FILE_NAME) == 0
    assert ReadingStore(keys).seed(tmp_path / "missing.json.gz") == 0
    assert file_status(keys, tmp_path / "missing.json.gz") is not None


def test_a_private_store_is_never_exported(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="private store"):
        ReadingStore(None).export(tmp_path / FILE_NAME)


def test_shared_store_is_one_per_vocabulary(content: Content) -> None:
    keys = Reader.keys_for(content, NAMES)
    assert shared_store(keys, None) is shared_store(keys, None)


def test_full_width_letters_count_as_latin() -> None:
    assert has_latin("ｃｓ又打电话")
    assert has_latin("cs又打电话")
    assert not has_latin("催收又打电话了！")


def test_the_shipped_readings_match_the_shipped_content(content: Content) -> None:
    """`python -m bot train` (or `train --readings-only`) keeps them in step; start-up reads
    every example again when they do not match."""
    from bot.config import load_config
    from bot.engine import _addressed_names

    names = _addressed_names(load_config(REPO / "config.yaml"))
    assert file_status(Reader.keys_for(content, names), WEIGHTS_DIR / FILE_NAME) is None


def test_check_says_when_the_readings_do_not_match(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        (REPO / "config.yaml")
        .read_text(encoding="utf-8")
        .replace("bot_name: 催收应对助手", "bot_name: 另一个名字"),
        encoding="utf-8",
    )
    assert "另一个名字" in config.read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "readings" in done.stdout and "--readings-only" in done.stdout

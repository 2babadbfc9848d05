"""The photo check on photos the tests draw: OCR accuracy, each check, bad input, privacy."""

from __future__ import annotations

import io
import logging
import struct
import unicodedata
import zlib
from collections.abc import Callable

import pytest
from PIL import Image

from bot.photo import answer_reading, check_photo, read_document
from bot.photo import texts as photo_texts
from bot.photo.document import DocKind
from bot.photo.reader import PhotoReader, Reading
from tests.photo import render
from tests.photo.samples import PRINTED, photo_bytes, reading


def _chars(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace())


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def test_ocr_reads_clean_letters_with_at_least_95_percent_of_characters_right(
    report_figure: Callable[[str], None],
) -> None:
    errors = total = 0
    for name, lines in PRINTED.items():
        expected = _chars("".join(lines))
        got = _chars("".join(reading(name).lines))
        errors += _distance(expected, got)
        total += len(expected)
    accuracy = 1 - errors / total
    line = f"photo OCR character accuracy on {len(PRINTED)} clean letters: {accuracy:.2%}"
    print(line)
    report_figure(line)
    assert accuracy >= 0.95


def codes(name: str, damaged: bool = False, *, in_group: bool = False) -> list[str]:
    return answer_reading(reading(name, damaged), in_group=in_group).codes


def test_a_collection_letter_with_a_personal_payee_and_threats() -> None:
    answer = answer_reading(reading("collection_bad"))
    document = read_document(reading("collection_bad").lines, reading("collection_bad").qr_codes)
    assert document.kind is DocKind.COLLECTION
    assert "招商银行" in document.lenders
    assert any("资产管理有限公司" in c for c in document.companies)
    assert 12345.67 in document.amounts
    assert document.deadlines == ("2026年12月5日前",)
    assert document.qr_codes and document.qr_codes[0].startswith("wxp://")
    assert "13812345678" in document.phones
    for code in (
        "pay_person",
        "pay_personal_qr",
        "criminal",
        "blacklist",
        "employer",
        "family",
        "letter_missing",
    ):
        assert code in answer.codes, (code, answer.codes)
    text = "\n".join(answer.replies)
    assert "李四" in text and "个人微信收款码" in text
    assert "别换号失联" in text and "第196条" in text
    # Art. 69: what this letter lacks, by name
    assert "你的权利" in text and "提出异议的方式" in text and "银行的盖章" in text
    assert "卡背面" in answer.replies[-1] and "别打纸上" in answer.replies[-1]
    assert all(len(reply) <= 700 for reply in answer.replies), [len(r) for r in answer.replies]


def test_a_photographed_letter_tilted_blurred_and_noisy_is_still_checked() -> None:
    found = codes("collection_bad", damaged=True)
    for code in ("pay_person", "pay_personal_qr", "criminal", "blacklist", "letter_missing"):
        assert code in found, (code, found)


def test_a_complete_collection_letter_lacks_nothing_under_art_69() -> None:
    answer = answer_reading(reading("collection_good"))
    assert answer.kind is DocKind.COLLECTION
    assert "letter_missing" not in answer.codes
    assert not [c for c in answer.codes if c.startswith("pay_")]
    assert "95555" not in answer.replies[-1]  # verify via the card back, not the paper


def test_a_lawyers_letter_without_a_law_firm_is_named_as_such() -> None:
    found = codes("lawyer_no_firm")
    for code in ("lawyer_no_firm", "criminal", "employer", "family", "privacy"):
        assert code in found, (code, found)
    assert "lawyer_no_firm" not in codes("lawyer_with_firm")
    assert answer_reading(reading("lawyer_with_firm")).kind is DocKind.LAWYER


def test_a_court_paper_asking_for_money_is_checked_through_12368() -> None:
    answer = answer_reading(reading("court_fake"))
    assert answer.kind is DocKind.COURT
    for code in ("court_verify", "court_red_flags", "scam", "pay_person"):
        assert code in answer.codes, (code, answer.codes)
    text = "\n".join(answer.replies)
    assert "12368" in text and "不要打纸上印的电话" in text
    assert "个人手机号" in text and "保证金" in text
    assert answer.urgent and "96110" in text


def test_police_in_an_sms_asking_for_a_safe_account_is_a_scam() -> None:
    answer = answer_reading(reading("police_sms"))
    assert answer.codes[0] == "scam" and answer.urgent
    assert answer.replies[0].startswith("⚠️")  # before anything else, with 110 and 96110
    assert "110" in answer.replies[0] and "96110" in answer.replies[0]
    assert "criminal" in answer.codes


def test_an_sms_screenshot_from_a_private_number_announcing_a_visit() -> None:
    answer = answer_reading(reading("collector_sms"))
    assert answer.kind is DocKind.SMS
    for code in ("sms_private_phone", "visit", "family", "children"):
        assert code in answer.codes, (code, answer.codes)
    assert "至少两人" in "\n".join(answer.replies)


def test_a_mandate_without_a_seal() -> None:
    answer = answer_reading(reading("mandate"))
    assert answer.kind is DocKind.MANDATE
    text = "\n".join(answer.replies)
    assert "mandate" in answer.codes and "盖章" in text and "受托的公司" not in text


def test_a_work_id_needs_the_banks_written_mandate() -> None:
    answer = answer_reading(reading("work_id"))
    assert answer.kind is DocKind.WORK_ID
    assert "work_id" in answer.codes and "委托书" in "\n".join(answer.replies)


def test_a_personal_alipay_code_is_not_for_paying() -> None:
    answer = answer_reading(reading("alipay_code"))
    assert answer.kind is DocKind.PAYMENT_CODE
    assert answer.codes[0] == "pay_personal_qr"
    assert "个人支付宝收款码" in answer.replies[0]


def test_a_repayment_agreement_with_an_agency_payee_and_a_debt_relief_fee() -> None:
    answer = answer_reading(reading("agreement"))
    assert answer.kind is DocKind.AGREEMENT
    for code in ("pay_not_lender", "agreement", "debt_relief", "fees"):
        assert code in answer.codes, (code, answer.codes)
    assert "5年" not in "\n".join(answer.replies)  # Art. 70 is not for a consumer loan
    card = answer_reading(Reading(lines=("分期还款协议", "甲方：招商银行信用卡中心", "乙方：李某")))
    assert "最长5年" in "\n".join(card.replies) and "第70条" in "\n".join(card.replies)


def test_in_a_group_no_personal_details_and_a_request_to_retract_an_id_number() -> None:
    private = "\n".join(answer_reading(reading("collection_bad")).replies)
    group = "\n".join(answer_reading(reading("collection_bad"), in_group=True).replies)
    assert "李四" in private and "12,345.67" in private
    assert "李四" not in group and "12,345.67" not in group and "13812345678" not in group
    lawyer = answer_reading(reading("lawyer_no_firm"), in_group=True)
    assert "retract" in lawyer.codes and lawyer.replies[0].startswith("🔒")
    assert "撤回" in lawyer.replies[0]
    assert "110105" not in "\n".join(lawyer.replies)


# ----- bad input ---------------------------------------------------------------------------


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "reply"),
    [
        (b"", photo_texts.EMPTY),
        (b"%PDF-1.4 not a picture at all", photo_texts.NOT_AN_IMAGE),
        ("催收函".encode() * 100, photo_texts.NOT_AN_IMAGE),
        (b"\xff" * (photo_texts.MAX_BYTES + 1), photo_texts.TOO_LARGE),
        (_png_header(10_000, 6_000), photo_texts.TOO_MANY_PIXELS),
        (_png_header(100_000, 100_000), photo_texts.TOO_MANY_PIXELS),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 500, photo_texts.HEIC),
    ],
    ids=["empty", "pdf", "text", "over-10-MB", "60-megapixels", "bomb", "heic"],
)
async def test_bad_input_gets_one_clear_sentence(data: bytes, reply: str) -> None:
    reader = PhotoReader()
    answer = await check_photo(data, reader=reader)
    assert answer.intent == "photo_rejected"
    assert answer.replies == [reply]
    assert not reader.loaded  # nothing bad reaches the OCR


async def test_a_truncated_photo_gets_one_clear_sentence() -> None:
    data = photo_bytes("work_id")
    answer = await check_photo(data[: len(data) // 2], reader=PhotoReader())
    assert answer.replies == [photo_texts.TRUNCATED]


async def test_a_blank_photo_is_unreadable_and_transparency_is_flattened() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (800, 600), (0, 0, 0, 0)).save(out, "PNG")
    answer = await check_photo(out.getvalue())
    assert answer.intent == "photo_unreadable"
    assert "没读出文字" in answer.replies[0]


async def test_a_large_phone_photo_is_downscaled_before_reading() -> None:
    from bot.photo.intake import TARGET_SIDE, load_photo

    big = render.phone_photo(render.letter(COLLECTION_LINES), scale=3.2)
    intake = load_photo(render.encode(big))
    assert max(big.size) > 2 * TARGET_SIDE
    assert max(intake.image.size) == TARGET_SIDE and intake.image.mode == "RGB"


COLLECTION_LINES = ["催收函", "您在招商银行的信用卡已逾期。"]


async def test_text_that_is_no_paper_goes_to_the_unanswered_record_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.photo")
    answer = answer_reading(Reading(lines=("今天天气很好", "我的电话13812345678")))
    assert answer.intent == "fallback"
    assert "13812345678" not in answer.masked_text and "138****5678" in answer.masked_text
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text


async def test_the_image_and_the_text_read_are_never_logged_in_full(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = await check_photo(photo_bytes("collection_bad"))
    assert answer.intent == "photo_check"
    assert "13812345678" not in caplog.text
    assert "6222021234567890" not in caplog.text.replace(" ", "")
    assert "JFIF" not in caplog.text and "\\xff\\xd8" not in caplog.text


def test_mediation_and_lawsuit_threats_in_text() -> None:
    sms = answer_reading(
        Reading(
            lines=(
                "【某某调解中心】您的信用卡欠款已进入诉前调解，请于2小时内联系13611112222缴纳调解保证金，",
                "否则转入法院起诉。",
            )
        )
    )
    assert "mediation" in sms.codes and "fees" in sms.codes
    # a "调解中心" is mostly not the court (domain facts 2026-12-05): the reply says so
    assert "不是法院" in "\n".join(sms.replies) and "12368" in "\n".join(sms.replies)
    letter = answer_reading(Reading(lines=("催收函", "您在招商银行的信用卡已逾期，我行将起诉。")))
    assert "lawsuit" in letter.codes and "民事诉讼法第128条" in "\n".join(letter.replies)


def test_art_69_is_checked_for_card_debts_only() -> None:
    loan = answer_reading(Reading(lines=("催收函", "您在招联金融的借款已逾期，欠款5000元。")))
    assert "letter_missing" not in loan.codes and "第69条" not in "\n".join(loan.replies)
    nobody = answer_reading(Reading(lines=("催收函", "您的借款已逾期，欠款5000元，请尽快还款。")))
    assert "letter_no_lender" in nobody.codes

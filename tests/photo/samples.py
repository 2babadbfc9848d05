"""The papers the photo tests read: each drawn once, each read once per test session (the OCR
model is loaded once, in the process's shared reader)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from PIL import Image

from bot.photo.intake import load_photo
from bot.photo.reader import Reading, default_reader
from tests.photo import render

COLLECTION_BAD = [
    "催收函",
    "尊敬的张三先生：您在招商银行的信用卡已逾期，",
    "欠款金额人民币12,345.67元。",
    "请于2026年12月5日前还款，否则我们将通知您的单位和家人，",
    "并向法院起诉立案，您将被列入黑名单。",
    "收款人：李四  账号：6222 0212 3456 7890",
    "联系电话：13812345678",
    "北京某某资产管理有限公司",
]
COLLECTION_GOOD = [
    "信用卡逾期催收函",
    "尊敬的持卡人：您的招商银行信用卡透支消费已逾期，",
    "截至2026年11月20日，欠款金额为人民币8,650.20元。",
    "您的权利：您可以核对账单和还款记录。",
    "如对欠款有异议，请在收到本函后联系我行，我行将予以核查。",
    "请通过招商银行App、网上银行或营业网点还款。",
    "咨询电话：95555",
    "招商银行信用卡中心（盖章）",
]
LAWYER_NO_FIRM = [
    "律师函",
    "致：王五先生 身份证号：110105198812121234",
    "受平安银行委托，就您信用卡欠款一事函告如下：",
    "若您在3日内仍不还款，我方将通知您的单位和亲属，",
    "并向公安机关报案，追究您的刑事责任。",
    "承办律师：赵某",
    "联系电话：13900001111",
]
LAWYER_WITH_FIRM = [
    "律师函",
    "北京市正义律师事务所",
    "受平安银行委托，就您信用卡欠款一事函告如下：",
    "请您在收到本函后15日内与平安银行联系还款事宜。",
    "承办律师：赵某  执业证号：11101201010000000",
]
COURT_FAKE = [
    "北京市朝阳区人民法院",
    "传票",
    "案号：（2026）京0105民初12345号",
    "被传唤人：张三",
    "请于24小时内缴纳保证金5000元至以下账户，否则将强制执行。",
    "户名：刘明  账号：6217 0000 1000 2000 300",
    "联系人：刘法官 13712345678",
]
MANDATE = [
    "委托书",
    "委托方：中信银行股份有限公司信用卡中心",
    "受托方：上海某某信息咨询有限公司",
    "委托事项：信用卡逾期账款催收",
    "委托期限：2026年1月1日至2026年12月31日",
]
AGREEMENT = [
    "分期还款协议",
    "甲方：广州某某商务咨询有限公司（受招联金融委托）",
    "乙方：李某",
    "乙方欠款30000元，分12期还款，每期2500元。",
    "收款单位：广州某某商务咨询有限公司",
    "账号：6217000010002000300",
    "本协议含债务优化服务费1500元，签字后生效。",
]
POLICE_SMS = (
    "【公安局】您涉嫌信用卡恶意透支，已被立案调查。请立即将资金转入安全账户配合核查，"
    "否则将对您实施拘留。"
)
COLLECTOR_SMS = (
    "【某某资产】张先生，您的网贷已逾期90天，我司将于明天派人上门到您户籍地走访，"
    "并通知您的村委和家人，子女上学也会受到影响。速联系13800138000处理。"
)
ALIPAY_CODE = "https://qr.alipay.com/fkx18405bvdjqamnhs5ga2c"
WECHAT_CODE = "wxp://f2f0Zs1jXYuE9cdEwUrqxW4b5R8vOeHq8J5B"

#: name → how to draw it
DRAWINGS: dict[str, Callable[[], Image.Image]] = {
    "collection_bad": lambda: render.letter(COLLECTION_BAD, qr=WECHAT_CODE),
    "collection_good": lambda: render.letter(COLLECTION_GOOD),
    "lawyer_no_firm": lambda: render.letter(LAWYER_NO_FIRM),
    "lawyer_with_firm": lambda: render.letter(LAWYER_WITH_FIRM),
    "court_fake": lambda: render.letter(COURT_FAKE),
    "mandate": lambda: render.letter(MANDATE),
    "agreement": lambda: render.letter(AGREEMENT),
    "police_sms": lambda: render.sms_screenshot("106980095188", [POLICE_SMS]),
    "collector_sms": lambda: render.sms_screenshot("+86 138 0013 8000", [COLLECTOR_SMS]),
    "work_id": lambda: render.work_id("陈某某", "深圳某某资产管理有限公司", "CS20260088"),
    "alipay_code": lambda: render.payment_code(ALIPAY_CODE, title="支付宝收款"),
}
#: the printed lines of the letters, for the OCR accuracy figure
PRINTED = {
    "collection_bad": COLLECTION_BAD,
    "collection_good": COLLECTION_GOOD,
    "lawyer_no_firm": LAWYER_NO_FIRM,
    "lawyer_with_firm": LAWYER_WITH_FIRM,
    "court_fake": COURT_FAKE,
    "mandate": MANDATE,
    "agreement": AGREEMENT,
}


@functools.cache
def drawing(name: str, damaged: bool = False) -> Image.Image:
    """The paper ``name``, clean or as a phone would photograph it."""
    image = DRAWINGS[name]()
    return render.phone_photo(image) if damaged else image


@functools.cache
def photo_bytes(name: str, damaged: bool = False) -> bytes:
    """The paper as the JPEG a phone sends."""
    return render.encode(drawing(name, damaged))


@functools.cache
def reading(name: str, damaged: bool = False) -> Reading:
    """What the shared reader reads off the photo (once per session)."""
    return default_reader().read_now(load_photo(photo_bytes(name, damaged)).image)

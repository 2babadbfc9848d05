"""The situation a message describes: who is speaking, what was shown, whether the police
were called, whether money was handed over, what they want signed, where it happens.

Pure functions over the normalised text (Simplified, half-width, lower case). Each reader
returns only what the message clearly says; a negation in the same clause turns a cue off
("没报警" is not "police called"). Every pattern is bounded, so reading is linear.
"""

from __future__ import annotations

import re
from typing import Any

from bot.understanding.details.numbers import cn_to_number
from bot.understanding.details.vocab import Paid, Place, Police, Role

# -- who is speaking -------------------------------------------------------------------------

_STAFF = re.compile(
    r"我(?:是|们是|在)(?:做|干|搞)?(?:催收|外访|外催|贷后|银行|催收公司|资产管理|信用卡中心|法务)"
    r"|我(?:是|们是)?(?:做|干)(?:外访|催收|贷后|电催)的?"
    r"|(?:作为|身为)(?:催收|外访|银行)(?:员|人员|员工)?"
    r"|我们(?:公司|银行|机构)(?:上门|外访|催收)"
    r"|(?:我|我们)(?:去|要去|上门)(?:客户|欠款人|债务人)"
    r"|(?:客户|欠款人|债务人)(?:不开门|不在家|不配合|报警|情绪|说还不起|说不想活)"
    r"|我们(?:是)?(?:催收|外访|电催|贷后)(?:员|人员|专员|组|团队|公司)"
    r"|我们(?:能|可以|能不能|可不可以)?(?:给|跟|找|联系|去)(?:客户|欠款人|债务人)"
    r"|我们(?!家|这|那|小区|村|楼)[^,.!?。，！？被来]{0,6}(?:外访|电催)"
    r"|做(?:电话催收|电催|外访|催收|贷后)(?:有|要|时|的时候|该|得)"
    r"|(?:客户|欠款人|债务人)(?:一直|老是|总是|就是)?(?:不接|拉黑)"
    r"|(?:客户|欠款人|债务人)(?:的)?(?:家里|家中)(?:只有|就|没)"
    # a job named after the employer ("我是工行的客户经理", "我们是XX消金的贷后专员")
    r"|我(?:是|们是)[^,.!?。，！？我]{0,10}(?:客户经理|信贷员|信贷经理|贷后专员|催收员|催收专员"
    r"|外访员|外访专员|电催员|风控专员|合规专员|柜员)"
    # a visit to a customer as one's work ("下周要上门拜访一个逾期客户")
    r"|(?:拜访|走访)(?:一个|一位|几个|这个|那个)?(?:逾期)?(?:客户|欠款人|债务人)"
)
_HELPER = re.compile(
    r"(?:我|俺)(?:的)?(?:妈|爸|母亲|父亲|老公|老婆|丈夫|妻子|媳妇|儿子|女儿|哥|姐|弟|妹|"
    r"朋友|同事|亲戚|爷爷|奶奶|外婆|外公)(?:的)?[^,.!?。，！？我]{0,10}"
    r"(?:欠|逾期|被催|催收|上门|还不起|借了|网贷|信用卡)"
    r"|替(?:我)?(?:妈|爸|家人|朋友|老公|老婆)问|帮(?:我)?(?:妈|爸|家人|朋友|老公|老婆)问"
    # someone else's debt told without "我的" ("朋友欠分期乐为什么给我打电话", "老公欠信用卡
    # 银行找我要钱"): the relation owes, and the writer is called or asked
    r"|(?:^|[,.!?。，！？ ])(?:我)?(?:妈|爸|母亲|父亲|老公|老婆|丈夫|妻子|媳妇|儿子|女儿|哥哥|姐姐"
    r"|弟弟|妹妹|朋友|同事|亲戚|同学|前夫|前妻|男朋友|女朋友|家人|别人)(?:的)?[^,.!?。，！？我]{0,8}"
    r"(?:欠|逾期|借了|网贷|信用卡)[^!?！？]{0,24}"
    r"(?:找我|找到我|打给我|给我打|打我|打到我|联系我|问我|让我|要我|催我|发给我|给我发)"
    r"|别人(?:的)?(?:逾期|欠款|欠钱|借款|债)"
    r"|(?:我)?(?:不是|并不是|又不是)(?:欠款人|借款人|债务人|担保人)"
    r"|(?i:\bmy (?:mum|mom|mother|dad|father|brother|sister|son|daughter|husband|wife|friend"
    r"|colleague|cousin|uncle|aunt)(?:'s)?\b[^.!?]{0,40}\b(?:owes?|owed|debt|loan|borrowed|overdue))"
)

# -- what happened ---------------------------------------------------------------------------

_NEG = r"(?:没|没有|未|不|还没|并没|没能)"
_CRED_WORDS = r"(?:证件|工作证|工牌|胸牌|委托书|授权书|身份证明|证明|证)"
_CRED_NOT = re.compile(
    rf"{_NEG}[^,.!?。，！？]{{0,4}}(?:出示|给看|拿出|亮|看到|带|给)[^,.!?。，！？]{{0,3}}"
    rf"{_CRED_WORDS}|{_CRED_WORDS}[^,.!?。，！？]{{0,3}}{_NEG}(?:给|出示|拿|看)"
)
_CRED_YES = re.compile(
    rf"(?:出示|给我看|给看|亮|拿出)了?[^,.!?。，！？]{{0,3}}{_CRED_WORDS}"
    rf"|{_CRED_WORDS}[^,.!?。，！？]{{0,3}}(?:给我看了|出示了|看过了|有的)"
)

_POLICE_ARRIVED = re.compile(
    r"警察(?:已经)?(?:来了|到了|在了|到场|进来了)|(?:派出所|民警)(?:的人)?(?:来了|到了)"
    # the police came and dealt with it: took a statement, took them away, sent them off
    r"|(?:警察|民警|派出所|阿sir|公安)[^,.!?。，！？]{0,8}"
    r"(?:做了?笔录|带走|劝走|赶走|处理了|说会处理|嚟咗|来咗|到咗|到场)"
    r"|做了?笔录|录了口供"
)
_POLICE_CALLED = re.compile(
    r"(?:已经|刚|刚刚)?(?:报警了|报了警|报过警|打了110|打过110|拨了110|打110了|报110了)"
    r"|(?:警察|派出所|民警|公安)(?:在路上|马上到|快到|说马上|说在路上|说会来|要来)"
    r"|打过了[^,.!?。，！？]{0,6}(?:在路上|马上|说)"
    # "警察说五分钟到", "派出所说一会儿就来"
    r"|(?:警察|派出所|民警)说?[^,.!?。，！？]{0,4}(?:分钟|一会儿?|很快)就?(?:到|来)"
)
_POLICE_NOT = re.compile(
    rf"{_NEG}(?:报警|报过警|打110|打过110)|不敢报警|不想报警|要不要报警|能报警吗"
)

_LEFT = re.compile(
    r"(?:他们|对方|催收的?|那些?人|人|两个|几个|那两个|那几个|两人|佢哋|嗰两个|嗰几个"
    r"|(?<!我)现在|(?<!我)刚刚)"
    r"(?:已经|终于|刚|都|也)?(?:走了|走咗|离开了|撤了|跑了|溜了)|走掉了|跑掉了"
    # a few words of how between ("他们一听就下楼走了", "那两个人骂了几句就走了"); never a
    # negation, a wish or a report in them ("他们说不走了", "他们要走了")
    r"|(?:他们|对方|那些?人|那两个|那几个)[^,.!?。，！？\s不没别要会说想]{1,6}就(?:下楼)?(?:走了|离开了)"
    # sent away by someone (security, a neighbour, the village head); "带走了" only when the
    # police or security took them — "要债的把她男朋友带走了" is someone taken, not visitors gone
    r"|(?:劝|赶|请)走了|(?:劝|赶|请|带)(?:他们|那些人|那几个人|人)走了"
    r"|(?:警察|民警|公安|派出所|保安|物业|村长|村干部|社区)[^,.!?。，！？]{0,8}带走了"
)
#: a message that opens with their going ("走了", "人走了"); said unsure ("好像走了", "应该走了")
#: it is still news that they left (the after-visit steps say what to do if they come back)
_LEFT_AT_START = re.compile(r"(?:好像|应该|可能|似乎|貌似|估计)?(?:已经|都|人|终于)?走了")
_STILL_THERE = re.compile(r"(?:还在|还没走|不走|赖着|守着|堵着|蹲着)")

#: a correction: "不是欠条 是…", "不是协议，是…"
_CORRECTION = re.compile(r"^不是[^,.!?。，！？]{0,10}?[,，\s]*(?:是|而是|叫)")
#: the child's school or kindergarten
_SCHOOL = re.compile(r"学校|校门|幼儿园|小学|中学|班主任|放学|上学路上")
_LET_IN = re.compile(
    r"(?:让|放|请)(?:他们|对方|人)?进(?:来|屋|门|家)了?|(?:妈|爸|老人|家里人|老婆|老公)[^,.!?。，！？]{0,4}"
    r"(?:开了门|开门了|让进|请进|让他们进)|已经进(?:屋|门|家)了|坐在(?:我家|屋里|客厅)"
)

#: 转 said of a message, not money ("有人转了个新闻", "转给你看看", "转过去一张截图")
_FORWARDED = (
    r"(?![^,.!?。，！？]{0,4}"
    r"(?:新闻|链接|消息|截图|文章|帖子?|视频|图片|通知|聊天记录|语音|看看?|群里))"
)
_PAID = re.compile(
    rf"(?:已经|刚才?|刚刚)?(?:(?:转了|转给|转过去){_FORWARDED}|付了|扫码付|扫了(?:他的)?码"
    r"|给了(?:他们)?[0-9一二两三四五六七八九十百千万]+|交了"
    r"|打了[0-9一二两三四五六七八九十百千万]+(?:块|元)?(?:过去|给)|转账了|把钱给)"
)
_PAID_NOT = re.compile(rf"{_NEG}(?:转|付|给钱|交钱|转账)|转过去(?:以后|之后|后)")
_PAID_PERSONAL = re.compile(
    r"个人(?:账户|账号|卡|微信|支付宝)|私人(?:账户|账号|卡)|他的(?:微信|支付宝|卡|账户)|二维码|收款码|(?:他|她|对方)(?:的|给的)?码"
)

_SIGN = re.compile(
    r"(?:让|要|叫|逼)(?:我|我们|我妈|我爸|他|她|家里人|老人)?"
    # a few words of what comes first ("让我开门签个字", "要我先签个字")
    r"(?:[^,.!?。，！？不没别]{0,4}?)(?:签|签字|签个字|签名|[按摁]个?(?:手印|指印))"
    r"[^,.!?。，！？]{0,12}"
    r"|签(?:一份|个|了)?([^,.!?。，！？]{0,10}?(?:书|协议|合同|单|条|承诺|确认))"
)
_DOC = re.compile(
    r"((?:借款|还款|欠款|债务|分期|和解|调解|减免|债权)?(?:确认书|确认单|承诺书|协议书?|合同|欠条|借条"
    r"|还款计划|保证书|认罪书|声明|空白(?:纸|的纸|文件)))"
)

_SIGNED = re.compile(
    r"(?:已经|刚|刚刚|我|之前|以前|当时|上次|早就|都)签了|签过|按了手印|签完了|签字了"
    r"|签了[^,.!?。，！？]{0,10}?(?:协议|合同|分期)[^,.!?。，！？]{0,8}?(?:又|但|可是|结果|后来)"
)
_WORKPLACE = re.compile(r"单位|公司|上班的地方|厂里|工地|店里|办公室|领导|老板|同事")
#: a company that is the lender, the agency or the new creditor, not the person's workplace
#: ("债权已经转让给XX资产管理公司", "催收公司打电话")
_NOT_WORKPLACE = re.compile(
    r"(?:资产管理|资产|催收|外包|贷款|金融|小贷|担保|信托|保险|律师|债务优化|咨询|调解|物业|快递)公司"
)
_FAMILY_HOME = re.compile(r"老家|父母家|爸妈家|我妈家|我爸家|娘家|婆家|岳父|亲戚家")


#: the quiet hours named by a word ("半夜", "凌晨"); "不是半夜" is no night
_NIGHT_WORD = re.compile(r"(?<!不是)(?:半夜|深夜|三更|午夜|凌晨|大晚上十|夜里十|\bmidnight\b)")
#: a clock time with what places it in the day ("晚上11点", "23:30", "凌晨两点", "早上6点半")
_CLOCK = re.compile(
    r"(晚上|夜里|夜间|今晚|昨晚|昨天晚上|凌晨|早上|早晨|清早)?"
    r"(?:都|快|已经|才)?([0-9]{1,2}|[零一二两三四五六七八九十]{1,3})(?:[:：]([0-5][0-9])|点|时)"
)
#: what the hour is said of: a visit or a call ("半夜睡不着" is no collection at night)
_CONTACT = re.compile(
    r"上门|敲门|门口|门外|家门|楼下|楼道|来家|找上门|外访|(?<!给谁打)电话|来电|打来|打给(?!谁)|打过来|短信"
    r"|催收|催债|要债|喊|按门铃|\b(?:call(?:ed|s)?|knock(?:ed|ing)?|door)\b",
)


def _hour(written: str) -> int | None:
    if written.isdigit():
        return int(written)
    read = cn_to_number(written)
    return None if read is None else int(read[0])


def _at_night(text: str) -> bool:
    """A time in the quiet hours, 22:00–08:00 (the guideline's), clearly said: an evening
    hour from ten with 晚上/夜里, 22–23 or 0 o'clock by the 24-hour clock, a morning hour
    before eight with 凌晨/早上, or a word for the middle of the night."""
    if _NIGHT_WORD.search(text):
        return True
    for found in _CLOCK.finditer(text):
        marker, hour = found.group(1), _hour(found.group(2))
        if hour is None or hour > 24:
            continue
        if hour in (22, 23, 24, 0) and (found.group(3) or marker or "点" in found.group(0)):
            return True
        if marker in ("晚上", "夜里", "夜间", "今晚", "昨晚", "昨天晚上") and hour in (10, 11, 12):
            return True
        if marker in ("凌晨", "早上", "早晨", "清早") and hour < 8:
            return True
    return False


def _negated_before(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start]
    return any(before.endswith(n) for n in ("没", "没有", "不", "未", "别", "不用", "没能"))


def read_situation(text: str) -> dict[str, Any]:
    """What ``text`` says about the situation, by :class:`~bot.understanding.details.Details`
    field name; only what it clearly says. Never raises on a string."""
    found: dict[str, Any] = {}
    if _STAFF.search(text):
        found["role"] = Role.STAFF
    elif _HELPER.search(text):
        found["role"] = Role.HELPER

    if _CRED_NOT.search(text):
        found["credentials"] = False
    elif _CRED_YES.search(text):
        found["credentials"] = True

    if not _POLICE_NOT.search(text):
        if _POLICE_ARRIVED.search(text):
            found["police"] = Police.ARRIVED
        elif _POLICE_CALLED.search(text):
            found["police"] = Police.CALLED

    left = _LEFT.search(text) or _LEFT_AT_START.match(text)
    if left and not _negated_before(text, left.start()) and "还没走" not in text:
        found["left"] = True
    elif _STILL_THERE.search(text) and (
        "门" in text or "家" in text or "走" in text or len(text) <= 8
    ):
        found["left"] = False

    let_in = _LET_IN.search(text)
    if let_in and not _negated_before(text, let_in.start()):
        found["let_in"] = True

    paid = _PAID.search(text)
    if paid and not _PAID_NOT.search(text) and not _negated_before(text, paid.start()):
        found["paid"] = Paid.PERSONAL if _PAID_PERSONAL.search(text) else Paid.YES

    if _SIGNED.search(text) and not re.search(r"没签|不签|别签", text):
        found["signed"] = True
    sign = _SIGN.search(text)
    doc = _DOC.search(text)
    corrected = _CORRECTION.match(text)
    if doc and corrected:  # "不是欠条 是叫什么还款计划确认": the paper named after 是
        doc = _DOC.search(text, corrected.end()) or doc
    if doc and (
        sign or corrected or text.startswith(("是", "就是", "一份", "一张")) or "签" in text
    ):
        found["document"] = doc.group(1)[-10:]
    elif sign:
        found["document"] = "文件"

    if _SCHOOL.search(text):
        found["place"] = Place.SCHOOL  # "在学校门口拍我孩子": the child's school, not the home door
    elif "门口" in text or "敲门" in text or "家门" in text:
        found["place"] = Place.HOME
    elif _FAMILY_HOME.search(text):
        found["place"] = Place.FAMILY_HOME
    elif _WORKPLACE.search(_NOT_WORKPLACE.sub("", text)) and re.search(
        r"来|去|找|(?<!收)到|上门|打电话|打给", text
    ):
        found["place"] = Place.WORKPLACE
    if _at_night(text) and _CONTACT.search(text):
        found["night"] = True
    return found

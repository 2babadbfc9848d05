"""Presence: whether the collectors are at the door now (True) or a visit is announced for
later (False), read from the clause that speaks of a visit."""

from __future__ import annotations

import re

from bot.understanding.details.numbers import (
    _CLAUSE_BREAK,
)

_PRESENT = re.compile(
    r"(?:在|到)(?:我?家)?(?:门口|门外|楼下|楼道|家门口)"
    r"|敲门|砸门|已经到了|在我家|堵门|堵在|守在|蹲在|不肯走|赖着不走|就是不走|还不走|闯进|进来了"
    # knocking told as a sound or going on ("门口还有人咚咚敲", "一直在敲")
    r"|门口(?:还|又)?有人|(?:咚咚|砰砰|哐哐|梆梆|一直|使劲|还在|在)敲"
    r"|(?:找上门|上门|来我?家|到我?家|来家里|到家里)(?:来)?了"
)


_PRESENT_NEGATION = ("不", "没", "别", "未", "没有", "不是", "不会", "没在", "不在")


_PAST = re.compile(r"昨天|前天|上周|上星期|上个?月|上次|之前|以前|刚才走|已经走|走了|离开了")


_FUTURE = re.compile(
    r"明天|明早|明晚|后天|下午|晚上|今晚|等会|等一下|(?<!了)一会|待会|马上"
    r"|下周|下星期|下礼拜|下个?月|下次|过几天|过两天|过段时间|改天|周末"
    # "哭了一会儿" is a while that has passed, not "in a while"
    r"|到时候|准备|打算|将要|即将|要来|要上门|要过来|会来|会上门|会过来|说要|扬言"
    r"|还要|约了|预约|派人"
    r"|(?<![一二两三四五六七八九十0-9])[一二两三四五六七八九十0-9]{1,3}天(?:后|之后|以后|内)"
)
#: when an announced visit is to come ("三天后", "下周一", "明天上午"): said back later
_WHEN = re.compile(
    r"(?:(?<![一二两三四五六七八九十0-9])[一二两三四五六七八九十0-9]{1,3}天(?:后|之后|以后|内)|明天|后天|大后天|今晚|明晚|周末|月底"
    r"|下(?:周|星期|礼拜)[一二三四五六日天]?|这(?:周|星期|礼拜)[一二三四五六日天末]|过几天|过两天"
    r"|下个?月(?:初|底)?)(?:上午|下午|晚上|早上)?"
)


#: family and friends who come are no visit ("我女儿来了", "我妈明天要来陪我")
_OWN_PEOPLE = (
    "女儿",
    "儿子",
    "老公",
    "老婆",
    "爱人",
    "对象",
    "朋友",
    "同学",
    "闺蜜",
    "家人",
    "亲戚",
    "我妈",
    "我爸",
    "妈妈",
    "爸爸",
    "姐姐",
    "哥哥",
    "弟弟",
    "妹妹",
    "孩子",
    "警察",
    "民警",
)
_OWN_PERSON = re.compile(
    "(?:" + "|".join(_OWN_PEOPLE) + r")(?:也|又|都|就|刚|已经|明天|今晚|要|会|说要)*$"
)

_VISIT = re.compile(
    r"(?<!打)(?<!发)(?<!话)(?<!信)来(?!电|短信|信息|消息)"
    r"|上门|过来|家访|外访|拜访|找我|堵|到我?家|到家里|到门口|到单位|到公司"
)


#: a space between two Chinese characters ends a clause as a comma does in chat
_CHAT_BREAK = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _visit_announced(clause: str) -> bool:
    """A visit in ``clause`` (the clause speaks of the future), unless the one who comes is
    family, a friend or the police."""
    return any(not _OWN_PERSON.search(clause[: m.start()]) for m in _VISIT.finditer(clause))


def _presence(text: str) -> bool | None:
    """True when the collectors are there now, False when a visit is announced, else None."""
    future = False
    for part in _CLAUSE_BREAK.split(text):
        for clause in _CHAT_BREAK.split(part):
            if not clause:
                continue
            if _FUTURE.search(clause):
                if _visit_announced(clause):
                    future = True
                continue
            if _PAST.search(clause):
                continue
            if _present(clause):
                return True
    return False if future else None


def visit_when(text: str) -> str | None:
    """When an announced visit is to come, as the person said it ("三天后"); None when no
    visit is announced or no time is said with it."""
    for part in _CLAUSE_BREAK.split(text):
        for clause in _CHAT_BREAK.split(part):
            if clause and _FUTURE.search(clause) and _visit_announced(clause):
                when = _WHEN.search(clause)
                if when is not None:
                    return when.group(0)
    return None


def _present(clause: str) -> bool:
    """The collectors are there now, by this clause (no negation right before it)."""
    for m in _PRESENT.finditer(clause):
        before = clause[max(0, m.start() - 2) : m.start()]
        if not before.endswith(_PRESENT_NEGATION):
            return True
    return False

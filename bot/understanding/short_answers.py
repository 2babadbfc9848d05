"""Reading short answers to the bot's own questions: yes/no, a numbered choice, a command.

These work on normalised text (Simplified, half-width, lower case).
"""

from __future__ import annotations

import re
from enum import StrEnum


class YesNo(StrEnum):
    """The three kinds of answer to a yes/no question."""

    AFFIRM = "affirm"
    DENY = "deny"
    UNSURE = "unsure"


class Command(StrEnum):
    """Conversation commands understood in any state."""

    MORE = "more"  # 详细 / 更多: the longer answer with the rules
    MENU = "menu"  # 菜单 / 帮助: topics by number
    RESET = "reset"  # 重新开始 / 取消
    HUMAN = "human"  # 人工 / 联系顾问
    FORGET = "forget"  # 删除我的记录
    REPEAT = "repeat"  # 再说一遍: send the current step again


_PUNCT = re.compile(r"[\s,.!?;:~，。！？；：、…~\-—_()（）\[\]【】\"'“”‘’]+")
#: English words that are a whole reply by themselves (a yes or no, a command): never read as
#: pinyin ("more" is no 末热, "no" no 嗯哦, "sure" no 苏热)
ENGLISH_REPLY_WORDS = frozenset(
    {"no", "nope", "more", "sure", "yes", "yeah", "ok", "okay", "menu", "steps", "details"}
)

# Longest answers we still read as a bare yes/no (longer text is a message in its own right).
_MAX_ANSWER_CHARS = 14

_UNSURE = re.compile(r"不知道|不清楚|不确定|不记得|没注意|没看清|看不清|说不准|不太清楚|不懂|忘了")
_DENY = re.compile(
    r"^(没|不是|不对|不|否|无|还没|并没|从没|好像没|应该没|没有|no|nope|n)"
    r"|没有|没给|没出示|没看到|没拿|不给|不肯给|不是的|没呢|^未"
)
_AFFIRM = re.compile(
    r"^(有|是|对|嗯|恩|好|行|可以|yes|y|ok|okay|yep|给了|给看了|出示了|看了|看到了|拿了|当然|确实|"
    r"好像有|应该有|有的|是的|对的|对啊|嗯嗯|没错|就是)"
)

#: acknowledgement words that say "heard you", not "yes, they did" ("好吧", "行吧", "ok")
_ACK = re.compile(r"^(好吧|好的|好嘞|行吧|那好|那行|ok|okay|嗯嗯|嗯)(?=.)")

_COMMANDS: tuple[tuple[Command, re.Pattern[str]], ...] = (
    (
        Command.FORGET,
        re.compile(
            r"^(请)?(帮我)?(删除|删掉|清除|清空)(我的)?(全部|所有)?"
            r"(聊天)?(记录|数据|信息|对话)$"
        ),
    ),
    (
        Command.MORE,
        re.compile(
            r"^(详细|更多|详情|展开|具体|详细点|详细说说|说详细点|详细一点|"
            r"具体说说|再详细点|依据|法律依据|more|more details|details|detail|the rules)$"
        ),
    ),
    (
        # asking for the rules behind the answer just given: "麻烦给一下法规依据…",
        # "具体是哪个文件第几条", "出处呢"
        Command.MORE,
        re.compile(
            r"^(麻烦|请|能不能|可以|可不可以|那)?(你)?(再)?(给我|帮我|给)?(发|列|说|告诉我|附上|贴)?"
            r"(一下|下)?(具体|相关)?(的)?(法规|法律|规定|政策|文件)?"
            r"(依据|出处|条文|原文|来源)(是什么|是哪|呢|吗|在哪)?"
            r"|^(具体)?(是|在)?(哪个|哪份|哪部|什么)(文件|规定|法规|法律)(的)?(第几条|哪一条|哪条)"
        ),
    ),
    (Command.MENU, re.compile(r"^(菜单|帮助|目录|功能|menu|help|\?|主菜单|返回菜单)$")),
    (Command.RESET, re.compile(r"^(重新开始|重来|取消|退出|结束|重置|reset|cancel|清空)$")),
    (
        Command.REPEAT,
        re.compile(
            r"^(再说一遍|再发一遍|再说一次|再发一次|重复一下|重复一遍|重发|"
            r"没看到|没收到|再来一遍|repeat|步骤|看步骤|完整步骤|具体步骤|发步骤|要步骤|"
            r"steps|the steps|full steps|show steps)$"
        ),
    ),
    (
        Command.HUMAN,
        re.compile(
            r"^(人工|转人工|人工服务|人工客服|联系顾问|找顾问|真人|找真人|"
            r"联系人工|我要人工|顾问)$"
        ),
    ),
)

_CHINESE_NUMBERS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_CHOICE = re.compile(
    r"^(?:选|选择|回复|我选|第)?([0-9]{1,2}|[一二两三四五六七八九十])"
    r"(?:个|项|号|条)?(?:吧|呢|啊)?$"
)


def compact(text: str) -> str:
    """``text`` without spaces and punctuation, for matching short answers."""
    return _PUNCT.sub("", text)


#: asking, in a sentence, for the rules behind what was just said ("麻烦把刚才提到的规章全称和
#: 文号发我一下", "你说的那条规定是哪个文件"): the same request as 详细
_RULES_OF_WHAT_WAS_SAID = re.compile(
    r"(刚才|上面|前面|你说的|你提到的|提到的|这条|那条|这个规定|那个规定)[^，。,？?]{0,10}"
    r"(规章|法规|规定|文件|条文|条款|依据|出处|文号|全称|第几条|原文|法条)"
    r"|(规章|法规|规定|文件|法条)的?(全称|文号|名称|出处|原文)"
)
#: ... up to this many characters (a longer message asks something of its own)
RULES_REQUEST_CHARS = 48


def read_command(text: str) -> Command | None:
    """The command ``text`` is, if it is one (whole message only; a request for the rules
    behind what was just said may be a sentence)."""
    short = compact(text)
    if len(short) > 24:
        if len(short) <= RULES_REQUEST_CHARS and _RULES_OF_WHAT_WAS_SAID.search(short):
            return Command.MORE
        return None
    for command, pattern in _COMMANDS:
        if pattern.match(short):
            return command
    if _RULES_OF_WHAT_WAS_SAID.search(short):
        return Command.MORE
    return None


def starts_with_ack(text: str) -> bool:
    """True when ``text`` opens with an acknowledgement ("好吧…", "行吧…", "ok …")."""
    return _ACK.match(compact(text)) is not None


#: a plain yes to a question about danger: 是 / 对 / 有 / 嗯 / 会 / 想过 / yes — never an
#: acknowledgement (好, 行, ok, 收到) or thanks, which answer nothing about danger
_PLAIN_YES = re.compile(
    r"^(嗯+)?(是|是的|是啊|对|对的|对啊|有|有的|有啊|嗯+|会|想过|想|在|还在|yes|yeah|yep|y|ya)"
    r"[的啊呀吧呢]?$"
)


#: ... or a yes that goes on with what is happening ("有 他们还在门口", "是 我撑不住了")
_YES_THEN_MORE = re.compile(r"^(是的?|对的?|有的?|想过|yes|yeah)[\s,，.。!！、…]+\S")


def read_plain_yes(text: str) -> bool:
    """True when ``text`` is a plain yes ("是", "嗯", "有", "yes"), or a yes that goes on with
    what is happening ("有 他们还在门口"): the only answers to the safety question the bot reads
    as a yes — an acknowledgement ("好 我先截图留着，谢谢", "行") answers nothing about danger."""
    short = compact(text)
    return _PLAIN_YES.match(short) is not None or (
        _YES_THEN_MORE.match(text.strip().lower()) is not None and "谢" not in short
    )


#: a plain no to the safety question, or saying one will not act ("没有", "不是的 就是累",
#: "我不会真跳的 说说而已", "不会干傻事 室友陪着我")
#: saying one will not act, anywhere in the message ("嗯 我不会干傻事 就是憋屈", "我不会真跳的
#: 就是太累了 说说而已"): also a step out of a despair crisis (cues.read_act)
WONT_ACT = (
    r"不会(?:去)?(?:干|做)傻事|不会真(?:的)?(?:跳|去死|寻死|那样做|这么做)|说说而已|随便说说"
    r"|是气话|说的气话|别当真"
)
#: safe now, said in so many words ("我没事了", "好多了", "妹妹陪着我", "人好好的")
SAFE_NOW = (
    r"^(?:我)?(?:现在)?(?:已经)?(?:没事了|没事|安全了|好多了|好些了|好一点了|好点了|缓过来了"
    r"|平静(?:下来)?了|不想了|不会做傻事|不会的|放心吧?|i'?m (?:ok|okay|fine|safe)(?: now)?)"
    r"|(?:我|现在)(?:已经)?(?:安全了|没事了|好多了|好点了|好些了|好一点了)|(?:暂时|应该)?安全了"
    # the crisis line reached ("我打了12356，聊了一会儿"), not "打了12356没人接"
    r"|(?:打了|打过|打通了)(?:12356|热线|心理热线|那个热线|那个电话)"
    r"(?![^,.!?。，！？]{0,6}(?:没人接|打不通|没通|占线|没打通))"
    # someone with them, the person asked about found safe
    r"|(?:在旁边|在身边|一直)?陪着我|人(?:也)?没事|人好好的"
)
_SAFE_ANSWER = re.compile(
    r"^(?:嗯+|哦+)?(?:没有|没|不是|不会|没想过|没那么想|放心|no|nope|not really)(?:的|啦|了|吧|啊)?"
    r"(?=$|就是|只是|我|别|你|不会|说说|[\s,，.。!！、…])|" + SAFE_NOW + "|" + WONT_ACT
)


def read_safe_answer(text: str) -> bool:
    """True when ``text`` answers the safety question ("你是在想伤害自己吗？") with a no or
    says the person will not act — never a question ("不会吧？")."""
    said = text.strip().lower()
    return _SAFE_ANSWER.search(said) is not None and not re.search(r"[?？吗]|怎么", said)


def read_yes_no(text: str) -> YesNo | None:
    """Read ``text`` as an answer to a yes/no question, or None if it is not one."""
    short = compact(text)
    if not short or len(short) > _MAX_ANSWER_CHARS:
        return None
    if _UNSURE.search(short):
        return YesNo.UNSURE
    ack = _ACK.match(short)
    if ack and ack.end() < len(short):
        # "好吧我不开", "行 那我不签": an acknowledgement, then the answer (if any) follows.
        return read_yes_no(short[ack.end() :])
    if _DENY.search(short):
        return YesNo.DENY
    if _AFFIRM.search(short):
        return YesNo.AFFIRM
    return None


def out_of_range(text: str, count: int) -> str | None:
    """The sentence for a numbered choice outside 1..``count`` (e.g. "9" to a menu of 5), or
    None when ``text`` is not a lone number or the number is one of the choices."""
    match = _CHOICE.match(compact(text))
    if not match:
        return None
    token = match.group(1)
    number = int(token) if token.isdigit() else _CHINESE_NUMBERS[token]
    if 1 <= number <= count:
        return None
    return f"请回复1到{count}之间的数字。" if count > 1 else "请回复数字1。"


def read_choice(text: str, count: int) -> int | None:
    """Read ``text`` as a numbered choice between 1 and ``count``; return it 0-based."""
    short = compact(text)
    match = _CHOICE.match(short)
    if not match:
        return None
    token = match.group(1)
    number = int(token) if token.isdigit() else _CHINESE_NUMBERS[token]
    if 1 <= number <= count:
        return number - 1
    return None


# A closing ("好的明白了", "thx", "谢谢 没事了"): the whole message is acknowledgement words.
_CLOSING_WORD = (
    r"(?:好的|好吧|好滴|好嘞|好|嗯嗯|嗯|哦哦|哦|ok|okay|行吧|行|明白了|明白|知道了|知道|懂了|懂|"
    r"了解了|了解|收到|谢谢你|谢谢您|谢谢|多谢|感谢|谢|辛苦了|thx|thanks|thankyou|thank you|"
    r"ty|3q|没事了|没问题了|没问题|那就这样|先这样|就这样吧|就这样|拜拜|再见|bye|"
    # learned something: "长见识了", "学到了", "涨知识了", "受教了"
    r"长见识|涨知识|长知识|学到了|受教了|受教|"
    r"appreciateit|appreciated|muchappreciated|muchobliged|cheers|ta|唔该晒|唔該晒|唔该|唔該|"
    r"多谢晒|多謝晒|多謝|🙏|👍)"
)
#: how people address the bot in a thanks ("thx bro", "谢谢哥", "谢了亲")
_CLOSING_ADDRESS = r"(?:bro|man|dude|buddy|哥们|兄弟|大哥|哥|姐|亲|宝|老铁|助手|小助手|机器人)"
_CLOSING = re.compile(
    rf"^(?:{_CLOSING_WORD}(?:了|啦|的|哈|呀|啊|哈哈|!)*{_CLOSING_ADDRESS}?(?:了|啦|哈|呀|啊|!)*)+$"
)
#: closing words that are never a yes to a question ("好的明白了" is not "yes, they showed ID")
_CLOSING_ONLY = re.compile(
    r"明白|知道了|懂了|了解|收到|谢|thx|thank|ty|3q|没事了|没问题|先这样|长见识|涨知识|长知识|学到|受教|"
    r"就这样|拜拜|再见|bye|辛苦|appreciate|obliged|cheers|^ta$|唔该|唔該|多謝|🙏"
)


def read_closing(text: str) -> bool | None:
    """None when ``text`` is not a closing; True when it can only be a closing ("明白了",
    "谢谢"); False when it is a bare acknowledgement that may also be a yes ("好的", "ok")."""
    short = compact(text).lower()
    if not short or len(short) > 16 or not _CLOSING.match(short):
        return None
    return bool(_CLOSING_ONLY.search(short))


#: "嗯 懂了 我去问问客服", "懂了 长记性了", "中 俺知道了 回头跟俺娘说": understood, then what
#: the person will do next: a closing with a tail
_CLOSING_HEAD = re.compile(
    r"^(?:嗯+|哦+|噢+|好的?|好吧|行|中|ok|okay)?(?:我|俺)?"
    # "收到法院短信" is news (received a court text), "收到 我截图" an acknowledgement
    r"(?:懂了|明白了?|知道了|晓得了|了解了?|收到(?:了|啦)?(?=我|俺|$|好|谢|哈|嗯)|记住了|清楚了)"
)
#: "好 那我就照这个去谈", "行 我明天带材料去网点", "好的 已截图存好了": okay, then what the
#: person will do now or has done
_CLOSING_PLAN = re.compile(
    r"^(?:好的?|好吧|好嘞|好滴|行|中|ok|okay|嗯+|收到了?|懂了?|明白了?|知道了|了解了?)+(?:那)?"
    r"(?:(?:我|俺)?(?=就|先|去|今晚|今天|明天|明早|马上|这就|已经|已|回头|照|按|把|待会|一会|"
    r"晚点|下午|改天|周一|下周|回去)"
    # "好 我让孙子带我去问问", "收到 我截图发他", "ok 懂了 我跟客户讲": I, then a deed
    r"|(?:我|俺)(?=让|叫|跟|和|给|打|找|问|截|转|发|拿|带|准备|记|写|抽空|试试|再|自己|等|回|"
    r"查|看看|想想|考虑|会))"
)
_TAIL_ASKS = re.compile(r"[?？吗]|怎么|什么|哪|能不能|可不可以|要不要|会不会|是不是|呢$")


def read_closing_with_tail(text: str) -> bool:
    """True for "understood" followed by a short tail that asks nothing ("嗯 懂了 我去问问
    客服"): the person is wrapping up, not asking a new question."""
    return _closing_tail(text, _CLOSING_HEAD) or _closing_tail(text, _CLOSING_PLAN)


def read_closing_plan(text: str) -> bool:
    """True for "okay, then what I will do or did" ("行 我明天带材料去网点"): a closing whose
    tail names a step of a topic without asking about it."""
    return _closing_tail(text, _CLOSING_PLAN)


def _closing_tail(text: str, head_pattern: re.Pattern[str]) -> bool:
    """``head_pattern`` opens the message, and the short rest asks nothing."""
    short = compact(text).lower()
    head = head_pattern.match(short)
    if head is None or len(short) > 24:
        return False
    return _TAIL_ASKS.search(short[head.end() :]) is None


_YES_NO_PREFIX = re.compile(
    r"^(?:不是的?|不是|没有|没|不|是的|是|有的|有|对的|对|可以|嗯+|好的?|行|yes|no)"
)


def rest_after_yes_no(text: str) -> str:
    """What follows a leading yes/no word ("是借款确认书" → "借款确认书"), without filler."""
    short = compact(text).lower()
    match = _YES_NO_PREFIX.match(short)
    rest = short[match.end() :] if match else short
    return rest.strip("的了啊呀吧呢哦嘛啦哈")


class Repair(StrEnum):
    """A reply to the bot's question that is about the conversation itself."""

    HOLD = "hold"  # 等一下
    WHY = "why"  # 你问这个干嘛
    HUH = "huh"  # 啥意思


_REPAIRS: tuple[tuple[Repair, re.Pattern[str]], ...] = (
    (
        Repair.HOLD,
        re.compile(
            r"^(?:你|您)?(?:先)?(?:等一下|等下|等等|等会儿?|稍等|等一会儿?|我先看看|我看看|"
            r"我想想|让我想想|等我一下|wait|holdon|hold on)(?:啊|哈|呀|吧)?$"
        ),
    ),
    (
        Repair.WHY,
        re.compile(
            r"(?:问|知道)(?:这个|这些|这)(?:干嘛|干什么|做什么|有什么用|干啥)|"
            r"为什么要?(?:问|知道)|干嘛问|问这干嘛|关你什么事|why do you ask"
        ),
    ),
    (
        Repair.HUH,
        re.compile(
            r"^(?:啥|什么|神马|嗯\?|哈\?)意思|^没(?:看|听)懂|^不懂你|^看不懂|^听不懂|"
            r"^你说啥|^什么\?*$|^啥\?*$|^\?+$|^what\?*$"
        ),
    ),
)


def read_repair(text: str) -> Repair | None:
    """The repair ``text`` is (a short message about the conversation itself), if any."""
    short = compact(text).lower()
    if not short or len(short) > 16:
        return None
    for repair, pattern in _REPAIRS:
        if pattern.search(short):
            return repair
    return None

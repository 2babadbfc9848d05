"""The crisis state: once a threat or despair was answered, every later message is read in
that context first, until the person says they are safe (or the conversation expires).

Each message inside a crisis is read as one :class:`Act` (police called, arrived, they left,
still there, "what do I do now", "no one can help me", "just tired", "I'm OK now", or
something else) and gets the next step of a short safety plan. The numbers come again in
different words each time, a block already sent is never sent again, and a crisis message is
never answered with the fallback. Numbers and rules used here are in intents/facts.yaml
(110/120 emergency, 12356 and 010-82951332 crisis lines, 12378 complaints).
"""

from __future__ import annotations

from enum import StrEnum

from bot.content import SYSTEM_INTENTS
from bot.conversation import numbers as _numbers
from bot.conversation.numbers import CRISIS_LINES, CRISIS_LINES_SHORT, IN_DANGER
from bot.messages import RankedIntent
from bot.understanding.classifier import Classification
from bot.understanding.cues import Act
from bot.understanding.details import Details


class CrisisKind(StrEnum):
    """What kind of danger the conversation is in."""

    THREAT = "threat"  # threats, violence, refusal to leave, forced entry, following …
    DESPAIR = "despair"  # thoughts of self-harm, hopelessness


#: Urgent intents and the crisis each starts.
CRISIS_OF_INTENT = {
    "threat_or_violence": CrisisKind.THREAT,
    "emotional_distress": CrisisKind.DESPAIR,
}


def calm_topics(classification: Classification) -> list[RankedIntent]:
    """The topics (no system intents) of a message found calm, likeliest first. When the
    likeliest is the threat topic, whose advice is the emergency steps ("立即拨打110…退到能反锁
    的房间"), the message is read as if it were not there ("我老公说要是催收再上门他就揍他们…如果真
    打起来是谁的责任": the rules, not 110): the classifier's ranking without the urgent topics."""
    topics = [r for r in classification.ranking if r.intent not in SYSTEM_INTENTS]
    if topics and CRISIS_OF_INTENT.get(topics[0].intent) is CrisisKind.THREAT:
        return [r for r in classification.others if r.intent not in SYSTEM_INTENTS]
    return topics


# -- the safety plan: what to say, by crisis, act and what is known ----------------------------

_THREAT_WAIT = (
    "好，110已经打了。等警察来之前：\n"
    "1. 待在能锁门的房间，不开门，不和门外的人争吵。\n"
    "2. 手机保持有电，继续录音录像。\n"
    "3. 不交钱、不转账、不签字，对方说什么都等警察来了再说。\n"
    "情况变了（砸门、闯进来、有人受伤），再打一次110说明；有人受伤打120。"
)
_THREAT_SCHOOL = (
    "好，已经报了警。孩子这边接下来：\n"
    "1. 告诉班主任和学校门卫，这几天由家里人亲自接送，不让陌生人接走孩子。\n"
    "2. 对方发来的照片、威胁的话都截图保存，连同号码交给派出所。\n"
    "3. 再有人靠近孩子或继续威胁，马上再打110。"
)
_THREAT_WAIT_AGAIN = (
    "等警察的这段时间，只做三件事：离门远一点、锁好房门、让手机一直录着。"
    "如果门外开始砸门或有人闯进来，马上再打110，告诉他们情况升级了。"
)
_THREAT_ARRIVED = (
    "警察到了就好。接下来：\n"
    "1. 把录像、威胁短信、对方的车牌和自称的机构名称给警察看。\n"
    "2. 说清经过：你没让对方进门，对方仍不走、威胁或动手。\n"
    "3. 记下出警的派出所和民警的警号，以后投诉时用得上。\n"
    "之后可以向银行投诉（卡背面或官网的客服电话），也可以拨打12378。"
)
_THREAT_LEFT = (
    "他们走了就好。趁记得清楚，做这几件事：\n"
    "1. 备份录音录像、短信和通话记录，写下时间、人数、长相、车牌和自称的机构。\n"
    "2. 向银行投诉这次上门（卡背面或官网的客服电话），也可以拨打12378。\n"
    "3. 他们再来威胁、堵门或不肯走，直接打110。\n"
    "你现在安全吗？"
)
_THREAT_STILL_THERE_NO_POLICE = (
    "对方还在、还在威胁你，请现在就打110，说清地址、几个人、正在发生什么。"
    "打电话时离门远一点，最好在能锁门的房间里。不开门、不交钱、不签字。"
)
_THREAT_STILL_THERE = (
    "对方还没走也别开门。锁好房门、离门远一点，继续录像。"
    "如果警察迟迟没到，或者对方开始砸门、闯进来，再打一次110催一下，说明情况变了。"
)
_THREAT_WHAT_NOW_NO_POLICE = (
    "现在最要紧的一步：拨打110。说清地址、对方几个人、有没有动手或砸门。"
    "然后待在能锁门的房间里，不开门、不交钱、不签字，手机一直录着。"
)
_THREAT_SAFE = (
    "安全了就好。之后记得：保存好录音录像和短信，向银行投诉这次上门（也可以拨打12378）；"
    "他们再来威胁或不肯走，直接打110。欠款的事可以慢慢谈，有问题随时来问我。"
)
_THREAT_REMINDER = "（如果对方还在威胁你、不肯走，先打110。）"

_DESPAIR_HOPELESS = (
    "我听到了，你现在真的很难。你不用一个人扛着：\n"
    f"现在就打{CRISIS_LINES}，有人会听你说。\n"
    "如果你已经在危险的地方，或者想伤害自己，马上打110或120。\n"
    "能的话，叫一个信得过的人过来陪你。"
)
_DESPAIR_WHAT_NOW = (
    "现在只做一件事就好：离开让你危险的地方（楼顶、窗边、河边），去有人的地方，"
    f"然后拨打{CRISIS_LINES_SHORT}，或者给一个信得过的人打电话，让他来陪你。"
    "欠款是能一步一步谈的事，银行可以协商分期，这些以后我陪你慢慢看。"
)
#: the line called does not answer (12356 serves at least 18 hours a day, not all night)
_DESPAIR_NO_ANSWER = (
    f"{_numbers.CRISIS_LINE}（{_numbers.CRISIS_LINE_HOURS}）夜里可能打不通，"
    f"请现在打{_numbers.NIGHT_LINE}（{_numbers.NIGHT_LINE_HOURS}有人接）；"
    f"{IN_DANGER}。也可以给一个信得过的人打电话，让他来陪你。我在这儿陪你等。"
)
_DESPAIR_TIRED = (
    "累是真的，被催了这么久，谁都会累。先让自己歇一歇，今天不用解决所有事。"
    f"如果心里那种念头又冒出来，就打{CRISIS_LINES_SHORT}；危险的时候打110或120。"
)
_DESPAIR_STAY = (
    "我还在这儿。你愿意的话，跟我说说现在最压着你的是哪件事？"
    f"想找真人说话，可以打{CRISIS_LINES}；{IN_DANGER}。"
)
#: the presence said again in other words (a block is never sent twice)
_DESPAIR_STAY_AGAIN = (
    "我在听，不想多说也没关系，我陪着你。那种念头变强的时候，就打"
    f"{CRISIS_LINES_SHORT}；{IN_DANGER}。"
)
_DESPAIR_SAFE = (
    f"听到你说好一些了，我放心一点。那种念头如果又回来，就打{CRISIS_LINES_SHORT}；"
    "危险时打110或120。"
    "欠款的事可以慢慢来：回复“菜单”看我能帮什么，比如怎么和银行谈分期。"
)
#: a no to the safety question ("你是在想伤害自己吗？"), or "I won't act": heard, calm, the line
#: kept within reach as a footnote
SAFETY_NO = (
    "好，谢谢你告诉我。累了、憋屈了就先歇一歇，欠款的事可以一步一步来。"
    f"（那种念头如果冒出来，就打{CRISIS_LINES_SHORT}。）"
)
#: the crisis ends with "I'm safe" and a question beside it: heard in one line, then the
#: question is answered (the line kept as a footnote for despair)
SAFE_THEN_ANSWER: dict[CrisisKind | Act, str] = {
    CrisisKind.THREAT: "人没事就好。",
    Act.LEFT: "他们走了就好。以后再来威胁、堵门或不肯走，就报警。",
    Act.POLICE_ARRIVED: "警察到了就好：把录像和威胁短信给警察看，记下出警的派出所和民警警号，以后投诉用得上。",
    Act.POLICE_CALLED: "好，110已经打了。等警察时别开门，待在能锁门的房间，继续录音录像；情况变了再打110。",
    CrisisKind.DESPAIR: f"听到你没事，我就放心了。（那种念头再冒出来，就打{CRISIS_LINES_SHORT}。）",
}
_DESPAIR_REMINDER = f"（如果你还是很难受，可以打{CRISIS_LINES_SHORT}；{IN_DANGER}。）"

_THANKS_REPLY = {
    CrisisKind.THREAT: "不客气。你先顾好自己和家人的安全，有危险就打110。之后有问题随时来问我。",
    CrisisKind.DESPAIR: "不客气。你愿意说出来就很不容易。难受的时候就打"
    f"{CRISIS_LINES_SHORT}；{IN_DANGER}。我也一直在这儿。",
}


def crisis_reply(kind: CrisisKind, act: Act, situation: Details) -> tuple[list[str], bool]:
    """The next step for ``act`` in a crisis of ``kind`` (given what is known), and whether the
    crisis ends with it. ``Act.OTHER`` gets no reply here (the conversation goes on, with a
    reminder: :func:`reminder`)."""
    if kind is CrisisKind.THREAT:
        police = situation.police
        if act is Act.POLICE_CALLED:
            return [_THREAT_SCHOOL if situation.place == "school" else _THREAT_WAIT], False
        if act is Act.POLICE_ARRIVED:
            return [_THREAT_ARRIVED], False
        if act is Act.LEFT:
            return [_THREAT_LEFT], False
        if act is Act.STILL_THERE:
            return [_THREAT_STILL_THERE if police else _THREAT_STILL_THERE_NO_POLICE], False
        if act is Act.WHAT_NOW:
            if situation.left:  # gone (with or without the police): what to do afterwards
                return [_THREAT_LEFT], False
            if police == "arrived":
                return [_THREAT_ARRIVED], False
            return [_THREAT_WAIT_AGAIN if police else _THREAT_WHAT_NOW_NO_POLICE], False
        if act in (Act.CANT_CALL, Act.NO_ANSWER):  # 110 not reached: others call it too
            return [_THREAT_CANT_CALL], False
        if act is Act.SAFE:
            return [_THREAT_SAFE], True
        if act is Act.THANKS:
            return [_THANKS_REPLY[kind]], False
        if act in (Act.HOPELESS, Act.TIRED):
            return [_DESPAIR_HOPELESS], False
        return [], False
    if act is Act.SAFE:
        return [_DESPAIR_SAFE], True
    if act is Act.HOPELESS:
        return [_DESPAIR_HOPELESS], False
    if act is Act.WHAT_NOW:
        return [_DESPAIR_WHAT_NOW], False
    if act is Act.NO_ANSWER:
        return [_DESPAIR_NO_ANSWER], False
    if act is Act.TIRED:
        return [_DESPAIR_TIRED], False
    if act is Act.THANKS:
        return [_THANKS_REPLY[kind]], False
    if act in (Act.POLICE_CALLED, Act.POLICE_ARRIVED, Act.LEFT, Act.STILL_THERE):
        return [_DESPAIR_STAY], False
    return [], False


#: Other words for the same step, used when a step was already sent in this conversation:
#: inside a crisis the bot never points back to "what it said above".
AGAIN = {
    CrisisKind.DESPAIR: (
        f"我还在，听你说。你现在的难受是真的，但你不用一个人撑：拨打{CRISIS_LINES_SHORT}；"
        "在危险的地方就马上打110或120。能不能先离开那里，去一个有人的地方？",
        "我很在乎你的安全。请你现在就给一个人打电话——家人、朋友，或者"
        f"{CRISIS_LINES}。{IN_DANGER}。欠款的事，我们之后一件件来。",
        "你愿意一直跟我说话，我就在这儿。此刻最重要的只有一件事：你的安全。"
        f"打{CRISIS_LINES_SHORT}或110/120都可以，说一句“我现在很难受”就够了。",
    ),
    CrisisKind.THREAT: (
        "先顾安全：不开门、锁好房间、离门远一点，手机一直录着。对方还在威胁或不肯走，再打110。",
        "等的时候别和门外的人说话，也别交钱签字。情况一变（砸门、闯入、有人受伤），马上再打110，"
        "有人受伤打120。",
        "记住三件事：人身安全第一，有危险就打110；不交钱不签字；能录就录。",
    ),
}


#: The same step of the safety plan in other words, for an act said again ("打过了 说在路上"
#: after "报警了"): tried before the general :data:`AGAIN` lines.
AGAIN_FOR_ACT: dict[tuple[CrisisKind, Act], tuple[str, ...]] = {
    (CrisisKind.THREAT, Act.POLICE_CALLED): (
        _THREAT_WAIT_AGAIN,
        "警察在路上就好。等的时候待在屋里、锁好门，别和门外的人争，也别交钱签字；"
        "警察到了，把录像和经过讲给他们听。门外情况变了就再打110。",
    ),
    (CrisisKind.THREAT, Act.POLICE_ARRIVED): (
        "警察在场就好：把录像、威胁的话和对方自称的机构告诉警察，记下派出所和民警警号，"
        "事后向银行投诉时用得上。",
    ),
    (CrisisKind.THREAT, Act.LEFT): (
        "人走了就先歇口气。趁还记得，把时间、人数、说过的话写下来，录像录音存好；"
        "再来威胁就打110，之后可以向银行投诉或打12378。",
    ),
}


def again_for(kind: CrisisKind, act: Act, situation: Details | None = None) -> tuple[str, ...]:
    """Other words for ``act``'s step (most specific first), then the crisis's general ones.
    "What now?" takes the words of where things stand (they left, the police came, called);
    once they left, the general lines (about waiting behind a locked door) no longer fit."""
    if act is Act.WHAT_NOW and situation is not None:
        if situation.left:
            act = Act.LEFT
        elif situation.police == "arrived":
            act = Act.POLICE_ARRIVED
        elif situation.police == "called":
            act = Act.POLICE_CALLED
    specific = AGAIN_FOR_ACT.get((kind, act), ())
    after = situation is not None and (bool(situation.left) or situation.police == "arrived")
    if kind is CrisisKind.THREAT and (after or act in (Act.LEFT, Act.POLICE_ARRIVED)):
        return (*specific, _THREAT_AFTER)  # no "stay behind a locked door" once it is over
    return (*specific, *AGAIN[kind])


#: calling is not possible now: someone else calls
_THREAT_CANT_CALL = (
    "不方便打电话，就悄悄发消息给家人或朋友：写清地址、几个人、发生了什么，请他们马上替你"
    "打110。别和对方硬碰，能出声、能离开时再自己打110。"
)
_THREAT_AFTER = (
    "现在人走了、警察也来过，先照顾好自己。有新情况随时告诉我；"
    "他们再来威胁、堵门，马上再打110。想投诉或谈还款，回复“菜单”看我能帮什么。"
)


def fallback_step(kind: CrisisKind, situation: Details | None = None) -> tuple[str, ...]:
    """What to say inside a crisis to a message that is neither a crisis act nor a topic,
    first choice first (the caller takes the first not sent yet): never the fallback apology
    (and never "call 110 now" once they left or the police came)."""
    if kind is CrisisKind.DESPAIR:
        return (_DESPAIR_STAY, _DESPAIR_STAY_AGAIN)
    if situation is not None and (situation.left or situation.police == "arrived"):
        return (_THREAT_AFTER,)
    return (_THREAT_WHAT_NOW_NO_POLICE,)


def reminder(kind: CrisisKind) -> str:
    """One line put before an ordinary answer while a crisis is active."""
    return _THREAT_REMINDER if kind is CrisisKind.THREAT else _DESPAIR_REMINDER


#: The short group reply to an urgent message nobody addressed to the bot: numbers and one or
#: two steps, no personal details.
GROUP_BRIEF = {
    CrisisKind.THREAT: "有危险请立即拨打110。不开门、不跟对方走，和对方保持距离，能录像就录像。"
    "需要一步步的帮助，可以私聊我。",
    CrisisKind.DESPAIR: f"如果你现在很难受、想伤害自己，请拨打{CRISIS_LINES}；"
    "有危险时打110或120。你不是一个人，愿意的话私聊我。",
}


#: Possible danger (a warning sign without certainty): one or two warm lines that ask directly
#: and give the numbers; the answer to the rest of the message follows.
_POSSIBLE_SELF_HARM = (
    "你说的这些让我有点担心你。想直接问一句：你是在想伤害自己吗？"
    f"如果是，请现在就打{CRISIS_LINES}；{IN_DANGER}。"
)
_POSSIBLE_VIOLENCE = (
    "你说的情况让我担心你的安全：现在有人在威胁你、跟着你或不让你走吗？"
    "如果有，不开门，马上打110（有人受伤打120）。"
)
#: in a group: never a question about self-harm in public; an invitation and the numbers
_POSSIBLE_GROUP = {
    "self_harm": "如果你最近心里很难受，可以私聊我，慢慢说。"
    f"想找人说话打{CRISIS_LINES_SHORT}；{IN_DANGER}。",
    "violence": "如果有人正在威胁你或不让你走，马上打110（有人受伤打120）。"
    "想一步步商量怎么办，可以私聊我。",
}


_POSSIBLE_SELF_HARM_AGAIN = (
    "我还是有点担心你，再问一次：你现在有伤害自己的打算吗？"
    f"有的话，现在就打{CRISIS_LINES_SHORT}，或者叫一个信得过的人过来陪你；{IN_DANGER}。"
)
_POSSIBLE_VIOLENCE_AGAIN = (
    "再确认一下你的安全：对方现在还在威胁你、跟着你或堵着你吗？"
    "是的话，别开门，马上打110（有人受伤打120）。"
)
_POSSIBLE_GROUP_AGAIN = {
    "self_harm": f"心里难受的话，随时可以私聊我。想找人说话打{CRISIS_LINES_SHORT}；{IN_DANGER}。",
    "violence": "有人正在威胁你或堵着你不让走，就马上打110（有人受伤打120）；细节可以私聊我。",
}


#: Danger reported about someone else (a counsellor's client, a customer, a relative): what the
#: person writing can do now, first, whatever else the message asks. No personal details, so
#: the same words serve a group.
_FOR_SOMEONE_ELSE = {
    (
        "clear",
        "self_harm",
    ): "先顾安全：如果对方已经服药、备好了工具或正在伤害自己，请马上替他/她打120或110，"
    "说清地址；人不在身边，就打对方所在地的120或110，并联系能最快赶到的人过去陪着。"
    f"之后可以陪他/她打{CRISIS_LINES_SHORT}。",
    (
        "clear",
        "violence",
    ): "先顾安全：对方正被威胁、跟踪或堵着，请马上帮他/她打110（说清地址、对方几个人、"
    "正在发生什么），或让他/她自己打；让他/她待在人多或能锁门的地方，不跟对方走。",
    ("possible", "self_harm"): "这些话可能是危险信号：请尽快直接问他/她是不是在想伤害自己，"
    f"陪他/她打{CRISIS_LINES_SHORT}；一旦有危险，马上打120或110。",
    ("possible", "violence"): "对方的话可能是在威胁：请提醒他/她保存记录，外出尽量有人陪；"
    "一旦被跟踪、堵门或动手，马上打110。",
}


def for_someone_else(tier: str, kind: str) -> str:
    """The first lines when danger is reported about someone else (``tier`` "clear" or
    "possible", ``kind`` "violence" or "self_harm")."""
    return _FOR_SOMEONE_ELSE.get((tier, kind), _FOR_SOMEONE_ELSE[("clear", "violence")])


def possible_lines(kind: str, *, in_group: bool, again: bool = False) -> str:
    """The possible tier's lines for ``kind`` ("violence" | "self_harm"); ``again``: the same
    said in other words (a block is never sent twice, and these lines are never dropped)."""
    if in_group:
        table = _POSSIBLE_GROUP_AGAIN if again else _POSSIBLE_GROUP
        return table.get(kind, table["violence"])
    if kind == "self_harm":
        return _POSSIBLE_SELF_HARM_AGAIN if again else _POSSIBLE_SELF_HARM
    return _POSSIBLE_VIOLENCE_AGAIN if again else _POSSIBLE_VIOLENCE

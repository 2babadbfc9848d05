"""The cues of one message the conversation needs: does it ask something, ask "what now",
vent, close the conversation, ask about the police or the monthly amount, correct a figure,
ask for a calculation; what it does inside a crisis; a numbered choice or an option's words.

Read by the understanding stage, each at most once per message and only when a decision asks
for it (most messages need few of them: a cue costs nothing until it is used). The
conversation (bot/conversation/) reads these fields and never runs a pattern on the text
itself. The text is the normalised one (Simplified, half-width, lower case).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Generic, TypeVar, overload

from bot.understanding.details import Details, unreadable_amount
from bot.understanding.requests import asks_rules
from bot.understanding.short_answers import (
    SAFE_NOW,
    WONT_ACT,
    Repair,
    YesNo,
    compact,
    out_of_range,
    read_choice,
    read_closing,
    read_closing_plan,
    read_closing_with_tail,
    read_repair,
    read_yes_no,
    rest_after_yes_no,
    starts_with_ack,
)

#: a reply this short (characters) to the bot's pending question reads as an answer
SHORT_REPLY_CHARS = 6


class Act(StrEnum):
    """What a message inside a crisis does."""

    POLICE_CALLED = "police_called"
    POLICE_ARRIVED = "police_arrived"
    LEFT = "left"
    STILL_THERE = "still_there"
    WHAT_NOW = "what_now"
    CANT_CALL = "cant_call"  # "我不敢打电话 他们看着我": calling is not possible now
    NO_ANSWER = "no_answer"  # "打了 夜里没人接": the line called does not answer
    SAFE = "safe"
    HOPELESS = "hopeless"
    TIRED = "tired"
    THANKS = "thanks"
    OTHER = "other"


T = TypeVar("T")


class once(Generic[T]):
    """A value computed on first use and then kept on the instance (like
    :func:`functools.cached_property`, without its lock, which Python 3.11 takes on every first
    use: a dozen cues a message made that cost more than the cues)."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, instance: None, owner: type) -> once[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> T: ...
    def __get__(self, instance: object | None, owner: type) -> T | once[T]:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value  # later reads find it there, not here
        return value


class Forward(StrEnum):
    """How a message marks itself as forwarded from someone else."""

    #: a forward in so many words: 【转】, 转发, 帮客户问, 替客户问, 当事人问, 来访者
    MARKED = "marked"
    #: words about a client that a collector says too (客户说, 客户问, 我的客户, 客户的情况):
    #: a forward only with a quote (客户说：…), a case's length, or from a counsellor
    CLIENT_WORDS = "client_words"


class Cues:
    """The cues of one message (see the module docstring); every one is read on first use
    and kept."""

    def __init__(self, text: str, details: Details) -> None:
        self.text = text
        self.details = details
        self._choices: dict[int, int | None] = {}

    @once
    def compact(self) -> str:
        """The text without spaces and punctuation."""
        return compact(self.text)

    @once
    def asks(self) -> bool:
        """The message asks something ("…吗", "怎么…"; not "一张什么协议", which names a thing)."""
        return _ASKS.search(self.compact) is not None

    @once
    def question_word(self) -> bool:
        """A question word anywhere ("周末去哪里玩", "多少钱", "who", "where"): wider than
        :attr:`asks`, for telling a question about something else from something told."""
        return _QUESTION_WORD.search(self.text.lower()) is not None

    @property
    def asked(self) -> bool:
        """A question by either reading (:attr:`asks` or :attr:`question_word`): what the
        conversation tells from something only told."""
        return self.asks or self.question_word

    @once
    def another_debt(self) -> bool:
        """The message adds a debt to those told ("还有一张浦发信用卡欠1万2"), not a
        correction of one ("不对，是浦发欠1万2")."""
        return _ANOTHER_DEBT.search(self.text) is not None and not self.correcting

    @once
    def correcting(self) -> bool:
        """The message corrects what was said ("不对", "说错了", "actually")."""
        return _CORRECTING.search(self.text) is not None

    @once
    def asks_rules(self) -> bool:
        """The message asks for the rules behind the answer as well ("…吗？请给出具体依据",
        "有没有条文可引"): the answer comes with them (requests.py)."""
        return asks_rules(self.text)

    @once
    def what_now(self) -> bool:
        """The whole message asks for the next step ("那我该怎么办", "然后呢")."""
        return _WHAT_NOW.match(self.compact) is not None

    @once
    def whole_question(self) -> bool:
        """Asks what to do about the whole matter ("信用卡上门了怎么办"), not about one step."""
        return _WHOLE.search(self.compact) is not None

    @once
    def about_paper(self) -> bool:
        """Speaks of a paper the person was shown or sent ("这封信是真的吗", "上面写的")."""
        return _PAPER.search(self.compact) is not None

    @once
    def anxious(self) -> bool:
        """A short anxious message ("怕", "好慌", "我好害怕啊"): fear said, nothing asked."""
        return len(self.compact) <= 8 and _ANXIOUS.match(self.compact) is not None

    @once
    def short_how(self) -> bool:
        """A short "how?" ("怎么查", "咋弄", "如何核实")."""
        return _SHORT_HOW.match(self.compact) is not None

    @once
    def venting(self) -> bool:
        """Venting ("烦死了", "受不了了")."""
        return _VENT.search(self.compact) is not None

    @once
    def closing(self) -> bool | None:
        """None: no closing; True: only a closing ("明白了", "谢谢"); False: a bare
        acknowledgement that may also be a yes ("好的", "ok")."""
        return read_closing(self.text)

    @once
    def closing_with_tail(self) -> bool:
        """ "Understood", then a tail that asks nothing ("嗯 懂了 我去问问客服")."""
        return read_closing_with_tail(self.text)

    @once
    def closing_plan(self) -> bool:
        """ "Okay, then what I will do or did" ("行 我明天带材料去网点")."""
        return read_closing_plan(self.text)

    @once
    def thanks(self) -> bool:
        """The message says thank you."""
        return (
            _THANKS.search(self.compact) is not None
            or _THANKS_EN.search(self.text.lower()) is not None
        )

    @once
    def thanks_closing(self) -> bool:
        """Thanks with a short tail that asks nothing and tells no news ("brilliant, cheers
        for the tips, I owe you a beer", "谢谢 我明天去网点"): a goodbye, however worded."""
        return (
            self.thanks
            and not self.asked
            and len(self.compact) <= THANKS_CLOSING_CHARS
            and _NEWS_OR_FIGURES.search(self.text.lower()) is None
        )

    @once
    def police_question(self) -> bool:
        """Asks whether to go to the police ("要不要报警", "报警有用吗")."""
        return _POLICE_QUESTION.search(self.compact) is not None

    @once
    def monthly(self) -> bool:
        """Asks the monthly amount ("每月大概还多少", "月供多少")."""
        return _MONTHLY.search(self.compact) is not None

    @once
    def calculation(self) -> bool:
        """Asks for a calculation in so many words ("算一下", "帮我算算", "要还多久")."""
        return _CALC_ASK.search(self.text) is not None

    @once
    def how_long(self) -> bool:
        """Asks how long or how many periods ("要几个月", "还得多少个月", "how long"): with an
        amount and a monthly budget, nothing but a calculation answers it."""
        return _HOW_LONG.search(self.text.lower()) is not None

    @once
    def per_month(self) -> bool:
        """Speaks of a monthly figure ("按我刚才说的每个月能还的钱", "月供"): with a budget told
        before and "多久", the calculation."""
        return _PER_MONTH.search(self.compact) is not None

    @once
    def asks_total(self) -> bool:
        """Asks what is owed in all, or what was said before ("所以我总共欠多少来着",
        "加起来多少", "how much do I owe in total"): the figures told answer it."""
        return _ASKS_TOTAL.search(self.text.lower()) is not None

    @once
    def asks_meaning(self) -> bool:
        """Asks what something just said means ("你刚才说的中断是啥意思 没太懂", "能解释一下吗",
        "what do you mean"): right after a direct answer, its fuller form answers it."""
        text = self.text.lower()
        if _ASKS_MEANING.search(text):
            return True
        return len(self.compact) <= MEANING_SHORT_CHARS and bool(
            _ASKS_MEANING_SHORT.search(text.strip())
        )

    @once
    def after_repaying(self) -> bool:
        """Asks what is left after a repayment ("还了这笔以后还欠多少", "剩下的要还多久",
        "how much is left to pay"): what was owed less what was repaid."""
        return _AFTER_REPAYING.search(self.text.lower()) is not None

    @once
    def figures_only(self) -> bool:
        """Little but figures and correction words ("欠3.5万", "不对，是4万", "那分36期呢")."""
        text = self.text
        return bool(text) and len(text) <= 20 and len(_FIGURE_WORDS.sub("", text)) <= 1

    @once
    def repair(self) -> Repair | None:
        """A message about the conversation itself ("等一下", "你问这个干嘛", "啥意思")."""
        return read_repair(self.text)

    @once
    def yes_no(self) -> YesNo | None:
        """The message read as a yes/no answer, if it is one ("好怕", "好烦" say fear or
        anger, not "好")."""
        if self.anxious or self.venting:
            return None
        return read_yes_no(self.text)

    @once
    def rest_after_yes_no(self) -> str:
        """What follows a leading yes/no word ("是借款确认书" → "借款确认书")."""
        return rest_after_yes_no(self.text)

    @once
    def rest_asks(self) -> bool:
        """The words after a leading yes/no ask a question of their own ("可以先拍照给家里人
        看吗")."""
        rest = self.rest_after_yes_no
        return len(rest) >= 4 and _ASKS.search(rest) is not None

    @once
    def acknowledgement(self) -> bool:
        """Opens with an acknowledgement ("好吧…", "行吧…", "ok …")."""
        return starts_with_ack(self.text)

    @once
    def short_acknowledgement(self) -> bool:
        """An acknowledgement, then a few words ("好吧我不开")."""
        return self.acknowledgement and len(self.compact) <= SHORT_REPLY_CHARS

    @once
    def unreadable_amount(self) -> tuple[str, str] | None:
        """A figure that is not taken ("1e308元", "-5000元"): its kind and how it was written."""
        return unreadable_amount(self.text)

    def choice(self, count: int) -> int | None:
        """The message as a numbered choice between 1 and ``count`` (0-based), if it is one."""
        if count not in self._choices:
            self._choices[count] = read_choice(self.text, count)
        return self._choices[count]

    def out_of_range(self, count: int) -> str | None:
        """The sentence for a lone number outside 1..``count``, else None."""
        return out_of_range(self.text, count)

    def option(self, labels: list[str]) -> int | None:
        """The label the message repeats or paraphrases ("在门口" → "现在就在门口"), when one
        clearly fits better than the others (0-based)."""
        said = self.compact.lower()
        if len(said) < 2:
            return None
        scores = []
        for label in labels:
            target = compact(label).lower()
            if said in target or target in said:
                scores.append(1.0)
                continue
            mine, theirs = bigrams(said), bigrams(target)
            scores.append(len(mine & theirs) / len(mine) if mine else 0.0)
        best = max(range(len(labels)), key=lambda i: scores[i])
        ranked = sorted(scores, reverse=True)
        if ranked[0] >= 0.5 and (len(ranked) == 1 or ranked[0] - ranked[1] >= 0.25):
            return best
        return None

    @once
    def content_bigrams(self) -> frozenset[str]:
        """The character pairs that say what the message is about (no function characters)."""
        return content_bigrams(self.text)

    @once
    def forward(self) -> Forward | None:
        """Whether (and how) the message marks itself as forwarded."""
        if _FORWARD_MARKED.match(self.text):
            return Forward.MARKED
        if _CLIENT_WORDS.match(self.text):
            return Forward.CLIENT_WORDS
        return None

    @once
    def recall_words(self) -> str:
        """The words asking what the person told ("你还记得我欠的是哪家银行多少钱吗", "我之前
        说的那家银行", "what was the total I told you"); "" when none."""
        return recall_words(self.text)

    @property
    def recall(self) -> bool:
        return bool(self.recall_words)

    @once
    def reports_someone(self) -> bool:
        """The message passes on what a customer, client or debtor said or did ("我是催收公司的
        客户说他现在就在楼顶上"): danger in it is theirs, not the speaker's."""
        return self.forward is not None or _REPORTED.search(self.text) is not None

    @once
    def quoted(self) -> bool:
        """The client's words are quoted after a colon ("客户说：…", "客户问:…")."""
        match = _CLIENT_WORDS.match(self.text)
        return match is not None and self.text[match.end() : match.end() + 1] in (":", "：")

    @once
    def act(self) -> Act:
        """What the message does inside a crisis (before the visit is over)."""
        return read_act(self.text, self.details, after_visit=False)

    @once
    def act_after_visit(self) -> Act:
        """What the message does inside a crisis once the visitors left or the police came
        (a bare "嗯" then says "I'm safe")."""
        return read_act(self.text, self.details, after_visit=True)


#: "那我该怎么办", "然后呢": the whole message asks for the next step.
_WHAT_NOW = re.compile(
    r"^(?:助手|小助手)?(?:那|那我|我|我们|现在|然后|所以|接下来|下一步|之后|后面|今后)*"
    r"(?:该|应该|要|能|可以|还要|还能|还可以|需要|还需要)?"
    # said once or over and over in a panic ("怎么办怎么办", "咋办咋办啊")
    r"(?:(?:怎么办|干嘛|干什么|做什么|怎么做|咋办|咋整|然后呢|接下来呢?|下一步呢?)"
    r"(?:呢|啊|呀|吧|了)*)+$"
)
#: a forward in so many words
_FORWARD_MARKED = re.compile(
    r"^\s*(?:【转】|\[转\]|转发|转[:：]|帮客户问|替客户问|当事人问|来访者|帮我的客户问)"
    # a counsellor who says who they are ("您好，我是债务规划师，客户…", "我是做个人债务规划
    # 的，帮一位客户转问", "我是社区的债务咨询counsellor")
    r"|^\s*(?:您好|你好|老师好)?[，,。 ]*我是(?:一名|一个|个)?(?:[^，,。 ]{0,8})?"
    r"(?:债务规划|规划师|债务顾问|债务咨询|法律援助|法援|社工|律师|调解员|心理咨询师"
    r"|counsell?or|social worker)"
    # on duty at a legal-aid desk ("法援中心值班，当事人…")
    r"|^\s*(?:[^，,。 ]{0,4})?(?:法援|法律援助)(?:中心|站|工作站)(?:值班|的?工作人员|这边|的?老师)"
    # asking on behalf of a client in so many words ("帮一位客户转问", "替一位阿姨问")
    r"|^[^。？?]{0,30}(?:帮|替|代)(?:一位|一个|我的)?(?:客户|当事人|来访者)(?:转)?问"
)
#: words about a client, said by counsellors and collectors alike
_CLIENT_WORDS = re.compile(
    r"^\s*(?:客户问|客户说|客户反映|我的客户|客户的?情况|当事人的?情况|当事人说)"
)
#: someone else's words or state passed on, anywhere in the message
_REPORTED = re.compile(
    r"(?:客户|当事人|来访者|债务人|借款人|欠款人|持卡人)(?:刚才|刚刚|今天|昨天|电话里|跟我|对我)?"
    r"(?:说|讲|反映|表示|提到|称|自称|在电话里说)"
    # the customer named first, then "他说" ("电话回访一个逾期客户，他说他人在天台上")
    r"|(?:客户|当事人|来访者|债务人|借款人|欠款人|持卡人)[^。！？!?]{0,12}?(?:他|她)"
    r"(?:刚才|刚刚|在电话里|跟我)?(?:说|讲|反映|表示)"
    # a relative or friend whose words are passed on ("我爸说他不想活了 在阳台上"): a danger
    # of self-harm in them is the relative's, and the one writing is the one who can act
    r"|我(?:爸|妈|父亲|母亲|老公|老婆|丈夫|妻子|媳妇|儿子|女儿|哥|姐|弟|妹|朋友|室友|同事|男朋友|"
    r"女朋友|男友|女友|爷爷|奶奶|外公|外婆|舅舅|姑姑|叔叔|阿姨|表哥|表姐|表弟|表妹|堂哥|堂弟)"
    r"(?:刚才|刚刚|今天|昨天|晚上|在电话里|电话里|跟我|对我|给我|发消息|打电话)*"
    r"(?:说|讲|提到|留言)(?=他|她|[^我]{0,4}(?:不想活|想死|去死|跳|轻生|自杀|活着))"
    # ... named before and now "他/她" ("我老公…" then "他昨晚跟我说活着没意思 想一了百了");
    # "去死" is left out here: "他跟我说你去死吧" is a collector's insult, not his despair
    r"|(?<![你])(?:他|她)[^。！？!?我你]{0,16}(?:跟我|对我|和我)(?:说|讲)(?:过)?"
    r"(?=[^我你]{0,6}(?:不想活|想死|活着没意思|活着没劲|一了百了|轻生|自杀|跳楼|活够了))"
)
#: asking what the person told: "还记得…吗", "刚才说的是哪家…来着", "我之前说的那家银行"
_RECALL = re.compile(
    r"(?:你)?还记得[^。！？!?]{0,20}(?:吗|么|不|没)"
    r"|(?:刚才|之前|前面|上次|刚刚)[^。！？!?，,]{0,8}(?:说|讲|提|告诉你)(?:过)?的是?(?:哪|什么|多少|几)"
    r"[^。！？!?]{0,10}来着"
    r"|(?:哪|多少|什么|啥|几)[^。！？!?，,]{0,8}来着"
    r"|(?:(?:之前|刚才|上次|前面)我|我(?:之前|刚才|上次|前面))(?:说|讲|提)(?:过)?的那(?:家|个)"
    r"(?:银行|平台|公司)?"
    # "我刚才说我一共有几张卡逾期？": the person's own telling, asked back as the question itself
    r"|(?:(?:之前|刚才|刚刚|上次|前面|上面|昨天)我|我(?:之前|刚才|刚刚|刚|上次|前面|上面|昨天))"
    r"(?:跟你|和你)?"
    r"(?:说|讲|提|告诉你)(?:过|了)?[^。！？!?，,]{0,12}(?:几|多少|哪|什么|啥)"
    r"[^。！？!?，,]{0,8}(?=[?？]|$)"
    r"|(?i:\b(?:what|which|how much)\b[^.?!]{0,40}\b(?:i|did i) (?:told|tell|said|say"
    r"|mentioned?) you\b|\bdo you (?:still )?remember\b|\bremind me (?:what|how much|which)\b"
    r"|\b(?:what|which|how much|how many|where)\b[^.?!]{0,40}\b(?:did i (?:say|mention|tell you)"
    r"|i (?:said|mentioned))\b)"
)


def recall_words(text: str) -> str:
    """The words of ``text`` asking what the person told (see :attr:`Cues.recall`); "".
    Words in quotation marks are someone else's (“你家住几楼来着”, said by a collector)."""
    found = _RECALL.search(_QUOTED.sub("", text))
    return found.group(0) if found else ""


def asks_what_was_told(text: str) -> bool:
    """``text`` asks what the person told earlier (see :attr:`Cues.recall`)."""
    return bool(recall_words(text))


#: words in quotation marks: what someone else said
_QUOTED = re.compile(r"[“\"「『‘][^”\"」』’]{1,60}[”\"」』’]")


#: a debt added to those told: "还有一张…", "另外借呗也欠…", "and I also owe …"
_ANOTHER_DEBT = re.compile(
    r"还有|另外|另一|再加上|加上|又欠|也欠|又借|也借|(?i:\balso\b|\banother\b|\bplus\b)"
)
_CORRECTING = re.compile(
    r"不对|不是|说错|搞错|记错|写错|纠正|更正|(?i:\bsorry\b|\bactually\b|\bnot\b)"
)
#: asking what to do about the whole matter
_WHOLE = re.compile(r"怎么办|咋办|怎么处理|如何处理|如何应对|怎么应对|该怎么做|怎么弄|咋整")
#: a paper the person was shown or sent
_PAPER = re.compile(
    r"这封|那封|这份|那份|这张|那张|这个函|那个函|催收函|律师函|传票|信上|纸上|上面写|图片|照片"
    r"|这个信|那个信|这信|函是|协议上|收款码|二维码"
)
#: a short anxious message: fear said, nothing asked
_ANXIOUS = re.compile(
    r"^(?:我|真的|现在)*(?:好|很|太|真|有点|非常|特别)?"
    r"(?:怕|害怕|好怕|慌|心慌|发慌|紧张|担心|吓人|吓死了?|怕死了|可怕|好可怕|心里没底|发抖)"
    r"(?:了|啊|呀|呢|哦|啦|死了)*$"
)
#: Venting ("烦死了", "受不了了") inside a topic: acknowledged, not "I did not understand".
_VENT = re.compile(r"烦死|好烦|太烦|烦透|受不了|心累|崩溃|难受|气死|怕死|吓死|头疼|睡不着")
#: "每月大概还多少", "一个月要还多少", "月供多少": the monthly payment asked about
_MONTHLY = re.compile(r"(?:每个?月|一个月|月供|每期).{0,6}(?:还|付|交|供)?多少|月供(?:是)?几")
#: "要不要报警", "能报警吗", "可以报案吗": asking whether to go to the police
_POLICE_QUESTION = re.compile(
    r"(?:要不要|该不该|能不能|可不可以|可以|能|需要|用不用)(?:报警|报案|打110)|(?:报警|报案|打110)(?:吗|有用吗|管用吗|行吗|有没有用)"
)
#: a short "how?" inside a topic ("怎么查", "咋弄", "如何核实"): the steps that matter now
_SHORT_HOW = re.compile(r"^(?:那|那我|我)?(?:该|要)?(?:怎么|咋|如何|怎样)\w{0,3}(?:呢|啊|呀)?$")
#: the message asks something (not "一张什么协议", which only names a thing)
_ASKS = re.compile(
    # a final 呢 asks, unless it follows 着 ("孩子还等着我呢", "好着呢": told)
    r"[?？吗]|怎么|为什么|干什么|咋|能不能|可不可以|可以不|要不要|会不会|该不该|是不是|行不行"
    r"|(?<!着)(?<!着.)(?<!着..)呢$"
    # "有没有…", "是否…", an either-or ("是加起来算，还是各算各的")
    r"|有没有|是否|[,，]还是|是.{1,16}还是"
    # a tag question at the end ("银行必须同意对吧", "这样算没错吧")
    r"|(?:对吧|是吧|对不对|没错吧|对么|是么)$"
    # a demand to pay put on the person, told last: "must I?" ("我爸去世了…银行让我还")
    r"|(?:让|要|叫|逼|找)(?:我|我们|我家|我妈|我爸|家里人?)[^,，。！？]{0,4}(?:还|还钱|还款|还债|替他还|替她还)"
    r"[了啊呀呢]?$"
)
_QUESTION_WORD = re.compile(
    r"哪|多少|多久|多长|多大|谁|几[点个天时年月期次岁]|什么时候|如何|怎样|(?<!没)啥(?![都也])"
    r"|\b(?:how|what|where|why|when|who|which)\b"
    # an English yes/no question opening a sentence ("Do I have to open the door?", "can
    # they call my boss")
    r"|(?:^|[.!?,;:]\s*)(?:do|does|did|can|could|should|must|will|would|is|are|am|may|have|has)"
    r"\s+(?:i|you|we|they|he|she|it|my|the|this|that|there|someone|anyone|collectors?)\b"
)
_THANKS = re.compile(r"谢|唔该|唔該|多謝|感恩|🙏")
#: ... in English, whole words only ("ty" is thanks, "university" is not)
_THANKS_EN = re.compile(
    r"\b(?:thx|thanks?|thank you|thank u|3q|tysm|appreciated?|cheers|ta (?:heaps|mate|very much))\b"
    # short words that are pinyin too ("ta men"): only as the whole message
    r"|^(?:ty|ta)[ !.~]*$"
)
#: a thanks this long or shorter may be a goodbye
THANKS_CLOSING_CHARS = 60
#: ... unless it tells something new: a figure, people still there, fear
_NEWS_OR_FIGURES = re.compile(
    r"\d|还在|又来|又打|来了|门口|楼下|不走|怕|慌|but |still |again|但是|可是|不过"
)
#: asking for a calculation in so many words
_CALC_ASK = re.compile(
    r"算一下|算一算|算算|帮我算|给我算|计算|算下|怎么算|算一个"
    # or how long the repaying takes, how many periods ("要还多久", "几年能还完", "要分几期")
    r"|还(?:多久|多长时间|几年|几个月|多少年|多少个月)|(?:多久|几年|几个月)(?:能|可以|才能)?还(?:完|清)"
    r"|(?:要|得|分)(?:几|多少)期"
)
#: how long, how many periods
#: what the bot just said, asked about: "你刚才说的中断是啥意思", "上面说的我没太懂"
_ASKS_MEANING = re.compile(
    r"(?:刚才|刚刚|上面|你)(?:说|讲|提|写)的[^。！？!?]{0,14}?"
    r"(?:(?:是)?(?:啥|什么|甚么|咩|什麼)意思|没(?:太)?(?:看|听)?懂|不(?:太)?明白)"
    r"|\bwhat do you mean\b|\bwhat does [^.?!]{1,30} mean\b|\bcan you explain (?:that|it)\b"
)
#: ... or a message that is only the asking ("什么意思？", "没看懂", "能解释一下吗"; not "终本是
#:什么意思": a term named is a question of its own)
_ASKS_MEANING_SHORT = re.compile(
    r"^(?:那|这|这个|那个|你这|你这个|嗯|啊|哦|呃)?[ ，,]?(?:是)?"
    r"(?:(?:啥|什么|甚么|什麼)意思|没(?:太)?(?:看|听)?懂|看不懂|不太明白|不懂|解释一下|能解释(?:一下)?吗)"
    r"[啊呀呢吗？?。.!！]*$|^i don'?t get it[.!?]*$"
)
#: a message this short may be only the asking
MEANING_SHORT_CHARS = 10
_AFTER_REPAYING = re.compile(
    r"还了(?:这笔|这些|这个|这次)|(?:还完|还了)[^，。！？,.!?]{0,4}(?:以后|之后)"
    r"|剩下的?(?:钱|欠款|部分|还)?|剩余(?:的|欠款|部分)?|还剩|还欠多少|还差多少"
    r"|\b(?:remaining|left to pay|still owe|the rest)\b"
)
_ASKS_TOTAL = re.compile(
    r"(?:总共|一共|加起来|加一起|合计|总计|统共|加在一起|算下来)(?:是|有)?(?:欠|借)?(?:了|的)?(?:多少|几)"
    r"|(?:欠|借)了?(?:多少|几)[^，。！？,.!?]{0,3}来着"
    r"|(?:刚才|之前|前面|上面)(?:说|讲)的?[^，。！？,.!?]{0,6}(?:多少|几)"
    r"|how much (?:do|did) i owe (?:in )?(?:total|altogether|all)"
    r"|(?:what|how much)[^.?!]{0,20}in total"
    # "加起来算大额吗": a question about the sum is answered with the sum first
    r"|(?:加起来|加一起|加在一起)[^，。！？,.!?]{0,8}(?:算|吗|呢|是不是|多少)"
    # English said any way, the owing word read as 欠 ("what do i 欠 altogether")
    r"|\bmy total\b|\btotal (?:owed|debt|amount)\b|\badd (?:it|them|these|those|that) up\b"
    r"|\btoo tired to add\b|\b(?:sum|tally) (?:it|them) up\b"
    r"|(?:owe|欠)\s*(?:altogether|in all|all together)"
)
_PER_MONTH = re.compile(r"每个?月|一个月|月供|每期|(?i:a month|per month|monthly)")
_HOW_LONG = re.compile(
    r"(?:几|多少)个?(?:月|年|期)|多久|多长时间|多少时间|how long"
    # (the normaliser reads "months" and "years" as 个月 and 年)
    r"|how many (?:months|years|installments|instalments|个月|年)"
)
#: what a message that only states or corrects a figure is made of (欠3.5万, 不对，是4万)
_FIGURE_WORDS = re.compile(
    r"[0-9零〇一二两三四五六七八九十百千万亿.,wk%‰ ，。！？!?、~]"
    r"|不对|不是|改成|改为|应该是|其实是|金额|欠款|欠了|欠|借了|借|总共|一共|大概|期数|个月|期|年|元|块|是|了|呢|吗|的|那|就|吧|啊"
)
#: characters that say little about what a question is about
_FUNCTION_CHARS = frozenset(
    "我你他她们的了吗呢啊吧呀是在要会能可以怎么样什么哪个这那就都也还和跟给被把让说想"
)


def bigrams(text: str) -> set[str]:
    """The character pairs of ``text`` (the text itself when shorter than two)."""
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def content_bigrams(text: str) -> frozenset[str]:
    """The character pairs of ``text`` that say what it is about (no function characters)."""
    return frozenset(b for b in bigrams(compact(text)) if not _FUNCTION_CHARS.intersection(b))


# -- inside a crisis -----------------------------------------------------------------------------

_CRISIS_WHAT_NOW = re.compile(
    r"(?:我)?(?:该|应该|要|能|可以)?(?:怎么办|干嘛|干什么|做什么|怎么做|咋办|咋整)"
    r"|然后呢|接下来|现在呢|下一步|还有呢|还有吗|还要做|还需要做|还能做"
    r"|what (?:now|should i do)|what do i do|what else"
)
#: a bare yes, or "safe", once the visitors are gone (the bot just asked "你现在安全吗？")
_SAFE_YES = re.compile(
    r"^(?:嗯+|恩+|是的?|对|安全|安全的|还好|还行|好的?|ok|okay|yes)(?:了|的|吧|啊)*$"
)
_SAFE = re.compile(SAFE_NOW + "|" + WONT_ACT)
_NOT_SAFE = re.compile(r"不安全|没安全|怎么|吗")
#: nobody hurt, everyone fine ("我妈没啥事", "大家都没事", "没人受伤", "人都好好的")
_UNHURT = re.compile(
    r"(?:人|我|我妈|我爸|爸妈|家里人|老婆|孩子|大家|都|也)(?:都|也)?没(?:啥|什么)?事"
    r"|没(?:有)?人受伤|(?:都|也)?没受伤|(?:人)?(?:都)?好好的"
    r"|(?i:(?:no ?one|nobody)(?:'s| is| was) hurt|everyone(?:'s| is) (?:ok|okay|fine|safe))"
)
_HOPELESS = re.compile(
    r"(?:谁|没人|没有人)(?:也|都)?(?:帮不了|救不了|管不了|在乎)|帮不了我|没用的?|没有用"
    r"|活着(?:没|有什么)意思|没有希望|看不到希望|撑不下去|不想撑|熬不下去|no one can help"
    r"|nobody can help|no hope|hopeless"
)
_TIRED = re.compile(
    r"(?:好|太|很|真的|就是|只是|特别)?累(?:了|死了|啊)?$|^(?:就是|只是)?(?:太)?累|好困|心累"
    r"|just tired|so tired"
)
_THANKS_WORDS = re.compile(
    r"^(?:好的?|嗯|好吧)?(?:谢谢|感谢|多谢|thx|thanks|thank you)"
    r"|^(?:好的?|好吧|嗯+|哦+|ok|okay|知道了|明白了?|收到)$"  # a bare "okay" in a crisis
)
#: calling is not possible now (watched, phone taken, cannot speak)
_CANT_CALL = re.compile(
    r"(?:不敢|不能|没法|没办法|不方便|不好)(?:打电话|打110|报警|出声|说话)"
    r"|(?:手机|电话)(?:被)?(?:抢|收|拿)走|看着我|盯着我"
    r"|(?i:(?:can'?t|cannot|can ?not)\s*(?:call|talk|speak)|they'?re\s*watching|watching\s*me)"
)
#: the line called does not answer ("12356打不通", "打了没人接", "the line doesn't answer")
_NO_ANSWER = re.compile(
    r"打不通|没打通|没能?打进去|没人接|没有人接|无人接|占线|接不通|不接电话|打了.{0,6}没(?:有)?(?:人)?接"
    r"|(?i:(?:doesn'?t|does not|didn'?t|did not|won'?t)\s*(?:answer|pick\s*up|go through)"
    r"|no\s*(?:one|body)\s*(?:answers|answered|picks?\s*up|picked\s*up)|can'?t get through"
    r"|(?:line|number) (?:is|was) busy)"
)
_CRISIS_PUNCT = re.compile(r"[\s,.!?;:~，。！？；：、…]+")


def read_act(text: str, found: Details, *, after_visit: bool = False) -> Act:
    """What ``text`` (normalised) does inside a crisis; ``found`` are its details.
    ``after_visit``: the visitors left or the police came (a bare "嗯" then says "I'm safe")."""
    said = _CRISIS_PUNCT.sub("", text)
    if found.police == "arrived":
        return Act.POLICE_ARRIVED
    if found.police == "called" and found.left is not True:
        # (called, and they went at once: "报警了 他们一听就下楼走了" is their leaving)
        return Act.POLICE_CALLED
    if found.left is True:
        # gone, and everyone is fine ("劝走了 我妈没啥事"): the danger is over
        return Act.SAFE if _UNHURT.search(said) and not _NOT_SAFE.search(said) else Act.LEFT
    if _SAFE.search(said) and not _NOT_SAFE.search(said):
        return Act.SAFE
    if _HOPELESS.search(said):
        return Act.HOPELESS
    if found.document is not None or found.paid is not None or found.signed:
        return Act.OTHER  # "他们要她签字代还 怎么办": answered on its point, the numbers kept
    if _CANT_CALL.search(said):
        return Act.CANT_CALL
    if _NO_ANSWER.search(text):  # (on the text with its spaces: "doesn't answer")
        return Act.NO_ANSWER
    if _CRISIS_WHAT_NOW.search(said):
        return Act.WHAT_NOW
    if found.left is False:
        return Act.STILL_THERE
    if _SAFE_YES.match(said) and after_visit:
        return Act.SAFE  # "嗯", "安全" to "你现在安全吗？" once they are gone
    if _TIRED.search(said):
        return Act.TIRED
    if _THANKS_WORDS.search(said):
        return Act.THANKS
    return Act.OTHER


# -- a forwarded text ---------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^。！？!?\n；;]+[。！？!?；;]?")
_MARKER_ANYWHERE = re.compile(r"(【转】|\[转\]|转发[:：]|客户问[:：]|客户说[:：]|客户反映[:：])")


def forwarded_sentences(text: str, limit: int) -> tuple[str, list[str]]:
    """A forwarded text without its forward marks, and its sentences (at least two
    characters each, at most ``limit`` of them) — the client's questions are read one by one
    (bot/conversation/counsellor.py)."""
    text = _MARKER_ANYWHERE.sub("\n", text)
    sentences = [m.group(0).strip(" ，,、") for m in _SENTENCE.finditer(text)]
    return text, [s for s in sentences if len(s) >= 2][:limit]

"""What a message says besides its question: a request for the rules behind the answer
("请给出具体依据", "有没有条文可引", "依据是什么") and a professional's self-introduction
("我是法律援助站的，", "我是债务规划师，"). Neither is the question: read with it, the words
of the request and of the introduction pull the question toward other answers ("条文可引"
toward keeping records, "法律援助" toward finding a lawyer), so the question is read without
them and the request is kept as a cue (the answer then comes with its rules).

A relative's introduction ("我是他妈妈，") stays: who is asked to pay is the question.
Pure, no I/O; the text is the normalised one (Simplified, half-width, lower case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: a clause that only asks for the rules: "请给出具体依据", "请列出相关刑法条文", "有没有条文可
#: 引", "依据是什么", "具体是哪一条", "legal basis?"
_RULES_CLAUSE = re.compile(
    r"^(?:那|还有)?(?:请|麻烦|能否|可否|能不能|可不可以|可以)?(?:你|您)?(?:再)?"
    r"(?:帮忙|帮我)?(?:给出|说明|附上?|列出|列一下|列|提供|讲讲|说说|告诉我|给我|给|发)?"
    r"(?:一下|下)?(?:相关|具体|对应|明确)?的?"
    r"(?:法律|法规|刑法|民法典|司法解释|监管|规章|政策)?"
    r"(?:依据|法条|条文|出处|条款|法律规定|规定)(?:和出处|及出处)?"
    r"(?:是什么|是哪条|是哪一条|是哪些|有哪些|在哪|呢|吗|谢谢)?$"
    r"|^(?:那)?有没有(?:相关|具体|明确)?的?(?:法律|法规)?(?:依据|条文|法条|规定|条款)"
    r"(?:可以?|能)?(?:引用?|参考|依|援引|用)?(?:呢|吗)?$"
    r"|^(?:法律|具体)?依据(?:是|在)?(?:什么|哪|哪里|哪条|哪一条|哪个)(?:规定|文件|法)?(?:呢)?$"
    r"|^(?:具体)?(?:是|在)?(?:哪|第几)一?条(?:规定)?(?:呢|吗)?$"
    r"|^(?:根据|依据|凭)什么(?:规定)?(?:呢)?$"
    r"|^(?:what(?:'s| is) the |any |give (?:me )?the |please cite the )?"
    r"(?:legal basis|which article|which law|which rule|rule|article|law)s?"
    r"(?: (?:for|behind) (?:it|this|that))?(?: please)?$",
    re.IGNORECASE,  # a forwarded sentence is read as written ("Please cite the article.")
)
#: where a message is cut into clauses
_PUNCTUATION = r"[，,。.？?！!；;\n]+"
_CLAUSE_END = re.compile(_PUNCTUATION)
#: ... keeping the marks, to put the clauses kept back together
_CLAUSE_SPLIT = re.compile(f"({_PUNCTUATION})")
#: a professional introducing themselves before the question: "我是法律援助站的，",
#: "您好，我是债务规划师。", "我们是xx律所的："
_PREAMBLE = re.compile(
    r"^(?:你好|您好|hi|hello)?[，, ]*(?:我是|我们是|本人是)(?:一[名个位])?[^，。,.？?！!：:]{0,14}?"
    r"(?:法律援助|律所|律师|事务所|援助站|援助中心|债务规划|规划师|债务顾问|顾问|社工|志愿者|"
    r"咨询师|调解员|工作站|服务站|服务中心)[^，。,.？?！!：:]{0,8}[，,。.：:]+"
    # "I'm a legal aid volunteer in Shanghai helping a client."
    r"|^(?:hi|hello)?[, ]*(?:i'?m|i am|we are|this is)\s+(?:an?\s+)?[^.?!:]{0,40}?"
    r"(?:legal[- ]aid|lawyer|attorney|counsel+or|debt (?:advis[eo]r|planner)|advis[eo]r|"
    r"social worker|volunteer|case ?worker|paralegal)[^.?!:]{0,50}[.:!]+\s*",
    re.IGNORECASE,
)
#: the rest must still hold at least this many characters to be read as the question
MIN_QUESTION_CHARS = 4


@dataclass(frozen=True)
class QuestionText:
    """The question of a message and what was said besides it."""

    text: str  # the question, without the request for the rules and the introduction
    asks_rules: bool  # the message asks for the rules behind the answer
    introduced: bool  # a professional's introduction was left out


def only_asks_rules(sentence: str) -> bool:
    """True when the whole sentence only asks for the rules ("请给出依据。")."""
    clauses = [c.strip() for c in _CLAUSE_END.split(sentence) if c.strip()]
    return bool(clauses) and all(_RULES_CLAUSE.match(c) for c in clauses)


def only_introduces(sentence: str) -> bool:
    """True when the sentence is only a professional's introduction ("我是债务规划师。",
    "I'm a legal aid volunteer helping a client.")."""
    found = _PREAMBLE.match(sentence.strip())
    return found is not None and len(sentence.strip()) - found.end() < MIN_QUESTION_CHARS


def asks_rules(text: str) -> bool:
    """True when one clause of ``text`` only asks for the rules behind the answer."""
    return any(_RULES_CLAUSE.match(clause.strip()) for clause in _CLAUSE_END.split(text))


def question_text(text: str) -> QuestionText:
    """``text`` without the clauses that only ask for the rules and without a professional's
    introduction, when a question of at least :data:`MIN_QUESTION_CHARS` characters is left
    (else ``text`` as it is: "依据是什么" alone is a request about the answer just given)."""
    rest = text
    introduced = False
    found = _PREAMBLE.match(rest)
    if found is not None and len(rest) - found.end() >= MIN_QUESTION_CHARS:
        rest, introduced = rest[found.end() :], True
    pieces = _CLAUSE_SPLIT.split(rest)
    kept: list[str] = []
    asked = False
    for index in range(0, len(pieces), 2):
        clause = pieces[index]
        mark = pieces[index + 1] if index + 1 < len(pieces) else ""
        if clause.strip() and _RULES_CLAUSE.match(clause.strip()):
            asked = True
            continue
        kept.append(clause + mark)
    question = "".join(kept).strip(" ，,；;")
    if asked and len(question) < MIN_QUESTION_CHARS:
        return QuestionText(text, True, False)  # the request is the whole message
    return QuestionText(question if asked else rest, asked, introduced)

"""A new answer written in the console: a question people ask, its direct answer in one to
three sentences, the register's facts it rests on, the lenders it is true for and the ways
people phrase it — the same shape as the question bank's direct answers in ``intents/*.yaml``
(:class:`bot.content.DirectAnswer`), checked by the same content loader.

Nothing is written before the counsellor has seen it and confirmed it: the first request
answers a **preview** (what will be written, how the bot reads each phrasing with it, the
labelled sets before and after, and a ``digest`` of exactly this answer); only the same answer
sent again with ``confirm`` and that digest is written (bot/console/teach.py,
:meth:`~bot.console.teach.Teacher.add_answer`), recorded, and can be undone.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, get_args

from bot.console.editing import EditError, example_key
from bot.content import Content, DirectAnswer, LenderType
from bot.privacy import mask

#: what the lender types are called in the console
LENDER_LABELS: dict[str, str] = {
    "any": "所有贷款方（不分类型）",
    "bank_card": "银行信用卡",
    "bank_loan": "银行贷款",
    "licensed_online": "持牌的网贷、消费金融",
    "unlicensed": "没有牌照的网贷",
}
assert set(LENDER_LABELS) == set(get_args(LenderType))

#: the fewest ways of asking an answer needs (the question included), as in the question bank
MIN_PHRASINGS = int(
    next(
        getattr(m, "min_length", 0)
        for m in DirectAnswer.model_fields["examples"].metadata
        if getattr(m, "min_length", None)
    )
)
#: the longest direct answer (the question bank's limit)
MAX_SHORT_CHARS = 240
#: the longest question or phrasing
MAX_PHRASING_CHARS = 200
#: the most phrasings taken
MAX_PHRASINGS = 40
#: a sentence ends with one of these (the last one may end without)
_SENTENCE_END = re.compile(r"[。！？!?]+")
_SPACES = re.compile(r"\s+")
#: the ids the console gives new answers
ID_PREFIX = "added_"


def sentences(text: str) -> int:
    """How many sentences ``text`` has (a last one without its full stop counts)."""
    parts = [p for p in _SENTENCE_END.split(text) if p.strip(" ，,；;：:")]
    return len(parts)


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class NewAnswer:
    """What the counsellor wrote, cleaned."""

    intent: str
    question: str
    short: str
    facts: tuple[str, ...]
    lenders: tuple[str, ...] = ("any",)
    phrasings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def examples(self) -> list[str]:
        """The question first, then the other phrasings (each once)."""
        seen: set[str] = set()
        out = []
        for text in (self.question, *self.phrasings):
            key = example_key(text)
            if key and key not in seen:
                seen.add(key)
                out.append(text)
        return out

    def digest(self) -> str:
        """What the confirmation must name: this exact answer."""
        data = json.dumps(
            [self.intent, self.question, self.short, self.facts, self.lenders, self.examples],
            ensure_ascii=False,
        )
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]

    def entry(self, answer_id: str) -> dict[str, Any]:
        """The answer as it goes into the intent's file."""
        return {
            "id": answer_id,
            "examples": self.examples,
            "short": self.short,
            "facts": list(self.facts),
            "lenders": list(self.lenders),
        }

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> NewAnswer:
        """From the console's request (EditError in plain words for a wrong shape)."""

        def text(name: str, limit: int) -> str:
            value = body.get(name)
            if not isinstance(value, str):
                raise EditError(_MISSING[name])
            return _one_line(value[: limit * 4])

        def texts(name: str) -> tuple[str, ...]:
            value = body.get(name) or []
            if isinstance(value, str):
                value = value.splitlines()
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise EditError(_MISSING[name])
            return tuple(t for t in (_one_line(v) for v in value[: MAX_PHRASINGS * 2]) if t)

        return cls(
            intent=text("intent", 100),
            question=text("question", MAX_PHRASING_CHARS),
            short=text("short", MAX_SHORT_CHARS),
            facts=texts("facts"),
            lenders=texts("lenders") or ("any",),
            phrasings=texts("phrasings"),
        )


_MISSING = {
    "intent": "请选择这个回答属于哪个话题。",
    "question": "请写下人们会问的问题。",
    "short": "请写下回答（一到三句话）。",
    "facts": "请选择回答依据的规定。",
    "lenders": "请选择这个回答适用于哪些贷款方。",
    "phrasings": "请把其他问法一行一句写在框里。",
}


def _personal(text: str) -> bool:
    return mask(text) != text


def validate(new: NewAnswer, content: Content) -> NewAnswer:
    """``new`` when it can be written; :class:`EditError` in plain words otherwise. The
    content loader checks it once more (the candidate content must load)."""
    try:
        content.intent(new.intent)
    except KeyError:
        raise EditError("请选择这个回答属于哪个话题。") from None
    if not new.question:
        raise EditError(_MISSING["question"])
    if not new.short:
        raise EditError(_MISSING["short"])
    if len(new.short) > MAX_SHORT_CHARS:
        raise EditError(f"回答太长了（{len(new.short)} 字），请写在 {MAX_SHORT_CHARS} 字以内。")
    count = sentences(new.short)
    if not 1 <= count <= 3:
        raise EditError(f"回答要一到三句话，现在是 {count} 句。详细的说明请放在话题的完整做法里。")
    if _personal(new.short):
        raise EditError("回答里有个人信息（电话、身份证号、银行卡号、姓名、地址等），请删去。")
    if not new.facts:
        raise EditError("请至少选择一条回答依据的规定（事实登记表里的条目）。")
    for fact_id in new.facts:
        fact = content.facts.get(fact_id)
        if fact is None:
            raise EditError(f"事实登记表里没有「{fact_id}」这一条。")
        if not fact.verified:
            raise EditError(f"「{fact_id}」还没有核实（可信度 U），回答不能依据它。")
    if len(set(new.facts)) != len(new.facts):
        raise EditError("同一条规定选了两次。")
    unknown = [lender for lender in new.lenders if lender not in LENDER_LABELS]
    if unknown:
        raise EditError("适用的贷款方选得不对，请重新选择。")
    if "any" in new.lenders and len(new.lenders) > 1:
        raise EditError("选了“所有贷款方”就不用再选别的类型。")
    examples = new.examples
    for text in examples:
        if len(text) > MAX_PHRASING_CHARS:
            raise EditError(f"问法「{text[:20]}…」太长了，每句最多 {MAX_PHRASING_CHARS} 字。")
        if _personal(text):
            raise EditError(
                f"问法「{mask(text)}」里有个人信息（电话、姓名、地址等），请删去或改写。"
            )
    if len(examples) < MIN_PHRASINGS:
        raise EditError(
            f"请再写几种人们会怎么问：连同问题一共要 {MIN_PHRASINGS} 种不同的问法，"
            f"现在有 {len(examples)} 种。"
        )
    if len(examples) > MAX_PHRASINGS:
        raise EditError(f"问法太多了（{len(examples)} 种），最多 {MAX_PHRASINGS} 种。")
    taken = _examples_in_use(content)
    for text in examples:
        where = taken.get(example_key(text))
        if where is not None:
            raise EditError(f"「{text}」已经是{where}的问法了，请换一种说法或删去。")
    return new


def _examples_in_use(content: Content) -> dict[str, str]:
    """Every example already in the content → where it is (in plain words)."""
    taken: dict[str, str] = {}
    for spec in content.intents:
        for example in spec.examples:
            taken.setdefault(example_key(example), f"话题「{spec.title}」")
        for answer in spec.answers:
            for example in answer.examples:
                taken.setdefault(example_key(example), f"回答「{answer.examples[0]}」")
    return taken


def next_id(content: Content) -> str:
    """An id no answer has: ``added_<n>``."""
    used = {a.id for spec in content.intents for a in spec.answers}
    numbers = [int(i[len(ID_PREFIX) :]) for i in used if re.fullmatch(ID_PREFIX + r"\d+", i)]
    number = max(numbers, default=0) + 1
    while f"{ID_PREFIX}{number}" in used:
        number += 1
    return f"{ID_PREFIX}{number}"


def register(content: Content) -> list[dict[str, str]]:
    """The fact register for the form: id, statement and source of every verified fact."""
    return [
        {"id": fact.id, "statement": fact.statement, "source": fact.source}
        for fact in content.facts.values()
        if fact.verified
    ]

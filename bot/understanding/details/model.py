"""The typed result: :class:`Details`, with its JSON round-trip (what every store keeps;
stored sessions of earlier versions are read without loss, unknown values dropped)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from bot.understanding.details.vocab import (
    Convention,
    LenderType,
    Paid,
    Place,
    Police,
    Role,
)

#: Field metadata: the detail identifies a person's finances and is never repeated in a group.
PRIVATE = {"private": True}


@dataclass(frozen=True, slots=True)
class Details:
    """What is known of a person's situation from their words; ``None`` = not known.

    To add a detail: add a field here (with ``metadata=PRIVATE`` when it identifies the
    person's finances), set it in :func:`_extract`, and use it in the conversation. JSON
    round-trip (:meth:`to_json` / :meth:`from_json`) is checked by the store-backed tests.
    """

    amount: float | None = field(default=None, metadata=PRIVATE)  # yuan
    amount_approx: bool | None = field(default=None, metadata=PRIVATE)  # 5万多, 大概4万
    months: int | None = field(default=None, metadata=PRIVATE)  # installments wanted
    lender: str | None = field(default=None, metadata=PRIVATE)  # the first lender named
    lenders: tuple[str, ...] | None = field(default=None, metadata=PRIVATE)  # all, if several
    overdue_months: int | None = field(default=None, metadata=PRIVATE)
    overdue_approx: bool | None = field(default=None, metadata=PRIVATE)
    present: bool | None = None  # collectors there now (True) or a visit announced (False)
    # The situation (situation.py in this package):
    role: Role | None = None  # who speaks: "staff" (bank/collector) or "helper" (a relative)
    credentials: bool | None = None  # the visitors showed ID and a mandate (or not)
    police: Police | None = None  # "called" or "arrived"
    left: bool | None = None  # the visitors have left (True) or are still there (False)
    let_in: bool | None = None  # the visitors were let in
    paid: Paid | None = None  # money already handed over: "personal" (to a person) or "yes"
    document: str | None = None  # what they want signed
    signed: bool | None = None  # a paper was already signed
    place: Place | None = None  # "home", "workplace" or "family_home"
    #: the visit or call is in the quiet hours (22:00–08:00): "晚上11点", "半夜", "凌晨两点"
    night: bool | None = None
    #: when an announced visit is to come, in the person's words ("三天后", "下周一")
    visit_when: str | None = None
    #: the interest rate the person gave, as a yearly fraction (日息万分之五 → 0.1825)
    annual_rate: float | None = field(default=None, metadata=PRIVATE)
    #: how the rate was written, starting with its basis (日息万分之五, 月息1分, 年化7.2%)
    rate_written: str | None = field(default=None, metadata=PRIVATE)
    #: several debts, per lender in the order named: (("招商银行", 20000.0), ("平安银行", 18000.0))
    debts: tuple[tuple[str, float], ...] | None = field(default=None, metadata=PRIVATE)
    #: the most the person can pay a month (每月最多能还1500)
    budget: float | None = field(default=None, metadata=PRIVATE)
    #: a down payment before the installments: in yuan (先付5000) or as a share (先付10% → 0.1)
    down_payment: float | None = field(default=None, metadata=PRIVATE)
    down_share: float | None = field(default=None, metadata=PRIVATE)
    #: a month's income ("工资5500", "salary 9500") and its fixed costs by name ("房租1500
    #: 吃饭通勤1200" → (("房租", 1500.0), ("通勤", 1200.0))): what is left could go to the debts
    income: float | None = field(default=None, metadata=PRIVATE)
    costs: tuple[tuple[str, float], ...] | None = field(default=None, metadata=PRIVATE)
    #: what a loan actually paid out when interest was taken upfront ("借了3000，到手只有2100")
    received: float | None = field(default=None, metadata=PRIVATE)
    #: what the person already repaid ("昨天用手机银行还了5000"): never the debt itself
    repaid: float | None = field(default=None, metadata=PRIVATE)
    #: the repayment convention asked for: 等额本息, 等额本金 or 免息分期
    convention: Convention | None = None
    #: the kind of lender (:func:`lender_type`): bank_card, bank_loan, licensed_online,
    #: unlicensed; None when not said
    lender_type: LenderType | None = None

    def as_dict(self) -> dict[str, Any]:
        """The details that are known, by name (lists for tuples: the JSON shape)."""
        return {
            name: list(v) if isinstance(v, tuple) else v
            for name in _NAMES
            if (v := getattr(self, name)) is not None
        }

    def __bool__(self) -> bool:
        return any(getattr(self, name) is not None for name in _NAMES)

    @property
    def costs_total(self) -> float:
        """The month's costs named, added up (0 when none)."""
        return sum(value for _, value in self.costs or ())

    @property
    def spare(self) -> float | None:
        """What is left of the month's income after the costs named (None unless both are
        known)."""
        if self.income is None or not self.costs:
            return None
        return self.income - self.costs_total

    def known(self, *names: str) -> bool:
        """True when every detail in ``names`` is known."""
        return all(getattr(self, name) is not None for name in names)

    def merged(self, new: Details) -> Details:
        """These details updated with what ``new`` found; a new value replaces the old one
        with its qualifiers (a new amount drops the old "approximately")."""
        found = {name: value for name in _NAMES if (value := getattr(new, name)) is not None}
        if not found:
            return self
        if self.costs and new.costs:
            # 房租其实是2100: that cost changes, the others stay; a new one is added
            merged = dict(self.costs)
            merged.update(dict(new.costs))
            found["costs"] = tuple(merged.items())
        if self.debts and new.debts is None and new.amount is not None and new.lender:
            names = [name for name, _ in self.debts]
            if new.lender in names:
                # 不对，美团是1.6万不是1.1万: that debt changes, the others and the total follow
                debts = tuple(
                    (name, new.amount if name == new.lender else value)
                    for name, value in self.debts
                )
                found["debts"] = debts
                found["amount"] = float(sum(value for _, value in debts))
                for key in ("lender", "lender_type", "amount_approx"):
                    found.pop(key, None)
        changes: dict[str, Any] = {}
        for key, dependent in _QUALIFIERS.items():
            if key in found:
                changes.update(dict.fromkeys(dependent))
        changes.update(found)
        return replace(self, **changes)

    def public(self) -> Details:
        """Only the details that may be repeated in a group."""
        return replace(self, **{f.name: None for f in fields(self) if f.metadata.get("private")})

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (what a store keeps)."""
        return self.as_dict()

    @classmethod
    def from_json(cls, raw: object) -> Details:
        """Rebuild details a store kept; unknown keys and values of the wrong type are
        dropped (a newer or older version may have written them)."""
        if not isinstance(raw, dict):
            return cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = raw.get(f.name)
            if value is None:
                continue
            kind = _FIELD_TYPES[f.name]
            if kind is tuple:
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    values[f.name] = tuple(value)
            elif kind is list:  # (lender, amount) pairs
                pairs = _pairs(value)
                if pairs:
                    values[f.name] = pairs
            elif kind is float:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    values[f.name] = float(value)
            elif kind is int:
                if isinstance(value, int) and not isinstance(value, bool):
                    values[f.name] = value
            elif issubclass(kind, StrEnum):  # a closed vocabulary: unknown values dropped
                if isinstance(value, str) and value in kind._value2member_map_:
                    values[f.name] = kind(value)
            elif isinstance(value, kind):
                values[f.name] = value
        return cls(**values)


def _pairs(value: object) -> tuple[tuple[str, float], ...] | None:
    """(lender, amount) pairs from their JSON shape (a list of two-item lists), else None."""
    if not isinstance(value, list | tuple):
        return None
    pairs: list[tuple[str, float]] = []
    for item in value:
        if not (
            isinstance(item, list | tuple)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], int | float)
            and not isinstance(item[1], bool)
        ):
            return None
        pairs.append((item[0], float(item[1])))
    return tuple(pairs)


#: The field names, in order (dataclasses.fields() is slow on a hot path).
_NAMES = tuple(f.name for f in fields(Details))


#: a new value of the key replaces the old one together with these qualifiers. A new amount
#: replaces the list of debts; a number of periods and a monthly budget answer the same
#: question (how long), so the newer one wins.
_QUALIFIERS = {
    "amount": ("amount_approx", "debts"),
    "lender": ("lenders",),
    "overdue_months": ("overdue_approx",),
    "annual_rate": ("rate_written",),
    "months": ("budget",),
    "budget": ("months",),
    "down_payment": ("down_share",),
    "down_share": ("down_payment",),
}


_FIELD_TYPES: dict[str, type] = {
    "amount": float,
    "amount_approx": bool,
    "months": int,
    "lender": str,
    "lenders": tuple,
    "overdue_months": int,
    "overdue_approx": bool,
    "present": bool,
    "role": Role,
    "credentials": bool,
    "police": Police,
    "left": bool,
    "let_in": bool,
    "paid": Paid,
    "document": str,
    "place": Place,
    "night": bool,
    "visit_when": str,
    "signed": bool,
    "annual_rate": float,
    "rate_written": str,
    "debts": list,
    "budget": float,
    "income": float,
    "costs": list,
    "received": float,
    "repaid": float,
    "down_payment": float,
    "down_share": float,
    "convention": Convention,
    "lender_type": LenderType,
}


EMPTY = Details()

"""The closed vocabularies of the details, as enums. Each is a :class:`StrEnum` whose values are
the strings stored sessions have always held ("staff", "called", "等额本息" …), so a stored
session reads back without loss and a value compares equal to its string."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who speaks, when it is not the debtor."""

    STAFF = "staff"  # bank staff or a collector
    HELPER = "helper"  # a relative or friend asking for someone


class Police(StrEnum):
    """Whether the police were called or came."""

    CALLED = "called"
    ARRIVED = "arrived"


class Paid(StrEnum):
    """Money already handed over."""

    PERSONAL = "personal"  # to a person (a personal account, a QR code)
    YES = "yes"


class Place(StrEnum):
    """Where the visit happens."""

    HOME = "home"
    WORKPLACE = "workplace"
    FAMILY_HOME = "family_home"
    SCHOOL = "school"  # the child's school


class LenderType(StrEnum):
    """The kind of lender a message speaks of."""

    BANK_CARD = "bank_card"
    BANK_LOAN = "bank_loan"
    LICENSED_ONLINE = "licensed_online"
    UNLICENSED = "unlicensed"


class Convention(StrEnum):
    """The repayment convention asked for."""

    EQUAL_INSTALLMENT = "等额本息"
    EQUAL_PRINCIPAL = "等额本金"
    INTEREST_FREE = "免息分期"

"""The warning signs' model (``intents/warning_signs.yaml``): the signs, the calm classes and
the acute-illness entry, validated by pydantic. Loaded and checked by :mod:`bot.content`, read by
:mod:`bot.understanding.urgent`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


UrgentKind = Literal["threat", "despair"]
#: Separates the parts of a signal phrase; up to ``max_gap`` characters may stand between them.
GAP = "…"


#: The two classes of warning sign, and the urgent intent whose advice each one calls for.
SignClass = Literal["danger", "despair"]
INTENT_OF_CLASS: dict[str, str] = {"danger": "threat_or_violence", "despair": "emotional_distress"}
KIND_OF_CLASS: dict[str, UrgentKind] = {"danger": "threat", "despair": "despair"}
#: How sure a sign makes the danger: ``clear`` (an act, a threat now, intent, a plan or the
#: means) or ``possible`` (a warning sign without certainty).
Strength = Literal["clear", "possible"]


class UrgentSignal(_Model):
    """One warning sign (``intents/warning_signs.yaml``): its class (danger | despair), how
    sure it makes the danger (clear | possible) and the phrases that show it.

    A phrase is written in parts joined by "…" ("泼…油漆"): up to ``max_gap`` characters may
    stand between two parts. ``phrases`` are read on the normalised text (Simplified, half-width,
    lower case), ``pinyin`` on the message's Latin letters with spaces removed ("buxianghuole"),
    ``english`` on its Latin words. An occurrence overlapping one of ``unless`` ("跳楼价", or
    "不准…去找" with gaps as in a phrase) does not count.
    """

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    sign_class: SignClass = Field(alias="class")
    strength: Strength
    max_gap: Annotated[int, Field(ge=0, le=12)] = 2
    phrases: list[NonEmpty] = Field(default_factory=list)
    pinyin: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{4,}$")]] = Field(
        default_factory=list
    )
    english: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z' …]*[a-z]$")]] = Field(
        default_factory=list
    )
    unless: list[NonEmpty] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_phrases(self) -> UrgentSignal:
        if not (self.phrases or self.pinyin or self.english):
            raise ValueError("a sign needs at least one of 'phrases', 'pinyin' or 'english'")
        return self

    @property
    def intent(self) -> str:
        """The urgent intent whose advice this sign calls for."""
        return INTENT_OF_CLASS[self.sign_class]

    @property
    def kind(self) -> UrgentKind:
        """The kind of danger (threat | despair)."""
        return KIND_OF_CLASS[self.sign_class]


class CalmCue(_Model):
    """A calm class ("压力好大", games, news, "下周来单位"): wordings that explain the urgent
    intents' likelihood without danger. With one of them, a likelihood alone never makes a
    message urgent; a ``frame`` (a game, a film, a hypothetical, a resolved past event, the
    user threatening to call the police, out-of-scope trouble) also lowers a weak (possible)
    sign to calm. No calm class ever cancels a clear sign."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    #: the urgent intents whose likelihood it explains
    explains: Annotated[list[NonEmpty], Field(min_length=1)]
    max_gap: Annotated[int, Field(ge=0, le=12)] = 2
    phrases: Annotated[list[NonEmpty], Field(min_length=1)]
    #: read the message again without the intents it explains, so the calm topic (a visit
    #: next week, the job) is answered instead of the emergency steps
    set_aside: bool = False
    #: lowers a possible sign to calm too
    frame: bool = False

    @property
    def intent(self) -> str:
        """The first intent it explains."""
        return self.explains[0]


class UrgentSignals(_Model):
    """``intents/warning_signs.yaml``: the warning signs and the calm classes."""

    #: words that cancel a sign right after them ("不会跳楼的")
    negations: list[NonEmpty] = Field(default_factory=list)
    #: characters allowed between a negation and the sign it cancels ("不会去跳楼")
    negation_gap: Annotated[int, Field(ge=0, le=6)] = 2
    signals: list[UrgentSignal] = Field(default_factory=list, alias="signs")
    #: an acute illness or injury now ("我妈心口疼 喘不上气", "晕倒了"): 120 comes first; read
    #: like a sign (its class and strength are not used)
    medical: UrgentSignal | None = None
    calm: list[CalmCue] = Field(default_factory=list)
    #: words without content ("那", "我", "该", "怎么办"): a message made of nothing else is
    #: a follow-up question, not a cry, and its likelihood alone is not read
    empty_words: list[NonEmpty] = Field(default_factory=list)


#: The warning signs file's name in the intents directory.
SIGNALS_FILE = "warning_signs.yaml"

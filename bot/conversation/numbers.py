"""The emergency numbers, defined once (issue 23, item 7): every crisis text is built from
these, so a number or its hours is corrected in one place.

Facts (intents/facts.yaml ``channel_110`` and ``channel_12356``; /work/shared/domain-facts.md,
"Added 2026-12-05"): 110 police and 120 ambulance in danger; 12356, the national
psychological assistance line, serves at least 18 hours a day (never say "any time"); at
night 010-82951332 (北京心理危机研究与干预中心) answers 24 hours.
"""

from __future__ import annotations

import re

POLICE = "110"
AMBULANCE = "120"
CRISIS_LINE = "12356"
CRISIS_LINE_HOURS = "每天至少18小时"
NIGHT_LINE = "010-82951332"
NIGHT_LINE_HOURS = "24小时"

#: 12356 named with its hours, and the 24-hour line for the night
CRISIS_LINES = (
    f"{CRISIS_LINE}心理援助热线（{CRISIS_LINE_HOURS}有人接）；"
    f"夜里打不通就打{NIGHT_LINE}（{NIGHT_LINE_HOURS}）"
)
#: the same, in a short form for a footnote or a group
CRISIS_LINES_SHORT = f"{CRISIS_LINE}（{CRISIS_LINE_HOURS}；夜里打{NIGHT_LINE}，{NIGHT_LINE_HOURS}）"
#: danger now
IN_DANGER = f"有危险马上打{POLICE}或{AMBULANCE}"

#: a line that carries a number to call in an emergency (kept first, never dropped)
EMERGENCY_LINE = re.compile(rf"(?<!\d)(?:{POLICE}|{AMBULANCE}|{CRISIS_LINE})(?!\d)")


def has_emergency_number(text: str) -> bool:
    """True when ``text`` names 110, 120 or 12356."""
    return EMERGENCY_LINE.search(text) is not None


#: "if they threaten you, call 110" in a calm answer: said in words (the person is not in
#: danger; the numbers are for danger now). 96110, 12378 and the other service lines stay.
_CALL = r"(?:请)?(?:拨打|打|报)"
_QUIET = (
    (re.compile(rf"{_CALL}110或96110"), "报警或打96110"),
    (re.compile(rf"{_CALL}(?:110或120|120或110|110、120)"), "报警或叫救护车"),
    (re.compile(rf"(?<=[，；。：])\s*{_CALL}110(?:报警)?(?!\d)"), "可以报警"),
    (re.compile(rf"{_CALL}110(?:报警)?(?!\d)"), "报警"),
    (re.compile(r"(?<!\d)110报警"), "报警"),
    (re.compile(rf"{_CALL}120(?!\d)"), "叫救护车"),
    (re.compile(r"(?i)call (?:110 or 120|120 or 110)"), "call the police or an ambulance"),
    (re.compile(r"(?i)call (?:the police \()?110\)?(?!\d)"), "call the police"),
    (re.compile(r"(?i)call 120(?!\d)"), "call an ambulance"),
    (re.compile(r"(?<=: )110(?!\d)"), "call the police"),  # ("Threats or trouble: 110.")
)


def quieted(text: str) -> str:
    """``text`` with the police and the ambulance named in words (output.quiet_numbers)."""
    for pattern, words in _QUIET:
        text = pattern.sub(words, text)
    return text

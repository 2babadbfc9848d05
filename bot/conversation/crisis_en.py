"""English for the crisis texts (bot/conversation/crisis.py), for someone who writes English."""

from __future__ import annotations

from bot.conversation import crisis, numbers
from bot.conversation.crisis import CrisisKind
from bot.understanding.cues import Act

POLICE = numbers.POLICE
AMBULANCE = numbers.AMBULANCE
#: the first mention of a number in a text says what it is
POLICE_EN = f"{POLICE} (police)"
AMBULANCE_EN = f"{AMBULANCE} (ambulance)"

#: numbers.CRISIS_LINES in English: 12356 with its hours, and the 24-hour line for the night
CRISIS_LINES_EN = (
    f"the national mental-health line {numbers.CRISIS_LINE} (open at least 18 hours a day;"
    f" if you can't get through at night, {numbers.NIGHT_LINE}, 24 hours)"
)
#: numbers.CRISIS_LINES_SHORT in English
CRISIS_LINES_SHORT_EN = (
    f"{numbers.CRISIS_LINE} (mental-health line, open at least 18 hours a day;"
    f" at night {numbers.NIGHT_LINE}, 24 hours)"
)
#: numbers.IN_DANGER in English
IN_DANGER_EN = f"in danger, call {POLICE} or {AMBULANCE} now"

#: 12378, named
COMPLAINT_LINE = "12378"
COMPLAINT_LINE_EN = f"{COMPLAINT_LINE}, the financial regulator's complaint line"
#: "卡背面或官网的客服电话"
BANK_SERVICE_EN = (
    "the bank's customer service (the number on the back of the card or on its official website)"
)


def _sentence(text: str) -> str:
    """``text`` starting a sentence (first letter upper case)."""
    return text[:1].upper() + text[1:]


def crisis_english() -> list[tuple[str, str]]:
    """Every crisis text paired with its English (the Chinese exactly as crisis.py has it)."""
    return [
        # -- threat: the safety plan
        (
            crisis._THREAT_WAIT,
            f"OK, you've called {POLICE_EN}. Until the police come:\n"
            "1. Stay in a room you can lock. Don't open the door or argue with the people"
            " outside.\n"
            "2. Keep your phone charged and keep recording (sound and video).\n"
            "3. Don't pay, transfer money or sign anything; whatever they say, wait for the"
            " police.\n"
            f"If things change (they bang on the door, break in, someone is hurt), call {POLICE}"
            f" again and say so; if someone is hurt, call {AMBULANCE_EN}.",
        ),
        (
            crisis._THREAT_SCHOOL,
            "OK, you've called the police. Next, for your child:\n"
            "1. Tell the class teacher and the school gate guard that for the next few days"
            " family will take your child to and from school in person, and no stranger may"
            " pick the child up.\n"
            "2. Screenshot and save the photos and threats they send, and give them to the"
            " police station with their phone numbers.\n"
            f"3. If anyone comes near your child again or the threats go on, call {POLICE}"
            " again at once.",
        ),
        (
            crisis._THREAT_WAIT_AGAIN,
            "While you wait for the police, do just three things: stay away from the door, keep"
            " your room locked and keep your phone recording. If they start banging on the door"
            f" or someone breaks in, call {POLICE} again at once and tell them it has got worse.",
        ),
        (
            crisis._THREAT_ARRIVED,
            "Good, the police are there. Next:\n"
            "1. Show the police the videos, the threatening messages, their car's number plate"
            " and the company they say they are from.\n"
            "2. Say clearly what happened: you didn't let them in, and they still wouldn't"
            " leave, threatened you or got violent.\n"
            "3. Write down the police station and the officers' badge numbers; you'll need them"
            " for a complaint later.\n"
            f"Afterwards you can complain to {BANK_SERVICE_EN}, or call {COMPLAINT_LINE_EN}.",
        ),
        (
            crisis._THREAT_LEFT,
            "Good, they've left. While it's fresh in your mind, do these things:\n"
            "1. Back up the recordings, messages and call log; write down the time, how many"
            " there were, what they looked like, the number plate and the company they"
            " claimed to be from.\n"
            f"2. Complain about this visit to {BANK_SERVICE_EN}; you can also call"
            f" {COMPLAINT_LINE_EN}.\n"
            "3. If they come back to threaten you, block your door or refuse to leave, call"
            f" {POLICE_EN} straight away.\n"
            "Are you safe now?",
        ),
        (
            crisis._THREAT_STILL_THERE_NO_POLICE,
            f"They're still there and still threatening you: please call {POLICE_EN} now and"
            " say the address, how many people there are and what is happening. Stay away from"
            " the door while you call, ideally in a room you can lock. Don't open the door, don't"
            " pay, don't sign anything.",
        ),
        (
            crisis._THREAT_STILL_THERE,
            "Even if they haven't left, don't open the door. Lock your room, stay away from the"
            " door and keep recording. If the police are slow to come, or they start banging on"
            f" the door or break in, call {POLICE} again to hurry them and say things have"
            " changed.",
        ),
        (
            crisis._THREAT_WHAT_NOW_NO_POLICE,
            f"The most important step now: call {POLICE_EN}. Say the address, how many of them"
            " there are, and whether they've got violent or banged on the door. Then stay in a"
            " room you can lock: don't open the door, don't pay, don't sign anything, and keep"
            " your phone recording.",
        ),
        (
            crisis._THREAT_CANT_CALL,
            "If you can't make a call, quietly text family or a friend: give the address, how"
            " many people there are and what is happening, and ask them to call"
            f" {POLICE_EN} for you right away. Don't confront them; when you can speak or get"
            f" away, call {POLICE} yourself.",
        ),
        (
            crisis._THREAT_SAFE,
            "Good that you're safe. Afterwards: keep the recordings and messages, and complain"
            f" to the bank about this visit (you can also call {COMPLAINT_LINE_EN}); if they"
            f" come back to threaten you or won't leave, call {POLICE} straight away. The debt"
            " can be worked out slowly; come back and ask me whenever you have a question.",
        ),
        (
            crisis._THREAT_AFTER,
            "They've gone now and the police have been, so look after yourself first. Tell me"
            " whenever anything new happens; if they come back to threaten you or block your"
            f" door, call {POLICE} again at once. To complain or to talk about repayment, reply"
            ' "menu" to see what I can help with.',
        ),
        (
            crisis._THREAT_REMINDER,
            "(If they're still threatening you or won't leave, call the police on"
            f" {POLICE} first.)",
        ),
        # -- despair: the safety plan
        (
            crisis._DESPAIR_HOPELESS,
            "I hear you; this is really hard right now. You don't have to carry it alone:\n"
            f"Call now: {CRISIS_LINES_EN}; someone will listen to you.\n"
            "If you're already somewhere dangerous, or thinking of harming yourself, call"
            f" {POLICE} or {AMBULANCE} now.\n"
            "If you can, ask someone you trust to come and be with you.",
        ),
        (
            crisis._DESPAIR_WHAT_NOW,
            "Do just one thing now: leave the place that puts you in danger (a rooftop, a"
            " window, a riverbank) and go where there are people, then call"
            f" {CRISIS_LINES_SHORT_EN}, or phone someone you trust and ask them to come and be"
            " with you. The debt can be worked out step by step; the bank can agree to"
            " instalments, and we can look at all that together later.",
        ),
        (
            crisis._DESPAIR_NO_ANSWER,
            f"{numbers.CRISIS_LINE} (open at least 18 hours a day) may not answer at night:"
            f" call {numbers.NIGHT_LINE} now"
            f" (answered 24 hours); {IN_DANGER_EN}. You can also phone someone you trust and ask"
            " them to come and be with you. I'm here with you while you wait.",
        ),
        (
            crisis._DESPAIR_TIRED,
            "The tiredness is real; after being chased for so long, anyone would be tired. Let"
            " yourself rest first; you don't have to solve everything today. If those thoughts"
            f" come up again, call {CRISIS_LINES_SHORT_EN}; in danger, call {POLICE} or"
            f" {AMBULANCE}.",
        ),
        (
            crisis._DESPAIR_STAY,
            "I'm still here. If you'd like, tell me what is weighing on you most right now."
            f" If you want to talk to a real person, call {CRISIS_LINES_EN}; {IN_DANGER_EN}.",
        ),
        (
            crisis._DESPAIR_STAY_AGAIN,
            "I'm listening. It's OK if you don't want to say much; I'm here with you. When"
            f" those thoughts get stronger, call {CRISIS_LINES_SHORT_EN}; {IN_DANGER_EN}.",
        ),
        (
            crisis._DESPAIR_SAFE,
            "I'm a little relieved to hear you're feeling better. If those thoughts come back,"
            f" call {CRISIS_LINES_SHORT_EN}; in danger, call {POLICE} or {AMBULANCE}. The"
            ' debt can take its time: reply "menu" to see what I can help with, such as'
            " how to talk to the bank about instalments.",
        ),
        (
            crisis._DESPAIR_REMINDER,
            f"(If you're still struggling, you can call {CRISIS_LINES_SHORT_EN}; {IN_DANGER_EN}.)",
        ),
        (
            crisis.SAFETY_NO,
            "OK, thank you for telling me. When you're tired or fed up, rest first; the debt"
            " can be dealt with step by step. (If those thoughts come up, call"
            f" {CRISIS_LINES_SHORT_EN}.)",
        ),
        # -- the crisis ends with "I'm safe" and a question beside it
        (crisis.SAFE_THEN_ANSWER[CrisisKind.THREAT], "Good that you're OK."),
        (
            crisis.SAFE_THEN_ANSWER[Act.LEFT],
            "Good, they've left. If they come back to threaten you, block your door or refuse"
            " to leave, call the police.",
        ),
        (
            crisis.SAFE_THEN_ANSWER[Act.POLICE_ARRIVED],
            "Good, the police are there: show them the videos and threatening messages, and"
            " write down the police station and the officers' badge numbers; you'll need them"
            " for a complaint later.",
        ),
        (
            crisis.SAFE_THEN_ANSWER[Act.POLICE_CALLED],
            f"OK, you've called {POLICE_EN}. While you wait, don't open the door; stay in a"
            " room you can lock and keep recording; if things change, call"
            f" {POLICE} again.",
        ),
        (
            crisis.SAFE_THEN_ANSWER[CrisisKind.DESPAIR],
            "I'm relieved to hear you're OK. (If those thoughts come up again, call"
            f" {CRISIS_LINES_SHORT_EN}.)",
        ),
        # -- thanks
        (
            crisis._THANKS_REPLY[CrisisKind.THREAT],
            "You're welcome. Look after your own and your family's safety first; in danger,"
            f" call {POLICE_EN}. Come back and ask me whenever you have a question.",
        ),
        (
            crisis._THANKS_REPLY[CrisisKind.DESPAIR],
            "You're welcome. It isn't easy to say these things. When it hurts, call"
            f" {CRISIS_LINES_SHORT_EN}; {IN_DANGER_EN}. I'm always here too.",
        ),
        # -- the same step in other words
        (
            crisis.AGAIN[CrisisKind.DESPAIR][0],
            "I'm still here, listening. What you feel is real, but you don't have to bear it"
            f" alone: call {CRISIS_LINES_SHORT_EN}; if you're somewhere dangerous, call"
            f" {POLICE} or {AMBULANCE} now. Can you leave that place first and go somewhere"
            " with people?",
        ),
        (
            crisis.AGAIN[CrisisKind.DESPAIR][1],
            "Your safety matters a lot to me. Please phone someone now: family, a friend, or"
            f" {CRISIS_LINES_EN}. {_sentence(IN_DANGER_EN)}. We'll take the debt one thing"
            " at a time, later.",
        ),
        (
            crisis.AGAIN[CrisisKind.DESPAIR][2],
            "As long as you want to keep talking to me, I'm here. Right now only one thing"
            f" matters: your safety. Call {CRISIS_LINES_SHORT_EN} or {POLICE}/{AMBULANCE};"
            ' just saying "I\'m really struggling right now" is enough.',
        ),
        (
            crisis.AGAIN[CrisisKind.THREAT][0],
            "Safety first: don't open the door, keep your room locked, stay away from the door"
            " and keep your phone recording. If they're still threatening you or won't leave,"
            f" call {POLICE} again.",
        ),
        (
            crisis.AGAIN[CrisisKind.THREAT][1],
            "While you wait, don't talk to the people outside, and don't pay or sign anything."
            " If things change (banging on the door, breaking in, someone hurt), call"
            f" {POLICE} again at once; if someone is hurt, call {AMBULANCE}.",
        ),
        (
            crisis.AGAIN[CrisisKind.THREAT][2],
            "Remember three things: your safety comes first, and in danger call"
            f" {POLICE}; don't pay or sign anything; record whatever you can.",
        ),
        # AGAIN_FOR_ACT[(THREAT, POLICE_CALLED)][0] is _THREAT_WAIT_AGAIN (above)
        (
            crisis.AGAIN_FOR_ACT[(CrisisKind.THREAT, Act.POLICE_CALLED)][1],
            "Good that the police are on their way. While you wait, stay inside with the door"
            " locked; don't argue with the people outside, and don't pay or sign anything."
            " When the police arrive, show them the video and tell them what happened. If"
            f" things change outside, call {POLICE} again.",
        ),
        (
            crisis.AGAIN_FOR_ACT[(CrisisKind.THREAT, Act.POLICE_ARRIVED)][0],
            "Good that the police are there: tell them about the videos, the threats and the"
            " company they say they are from, and write down the police station and the"
            " officers' badge numbers; you'll need them to complain to the bank later.",
        ),
        (
            crisis.AGAIN_FOR_ACT[(CrisisKind.THREAT, Act.LEFT)][0],
            "They've gone, so catch your breath first. While you still remember, write down"
            " the time, how many there were and what they said, and keep the videos and"
            f" recordings; if they come back to threaten you, call {POLICE}; afterwards you"
            f" can complain to the bank or call {COMPLAINT_LINE_EN}.",
        ),
        # -- a group: numbers and one or two steps
        (
            crisis.GROUP_BRIEF[CrisisKind.THREAT],
            f"In danger, call {POLICE_EN} at once. Don't open the door or go with them; keep"
            " your distance from them and record video if you can. For step-by-step help,"
            " message me privately.",
        ),
        (
            crisis.GROUP_BRIEF[CrisisKind.DESPAIR],
            "If you're really struggling right now or thinking of harming yourself, please"
            f" call {CRISIS_LINES_EN}; in danger, call {POLICE} or {AMBULANCE}. You're not"
            " alone; message me privately if you'd like.",
        ),
        # -- possible danger: ask directly, give the numbers
        (
            crisis._POSSIBLE_SELF_HARM,
            "What you've said makes me a little worried about you. Let me ask directly: are"
            " you thinking of harming yourself? If so, please call now:"
            f" {CRISIS_LINES_EN}; {IN_DANGER_EN}.",
        ),
        (
            crisis._POSSIBLE_VIOLENCE,
            "What you describe makes me worried for your safety: is someone threatening you,"
            " following you or not letting you leave right now? If so, don't open the door;"
            f" call {POLICE_EN} at once (call {AMBULANCE} if someone is hurt).",
        ),
        (
            crisis._POSSIBLE_GROUP["self_harm"],
            "If you've been really struggling lately, you can message me privately and talk"
            f" at your own pace. To talk to someone, call {CRISIS_LINES_SHORT_EN};"
            f" {IN_DANGER_EN}.",
        ),
        (
            crisis._POSSIBLE_GROUP["violence"],
            f"If someone is threatening you or not letting you leave, call {POLICE_EN} at"
            f" once (call {AMBULANCE} if someone is hurt). To work out step by step what to"
            " do, message me privately.",
        ),
        (
            crisis._POSSIBLE_SELF_HARM_AGAIN,
            "I'm still a little worried about you, so let me ask again: are you planning to"
            f" harm yourself right now? If so, call now: {CRISIS_LINES_SHORT_EN}, or ask"
            f" someone you trust to come and be with you; {IN_DANGER_EN}.",
        ),
        (
            crisis._POSSIBLE_VIOLENCE_AGAIN,
            "Let me check on your safety again: are they still threatening you, following you"
            " or blocking your way right now? If so, don't open the door; call"
            f" {POLICE_EN} at once (call {AMBULANCE} if someone is hurt).",
        ),
        (
            crisis._POSSIBLE_GROUP_AGAIN["self_harm"],
            "If you're hurting inside, you can message me privately whenever you like. To"
            f" talk to someone, call {CRISIS_LINES_SHORT_EN}; {IN_DANGER_EN}.",
        ),
        (
            crisis._POSSIBLE_GROUP_AGAIN["violence"],
            "If someone is threatening you or blocking your way, call"
            f" {POLICE_EN} at once (call {AMBULANCE} if someone is hurt); you can tell me the"
            " details in a private message.",
        ),
        # -- danger reported about someone else
        (
            crisis._FOR_SOMEONE_ELSE[("clear", "self_harm")],
            "Safety first: if they have already taken pills, have something ready to harm"
            f" themselves with, or are harming themselves, please call {AMBULANCE_EN} or"
            f" {POLICE_EN} for them right away and give the address; if you're not with them,"
            f" call {AMBULANCE} or {POLICE} where they are, and get whoever can reach them"
            " fastest to go and stay with them. Afterwards you can call"
            f" {CRISIS_LINES_SHORT_EN} together with them.",
        ),
        (
            crisis._FOR_SOMEONE_ELSE[("clear", "violence")],
            "Safety first: if they're being threatened, followed or blocked in, please call"
            f" {POLICE_EN} for them right away (say the address, how many people there are and"
            " what is happening), or have them call themselves; have them stay where there are"
            " people or in a room they can lock, and not go anywhere with those people.",
        ),
        (
            crisis._FOR_SOMEONE_ELSE[("possible", "self_harm")],
            "These words may be a warning sign: please ask them directly, soon, whether they're"
            f" thinking of harming themselves, and call {CRISIS_LINES_SHORT_EN} together with"
            f" them; the moment there is danger, call {AMBULANCE_EN} or {POLICE_EN}.",
        ),
        (
            crisis._FOR_SOMEONE_ELSE[("possible", "violence")],
            "What was said to them may be a threat: please remind them to keep records and,"
            " when they go out, to have someone with them if they can; the moment they're"
            f" followed, their door is blocked or anyone gets violent, call {POLICE_EN} at once.",
        ),
    ]

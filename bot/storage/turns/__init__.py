"""What the bot keeps to improve its content: a log of turns and the report read from it.

Every handled text message leaves a :class:`TurnRecord` with its time and the intent answered;
messages the bot could not answer (the fallback, or a clarifying question) and those it
answered with low confidence also keep their text, masked, and the bot's best guesses. The
log lives in the same backend as the sessions (memory, SQLite or Redis), bounded in size and
age. ``python -m bot report`` reads it.
"""

from bot.storage.turns.base import UNANSWERED_INTENTS, TurnLog, TurnRecord

__all__ = ["UNANSWERED_INTENTS", "TurnLog", "TurnRecord"]

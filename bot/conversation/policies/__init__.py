"""The conversation's decisions, one home each (see /work/shared/design-notes.md): a policy
reads the :class:`~bot.conversation.context.TurnContext` and returns a decision (its replies
and the session changes, as data) or declines with a reason. ``POLICIES`` in
bot/conversation/dialogue.py gives their order; only that loop applies a decision."""

"""The conversation's decisions, one home each (see /work/shared/design-notes.md): a policy
reads what is known and returns a decision; only the dialogue applies it."""

"""A question about the paper the person just sent a photo of ("这封信是真的吗", "上面写的对
吗"): what the check found on it, in a few words, and how to verify it — from what the photo
showed (``Session.paper``), not the fallback."""

from __future__ import annotations

from bot.conversation import texts
from bot.conversation.context import Decision, Decline, Draft, Policy, TurnContext

_NO_PAPER = Decline("no paper sent")
_NOT_ABOUT_IT = Decline("not about the paper")
#: at most this many concerns in the answer (the photo's own answer gave them all)
MAX_CONCERNS = 4


def _decide(ctx: TurnContext, session: Draft) -> Decision | Decline:
    paper = session.paper
    if paper is None:
        return _NO_PAPER
    if not ctx.understood.cues.about_paper:
        return _NOT_ABOUT_IT
    name = texts.PAPER_NAMES.get(paper.kind, "材料")
    concerns = [texts.PAPER_CONCERNS[c] for c in paper.findings if c in texts.PAPER_CONCERNS]
    lines = [
        texts.PAPER_HEAD.format(name=name, concerns="；".join(concerns[:MAX_CONCERNS]))
        if concerns
        else texts.PAPER_CLEAN.format(name=name)
    ]
    lines.append(texts.PAPER_VERIFY.format(lender=paper.lender or "你的贷款方"))
    if paper.pay_person or "pay_personal_qr" in paper.findings:
        lines.append(texts.PAPER_NO_PAYING)
    if paper.deadline:
        lines.append(texts.PAPER_DEADLINE.format(deadline=paper.deadline))
    turn = ctx.turn()
    turn.intent = "verify_debt" if "verify_debt" in ctx.actions.specs else None
    turn.add("\n".join(lines))
    return session.decision(turn, f"{paper.kind}: {len(concerns)} concern(s)")


POLICY = Policy("paper", _decide)

"""What the seller reads about their next step, their plan's gaps and their appeal's timeline
(call inside the request's locale)."""

from __future__ import annotations

from goodstanding.account_health.next_step import NextStep
from goodstanding.cases.plan_of_action import MIN_WORDS, Gap, Part, Shortfall
from goodstanding.kit.i18n import gettext as _


def next_step_text(step: NextStep) -> str:
    texts = {
        NextStep.CLOSED: _("This selling account is closed; there is nothing more to do here."),
        NextStep.ANSWER_REVIEWER: _(
            "Our review team needs more information about your appeal: answer them."
        ),
        NextStep.WAIT_FOR_DECISION: _(
            "Your appeal is with our review team. We reply within two days; we will e-mail you."
        ),
        NextStep.REACTIVATE: _(
            "Selling is stopped. Reactivate your account: write a plan of action saying what "
            "went wrong, what you have fixed and how you will prevent it."
        ),
        NextStep.SEND_DOCUMENTS: _("Send the documents we asked for before their deadline."),
        NextStep.FIX_BEFORE_DEADLINE: _(
            "Fix what the warning below describes before its deadline to avoid further action."
        ),
        NextStep.WAIT_FOR_REVIEW: _(
            "A person is reviewing your account; nothing is needed from you for now."
        ),
        NextStep.NOTHING: _("Nothing to do: keep meeting the targets below."),
    }
    return texts[step]


def part_label(part: Part) -> str:
    labels = {
        Part.ROOT_CAUSE: _("Root cause"),
        Part.CORRECTIVE_ACTIONS: _("Corrective actions you have taken"),
        Part.PREVENTIVE_MEASURES: _("Preventive measures"),
    }
    return labels[part]


def part_guidance(part: Part) -> str:
    guidance = {
        Part.ROOT_CAUSE: _(
            "What caused the problem? Name every violation listed (for example the order defect "
            "rate) and what in your business led to it: a courier, a supplier, stock, staff."
        ),
        Part.CORRECTIVE_ACTIONS: _(
            "What have you already done to fix it? Give dates and numbers: orders refunded, the "
            "day you changed supplier, listings corrected."
        ),
        Part.PREVENTIVE_MEASURES: _(
            "What will stop it happening again? Say who checks what, how often, and which limit "
            "makes you act."
        ),
    }
    return guidance[part]


def shortfall_text(shortfall: Shortfall) -> str:
    gap = shortfall.gap
    if gap is Gap.MISSING:
        return _("Write this part.")
    if gap is Gap.TOO_SHORT:
        return _("Say more: at least %(count)d words of your own.") % {"count": MIN_WORDS}
    if gap is Gap.TOO_LONG:
        return _("Make this part shorter.")
    if gap is Gap.BOILERPLATE:
        return _(
            "This reads like a stock apology or repeats another part: say what happened in "
            "your business."
        )
    if gap is Gap.NOT_SPECIFIC:
        label = shortfall.concern.label if shortfall.concern else ""
        return _('Explain the cause of "%(violation)s": name it and say what led to it.') % {
            "violation": label
        }
    return _("Give something we can check: a date, a number, or how often you will do it.")


def timeline_text(event_type: str) -> str | None:
    """How the seller reads a case event; None for the staff's own bookkeeping."""
    texts = {
        "opened": _("You sent the appeal."),
        "claimed": _("A reviewer started looking at it."),
        "more_information_requested": _("We asked you for more information."),
        "seller_answered": _("You answered."),
        "first_approval": _("A first reviewer approved it; a second reviewer checks it."),
        "decided": _("We decided."),
        "reinstated": _("Your selling privileges and listings were restored."),
    }
    return texts.get(event_type)

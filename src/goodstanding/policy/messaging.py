"""The e-mail a seller gets for every enforcement action: the rule, the numbers, the evidence, the
deadline and how to appeal, in the seller's language (template ``policy_action``)."""

from __future__ import annotations

from babel.dates import format_date
from sqlalchemy.orm import Session

from goodstanding.kit.jobs import job_context
from goodstanding.models.account import Account
from goodstanding.models.seller import Seller
from goodstanding.models.violation import Violation
from goodstanding.notify.email import queue_email
from goodstanding.policy.enums import Action, Language
from goodstanding.policy.schema import PolicySet
from goodstanding.policy.wording import WORDING

APPEAL_PATH = "/account-health/appeal"
ACTION_TEMPLATE = "policy_action"


def seller_language(locale: str | None) -> Language:
    return Language(locale) if locale in {language.value for language in Language} else Language.EN


def recipient(db: Session, seller: Seller) -> tuple[str, Language] | None:
    """Where the seller reads mail: the linked account first, else the contact the events gave."""
    account = db.get(Account, seller.account_id) if seller.account_id else None
    if account is not None:
        return account.email, seller_language(account.locale or seller.locale)
    if seller.contact_email:
        return seller.contact_email, seller_language(seller.locale)
    return None


def _base_url() -> str:
    try:
        return job_context().settings.base_url.rstrip("/")
    except RuntimeError:  # no configured process (a one-off script): links stay relative
        return ""


def send_action_notice(
    db: Session, seller: Seller, violation: Violation, action: Action, policies: PolicySet
) -> bool:
    """Queue the notice of ``action``; False when the seller has no address to write to."""
    to = recipient(db, seller)
    if to is None:
        return False
    address, language = to
    policy = policies.by_id.get(violation.policy_id)
    title = getattr(policy.text, language.value).title if policy else violation.policy_id
    base = _base_url()
    queue_email(
        db,
        ACTION_TEMPLATE,
        to=address,
        locale=language.value,
        context={
            "seller_name": seller.display_name or seller.id,
            "policy_title": title,
            "action": WORDING[language].actions[action],
            "notice": violation.notices.get(language.value, ""),
            "evidence": list(violation.evidence),
            "deadline": (
                format_date(violation.deadline, "long", locale=language.value)
                if violation.deadline and action is Action.WARNING
                else None
            ),
            "appeal_url": f"{base}{APPEAL_PATH}?violation={violation.id}",
            "policy_url": f"{base}/policies#{violation.policy_id}",
        },
    )
    return True

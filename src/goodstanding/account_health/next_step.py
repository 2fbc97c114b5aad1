"""The one next thing a seller should do, chosen from where they stand (pure).

The page says it in plain words at the top; the order below is the order of urgency.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from goodstanding.policy.standing import Standing

RESTRICTED = frozenset({Standing.SUSPENDED, Standing.PRIVILEGES_WITHDRAWN})


class NextStep(StrEnum):
    CLOSED = "closed"  # nothing to do here any more
    ANSWER_REVIEWER = "answer_reviewer"  # a reviewer asked a question
    WAIT_FOR_DECISION = "wait_for_decision"  # an appeal is with the review team
    REACTIVATE = "reactivate"  # selling is stopped: write a plan of action
    SEND_DOCUMENTS = "send_documents"  # documents are due
    FIX_BEFORE_DEADLINE = "fix_before_deadline"  # a warning with a deadline
    WAIT_FOR_REVIEW = "wait_for_review"  # a person is reviewing the account
    NOTHING = "nothing"


@dataclass(frozen=True)
class Situation:
    standing: Standing
    appeal_awaiting_answer: bool
    appeal_open: bool
    documents_due: int
    open_warnings: int


def next_step(situation: Situation) -> NextStep:
    if situation.standing is Standing.CLOSED:
        return NextStep.CLOSED
    if situation.appeal_awaiting_answer:
        return NextStep.ANSWER_REVIEWER
    if situation.appeal_open:
        return NextStep.WAIT_FOR_DECISION
    if situation.standing in RESTRICTED:
        return NextStep.REACTIVATE
    if situation.documents_due:
        return NextStep.SEND_DOCUMENTS
    if situation.open_warnings:
        return NextStep.FIX_BEFORE_DEADLINE
    if situation.standing is Standing.UNDER_REVIEW:
        return NextStep.WAIT_FOR_REVIEW
    return NextStep.NOTHING

"""The shared case core: queue order, exclusive claims that lapse, guarded decisions, timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from accounts.conftest import Person, add_account

from goodstanding.cases.errors import ClaimedByAnother, ClaimRequired
from goodstanding.cases.service import case_service
from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.kit.errors import IllegalTransition
from goodstanding.models.case import Case


@pytest.fixture
def people(database: Database) -> tuple[Person, Person, Person]:
    subject = add_account(database)
    rita = add_account(database, name="Rita", email="rita@example.com", phone="+14155550103")
    raul = add_account(database, name="Raul", email="raul@example.com", phone="+14155550104")
    return subject, rita, raul


def open_case(database: Database, subject: Person) -> str:
    with database.transaction() as db:
        case = case_service.open(
            db,
            kind=Case.Kind.identity_recovery,
            subject_account_id=subject.id,
            payload={},
            sla=timedelta(hours=48),
            actor_id=subject.id,
        )
        return case.id


class TestClaims:
    def test_claim_is_exclusive_until_it_lapses(
        self, database: Database, people: tuple[Person, Person, Person]
    ) -> None:
        subject, rita, raul = people
        case_id = open_case(database, subject)
        with database.transaction() as db:
            case_service.claim(db, case_id, rita.id)
        with database.transaction() as db, pytest.raises(ClaimedByAnother):
            case_service.claim(db, case_id, raul.id)
        clock.advance(timedelta(minutes=31))
        with database.transaction() as db:
            assert case_service.claim(db, case_id, raul.id).claimed_by_id == raul.id

    def test_claim_next_takes_the_oldest_free_case(
        self, database: Database, people: tuple[Person, Person, Person]
    ) -> None:
        subject, rita, raul = people
        first = open_case(database, subject)
        clock.advance(timedelta(minutes=1))
        second = open_case(database, add_account(database, email="b@example.com", phone=None))
        with database.transaction() as db:
            assert case_service.claim_next(db, rita.id).id == first  # type: ignore[union-attr]
        with database.transaction() as db:
            assert case_service.claim_next(db, raul.id).id == second  # type: ignore[union-attr]
        with database.transaction() as db:
            assert case_service.claim_next(db, raul.id).id == second  # type: ignore[union-attr]


class TestDecisions:
    def test_deciding_needs_the_claim(
        self, database: Database, people: tuple[Person, Person, Person]
    ) -> None:
        subject, rita, _raul = people
        case_id = open_case(database, subject)
        with database.transaction() as db, pytest.raises(ClaimRequired):
            case_service.decide(
                db, case_id, reviewer_id=rita.id, outcome=Case.Status.approved, reason="ok"
            )

    def test_decision_is_recorded_and_cannot_be_taken_twice(
        self, database: Database, people: tuple[Person, Person, Person]
    ) -> None:
        subject, rita, _raul = people
        case_id = open_case(database, subject)
        with database.transaction() as db:
            case_service.claim(db, case_id, rita.id)
            case = case_service.decide(
                db, case_id, reviewer_id=rita.id, outcome=Case.Status.rejected, reason="blurry"
            )
            assert case.status == Case.Status.rejected and case.closed_at is not None
        with database.transaction() as db:
            decisions = case_service.decisions(db, case_id)
            assert [(d.reviewer_id, d.outcome, d.reason) for d in decisions] == [
                (rita.id, "rejected", "blurry")
            ]
            with pytest.raises(IllegalTransition):
                case_service.transition(
                    db,
                    case_id,
                    allowed_from=(Case.Status.open,),
                    to=Case.Status.approved,
                    actor_id=rita.id,
                )

    def test_every_change_appends_to_the_timeline_in_order(
        self, database: Database, people: tuple[Person, Person, Person]
    ) -> None:
        subject, rita, _raul = people
        case_id = open_case(database, subject)
        with database.transaction() as db:
            case_service.claim(db, case_id, rita.id)
            case_service.decide(
                db, case_id, reviewer_id=rita.id, outcome=Case.Status.approved, reason="ok"
            )
            case_service.transition(
                db,
                case_id,
                allowed_from=(Case.Status.approved,),
                to=Case.Status.completed,
                actor_id=None,
            )
        with database.transaction() as db:
            kinds = [event.type for event in case_service.timeline(db, case_id)]
        assert kinds == ["opened", "claimed", "decided", "status_changed"]

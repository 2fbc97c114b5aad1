"""The transparency report: counts by policy and month, on the page and as streamed CSV."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from goodstanding.cases.appeals import AppealPath, appeal_service
from goodstanding.cases.service import case_service
from goodstanding.cases.transparency import COLUMNS, transparency_report
from goodstanding.config import Settings
from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Database
from goodstanding.models.account import Account
from goodstanding.policy.service import active_policies
from tests.cases.appeal_factories import add_person, invoice, suspended_for_order_defects

POLICY = "order_defect_rate_seller"


def test_actions_appeals_and_overturns_are_counted(
    database: Database, settings: Settings, client: TestClient
) -> None:
    sam = add_person(database, "sam@shop.example", ["seller"])
    rita = add_person(database, "rita@staff.example", ["reviewer"])
    violation_id = suspended_for_order_defects(database, sam, orders=10)
    with database.transaction() as db:
        account = db.get(Account, sam)
        reviewer = db.get(Account, rita)
        assert account is not None and reviewer is not None
        case = appeal_service.submit(
            db,
            account=account,
            violation_ids=[violation_id],
            path=AppealPath.DISPUTE,
            plan=None,
            statement="The buyer cancelled these orders before shipping.",
            uploads=[invoice()],
            settings=settings,
            policies=active_policies(),
        )
        case_service.claim(db, case.id, rita)
        appeal_service.reinstate(
            db,
            case.id,
            reviewer=reviewer,
            reason="Our error.",
            overturn=False,
            settings=settings,
        )
    month = utcnow().strftime("%Y-%m")
    with database.transaction() as db:
        rows = [r for r in transparency_report(db) if r.policy_id == POLICY]
    # The ladder walk moves the clock by days, so its actions may fall in two months.
    assert sum(r.counts.actions for r in rows) == 4  # the ladder's four steps
    [row] = [r for r in rows if r.month == month]
    assert (row.counts.appeals, row.counts.appeals_reinstated) == (1, 1)
    assert (row.counts.overturns, row.counts.platform_errors) == (1, 1)

    page = client.get("/transparency")
    assert page.status_code == 200 and POLICY in page.text
    exported = client.get("/transparency.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.text)))
    assert tuple(lines[0]) == COLUMNS
    assert [line[3:] for line in lines if line[:2] == [month, POLICY]] == [["1", "1", "1", "1"]]


def test_an_empty_store_exports_only_the_header(client: TestClient) -> None:
    assert client.get("/transparency.csv").text.strip() == ",".join(COLUMNS)

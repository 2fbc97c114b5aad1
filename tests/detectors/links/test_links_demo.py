"""The demo's marketplace events leave a linked-accounts case for the console."""

import pytest
from sqlalchemy import select

from goodstanding.demo.generator import plan_sellers
from goodstanding.demo.marketplace_events import demo_options, load_marketplace_events
from goodstanding.detectors.links.demo import load_links_demo
from goodstanding.kit.db import Database
from goodstanding.models.case import Case


# The demo history takes a minute to load; the store-specific paths are covered on both stores
# by the service tests, so this demo check runs on SQLite only.
@pytest.mark.parametrize("store", ["sqlite"])
def test_the_planned_linked_group_becomes_one_cluster_case(database: Database) -> None:
    with database.transaction() as db:
        load_marketplace_events(db, seed=7)
    # The identifiers are linked once the intake commits (the detectors' hooks run as a job).
    with database.transaction() as db:
        assert load_links_demo(db, seed=7) >= 1
    [group] = plan_sellers(demo_options(7)).linked_groups
    with database.transaction() as db:
        cases = list(db.scalars(select(Case).where(Case.kind == Case.Kind.linked_accounts)))
    assert [case.payload["cluster"] for case in cases] == [list(group)]

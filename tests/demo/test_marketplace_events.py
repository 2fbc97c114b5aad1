"""The demo's marketplace history goes through the real intake and judges its sellers."""

from __future__ import annotations

from sqlalchemy import func, select

from goodstanding.demo.marketplace_events import DEMO_SELLERS, load_marketplace_events
from goodstanding.kit.clock import utcnow
from goodstanding.kit.db import Database
from goodstanding.metrics.service import BatchEngine, metrics_service
from goodstanding.models.seller import Seller
from goodstanding.models.stored_event import StoredEventRow


def test_demo_history_is_taken_in_and_metrics_match_a_recompute(database: Database) -> None:
    with database.transaction() as db:
        result = load_marketplace_events(db, seed=7)

    today = utcnow().date()
    with database.transaction() as db:
        stored = db.scalar(select(func.count()).select_from(StoredEventRow))
        sellers = set(db.scalars(select(Seller.id)))
        online = metrics_service.all_metrics(db, today)
        recomputed = metrics_service.recompute(db, today, BatchEngine.DUCKDB)

    assert result.refused == [] and result.duplicate > 0
    assert stored == result.accepted
    assert len(result.touched_sellers) == DEMO_SELLERS
    assert result.touched_sellers <= sellers
    assert online == recomputed
    assert {row.status.value for row in online} >= {"good", "failing"}

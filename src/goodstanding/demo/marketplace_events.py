"""The demo marketplace's history: generated events taken in through the real intake, so the demo
sellers' metrics, and what the policies make of them, come from the same engine as in production.
"""

from __future__ import annotations

from itertools import islice

from sqlalchemy.orm import Session

from goodstanding.demo.generator import GeneratorOptions, generate_events
from goodstanding.events.service import MAX_BATCH, IntakeResult, event_service
from goodstanding.kit.clock import utcnow
from goodstanding.policy.service import reevaluate_seller

# A few thousand events: enough for every metric to have a window's worth of orders, small enough
# for the demo to start in seconds.
DEMO_SELLERS = 12
DEMO_DAYS = 45
DEMO_ORDERS_PER_SELLER_PER_DAY = 2.0


def demo_options(seed: int) -> GeneratorOptions:
    return GeneratorOptions(
        seed=seed,
        as_of=utcnow().date(),
        days=DEMO_DAYS,
        sellers=DEMO_SELLERS,
        buyers=300,
        orders_per_seller_per_day=DEMO_ORDERS_PER_SELLER_PER_DAY,
        failing_share=0.25,
        borderline_share=0.17,
        linked_groups=1,
        duplicate_share=0.02,
        out_of_order_share=0.05,
    )


def load_marketplace_events(db: Session, seed: int) -> IntakeResult:
    """Take in the generated history ending today, then judge every seller it moved."""
    events = generate_events(demo_options(seed))
    total = IntakeResult()
    while batch := list(islice(events, MAX_BATCH)):
        total.add(event_service.ingest(db, batch, reevaluate=False))
    for seller_id in sorted(total.touched_sellers):
        reevaluate_seller(db, seller_id, utcnow().date())
    return total

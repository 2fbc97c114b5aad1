"""The demo's linked sellers: the generator plans a group of sellers sharing a device or a bank
account (``DemoTruth.linked_groups``); here they get goodstanding accounts, so their notices have
someone to reach and their cluster case has a subject, and the clusters are reviewed."""

from sqlalchemy.orm import Session

from goodstanding.demo.generator import plan_sellers
from goodstanding.demo.marketplace_events import demo_options
from goodstanding.detectors.links.service import link_service
from goodstanding.kit.clock import utcnow
from goodstanding.models.account import Account
from goodstanding.models.seller import Seller

# Nobody signs in with it: the demo's linked sellers exist to be seen from the console.
UNUSABLE_PASSWORD_HASH = "!"


def load_links_demo(db: Session, seed: int) -> int:
    """After the marketplace events: returns how many linked clusters were reviewed."""
    now = utcnow()
    for group in plan_sellers(demo_options(seed)).linked_groups:
        for seller_id in group:
            seller = db.get(Seller, seller_id)
            if seller is None or seller.account_id is not None:
                continue
            account = Account(
                name=f"Owner of {seller_id}",
                email=f"{seller_id}@linked.demo.goodstanding.dev",
                email_verified_at=now,
                password_hash=UNUSABLE_PASSWORD_HASH,
                roles=["seller"],
            )
            db.add(account)
            db.flush()
            seller.account_id = account.id
    db.flush()
    return link_service.review_all_clusters(db)

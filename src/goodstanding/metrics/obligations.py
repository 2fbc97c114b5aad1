"""What a seller still owes buyers: orders placed and neither delivered nor cancelled.

Closing an account asks this first, so a seller settles their open orders before leaving.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodstanding.metrics.state_codec import decode_state
from goodstanding.models.order_record import OrderRecord
from goodstanding.models.seller import Seller


def open_orders(db: Session, account_id: str) -> int:
    """Open orders of every seller the account signs in as."""
    seller_ids = select(Seller.id).where(Seller.account_id == account_id)
    records = db.execute(
        select(OrderRecord.order_id, OrderRecord.state).where(OrderRecord.seller_id.in_(seller_ids))
    ).tuples()
    count = 0
    for order_id, text in records:
        state = decode_state(order_id, text)
        if state.placed is not None and state.first_delivery is None and state.cancelled_by is None:
            count += 1
    return count

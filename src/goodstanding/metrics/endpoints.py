"""``GET /api/v1/sellers/{seller_id}/metrics``: one seller's metrics, read online."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from goodstanding.integrations.deps import require_api_key
from goodstanding.integrations.service import Scope
from goodstanding.kit.clock import utcnow
from goodstanding.metrics.schemas import MetricOut, SellerMetricsOut
from goodstanding.metrics.service import metrics_service
from goodstanding.models.api_key import ApiKey
from goodstanding.web.deps import DbSession

router = APIRouter(prefix="/api/v1", tags=["metrics"])

SellersRead = Annotated[ApiKey, Depends(require_api_key(Scope.sellers_read))]


@router.get(
    "/sellers/{seller_id}/metrics",
    response_model=SellerMetricsOut,
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
def get_seller_metrics(
    seller_id: str,
    db: DbSession,
    key: SellersRead,
    as_of: Annotated[
        date | None, Query(description="The day (UTC) the metrics are as of; default today.")
    ] = None,
) -> SellerMetricsOut:
    """Every metric of the seller with numerator, denominator, value, window, target and status."""
    day = as_of or utcnow().date()
    rows = metrics_service.seller_metrics(db, seller_id, day)
    return SellerMetricsOut(
        seller_id=seller_id, as_of=day, metrics=[MetricOut.of(row) for row in rows]
    )

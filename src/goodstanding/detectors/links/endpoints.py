"""The linked-accounts API: a seller's cluster graph, and a reviewer's "not related" verdict."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from goodstanding.detectors.links.service import link_service
from goodstanding.integrations.deps import require_api_key
from goodstanding.integrations.service import Scope
from goodstanding.models.api_key import ApiKey
from goodstanding.web.deps import DbSession

router = APIRouter(prefix="/api/v1/sellers", tags=["linked accounts"])

SellersRead = Annotated[ApiKey, Depends(require_api_key(Scope.sellers_read))]
SellersWrite = Annotated[ApiKey, Depends(require_api_key(Scope.sellers_write))]


class NotRelatedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    other_seller_id: str = Field(min_length=1, max_length=200)


@router.get("/{seller_id}/links", responses={404: {"description": "No such seller"}})
def seller_links(seller_id: str, db: DbSession, key: SellersRead) -> dict[str, Any]:
    """The seller's cluster: shared identifiers (since when, how many accounts hold each, capped
    ones flagged and linking nobody), reviewers' verdicts, and fuzzy links with their
    probability and agreeing fields."""
    return link_service.evidence(db, seller_id).as_dict()


@router.post(
    "/{seller_id}/links/not-related",
    responses={404: {"description": "No such seller"}, 409: {"description": "Not linked"}},
)
def not_related(
    seller_id: str, body: NotRelatedIn, db: DbSession, key: SellersWrite
) -> dict[str, Any]:
    """Record that the two accounts are different sellers; returns the seller's new cluster."""
    evidence = link_service.mark_not_related(
        db, seller_id, body.other_seller_id, decided_by=f"api-key:{key.name}"
    )
    return evidence.as_dict()

"""The console's linked-accounts view: a seller's cluster graph for a reviewer, with a "not
related" action per linked account. Staff only, like the rest of the console."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from goodstanding.accounts.web import flow_call
from goodstanding.console.deps import Staff
from goodstanding.detectors.links.service import link_service
from goodstanding.web.deps import Browser, CsrfChecked, DbSession
from goodstanding.web.templating import add_template_dir, render

add_template_dir(Path(__file__).resolve().parent / "templates")
router = APIRouter(include_in_schema=False)


@router.get("/console/links/{seller_id}")
def links_page(
    seller_id: str, request: Request, db: DbSession, browser: Browser, reviewer: Staff
) -> Response:
    with flow_call(request, db):
        evidence = link_service.evidence(db, seller_id)
    return render(
        request,
        "links/evidence.html",
        {"csrf_token": browser.csrf_token, "evidence": evidence},
    )


@router.post("/console/links/{seller_id}/not-related", dependencies=[CsrfChecked])
def not_related(
    seller_id: str,
    request: Request,
    db: DbSession,
    reviewer: Staff,
    other_seller_id: Annotated[str, Form()] = "",
) -> Response:
    with flow_call(request, db):
        link_service.mark_not_related(
            db, seller_id, other_seller_id, decided_by=f"account:{reviewer.id}"
        )
    return RedirectResponse(f"/console/links/{seller_id}", status_code=303)

from __future__ import annotations

from goodstanding.kit.errors import Conflict


class ClaimedByAnother(Conflict):
    slug = "case-claimed-by-another"
    title = "Another reviewer is working on this case"


class ClaimRequired(Conflict):
    slug = "case-claim-required"
    title = "Claim the case before deciding it"

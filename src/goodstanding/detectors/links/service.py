"""Linked accounts against the store: events become identifier edges, a changed cluster raises the
multiple-accounts policy, reviewers set pairs aside, and the evidence they read.

Flow of one sign-in or payout event (``apply_identifier_event``, called by the events intake):

1. the event's identifiers (sign-in IP and device; payout bank-account hash), and the e-mail and
   phone of the goodstanding account that signs in as the seller, become edges of a lazy
   `LinkGraph` over the database, which reads only the neighbourhood of the accounts touched;
2. each cluster the change touched is reviewed: every active selling account in an unapproved
   pair (``policy_input``) gets one ``linked_accounts`` signal per unapproved partner (the
   signal's subject is the partner, so the policy engine exempts exactly an approved pair), and
   signals about pairs that are no longer linked are dismissed;
3. the cluster gets ONE ``linked_accounts`` case for the reviewers, and every newly flagged
   account is re-evaluated on its own: enforcement lands on all of them together, but each
   account has its own violation, notice and appeal.

Seller tax ids are linked by the engine but no model holds one yet, so none are fed in.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import structlog
from sqlalchemy.orm import Session

from goodstanding.cases.service import case_service
from goodstanding.detectors.links.evidence import LinkEvidence, link_evidence
from goodstanding.detectors.links.fuzzy import find_fuzzy_links, train_fuzzy_model
from goodstanding.detectors.links.graph import DEFAULT_CAPS, AccountId, EdgeEffect, LinkGraph
from goodstanding.detectors.links.identifiers import (
    Identifier,
    IdentifierKind,
    InvalidIdentifier,
    normalise_identifier,
)
from goodstanding.detectors.links.policy_input import (
    ApprovedPair,
    multiple_accounts_findings,
)
from goodstanding.detectors.links.repository import link_repository
from goodstanding.detectors.links.store import DatabaseLinkStore
from goodstanding.detectors.signals import (
    DETECTOR_ACTOR,
    SignalStatus,
    Source,
    dismiss_signal,
    record_signal,
    signals_of,
)
from goodstanding.events.schemas import AccountSignedIn, Event, PayoutAccountSet
from goodstanding.kit.clock import utcnow
from goodstanding.kit.errors import Conflict
from goodstanding.kit.i18n import gettext as _
from goodstanding.models.case import Case
from goodstanding.models.seller import Seller
from goodstanding.policy.enums import Signal
from goodstanding.policy.service import approved_pairs, policy_service, reevaluate_seller

log = structlog.get_logger(__name__)

CLUSTER_REVIEW_SLA = timedelta(days=3)
# Exact links are facts (a shared device, bank account or mailbox), not estimates.
EXACT_LINK_SCORE = 1.0
# Below this many named sellers the unsupervised fuzzy model has too little to learn from.
MIN_FUZZY_RECORDS = 100
ACCOUNT_KINDS = (IdentifierKind.EMAIL, IdentifierKind.PHONE)


class NotLinked(Conflict):
    slug = "accounts-not-linked"
    title = "The accounts are not in one cluster"


@dataclass(frozen=True, slots=True)
class Sighting:
    """The identifiers one event shows an account using."""

    account_id: AccountId
    identifiers: tuple[Identifier, ...]
    seen_at: datetime


def _usable(pairs: Iterable[tuple[IdentifierKind, str]]) -> tuple[Identifier, ...]:
    """Canonical identifiers; a value that identifies nobody (a private IP) is left out."""
    identifiers = []
    for kind, raw in pairs:
        try:
            identifiers.append(normalise_identifier(kind, raw))
        except InvalidIdentifier:
            continue
    return tuple(identifiers)


def sighting_of(event: Event) -> Sighting | None:
    """What a sign-in or payout event shows; None for other events."""
    if isinstance(event, AccountSignedIn):
        raw = [
            (IdentifierKind.SIGN_IN_IP, event.data.ip),
            (IdentifierKind.DEVICE, event.data.device_id),
        ]
    elif isinstance(event, PayoutAccountSet):
        raw = [(IdentifierKind.BANK_ACCOUNT, event.data.bank_account_hash)]
    else:
        return None
    return Sighting(event.data.account_id, _usable(raw), event.occurred_at)


class LinkService:
    def graph(self, db: Session) -> LinkGraph:
        """A lazy graph over the database, for one transaction."""
        return LinkGraph(DatabaseLinkStore(db), DEFAULT_CAPS, load_all=False)

    # --- keeping the graph current ------------------------------------------------------------

    def apply_identifier_event(self, db: Session, event: Event) -> None:
        """The events intake's hook for ``account.signed_in`` and ``payout_account.set``."""
        sighting = sighting_of(event)
        if sighting is None:
            return
        self.observe(db, sighting)

    def observe(self, db: Session, sighting: Sighting) -> None:
        graph = self.graph(db)
        touched = self._sync_account_identifiers(db, graph, sighting.account_id, sighting.seen_at)
        for identifier in sighting.identifiers:
            touched |= self._observe(graph, sighting.account_id, identifier, sighting.seen_at)
        if touched:
            self._review(db, graph, touched)

    def _observe(
        self, graph: LinkGraph, account_id: AccountId, identifier: Identifier, seen_at: datetime
    ) -> set[AccountId]:
        """The accounts whose clusters the sighting may have changed."""
        effect = graph.observe(account_id, identifier, seen_at)
        if effect is EdgeEffect.LINKS and graph.store.holder_count(identifier) > 1:
            return {account_id}
        if effect is EdgeEffect.CAP_REACHED:
            return set(graph.store.accounts_holding(identifier))
        return set()

    def _sync_account_identifiers(
        self, db: Session, graph: LinkGraph, seller_id: AccountId, seen_at: datetime
    ) -> set[AccountId]:
        """Edges for the e-mail and phone of the account signing in as the seller, replacing
        earlier ones it has changed since."""
        account = link_repository.signing_in_account(db, seller_id)
        current: tuple[Identifier, ...] = ()
        if account is not None:
            current = _usable(
                [(IdentifierKind.EMAIL, account.email)]
                + ([(IdentifierKind.PHONE, account.phone)] if account.phone else [])
            )
        held = {
            identifier
            for identifier in graph.store.identifiers_of(seller_id)
            if identifier.kind in ACCOUNT_KINDS
        }
        touched: set[AccountId] = set()
        for stale in held.difference(current):
            touched |= graph.cluster_of(seller_id)
            graph.forget(seller_id, stale)
        for identifier in current:
            if identifier not in held:
                touched |= self._observe(graph, seller_id, identifier, seen_at)
        return touched

    # --- policy input -------------------------------------------------------------------------

    def review_all_clusters(self, db: Session) -> int:
        """Review the cluster of every active seller (a sweep for sellers registered after their
        links were seen); returns how many clusters of two or more accounts it looked at."""
        graph = self.graph(db)
        linked = [
            seller_id
            for seller_id in link_repository.active_seller_ids(db)
            if len(graph.cluster_of(seller_id)) > 1
        ]
        return self._review(db, graph, linked)

    def _review(self, db: Session, graph: LinkGraph, accounts: Iterable[AccountId]) -> int:
        clusters = {graph.cluster_of(account_id) for account_id in accounts}
        approved = approved_pairs(db)
        today = utcnow().date()
        for cluster in sorted(clusters, key=sorted):
            self._review_cluster(db, cluster, approved, today)
        return len(clusters)

    def _review_cluster(
        self,
        db: Session,
        cluster: frozenset[AccountId],
        approved: Collection[ApprovedPair],
        today: date,
    ) -> None:
        selling = link_repository.active_selling(db, cluster)
        findings = multiple_accounts_findings([cluster], selling.keys(), approved)
        unapproved = {finding.account_id: finding.unapproved_with for finding in findings}
        members = sorted(cluster)
        newly_flagged = [
            seller_id
            for seller_id in sorted(selling)
            if self._settle_signals(db, seller_id, unapproved.get(seller_id, ()), members, today)
        ]
        if findings:
            self._cluster_case(db, members, selling)
        for seller_id in newly_flagged:
            reevaluate_seller(db, seller_id, today)

    def _settle_signals(
        self,
        db: Session,
        seller_id: AccountId,
        unapproved_with: Collection[AccountId],
        cluster: list[AccountId],
        today: date,
    ) -> bool:
        """One open signal per unapproved partner; stale ones dismissed. True if any is new."""
        rows = [
            row
            for row in signals_of(db, seller_id)
            if row.kind == Signal.LINKED_ACCOUNTS and row.source_kind == Source.cluster
        ]
        for row in rows:
            if row.status == SignalStatus.open and row.source_id not in unapproved_with:
                dismiss_signal(
                    db,
                    row.id,
                    actor=DETECTOR_ACTOR,
                    reason="No longer linked without an approved additional-account request.",
                    as_of=today,
                )
        # A pair a reviewer dismissed stays dismissed; one the detector dismissed may come back.
        known = {
            row.source_id
            for row in rows
            if row.status != SignalStatus.dismissed or row.decided_by != DETECTOR_ACTOR
        }
        new = [partner for partner in unapproved_with if partner not in known]
        for partner in new:
            record_signal(
                db,
                seller_id=seller_id,
                kind=Signal.LINKED_ACCOUNTS,
                score=EXACT_LINK_SCORE,
                source_kind=Source.cluster,
                source_id=partner,
                evidence={
                    "summary": f"linked to {partner} in the cluster {', '.join(cluster)}",
                    "cluster": cluster,
                    "evidence_url": f"/api/v1/sellers/{seller_id}/links",
                },
            )
        return bool(new)

    def _cluster_case(
        self, db: Session, members: list[AccountId], selling: dict[str, Seller]
    ) -> Case | None:
        """The cluster's one open case, its member list brought up to date; opened if none.

        None when no seller of the cluster has a goodstanding account to file it under."""
        for case in link_repository.open_cluster_cases(db):
            listed = case.payload.get("cluster")
            if isinstance(listed, list) and not set(listed).isdisjoint(members):
                if listed != members:
                    case.payload = {**case.payload, "cluster": members}
                    db.flush()
                return case
        subject = next(
            (
                selling[seller_id].account_id
                for seller_id in sorted(selling)
                if selling[seller_id].account_id
            ),
            None,
        )
        if subject is None:
            log.info("linked_cluster_without_account", cluster=members)
            return None
        return case_service.open(
            db,
            kind=Case.Kind.linked_accounts,
            subject_account_id=subject,
            payload={"cluster": members, "seller_ids": sorted(selling)},
            sla=CLUSTER_REVIEW_SLA,
            actor_id=None,
        )

    # --- reviewers ----------------------------------------------------------------------------

    def evidence(self, db: Session, seller_id: str) -> LinkEvidence:
        """The seller's cluster and why (``evidence.link_evidence``); SellerNotFound if unknown."""
        policy_service.seller(db, seller_id)
        graph = self.graph(db)
        cluster = graph.cluster_of(seller_id)
        fuzzy = link_repository.fuzzy_links_touching(db, cluster)
        return link_evidence(graph, seller_id, fuzzy)

    def mark_not_related(
        self, db: Session, seller_id: str, other_id: str, *, decided_by: str
    ) -> LinkEvidence:
        """A reviewer's verdict on two accounts of one cluster: their direct link stops counting,
        the cluster splits where nothing else joins them, and signals follow."""
        policy_service.seller(db, seller_id)
        graph = self.graph(db)
        before = graph.cluster_of(seller_id)
        if other_id == seller_id or other_id not in before:
            raise NotLinked(
                _("%(other)s is not linked to %(seller)s.")
                % {"other": other_id, "seller": seller_id}
            )
        graph.mark_not_related(seller_id, other_id, utcnow(), decided_by)
        self._review(db, graph, before)
        return link_evidence(
            graph,
            seller_id,
            link_repository.fuzzy_links_touching(db, graph.cluster_of(seller_id)),
        )

    # --- fuzzy links --------------------------------------------------------------------------

    def refresh_fuzzy_links(self, db: Session) -> int:
        """The periodic fuzzy pass: returns how many links it stored (replacing the last pass's).

        Sellers have no address data yet, so it matches the person's name (of the account that
        signs in as the seller) and the business (display) name.
        """
        records = [
            (seller_id, business, *_name_parts(name))
            for seller_id, business, name in link_repository.fuzzy_records(db)
            if name
        ]
        if len(records) < MIN_FUZZY_RECORDS:
            log.info("fuzzy_links_skipped", named_sellers=len(records))
            return 0
        frame = pd.DataFrame(
            records, columns=["account_id", "business_name", "given_name", "surname"]
        )
        links = find_fuzzy_links(frame, train_fuzzy_model(frame))
        return link_repository.replace_fuzzy_links(db, links, utcnow())


def _name_parts(name: str) -> tuple[str, str]:
    """Given name and surname from a full name: first and last word."""
    words = name.split()
    return (words[0], words[-1]) if words else ("", "")


link_service = LinkService()
apply_identifier_event = link_service.apply_identifier_event

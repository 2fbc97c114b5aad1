"""The `LinkStore` on the database: edges in `link_edges`, reviewers' verdicts in `link_verdicts`.

Made per transaction and used with a lazy `LinkGraph` (`load_all=False`), so one event reads the
rows around the accounts it touches. Counting holders is a COUNT, so an identifier behind a
carrier NAT costs one number, not its thousands of accounts.
"""

from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from datetime import datetime

from sqlalchemy import ColumnElement, Insert, delete, func, or_, select
from sqlalchemy.orm import Session

from goodstanding.detectors.links.graph import AccountId, LinkEdge, NotRelatedVerdict
from goodstanding.detectors.links.identifiers import Identifier, IdentifierKind
from goodstanding.kit.bulk_sql import dialect_insert
from goodstanding.models.link_edge import LinkEdgeRecord
from goodstanding.models.link_verdict import LinkVerdict

REVIEWER_UNKNOWN = "unknown"


class DatabaseLinkStore:
    def __init__(self, db: Session) -> None:
        self.db = db
        # Verdicts are few and read for every holder a walk meets; this store is the only writer
        # of its transaction, so caching them per account is safe.
        self._partners: dict[AccountId, frozenset[AccountId]] = {}

    def _insert_new(self, model: type[LinkEdgeRecord] | type[LinkVerdict]) -> Insert:
        """An INSERT that skips a row whose key exists (a concurrent writer may have added it)."""
        return dialect_insert(self.db, model).on_conflict_do_nothing()

    @staticmethod
    def _holding(identifier: Identifier) -> tuple[ColumnElement[bool], ...]:
        return (
            LinkEdgeRecord.kind == identifier.kind.value,
            LinkEdgeRecord.value == identifier.value,
        )

    def add_edge(self, edge: LinkEdge) -> bool:
        statement = self._insert_new(LinkEdgeRecord).values(
            account_id=edge.account_id,
            kind=edge.kind.value,
            value=edge.value,
            first_seen=edge.first_seen,
        )
        inserted = self.db.execute(statement.returning(LinkEdgeRecord.account_id)).first()
        return inserted is not None

    def remove_edge(self, account_id: AccountId, identifier: Identifier) -> bool:
        removed = self.db.execute(
            delete(LinkEdgeRecord)
            .where(LinkEdgeRecord.account_id == account_id, *self._holding(identifier))
            .returning(LinkEdgeRecord.account_id)
        ).first()
        return removed is not None

    def accounts_holding(self, identifier: Identifier) -> list[AccountId]:
        return list(
            self.db.scalars(select(LinkEdgeRecord.account_id).where(*self._holding(identifier)))
        )

    def holder_count(self, identifier: Identifier) -> int:
        counted = self.db.scalar(
            select(func.count()).select_from(LinkEdgeRecord).where(*self._holding(identifier))
        )
        return int(counted or 0)

    def identifiers_of(self, account_id: AccountId) -> list[Identifier]:
        rows = self.db.execute(
            select(LinkEdgeRecord.kind, LinkEdgeRecord.value).where(
                LinkEdgeRecord.account_id == account_id
            )
        )
        return [Identifier(IdentifierKind(kind), value) for kind, value in rows]

    def first_seen(self, account_id: AccountId, identifier: Identifier) -> datetime:
        return self.db.execute(
            select(LinkEdgeRecord.first_seen).where(
                LinkEdgeRecord.account_id == account_id, *self._holding(identifier)
            )
        ).scalar_one()

    def accounts(self) -> Iterator[AccountId]:
        yield from self.db.scalars(select(LinkEdgeRecord.account_id).distinct())

    def crowded_identifiers(
        self, kind: IdentifierKind, more_than: int
    ) -> Iterator[tuple[Identifier, int]]:
        counted = func.count().label("holders")
        rows = self.db.execute(
            select(LinkEdgeRecord.value, counted)
            .where(LinkEdgeRecord.kind == kind.value)
            .group_by(LinkEdgeRecord.value)
            .having(counted > more_than)
        )
        for value, holders in rows:
            yield Identifier(kind, value), int(holders)

    def edges(self) -> Iterator[LinkEdge]:
        for row in self.db.scalars(select(LinkEdgeRecord)):
            yield LinkEdge(row.account_id, IdentifierKind(row.kind), row.value, row.first_seen)

    def add_verdict(self, verdict: NotRelatedVerdict) -> None:
        account_a, account_b = sorted((verdict.account_a, verdict.account_b))
        self.db.execute(
            self._insert_new(LinkVerdict).values(
                account_a=account_a,
                account_b=account_b,
                decided_by=verdict.decided_by or REVIEWER_UNKNOWN,
                decided_at=verdict.decided_at,
            )
        )
        self._partners.pop(account_a, None)
        self._partners.pop(account_b, None)

    def not_related_to(self, account_id: AccountId) -> AbstractSet[AccountId]:
        partners = self._partners.get(account_id)
        if partners is None:
            partners = frozenset(
                verdict.account_b if verdict.account_a == account_id else verdict.account_a
                for verdict in self.verdicts_of(account_id)
            )
            self._partners[account_id] = partners
        return partners

    def verdicts_of(self, account_id: AccountId) -> Iterator[NotRelatedVerdict]:
        yield from self._verdicts(
            or_(LinkVerdict.account_a == account_id, LinkVerdict.account_b == account_id)
        )

    def verdicts(self) -> Iterator[NotRelatedVerdict]:
        yield from self._verdicts(None)

    def _verdicts(self, condition: ColumnElement[bool] | None) -> Iterator[NotRelatedVerdict]:
        query = select(LinkVerdict)
        if condition is not None:
            query = query.where(condition)
        for row in self.db.scalars(query):
            yield NotRelatedVerdict(row.account_a, row.account_b, row.decided_at, row.decided_by)

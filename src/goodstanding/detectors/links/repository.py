"""The linked-accounts SQL that is not the link graph itself (that is `store.py`): which accounts
are active selling accounts, what their goodstanding accounts hold, the open cluster cases, the
fuzzy pass's records and its stored links."""

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from goodstanding.detectors.links.fuzzy import FieldAgreement, FuzzyLink
from goodstanding.models.account import Account
from goodstanding.models.case import Case
from goodstanding.models.fuzzy_link import FuzzyLinkRecord
from goodstanding.models.seller import Seller
from goodstanding.policy.standing import Standing


class LinkRepository:
    def active_selling(self, db: Session, account_ids: Collection[str]) -> dict[str, Seller]:
        """The accounts among `account_ids` that sell and are not closed, by id."""
        if not account_ids:
            return {}
        sellers = db.scalars(
            select(Seller).where(
                Seller.id.in_(list(account_ids)),
                Seller.kind == Seller.Kind.seller,
                Seller.standing != Standing.CLOSED,
            )
        )
        return {seller.id: seller for seller in sellers}

    def active_seller_ids(self, db: Session) -> list[str]:
        return list(
            db.scalars(
                select(Seller.id)
                .where(Seller.kind == Seller.Kind.seller, Seller.standing != Standing.CLOSED)
                .order_by(Seller.id)
            )
        )

    def signing_in_account(self, db: Session, seller_id: str) -> Account | None:
        """The goodstanding account that signs in as the seller, if any."""
        return db.scalars(
            select(Account)
            .join(Seller, Seller.account_id == Account.id)
            .where(Seller.id == seller_id)
        ).first()

    def open_cluster_cases(self, db: Session) -> list[Case]:
        return list(
            db.scalars(
                select(Case).where(
                    Case.kind == Case.Kind.linked_accounts, Case.status == Case.Status.open
                )
            )
        )

    def fuzzy_records(self, db: Session) -> list[tuple[str, str, str | None]]:
        """(seller id, business name, the person's name where an account signs in as them)."""
        rows = db.execute(
            select(Seller.id, Seller.display_name, Account.name)
            .outerjoin(Account, Seller.account_id == Account.id)
            .where(Seller.kind == Seller.Kind.seller)
            .order_by(Seller.id)
        )
        return [(seller_id, display, name) for seller_id, display, name in rows]

    def replace_fuzzy_links(self, db: Session, links: Iterable[FuzzyLink], now: datetime) -> int:
        db.execute(delete(FuzzyLinkRecord))
        rows = [
            FuzzyLinkRecord(
                account_a=link.account_a,
                account_b=link.account_b,
                match_probability=link.match_probability,
                agreements=[
                    {"comparison": a.comparison, "level": a.level} for a in link.agreements
                ],
                found_at=now,
            )
            for link in links
        ]
        db.add_all(rows)
        db.flush()
        return len(rows)

    def fuzzy_links_touching(self, db: Session, account_ids: Collection[str]) -> list[FuzzyLink]:
        ids = list(account_ids)
        rows = db.scalars(
            select(FuzzyLinkRecord)
            .where(or_(FuzzyLinkRecord.account_a.in_(ids), FuzzyLinkRecord.account_b.in_(ids)))
            .order_by(FuzzyLinkRecord.match_probability.desc(), FuzzyLinkRecord.account_a)
        )
        return [
            FuzzyLink(
                row.account_a,
                row.account_b,
                row.match_probability,
                tuple(FieldAgreement(a["comparison"], a["level"]) for a in row.agreements),
            )
            for row in rows
        ]


link_repository = LinkRepository()

"""Fill a fresh database with the demo marketplace and return the sign-ins to print."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from goodstanding.accounts.passwords import hash_password
from goodstanding.console.demo import load_console_demo
from goodstanding.demo.marketplace_events import load_marketplace_events
from goodstanding.detectors.links.demo import load_links_demo
from goodstanding.kit.clock import utcnow
from goodstanding.models.account import Account
from goodstanding.policy.demo import load_policy_demo


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    phone: str
    password: str
    roles: tuple[str, ...]
    description: str


DEMO_PEOPLE = (
    DemoPerson(
        "Ana Buyer",
        "ana@demo.goodstanding.dev",
        "+14155550101",
        "correct horse battery staple",
        ("buyer",),
        "buyer who can walk every recovery path",
    ),
    DemoPerson(
        "Sam Seller",
        "sam@demo.goodstanding.dev",
        "+14155550102",
        "orange kettle under the stairs",
        ("buyer", "seller"),
        "seller",
    ),
    DemoPerson(
        "Rita Reviewer",
        "rita@demo.goodstanding.dev",
        "+14155550103",
        "quiet library with blue lamps",
        ("reviewer",),
        "reviewer (console)",
    ),
)


def load_demo(db: Session, *, seed: int) -> list[str]:
    now = utcnow()
    for person in DEMO_PEOPLE:
        db.add(
            Account(
                name=person.name,
                email=person.email,
                email_verified_at=now,
                phone=person.phone,
                phone_verified_at=now,
                password_hash=hash_password(person.password),
                roles=list(person.roles),
            )
        )
    db.flush()
    load_policy_demo(db)
    load_marketplace_events(db, seed)
    load_links_demo(db, seed)
    staff = load_console_demo(db)
    return [f"{p.email} / {p.password}  ({p.description})" for p in DEMO_PEOPLE] + staff

"""Seller standing: the states, the moves allowed between them, and what each state allows.

STANDING_TABLE is the one source the API, the pages and the docs read; nothing else decides whether
a seller may list, sell, be paid or buy. Standing is never written directly: the service applies a
transition after :func:`check_transition` agrees with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from goodstanding.kit.errors import IllegalTransition
from goodstanding.policy.enums import Language


class Standing(StrEnum):
    ACTIVE = "active"
    AT_RISK = "at_risk"
    UNDER_REVIEW = "under_review"
    PRIVILEGES_WITHDRAWN = "privileges_withdrawn"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    CLOSED = "closed"


class Payouts(StrEnum):
    PAID = "paid"
    HELD = "held"  # kept for the seller, released when the review or appeal ends
    NONE = "none"


@dataclass(frozen=True)
class StandingRules:
    can_list: bool
    can_sell: bool
    payouts: Payouts
    can_buy: bool
    # How far the state restricts the seller: an enforcement action only ever moves a seller up.
    restriction_level: int
    next_states: frozenset[Standing]
    meaning: Mapping[Language, str]


_S = Standing

STANDING_TABLE: Mapping[Standing, StandingRules] = {
    _S.ACTIVE: StandingRules(
        can_list=True,
        can_sell=True,
        payouts=Payouts.PAID,
        can_buy=True,
        restriction_level=0,
        next_states=frozenset(
            {_S.AT_RISK, _S.UNDER_REVIEW, _S.PRIVILEGES_WITHDRAWN, _S.SUSPENDED, _S.CLOSED}
        ),
        meaning={
            Language.EN: "In good standing.",
            Language.ES: "Cuenta en regla.",
        },
    ),
    _S.AT_RISK: StandingRules(
        can_list=True,
        can_sell=True,
        payouts=Payouts.PAID,
        can_buy=True,
        restriction_level=1,
        next_states=frozenset(
            {_S.ACTIVE, _S.UNDER_REVIEW, _S.PRIVILEGES_WITHDRAWN, _S.SUSPENDED, _S.CLOSED}
        ),
        meaning={
            Language.EN: "A target is missed or a warning is open; nothing is restricted yet.",
            Language.ES: "Hay un objetivo incumplido o un aviso abierto; aún no hay restricciones.",
        },
    ),
    # Listings are frozen while a person looks, but open orders still ship and buyers still pay,
    # and the money is held rather than cancelled, so an unfounded review costs the seller nothing.
    _S.UNDER_REVIEW: StandingRules(
        can_list=False,
        can_sell=True,
        payouts=Payouts.HELD,
        can_buy=True,
        restriction_level=2,
        next_states=frozenset(
            {_S.ACTIVE, _S.AT_RISK, _S.PRIVILEGES_WITHDRAWN, _S.SUSPENDED, _S.CLOSED}
        ),
        meaning={
            Language.EN: "A person is reviewing the account; new listings wait, payouts are held.",
            Language.ES: (
                "Una persona revisa la cuenta; los anuncios nuevos esperan y los pagos se retienen."
            ),
        },
    ),
    # The seller stops selling but keeps the buyer profile and is paid what was already earned.
    _S.PRIVILEGES_WITHDRAWN: StandingRules(
        can_list=False,
        can_sell=False,
        payouts=Payouts.PAID,
        can_buy=True,
        restriction_level=3,
        next_states=frozenset({_S.UNDER_REVIEW, _S.SUSPENDED, _S.REINSTATED, _S.CLOSED}),
        meaning={
            Language.EN: "Selling is withdrawn; the account can still buy.",
            Language.ES: "La venta está retirada; la cuenta puede seguir comprando.",
        },
    ),
    _S.SUSPENDED: StandingRules(
        can_list=False,
        can_sell=False,
        payouts=Payouts.HELD,
        can_buy=True,
        restriction_level=4,
        next_states=frozenset({_S.REINSTATED, _S.CLOSED}),
        meaning={
            Language.EN: "Selling is suspended and payouts are held until the appeal is decided.",
            Language.ES: (
                "La venta está suspendida y los pagos retenidos hasta que se resuelva el recurso."
            ),
        },
    ),
    _S.REINSTATED: StandingRules(
        can_list=True,
        can_sell=True,
        payouts=Payouts.PAID,
        can_buy=True,
        restriction_level=0,
        next_states=frozenset(
            {
                _S.ACTIVE,
                _S.AT_RISK,
                _S.UNDER_REVIEW,
                _S.PRIVILEGES_WITHDRAWN,
                _S.SUSPENDED,
                _S.CLOSED,
            }
        ),
        meaning={
            Language.EN: "Selling was restored after an appeal or review.",
            Language.ES: "La venta se restableció tras un recurso o una revisión.",
        },
    ),
    _S.CLOSED: StandingRules(
        can_list=False,
        can_sell=False,
        payouts=Payouts.NONE,
        can_buy=False,
        restriction_level=5,
        next_states=frozenset(),
        meaning={
            Language.EN: "The account is closed.",
            Language.ES: "La cuenta está cerrada.",
        },
    ),
}


def check_transition(current: Standing, target: Standing) -> None:
    """Raise IllegalTransition unless the table allows moving from ``current`` to ``target``."""
    if target not in STANDING_TABLE[current].next_states:
        allowed = ", ".join(sorted(STANDING_TABLE[current].next_states)) or "none: it is final"
        raise IllegalTransition(
            f"A seller cannot go from {current} to {target} (allowed from {current}: {allowed}).",
            from_standing=str(current),
            to_standing=str(target),
        )

"""How fast shadow-mode simulation runs over many sellers' inputs.

Builds synthetic inputs (every metric, a few signals, documents, an affiliate history, violations),
then times, in the same run: the baseline of only validating those inputs from JSON (what reading
stored history costs at least) and the simulation of the shipped policies over them. Prints sellers
per second and the ratio simulation / baseline.

    .venv/bin/python bench/policy_simulate.py [SELLERS]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta

from goodstanding.policy.enums import DocumentKind, Metric, MetricUnit, Signal, ViolationStatus
from goodstanding.policy.inputs import (
    AffiliateActivity,
    DetectorSignal,
    Document,
    MetricValue,
    SellerInputs,
    ViolationRecord,
)
from goodstanding.policy.schema import load_policies
from goodstanding.policy.simulate import simulate

AS_OF = date(2024, 11, 16)


def synthetic_seller(rng: random.Random, index: int) -> SellerInputs:
    metrics = {}
    for metric in Metric:
        denominator = rng.randint(1, 2000) if metric is not Metric.SALES_PER_WEEK else 4
        if metric.unit is MetricUnit.STARS:
            numerator = rng.randint(denominator, 5 * denominator)
        elif metric.unit is MetricUnit.RATIO:
            numerator = rng.randint(0, denominator // 20)
        else:
            numerator = rng.randint(0, 40)
        metrics[metric] = MetricValue(
            numerator=numerator,
            denominator=denominator,
            window_start=AS_OF - timedelta(days=364),
            window_end=AS_OF,
        )
    signals = tuple(
        DetectorSignal(
            signal=rng.choice(list(Signal)),
            subject=f"listing-{index}-{n}",
            confidence=rng.random(),
            detected_on=AS_OF - timedelta(days=rng.randint(0, 200)),
        )
        for n in range(rng.randint(0, 3))
    )
    return SellerInputs(
        seller_id=f"seller-{index}",
        as_of=AS_OF,
        metrics=metrics,
        signals=signals,
        documents=(
            Document(
                kind=DocumentKind.IDENTITY,
                uploaded_on=AS_OF - timedelta(days=900),
                expires_on=AS_OF + timedelta(days=rng.randint(-100, 900)),
            ),
        ),
        affiliate=AffiliateActivity(signed_up_on=AS_OF - timedelta(days=rng.randint(0, 2000)))
        if index % 10 == 0
        else None,
        orders_in_lookback=rng.randint(0, 5000),
        violations=tuple(
            ViolationRecord(
                policy_id="cancel_rate",
                opened_on=AS_OF - timedelta(days=rng.randint(0, 300)),
                status=rng.choice(list(ViolationStatus)),
                points=50,
            )
            for _ in range(rng.randint(0, 2))
        ),
    )


def main() -> None:
    sellers = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rng = random.Random(6)
    lines = [synthetic_seller(rng, index).model_dump_json() for index in range(sellers)]
    policies = load_policies()

    started = time.perf_counter()
    parsed = [SellerInputs.model_validate_json(line) for line in lines]
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    report = simulate(policies, parsed)
    simulation = time.perf_counter() - started

    hit = sum(rule.sellers_hit for rule in report.rules)
    print(f"sellers: {sellers}, policies: {len(policies.policies)}, rule hits: {hit}")
    print(f"baseline (validate inputs from JSON): {baseline:.3f} s, {sellers / baseline:,.0f}/s")
    print(
        f"simulation of every policy:           {simulation:.3f} s, {sellers / simulation:,.0f}/s"
    )
    print(f"ratio simulation / baseline: {simulation / baseline:.2f}")


if __name__ == "__main__":
    main()

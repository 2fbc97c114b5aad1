"""Measures the review screener on the held-out rows of the shared labelled review sets.

Runs the shipped model through the same `screen()` the CLI uses (compensation phrases plus the text
model; the sets carry no reviewer or seller ids, so the relation layer has nothing to see), then
writes the `## Review manipulation` section of docs/detection.md and one confusion-matrix picture
per set into docs/img/. `--sample N` measures only the first N held-out rows of each set and writes
wherever `--docs` and `--images` point: the test suite uses it to prove the pipeline runs.
"""

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import numpy.typing as npt

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markdown_sections import write_section  # noqa: E402

from goodstanding.detectors.embeddings import embed  # noqa: E402
from goodstanding.detectors.reviews.datasets import (  # noqa: E402
    SPLIT_SEED,
    TEST_SHARE,
    LabelledReviews,
    load_hotel_reviews,
    load_product_reviews,
)
from goodstanding.detectors.reviews.incentives import find_incentives  # noqa: E402
from goodstanding.detectors.reviews.machine_text import (  # noqa: E402
    MODEL_DIR,
    load_model,
    read_metadata,
)
from goodstanding.detectors.reviews.screen import Layer, ReviewInput, screen  # noqa: E402
from goodstanding.detectors.reviews.training import BinaryMetrics  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
HEADING = "## Review manipulation"
GOALS = {"product": 0.90, "hotel": 0.85}
CLASS_NAMES = {"product": ("original", "machine-written"), "hotel": ("truthful", "deceptive")}


@dataclass(frozen=True)
class SetResult:
    labelled: LabelledReviews
    metrics: BinaryMetrics
    whole_screen: BinaryMetrics
    routed: float
    incentive_flags: int
    picture: Path


def _confusion_picture(result: BinaryMetrics, domain: str, title: str, path: Path) -> None:
    genuine, fake = CLASS_NAMES[domain]
    cells = [
        [result.true_negative, result.false_positive],
        [result.false_negative, result.true_positive],
    ]
    figure, axes = plt.subplots(figsize=(4.2, 3.6), dpi=110)
    axes.imshow(cells, cmap="Blues")
    for row in range(2):
        for column in range(2):
            value = cells[row][column]
            colour = "white" if value > max(map(max, cells)) / 2 else "black"
            axes.text(column, row, str(value), ha="center", va="center", color=colour, fontsize=13)
    axes.set_xticks([0, 1], [f"flagged\n{genuine}", f"flagged\n{fake}"])
    axes.set_yticks([0, 1], [f"truly\n{genuine}", f"truly\n{fake}"])
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def evaluate_set(labelled: LabelledReviews, sample: int | None, images: Path) -> SetResult:
    _, held_out = labelled.split()
    if sample is not None:
        held_out = held_out.subset(list(range(min(sample, len(held_out.texts)))))
    model = load_model()
    vectors = dict(zip(held_out.texts, embed(list(held_out.texts)), strict=True))

    def embedded(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.stack([vectors[text] for text in texts])

    reviews = [ReviewInput(text) for text in held_out.texts]
    verdicts = screen(reviews, model=model, embedder=embedded)
    text_flags = [any(s.layer is Layer.TEXT for s in verdict.signals) for verdict in verdicts]
    metrics = BinaryMetrics.of(held_out.labels, text_flags)
    whole_screen = BinaryMetrics.of(held_out.labels, [verdict.is_fake for verdict in verdicts])
    routes = model.gate.route(embedded(held_out.texts))
    routed = sum(route is labelled.domain for route in routes) / len(routes)
    incentive_flags = sum(
        1 for verdict in verdicts if any(s.layer is Layer.INCENTIVE for s in verdict.signals)
    )
    domain = labelled.domain.value
    picture = images / f"reviews_{domain}_confusion.png"
    _confusion_picture(metrics, domain, f"{domain} reviews, held-out ({len(routes)} rows)", picture)
    return SetResult(held_out, metrics, whole_screen, routed, incentive_flags, picture)


def incentive_flags_on_genuine(sets: list[LabelledReviews]) -> tuple[list[str], int]:
    """Sentences the phrase layer flags in reviews labelled genuine (all rows of both sets).

    The labels say who wrote a review, not whether it was paid for, so these are shown for a
    reader to judge rather than counted as errors.
    """
    genuine = [
        text
        for labelled in sets
        for text, label in zip(labelled.texts, labelled.labels, strict=True)
        if not label
    ]
    quotes = [hits[0].quote for hits in map(find_incentives, genuine) if hits]
    return quotes, len(genuine)


def render(results: list[SetResult], alarms: tuple[list[str], int], docs: Path) -> str:
    metadata = read_metadata(MODEL_DIR)
    lines = [
        HEADING,
        "",
        "Held-out rows of the two labelled review sets in `../shared/data/reviews/` "
        f"({TEST_SHARE:.0%} of each, stratified, seed {SPLIT_SEED}; the shipped model was trained "
        "on the other rows only). Each review goes through `screen()`, as in "
        "`goodstanding screen reviews`: compensation phrases, then the embedding gate picks the "
        "text specialist (machine-written product reviews, or deceptive hotel reviews). The sets "
        "have no reviewer or seller ids, so the relation layer is tested on made-up marketplaces "
        "in `tests/detectors/reviews/` only. Produced by `scripts/evaluate_reviews.py` "
        "(`make evaluate`).",
        "",
        "A false positive is a genuine review flagged: sellers pay for those, so the "
        "false-positive rate stands next to recall.",
        "",
        "Text model (the goals are set on it):",
        "",
        "| set | rows | recall (fake) | **false-positive rate** | precision (fake) | F1 (fake) "
        "| precision (genuine) | recall (genuine) | F1 (genuine) | goal F1 (fake) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        metrics, domain = result.metrics, result.labelled.domain.value
        goal = GOALS[domain]
        verdict = "met" if metrics.f1() >= goal else "NOT met"
        lines.append(
            f"| {result.labelled.name} | {len(result.labelled.texts)} "
            f"| {metrics.recall():.4f} | **{metrics.false_positive_rate:.4f}** "
            f"| {metrics.precision():.4f} | {metrics.f1():.4f} "
            f"| {metrics.precision(False):.4f} | {metrics.recall(False):.4f} "
            f"| {metrics.f1(False):.4f} | >= {goal:.2f}: {verdict} |"
        )
    lines += ["", "| set | TP | FP | TN | FN | routed to its specialist | flagged by phrases |"]
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        metrics = result.metrics
        lines.append(
            f"| {result.labelled.domain.value} | {metrics.true_positive} "
            f"| {metrics.false_positive} | {metrics.true_negative} | {metrics.false_negative} "
            f"| {result.routed:.4f} | {result.incentive_flags} |"
        )
    lines += [
        "",
        "The whole screen (text model or compensation phrases) on the same rows; the phrase "
        "layer's flags on reviews labelled original are explained below.",
        "",
        "| set | recall (fake) | **false-positive rate** | precision (fake) | F1 (fake) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        whole = result.whole_screen
        lines.append(
            f"| {result.labelled.domain.value} | {whole.recall():.4f} "
            f"| **{whole.false_positive_rate:.4f}** | {whole.precision():.4f} | {whole.f1():.4f} |"
        )
    quotes, genuine = alarms
    lines += [
        "",
        f"Compensation phrases on real reviews: {len(quotes)} of the {genuine:,} reviews labelled "
        "original or truthful in both sets (all rows, not only held-out) are flagged. The labels "
        "say who wrote a review, not whether it was paid for, and these reviews disclose "
        "compensation themselves; the first ones:",
        "",
        *[f"- \u201c{quote}\u201d" for quote in quotes[:5]],
        "",
        "No labelled set of incentivised reviews exists, so the phrase layer's recall is tested "
        "on English and Spanish reviews written for the test "
        "(`tests/detectors/reviews/test_incentives.py`), hard negatives included.",
        "",
    ]
    for result in results:
        relative = (
            result.picture.relative_to(docs.parent)
            if result.picture.is_relative_to(docs.parent)
            else result.picture
        )
        lines.append(f"![{result.labelled.domain.value} confusion matrix]({relative})")
    params = metadata["params"]
    lines += [
        "",
        "How the text model was chosen (3-fold cross-validation on the training rows, F1 of the "
        "fake class, product / hotel): logistic regression on all-MiniLM-L6-v2 sentence embeddings "
        "0.766 / 0.812; TF-IDF word 1-3-grams 0.911 / 0.870; the same keeping single letters and "
        "punctuation as tokens 0.926 / 0.879; adding the embeddings to those features 0.919 / "
        "0.869; one model for both sets 0.919 / 0.792 (separate models 0.922 / 0.885). Hence one "
        "TF-IDF specialist per kind of review, with the embeddings used to route each review to "
        f"its specialist. Parameters: n-grams 1-{params['max_ngram']}, min_df {params['min_df']}, "
        f"{params['max_features']:,} features, C={params['regularisation_c']}, threshold "
        f"{metadata['threshold']}. About a quarter of the machine-written product reviews are "
        'glued sentences ("drive.I bought") and no original one is; the space is restored before '
        "scoring so the model cannot learn that artefact of the set.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--sample", type=int, default=None, help="held-out rows per set")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "detection.md")
    parser.add_argument("--images", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args(argv)
    try:
        sets = [load_product_reviews(args.data), load_hotel_reviews(args.data)]
    except FileNotFoundError as error:
        print(f"evaluate_reviews: {error}", file=sys.stderr)
        return 2
    results = [evaluate_set(labelled, args.sample, args.images) for labelled in sets]
    section = render(results, incentive_flags_on_genuine(sets), args.docs)
    write_section(args.docs, HEADING, section, "Detection quality")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

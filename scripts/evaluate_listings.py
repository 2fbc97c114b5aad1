"""Measures the restricted-product screener on the held-out rows of the shared labelled listings.

Runs the shipped model through the same screen the CLI uses (phrases, classifier, default policy)
on the rows the model never saw (the seeded split of `detectors/listings/dataset.py`), then on the
listings written for the tests, and writes the `## Restricted products` section of
docs/detection.md plus a confusion-matrix picture into docs/img/. `--sample N` measures only N
held-out rows and writes wherever `--docs` and `--images` point: the test suite uses it to prove
the pipeline runs.
"""

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
import numpy.typing as npt

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markdown_sections import write_section  # noqa: E402

from goodstanding.detectors.categories import Category, Restriction  # noqa: E402
from goodstanding.detectors.embeddings import embed  # noqa: E402
from goodstanding.detectors.listings.classifier import (  # noqa: E402
    ListingClassifier,
    listing_text,
    packaged_classifier,
)
from goodstanding.detectors.listings.dataset import (  # noqa: E402
    file_sha256,
    held_out_split,
    read_labelled_listings,
)
from goodstanding.detectors.listings.evaluation import (  # noqa: E402
    class_metrics,
    confusion_matrix,
    decision_metrics,
    macro_f1,
)
from goodstanding.detectors.listings.screen import (  # noqa: E402
    Decision,
    Listing,
    ScreeningPolicy,
    ScreeningResult,
    ScreeningThresholds,
    screen_embedded,
)

REPO = Path(__file__).resolve().parents[1]
HEADING = "## Restricted products"
HANDMADE = REPO / "tests" / "detectors" / "listings" / "handmade_listings.csv"
PICTURE = "listings_confusion.png"
BLOCK_THRESHOLDS = (0.4, 0.45, 0.5, 0.6, 0.7, 0.8)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    aligns = ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(aligns) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _f(value: float) -> str:
    return f"{value:.4f}"


def _class_table(truth: Sequence[Category], predicted: Sequence[Category]) -> list[str]:
    labels = sorted(set(truth))
    rows = [
        (
            f"{m.label}{' (prohibited)' if _prohibited(m.label) else ''}",
            m.support,
            _f(m.precision),
            _f(m.recall),
            _f(m.f1),
            f"**{_f(m.false_positive_rate)}**",
        )
        for m in class_metrics(truth, predicted, labels)
    ]
    header = ("label", "rows", "precision", "recall", "F1", "**false-positive rate**")
    return _table(header, rows)


def _prohibited(label: Category) -> bool:
    return ScreeningPolicy().restriction(label) is Restriction.PROHIBITED


def _decision_rows(
    name: str, truth: Sequence[Category], results: Sequence[ScreeningResult]
) -> tuple[object, ...]:
    d = decision_metrics(truth, [r.decision for r in results], ScreeningPolicy())
    return (
        name,
        d.prohibited_support,
        _f(d.block_recall) if d.prohibited_support else "-",
        _f(d.flag_recall) if d.prohibited_support else "-",
        _f(d.block_precision) if d.prohibited_support else "-",
        f"**{_f(d.block_false_positive_rate)}**" if d.other_support else "-",
        f"**{_f(d.none_flag_rate)}**" if d.none_support else "-",
    )


def _confusion_picture(
    truth: Sequence[Category], predicted: Sequence[Category], path: Path, title: str
) -> None:
    labels = sorted(set(truth))
    matrix = confusion_matrix(truth, predicted, labels)
    row_share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    figure, axes = plt.subplots(figsize=(9, 8))
    axes.imshow(row_share, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(labels)), [str(label) for label in labels], rotation=60, ha="right")
    axes.set_yticks(range(len(labels)), [str(label) for label in labels])
    axes.set_xlabel("predicted label")
    axes.set_ylabel("true label")
    axes.set_title(title)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                colour = "white" if row_share[i, j] > 0.5 else "black"
                axes.text(j, i, str(matrix[i, j]), ha="center", va="center", color=colour)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)


def _screen(
    listings: Sequence[Listing],
    vectors: npt.NDArray[np.float32],
    classifier: ListingClassifier,
    thresholds: ScreeningThresholds | None = None,
) -> list[ScreeningResult]:
    policy = ScreeningPolicy(thresholds=thresholds or ScreeningThresholds())
    return screen_embedded(listings, vectors, policy, classifier)


def _handmade() -> tuple[list[Listing], list[Category], list[str]]:
    with HANDMADE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    listings = [Listing(row["title"], row["description"]) for row in rows]
    return listings, [Category(row["label"]) for row in rows], [row["language"] for row in rows]


def evaluate(data_file: Path, sample: int | None) -> tuple[str, list[Category], list[Category]]:
    classifier = packaged_classifier()
    trained_on = classifier.metadata.get("training_data", {})
    same_data = trained_on.get("sha256") == file_sha256(data_file)
    _, test = held_out_split(read_labelled_listings(data_file))
    if sample is not None:
        test = test[:: max(1, len(test) // sample)][:sample]
    vectors = embed([listing_text(x.title) for x in test])
    listings = [Listing(x.title) for x in test]
    results = _screen(listings, vectors, classifier)
    truth = [x.label for x in test]
    predicted = [r.label for r in results]
    probabilities = classifier.probabilities(vectors)
    classifier_only = [classifier.labels[i] for i in probabilities.argmax(axis=1)]
    labels = sorted(set(truth))

    lines = [
        HEADING,
        "",
        f"Held-out rows of `../shared/data/listings/{data_file.name}` ({len(test)} rows: 20%, "
        "stratified by label and source, seed "
        f"{classifier.metadata.get('params', {}).get('seed', '?')}; the shipped model was "
        f"trained on the other {trained_on.get('train_rows', '?')} rows only"
        + ("" if same_data else "; WARNING: the model was trained on a different file")
        + "). Each title goes through the same screen as `goodstanding screen listings` "
        "(phrases in English and Spanish, the embedding classifier, the default policy) with "
        "no declared category. Produced by `scripts/evaluate_listings.py` (`make evaluate`).",
        "",
        "Sellers pay for false positives, so each false-positive rate stands next to recall. "
        "A *block* false positive is a listing of an allowed or gated category that is blocked; "
        "a *held none* is a harmless listing (label `none`) that is blocked or held for review "
        "(under the default policy every other category needs approval, so those are held by "
        "design and not counted as errors here).",
        "",
        "### Decisions on prohibited products (drugs, weapons, tobacco, counterfeits/forgeries)",
        "",
    ]
    header = (
        "rows",
        "prohibited rows",
        "block recall",
        "block-or-hold recall",
        "block precision",
        "**block false-positive rate**",
        "**held none rate**",
    )
    sources = sorted({x.source for x in test})
    decision_rows = [_decision_rows("all held-out", truth, results)]
    for source in sources:
        picked = [i for i, x in enumerate(test) if x.source == source]
        decision_rows.append(
            _decision_rows(source, [truth[i] for i in picked], [results[i] for i in picked])
        )
    lines += _table(header, decision_rows)
    lines += [
        "",
        "Goal: recall >= 0.95 at precision >= 0.90 for prohibited categories. Block threshold "
        "(operator setting `ScreeningThresholds.block`) against the same held-out rows:",
        "",
    ]
    sweep = []
    for block in BLOCK_THRESHOLDS:
        swept = _screen(listings, vectors, classifier, ScreeningThresholds(block=block))
        d = decision_metrics(truth, [r.decision for r in swept], ScreeningPolicy())
        sweep.append(
            (
                f"{block:.2f}" + (" (default)" if block == ScreeningThresholds().block else ""),
                _f(d.block_recall),
                _f(d.block_precision),
                f"**{_f(d.block_false_positive_rate)}**",
            )
        )
    lines += _table(
        ("block threshold", "block recall", "block precision", "**block false-positive rate**"),
        sweep,
    )
    screen_f1 = macro_f1(class_metrics(truth, predicted, labels))
    classifier_f1 = macro_f1(class_metrics(truth, classifier_only, labels))
    lines += [
        "",
        "### Labels, per class",
        "",
        f"Macro F1 over the {len(labels)} labels present: **{screen_f1:.4f}** for the whole "
        f"screen (goal >= 0.85), {classifier_f1:.4f} for the classifier alone. Accuracy "
        f"{sum(t is p for t, p in zip(truth, predicted, strict=True)) / len(truth):.4f}.",
        "",
    ]
    lines += _class_table(truth, predicted)
    for source in sources:
        picked = [i for i, x in enumerate(test) if x.source == source]
        source_truth = [truth[i] for i in picked]
        source_predicted = [predicted[i] for i in picked]
        source_f1 = macro_f1(
            class_metrics(source_truth, source_predicted, sorted(set(source_truth)))
        )
        lines += ["", f"Source `{source}` ({len(picked)} rows, macro F1 {source_f1:.4f}):", ""]
        lines += _class_table(source_truth, source_predicted)

    handmade, handmade_truth, languages = _handmade()
    handmade_results = screen_embedded(
        handmade,
        embed([listing_text(x.title, x.description) for x in handmade]),
        ScreeningPolicy(),
        classifier,
    )
    lines += [
        "",
        "### Listings written for the tests",
        "",
        f"`{HANDMADE.relative_to(REPO)}`: {len(handmade)} listings written by hand in English "
        "and Spanish (made for the test, not real data): prohibited products in the style of an "
        "ordinary shop, and hard negatives (toy guns, gunmetal grey, pipe wrenches, bongo drums, "
        '"killer deal"). They show what the labelled data cannot: the prohibited rows above '
        "all come from a darknet market and the others from a mainstream shop, so a model can "
        "lean on the style of the source.",
        "",
    ]
    handmade_rows = []
    for language in sorted(set(languages)):
        picked = [i for i, lang in enumerate(languages) if lang == language]
        handmade_rows.append(
            _decision_rows(
                language,
                [handmade_truth[i] for i in picked],
                [handmade_results[i] for i in picked],
            )
        )
    lines += _table(header, handmade_rows)
    label_hits = sum(r.label is t for r, t in zip(handmade_results, handmade_truth, strict=True))
    lines += ["", f"Label right on {label_hits} of {len(handmade)}.", ""]
    misses = [
        (x.title, t, r.label, r.decision)
        for x, t, r in zip(handmade, handmade_truth, handmade_results, strict=True)
        if (_prohibited(t) and r.decision is not Decision.BLOCK)
        or (t is Category.NONE and r.decision is not Decision.ALLOW)
    ]
    if misses:
        lines += ["Decisions that went wrong on them:", ""]
        lines += [
            f"- {title!r}: {t} -> {label}, {decision}" for title, t, label, decision in misses
        ]
        lines.append("")
    lines += [
        f"![restricted products confusion matrix](img/{PICTURE})",
        "",
        "### How it was built, and what to keep in mind",
        "",
        "- Classifier: logistic regression (C=8, unweighted classes) on all-MiniLM-L6-v2 "
        'embeddings of the title, with the shop\'s trailing "..." removed so that truncation '
        "cannot reveal the source, mixed half and half with a vote of the 5 most similar "
        "training titles (each weighted by exp(similarity / 0.05)). The head was chosen by "
        "5-fold cross-validation on the training rows only, against logistic regression alone "
        "(C, class-balanced weights), an MLP and other vote sizes and weights: the whole "
        "screen's macro F1 went from 0.853 for logistic regression alone to 0.885, block "
        "recall from 0.949 to 0.973 and block precision from 0.969 to 0.984 (figures in "
        "`model.json`, `model_selection`). The vote needs every training embedding, so the "
        "model file carries them (about 4 MB) and evidence can point to any training row. "
        "About 7% of the held-out titles have a near twin (cosine >= 0.95) among the training "
        "titles (variants of one product); the gain is not from them: on those 100 titles the "
        "label is right 98% of the time with or without the vote, on the others 94.4% with it "
        "against 92.2% without. Thresholds (block 0.5, review "
        "0.3, strong phrase 0.8, weak 0.4) were chosen by cross-validation with logistic "
        "regression alone (block recall 0.954 at precision 0.968) and kept.",
        "- The phrase lists were written from the marketplace's restricted-product categories "
        "and the Google product taxonomy, then corrected against misfires on the labelled file "
        '(brand names such as "Opium" sunglasses, "shark fin" antennas, AK-47 as a cannabis '
        "strain). That pass looked at the whole development file once before the split was "
        "fixed, so the phrase layer's share of the held-out figures is slightly optimistic.",
        "- Every prohibited row comes from one darknet market and every other row from one "
        "mainstream shop: the held-out recall partly measures style. The listings written for "
        "the tests (above) are the check on that; short, plain titles of harmless goods are "
        "the ones most often held. Spanish titles are caught by the phrase layer; the "
        "embedding model is English, so harmless Spanish listings are held more often.",
        "- Categories with no labelled rows (lock picks, gift cards, lasers, pesticides, "
        "adult, ...) rest on the phrase layer alone and have no measured recall.",
        "",
    ]
    return "\n".join(lines), truth, predicted


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--sample", type=int, default=None, help="held-out rows to measure")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "detection.md")
    parser.add_argument("--images", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args(argv)
    data_file = args.data / "listings" / "listings_dev.csv"
    if not data_file.is_file():
        print(f"evaluate_listings: labelled listings not found: {data_file}", file=sys.stderr)
        return 2
    if args.sample is not None and args.sample < 1:
        print("evaluate_listings: --sample must be at least 1", file=sys.stderr)
        return 2
    section, truth, predicted = evaluate(data_file, args.sample)
    _confusion_picture(
        truth, predicted, args.images / PICTURE, "Restricted products: held-out listings"
    )
    write_section(args.docs, HEADING, section, "Detection quality")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

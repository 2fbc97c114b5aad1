"""The labelled review sets in the shared data folder, and their fixed train/test split.

Training (`goodstanding models train`), the evaluation script and the tests all split the same way
(stratified, fixed seed), so the held-out rows are never seen by the model that is shipped.
"""

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sklearn.model_selection import train_test_split

from goodstanding.detectors.reviews.machine_text import Domain

SPLIT_SEED = 13
TEST_SHARE = 0.2

PRODUCT_FILE = Path("reviews") / "salminen_fake_reviews_dev.csv"
HOTEL_FILE = Path("reviews") / "ott_deceptive_dev.csv"


@dataclass(frozen=True)
class LabelledReviews:
    """One labelled set: `labels[i]` is 1 when `texts[i]` is fake (machine-written or deceptive)."""

    domain: Domain
    name: str
    texts: tuple[str, ...]
    labels: tuple[int, ...]
    strata: tuple[str, ...]
    sha256: str

    def subset(self, rows: list[int]) -> "LabelledReviews":
        return LabelledReviews(
            domain=self.domain,
            name=self.name,
            texts=tuple(self.texts[row] for row in rows),
            labels=tuple(self.labels[row] for row in rows),
            strata=tuple(self.strata[row] for row in rows),
            sha256=self.sha256,
        )

    def split(self) -> tuple["LabelledReviews", "LabelledReviews"]:
        """(train, test): the held-out test rows are the same on every machine."""
        train_rows, test_rows = train_test_split(
            list(range(len(self.texts))),
            test_size=TEST_SHARE,
            random_state=SPLIT_SEED,
            stratify=list(self.strata),
        )
        return self.subset(sorted(train_rows)), self.subset(sorted(test_rows))


def _read(path: Path) -> tuple[list[dict[str, str]], str]:
    if not path.is_file():
        raise FileNotFoundError(f"labelled review set not found: {path}")
    content = path.read_bytes()
    rows = list(csv.DictReader(content.decode("utf-8").splitlines(keepends=True)))
    return rows, hashlib.sha256(content).hexdigest()


def load_product_reviews(data_dir: Path) -> LabelledReviews:
    """Salminen et al. 2022: product reviews, computer-generated (CG) or original (OR)."""
    rows, digest = _read(data_dir / PRODUCT_FILE)
    labels = tuple(int(row["is_fake"]) for row in rows)
    return LabelledReviews(
        domain=Domain.PRODUCT,
        name="product reviews (Salminen et al. 2022): machine-written vs original",
        texts=tuple(row["text"] for row in rows),
        labels=labels,
        strata=tuple(str(label) for label in labels),
        sha256=digest,
    )


def load_hotel_reviews(data_dir: Path) -> LabelledReviews:
    """Ott et al. 2011/2013: hotel reviews, deceptive (written to order) or truthful."""
    rows, digest = _read(data_dir / HOTEL_FILE)
    return LabelledReviews(
        domain=Domain.HOTEL,
        name="hotel reviews (Ott et al. 2011/2013): deceptive vs truthful",
        texts=tuple(row["text"] for row in rows),
        labels=tuple(int(row["deceptive"] == "deceptive") for row in rows),
        # Positive and negative reviews are split evenly so the test rows keep both polarities.
        strata=tuple(f"{row['deceptive']}-{row['polarity']}" for row in rows),
        sha256=digest,
    )

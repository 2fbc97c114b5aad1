"""Throughput of the restricted-product screener on real listing titles, on 2 CPU threads.

Usage: .venv/bin/python bench/bench_listings.py [END_TO_END_ROWS]

Phrase layer: every title of the shared labelled file, several passes; its baseline in the same
run is `normalize_text` alone (the least any phrase scan must do), so the ratio shows what the
automaton and the exception rule add. End to end (`screen_listings`: embedding, classifier,
neighbours, phrases, decision): the first END_TO_END_ROWS titles (default 2,000); its baseline is
the sentence embedding alone on the same titles, so the ratio shows what the screen adds to the
model it cannot do without. Then the same titles through two worker processes with one PyTorch
thread each (`parallel.ScreeningPool`, as `goodstanding screen listings` runs on big files),
started and warmed before the timing, as the model is above. Goals: phrase layer >= 20,000
listings/s, end to end >= 300/s.
"""

import sys
import time
from pathlib import Path

from goodstanding.detectors.embeddings import embed, forget_recent
from goodstanding.detectors.listings.classifier import listing_text, packaged_classifier
from goodstanding.detectors.listings.dataset import read_labelled_listings
from goodstanding.detectors.listings.parallel import ScreeningPool
from goodstanding.detectors.listings.phrases import default_matcher, normalize_text
from goodstanding.detectors.listings.screen import Listing, ScreeningPolicy, screen_listings

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "listings"
PHRASE_PASSES = 5
CHUNK_ROWS = 256  # as `goodstanding screen listings` sends them to its workers


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} listings/s ({count:,} in {seconds:.3f} s)"


def main(argv: list[str]) -> int:
    data_file = DATA / "listings_dev.csv"
    if not data_file.is_file():
        print(f"bench_listings: labelled listings not found: {data_file}", file=sys.stderr)
        return 2
    end_to_end_rows = int(argv[0]) if argv else 2000
    import torch  # after goodstanding.detectors.embeddings, which sets its thread policy

    torch.set_num_threads(2)
    titles = [x.title for x in read_labelled_listings(data_file)]
    matcher = default_matcher()
    packaged_classifier()
    embed(titles[:256])  # load the model and warm its kernels outside the timings
    forget_recent()

    start = time.perf_counter()
    for _ in range(PHRASE_PASSES):
        for title in titles:
            normalize_text(title)
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(PHRASE_PASSES):
        for title in titles:
            matcher.find(title)
    phrases = time.perf_counter() - start
    count = PHRASE_PASSES * len(titles)
    print(f"phrase baseline (normalize_text only): {rate(count, baseline)}")
    print(f"phrase layer (PhraseMatcher.find):     {rate(count, phrases)}")
    print(f"ratio phrase layer / baseline time: {phrases / baseline:.2f}")

    sample = titles[:end_to_end_rows]
    listings = [Listing(title) for title in sample]
    start = time.perf_counter()
    embed([listing_text(title) for title in sample])
    embedding = time.perf_counter() - start
    forget_recent()  # the screen must embed the titles itself, not find them kept
    start = time.perf_counter()
    screen_listings(listings, ScreeningPolicy())
    end_to_end = time.perf_counter() - start
    with ScreeningPool(ScreeningPolicy(), workers=2) as pool:
        pool.warm()  # start the workers and load their models outside the timing
        chunks = [listings[i : i + CHUNK_ROWS] for i in range(0, len(listings), CHUNK_ROWS)]
        start = time.perf_counter()
        screened = sum(len(rows) for rows in pool.screen(chunks))
        in_workers = time.perf_counter() - start
    assert screened == len(sample)

    print(f"embedding alone (baseline):            {rate(len(sample), embedding)}")
    print(f"end to end (screen_listings):          {rate(len(sample), end_to_end)}")
    print(f"end to end (2 worker processes):       {rate(len(sample), in_workers)}")
    print(f"ratio end to end / embedding time: {end_to_end / embedding:.2f}")
    print(f"ratio 2 workers / end to end time: {in_workers / end_to_end:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`goodstanding screen listings FILE.csv`: bad input is one line; output is one row per input.

The listings are made up for the test.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
import typer

from goodstanding.detectors.listings import cli as listings_cli
from goodstanding.detectors.listings.cli import (
    OUTPUT_COLUMNS,
    InputError,
    read_listings,
    screen_listings,
    write_screening,
)
from goodstanding.detectors.listings.parallel import ResultRow, screen_rows
from goodstanding.detectors.listings.screen import Listing, ScreeningPolicy


def run(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        screen_listings(path)
        code = 0
    except typer.Exit as exit_:
        code = exit_.exit_code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestBadInput:
    def test_missing_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(tmp_path / "nope.csv", capsys)
        assert code == 1 and out == ""
        assert err == f"error: {tmp_path / 'nope.csv'}: no such file\n"

    def test_a_folder(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(tmp_path, capsys)
        assert code == 1 and err.count("\n") == 1 and "is a folder" in err

    def test_no_title_column(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "listings.csv"
        path.write_text("name,price\nMug,3\n", encoding="utf-8")
        code, out, err = run(path, capsys)
        assert code == 1 and out == ""
        assert err == f"error: {path}: the CSV needs a 'title' column\n"

    def test_unknown_category(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "listings.csv"
        path.write_text("title,category\nMug,none\nRifle,guns\n", encoding="utf-8")
        code, _, err = run(path, capsys)
        assert code == 1
        assert err.startswith(f"error: {path}: row 2: unknown category 'guns'")
        assert err.count("\n") == 1

    def test_not_utf8(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "listings.csv"
        path.write_bytes("title\nCaf\xe9 mug\n".encode("latin-1"))
        code, _, err = run(path, capsys)
        assert code == 1 and err == f"error: {path}: not UTF-8 text\n"


@pytest.mark.slow
class TestScreening:
    def test_one_row_per_listing_in_order(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "listings.csv"
        path.write_text(
            "title,description,category,brand\n"
            'Ceramic coffee mug 350ml,"Dishwasher safe, white",,HomeCo\n'
            "Professional lock pick set,24 pieces with tension wrench,,\n"
            "Assorted accessories,,weapons,\n"
            "Pistola de agua para niños,Juguete de verano,,\n",
            encoding="utf-8",
        )
        code, out, err = run(path, capsys)
        assert code == 0, err
        rows = list(csv.reader(io.StringIO(out)))
        assert tuple(rows[0]) == OUTPUT_COLUMNS
        assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4"]
        decisions = [row[2] for row in rows[1:]]
        assert decisions == ["allow", "block", "block", "allow"]
        assert rows[2][1] == "lock_picking"
        assert "phrase 'lock pick'" in rows[2][4] or "phrase 'tension wrench'" in rows[2][4]
        assert "declared weapons" in rows[3][4]
        assert all(0.0 <= float(row[3]) <= 1.0 for row in rows[1:])

    def test_header_only_file_gives_header_only(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "listings.csv"
        path.write_text("title\n", encoding="utf-8")
        code, out, _ = run(path, capsys)
        assert code == 0 and out == ",".join(OUTPUT_COLUMNS) + "\n"


class TestOperatorPolicy:
    @pytest.fixture
    def run_under_policy(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> Callable[[str, str], tuple[int, str, str]]:
        def run_with(policy: str, listings: str) -> tuple[int, str, str]:
            policy_file = tmp_path / "policy.toml"
            policy_file.write_text(policy, encoding="utf-8")
            monkeypatch.setenv("GOODSTANDING_POLICY_FILE", str(policy_file))
            path = tmp_path / "listings.csv"
            path.write_text(listings, encoding="utf-8")
            return run(path, capsys)

        return run_with

    def test_decisions_follow_the_operators_policy_file(
        self, run_under_policy: Callable[[str, str], tuple[int, str, str]]
    ) -> None:
        code, out, _ = run_under_policy(
            '[listing_categories]\nlighting = "prohibited"\n',
            "title,category\nLED desk lamp,lighting\n",
        )
        assert code == 0
        [row] = list(csv.DictReader(io.StringIO(out)))
        assert (row["label"], row["decision"]) == ("lighting", "block")

    def test_a_bad_policy_file_is_one_line(
        self, run_under_policy: Callable[[str, str], tuple[int, str, str]]
    ) -> None:
        code, out, err = run_under_policy(
            '[listing_categories]\nlighting = "forbidden"\n', "title\nLED desk lamp\n"
        )
        assert code != 0 and out == ""
        assert err.count("\n") == 1
        assert "unknown setting for lighting 'forbidden'" in err


# Made up for the test: plain goods and restricted ones, in English and Spanish.
MIXED_LISTINGS = [
    ("Ceramic coffee mug 350ml", ""),
    ("Professional lock pick set", "24 pieces with tension wrench"),
    ("Pistola de agua para niños", "Juguete de verano"),
    ("Cuchillo de caza con funda", ""),
    ("Cotton bath towel set", "Four towels, grey"),
    ("Cigarrillos electrónicos desechables", "Sabor menta"),
    ("Gunmetal grey phone case", ""),
    ("Semillas de tomate cherry", "Sobre de 50 semillas"),
    ("Replica designer handbag, looks like the real brand", ""),
    ("Children's picture book about the sea", ""),
]


def write_listings(path: Path, rows: list[tuple[str, str]], extra: str = "") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("title", "description", "category"))
        writer.writerows((title, description, "") for title, description in rows)
        handle.write(extra)
    return path


class FakePool:
    """Stands in for `ScreeningPool`, screening in this process, to see when one is started."""

    started: list[int] = []

    def __init__(self, policy: ScreeningPolicy, workers: int) -> None:
        self.policy = policy
        FakePool.started.append(workers)

    def __enter__(self) -> "FakePool":
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def screen(self, chunks: Iterable[Sequence[Listing]]) -> Iterator[list[ResultRow]]:
        return (screen_rows(chunk, self.policy) for chunk in chunks)


@pytest.mark.slow
class TestWorkers:
    @pytest.fixture
    def small_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(listings_cli, "_CHUNK_ROWS", 3)

    @pytest.fixture
    def fake_pool(self, monkeypatch: pytest.MonkeyPatch) -> list[int]:
        FakePool.started = []
        monkeypatch.setattr(listings_cli, "ScreeningPool", FakePool)
        monkeypatch.setattr(listings_cli, "_available_cores", lambda: 16)
        return FakePool.started

    def screen(self, path: Path, workers: int | None) -> tuple[str, str | None]:
        output = io.StringIO()
        error = None
        with path.open(newline="", encoding="utf-8") as handle:
            try:
                write_screening(read_listings(handle, "f.csv"), ScreeningPolicy(), output, workers)
            except InputError as failure:
                error = str(failure)
        return output.getvalue(), error

    def test_worker_processes_give_the_same_rows_in_the_same_order(
        self, tmp_path: Path, small_chunks: None
    ) -> None:
        path = write_listings(tmp_path / "listings.csv", MIXED_LISTINGS)
        in_process, _ = self.screen(path, workers=1)
        in_workers, _ = self.screen(path, workers=2)
        rows = list(csv.DictReader(io.StringIO(in_workers)))
        expected = list(csv.DictReader(io.StringIO(in_process)))
        # One PyTorch thread sums in another order than two: scores may differ in the last digit.
        assert [(r["label"], r["decision"]) for r in rows] == [
            (r["label"], r["decision"]) for r in expected
        ]
        assert [float(r["score"]) for r in rows] == pytest.approx(
            [float(r["score"]) for r in expected], abs=0.005
        )
        assert [row["row"] for row in rows] == [str(n) for n in range(1, 11)]
        assert rows[1]["decision"] == "block" and rows[1]["label"] == "lock_picking"

    def test_a_bad_row_stops_the_workers_after_the_chunks_before_it(
        self, tmp_path: Path, small_chunks: None
    ) -> None:
        # Rows 1-9 fill three chunks; row 11 names an unknown category.
        path = write_listings(
            tmp_path / "listings.csv", MIXED_LISTINGS, extra="Rifle scope,,guns\n"
        )
        out, error = self.screen(path, workers=2)
        assert error is not None and "row 11: unknown category 'guns'" in error
        numbers = [row["row"] for row in csv.DictReader(io.StringIO(out))]
        assert numbers == [str(n) for n in range(1, 10)]

    def test_a_short_file_is_screened_without_workers(
        self, tmp_path: Path, fake_pool: list[int]
    ) -> None:
        out, _ = self.screen(write_listings(tmp_path / "l.csv", MIXED_LISTINGS[:3]), None)
        assert fake_pool == [] and out.count("\n") == 4

    def test_a_longer_file_gets_one_worker_per_core_up_to_the_limit(
        self, tmp_path: Path, small_chunks: None, fake_pool: list[int]
    ) -> None:
        out, _ = self.screen(write_listings(tmp_path / "l.csv", MIXED_LISTINGS), None)
        assert fake_pool == [listings_cli._AUTO_WORKERS_LIMIT] and out.count("\n") == 11

    def test_one_worker_means_this_process(
        self, tmp_path: Path, small_chunks: None, fake_pool: list[int]
    ) -> None:
        self.screen(write_listings(tmp_path / "l.csv", MIXED_LISTINGS), 1)
        assert fake_pool == []

    def test_a_bad_row_in_the_first_chunks_keeps_the_rows_before_it(
        self, tmp_path: Path, small_chunks: None, fake_pool: list[int]
    ) -> None:
        path = write_listings(tmp_path / "l.csv", MIXED_LISTINGS[:4], extra="Rifle,,guns\n")
        out, error = self.screen(path, None)
        assert error is not None and "row 5" in error and fake_pool == []
        assert [row["row"] for row in csv.DictReader(io.StringIO(out))] == ["1", "2", "3"]

    def test_a_worker_that_dies_is_one_line(
        self,
        tmp_path: Path,
        small_chunks: None,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        class DyingPool(FakePool):
            def screen(self, chunks: Iterable[Sequence[Listing]]) -> Iterator[list[ResultRow]]:
                raise BrokenProcessPool("A process in the process pool was terminated abruptly")

        monkeypatch.setattr(listings_cli, "ScreeningPool", DyingPool)
        path = write_listings(tmp_path / "l.csv", MIXED_LISTINGS)
        with pytest.raises(typer.Exit) as stopped:
            screen_listings(path, workers=2)
        err = capsys.readouterr().err
        assert stopped.value.exit_code == 1 and err.count("\n") == 1
        assert err.startswith("error: a screening worker stopped unexpectedly")

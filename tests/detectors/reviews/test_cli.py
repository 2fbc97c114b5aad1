"""`screen reviews` as an operator runs it: CSV in, CSV out, one-line errors."""

import csv
import io
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from goodstanding.detectors.reviews.cli import read_reviews, screen_reviews

app = typer.Typer()
app.command()(screen_reviews)
runner = CliRunner()

# Written for the test.
REVIEWS = [
    {
        "text": "Recibí este producto gratis a cambio de mi opinión sincera. Muy cómodo.",
        "stars": "5",
        "reviewer_id": "r1",
        "seller_id": "s1",
    },
    {
        "text": "Zipper broke after a month; the shop sent a new one within a week.",
        "stars": "3",
        "reviewer_id": "r2",
        "seller_id": "s1",
    },
    {
        "text": "They offered me a $20 gift card if I updated my review to five stars.",
        "stars": "",
        "reviewer_id": "r3",
        "seller_id": "s2",
    },
]


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _output(result_stdout: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result_stdout)))


class TestScreenReviews:
    def test_one_row_per_input_row_in_order_with_reasons(self, tmp_path: Path) -> None:
        result = runner.invoke(app, [str(_write(tmp_path / "r.csv", REVIEWS))])
        assert result.exit_code == 0, result.output
        rows = _output(result.stdout)
        assert [row["row"] for row in rows] == ["1", "2", "3"]
        assert list(rows[0]) == ["row", "is_fake", "score", "reasons"]
        assert rows[0]["is_fake"] == "1" and "a cambio de mi opinión" in rows[0]["reasons"]
        assert rows[2]["is_fake"] == "1" and "gift card" in rows[2]["reasons"]
        for row in rows:
            assert 0.0 <= float(row["score"]) <= 1.0
            assert row["is_fake"] == "0" or row["reasons"]

    def test_text_column_alone_is_enough(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "r.csv", [{"text": REVIEWS[2]["text"]}])
        result = runner.invoke(app, [str(path)])
        assert result.exit_code == 0, result.output
        assert _output(result.stdout)[0]["is_fake"] == "1"

    def test_linked_accounts_file_adds_the_relation_layer(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "r.csv", REVIEWS)
        links = _write(tmp_path / "l.csv", [{"account_id": "s1", "linked_account_id": "r2"}])
        result = runner.invoke(app, [str(path), "--linked-accounts", str(links)])
        assert result.exit_code == 0, result.output
        second = _output(result.stdout)[1]
        assert second["is_fake"] == "1" and "linked to seller s1" in second["reasons"]


class TestBadInput:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("review,stars\nnice,5\n", "needs a 'text' column"),
            ("text,stars\nnice,six\n", "row 1: stars 'six' is not a number"),
            ("text,stars\nnice,9\n", "row 1: stars '9' is not a whole number from 1 to 5"),
        ],
    )
    def test_one_line_error_and_non_zero_exit(
        self, tmp_path: Path, content: str, message: str
    ) -> None:
        path = tmp_path / "bad.csv"
        path.write_text(content)
        result = runner.invoke(app, [str(path)])
        assert result.exit_code != 0
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.exception is None or isinstance(result.exception, SystemExit)

    def test_missing_file(self, tmp_path: Path) -> None:
        result = runner.invoke(app, [str(tmp_path / "absent.csv")])
        assert result.exit_code != 0
        assert "no such file" in result.stderr

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.csv"
        path.write_bytes("text\nopinión\n".encode("latin-1"))
        result = runner.invoke(app, [str(path)])
        assert result.exit_code != 0
        assert "not UTF-8" in result.stderr


class TestReadReviews:
    def test_blank_ids_and_stars_become_none(self) -> None:
        (review,) = read_reviews(io.StringIO("text,stars,reviewer_id\nok, , \n"), "x.csv")
        assert (review.stars, review.reviewer_id, review.seller_id) == (None, None, None)

from __future__ import annotations

from pathlib import Path

from goodstanding.accounts.password_policy import PersonalDetails, password_problems

ANA = PersonalDetails(name="Ana Buyer", email="ana.buyer@example.com", phone="+14155550101")
GOOD = "purple otters juggle winter lanterns"


def problems(
    password: str, *, second_factor: bool = False, blocklist: Path | None = None
) -> list[str]:
    return password_problems(
        password, has_second_factor=second_factor, person=ANA, blocklist_file=blocklist
    )


def test_a_long_unrelated_phrase_passes() -> None:
    assert problems(GOOD) == []


def test_fifteen_without_a_second_factor_eight_with_one() -> None:
    assert problems("kx9!vq2#mz7") != []
    assert problems("kx9!vq2#mz7", second_factor=True) == []


def test_counts_code_points_and_allows_long_passwords() -> None:
    assert problems("ñ" * 7 + "qz", second_factor=True) != []  # 9 code points but weak
    assert problems("ü" * 14, second_factor=False)[0].startswith("Use at least")
    assert problems(GOOD * 7) == []  # 252 characters
    assert problems("x" * 257)[0].startswith("Use at most")


def test_common_passwords_are_refused() -> None:
    assert "list" in problems("iloveyou", second_factor=True)[0]
    assert "list" in problems("Sunshine1", second_factor=True)[0]


def test_personal_details_are_refused() -> None:
    for password in (
        "buyer kettle mountain river",
        "my number 5550101 rocks ok",
        "ana.buyer rules the sea",
    ):
        assert "name" in problems(password)[0]


def test_operator_blocklist(tmp_path: Path) -> None:
    blocklist = tmp_path / "blocklist.txt"
    blocklist.write_text("Our Marketplace Password Forever\n", encoding="utf-8")
    assert problems("our marketplace password forever", blocklist=blocklist) != []
    assert problems("our marketplace password forever") == []


def test_no_composition_rules() -> None:
    assert problems("lowercase words only drifting slowly") == []

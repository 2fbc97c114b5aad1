"""MRZ parsing and checking against ICAO Doc 9303 examples and the shared specimen set."""

from __future__ import annotations

import json
import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shared_data import shared_data_dir

from goodstanding.recovery.mrz import (
    KNOWN_STATE_CODES,
    MrzFields,
    check_digit,
    compare_with_account,
    parse_mrz,
)

TODAY = date(2026, 1, 1)
# ICAO Doc 9303 Part 4 (TD3), Part 5 (TD1, with a 12-character document number) examples.
ICAO_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
ICAO_TD1_LONG_NUMBER = (
    "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<"
)

# The specimen labels come from the `mrz` package; its check names against ours.
PACKAGE_CHECK_NAMES = {
    "final hash": "composite_check_digit",
    "document number hash": "document_number_check_digit",
    "birth date hash": "birth_date_check_digit",
    "expiry date hash": "expiry_date_check_digit",
    "optional data hash": "optional_data_check_digit",
    "valid country code": "issuing_country",
    "valid nationality code": "nationality",
    "birth date": "birth_date",
    "expiry date": "expiry_date",
    "identifier": "name",
}
# Where ICAO's rules and the `mrz` package disagree (see the report of this module):
# - "document number format" has no ICAO rule beyond the check digit;
# - the Interpol string: birth 190101 with expiry 160730 reads as 1919-01-01 (born before the
#   document expired) rather than an impossible 2019, so the dates are not wrong; and Interpol's
#   ICAO code is XPO, so "INP" is an unknown issuing state, which the package accepts.
DELIBERATE_DIFFERENCES = {
    "mrz:examples/mrz_checker_samples/id_card_bad.py": {"document number format"},
    "mrz:examples/mrz_checker_samples/passport_inp.py": {"birth date", "expiry date"},
}
EXTRA_FAILURES_BY_ICAO = {"mrz:examples/mrz_checker_samples/passport_inp.py": {"issuing_country"}}


def _specimens() -> list[dict[str, object]]:
    path = shared_data_dir() / "mrz" / "mrz_specimens.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


class TestCheckDigit:
    @pytest.mark.parametrize(
        ("data", "digit"),
        [("L898902C3", 6), ("740812", 2), ("120415", 9), ("ZE184226B", 1), ("<<<<<<", 0)],
    )
    def test_icao_examples(self, data: str, digit: int) -> None:
        assert check_digit(data) == digit

    @given(
        st.text(alphabet=string.digits, min_size=1, max_size=20),
        st.data(),
    )
    def test_any_single_digit_substitution_changes_it(
        self, digits: str, data: st.DataObject
    ) -> None:
        position = data.draw(st.integers(0, len(digits) - 1))
        replacement = data.draw(
            st.sampled_from(string.digits).filter(lambda d: d != digits[position])
        )
        altered = digits[:position] + replacement + digits[position + 1 :]
        assert check_digit(altered) != check_digit(digits)


class TestParseMrzOnSpecimens:
    def test_valid_specimens_pass(self) -> None:
        valid = [s for s in _specimens() if s["valid_per_mrz_pkg"]]
        assert valid
        for specimen in valid:
            result = parse_mrz(str(specimen["mrz"]), today=TODAY)
            assert result.valid, (specimen["source"], result.failed_checks)
            assert result.format == specimen["mrz_type"]

    def test_broken_specimens_fail_naming_the_broken_fields(self) -> None:
        broken = [s for s in _specimens() if not s["valid_per_mrz_pkg"]]
        assert broken
        for specimen in broken:
            source = str(specimen["source"])
            result = parse_mrz(str(specimen["mrz"]), today=TODAY)
            falses = specimen["falses"]
            assert isinstance(falses, list)
            labelled = set(falses) - DELIBERATE_DIFFERENCES.get(source, set())
            expected = {PACKAGE_CHECK_NAMES[name] for name in labelled}
            expected |= EXTRA_FAILURES_BY_ICAO.get(source, set())
            assert not result.valid
            assert expected <= set(result.failed_checks), (source, result.failed_checks)

    def test_fields_agree_with_the_labels(self) -> None:
        for specimen in _specimens():
            labels = specimen["fields"]
            assert isinstance(labels, dict)
            fields = parse_mrz(str(specimen["mrz"]), today=TODAY).fields
            assert fields.document_number == labels["document_number"]
            assert fields.issuing_country == labels["country"]
            assert fields.nationality == labels["nationality"]
            if fields.birth_date is not None:
                assert fields.birth_date[2:].replace("-", "") == labels["birth_date"]


class TestParseMrz:
    def test_icao_td3_example(self) -> None:
        result = parse_mrz(ICAO_TD3, today=TODAY)
        assert result.to_dict() == {
            "valid": True,
            "format": "TD3",
            "failed_checks": [],
            "fields": {
                "surname": "ERIKSSON",
                "given_names": "ANNA MARIA",
                "document_number": "L898902C3",
                "issuing_country": "UTO",
                "nationality": "UTO",
                "birth_date": "1974-08-12",
                "sex": "F",
                "expiry_date": "2012-04-15",
            },
            "expired": True,
        }

    def test_td1_document_number_longer_than_nine_characters(self) -> None:
        result = parse_mrz(ICAO_TD1_LONG_NUMBER, today=TODAY)
        assert result.valid
        assert result.fields.document_number == "D23145890734"

    def test_ocr_style_text_reads_like_the_clean_text(self) -> None:
        line1, line2 = ICAO_TD3.splitlines()
        messy = f"\n  {line1[:20].lower()} {line1[20:]}  \r\n\n{line2}\t \n"
        assert parse_mrz(messy, today=TODAY) == parse_mrz(ICAO_TD3, today=TODAY)

    def test_lines_pasted_as_one_run(self) -> None:
        assert parse_mrz(ICAO_TD3.replace("\n", ""), today=TODAY).valid

    @pytest.mark.parametrize(
        "text",
        ["hello world", ICAO_TD3[:-1], ICAO_TD3.replace("<", "«"), "P<UTO\nL898"],
    )
    def test_unparseable_text_fails_format(self, text: str) -> None:
        result = parse_mrz(text, today=TODAY)
        assert not result.valid
        assert result.format is None
        assert result.failed_checks == ("format",)

    @pytest.mark.parametrize(
        ("position", "check"),
        [
            (44 + 9, "document_number_check_digit"),
            (44 + 19, "birth_date_check_digit"),
            (44 + 27, "expiry_date_check_digit"),
            (44 + 42, "optional_data_check_digit"),
            (44 + 43, "composite_check_digit"),
        ],
    )
    def test_a_wrong_check_digit_is_named(self, position: int, check: str) -> None:
        text = ICAO_TD3.replace("\n", "")
        wrong = str((int(text[position]) + 1) % 10)
        result = parse_mrz(text[:position] + wrong + text[position + 1 :], today=TODAY)
        assert not result.valid
        assert check in result.failed_checks

    def test_changed_birth_date_fails_its_check_digit_and_the_composite(self) -> None:
        result = parse_mrz(ICAO_TD3.replace("7408122", "7408132"), today=TODAY)
        assert set(result.failed_checks) == {"birth_date_check_digit", "composite_check_digit"}

    def test_impossible_dates_are_named(self) -> None:
        result = parse_mrz(ICAO_TD3.replace("7408122F1204159", "7413122F1202309"), today=TODAY)
        assert {"birth_date", "expiry_date"} <= set(result.failed_checks)
        assert result.fields.birth_date is None and result.fields.expiry_date is None

    def test_unknown_codes_and_sex_are_named(self) -> None:
        text = ICAO_TD3.replace("P<UTO", "P<ZZZ").replace("UTO7408122F", "QQQ7408122Q")
        assert {"issuing_country", "nationality", "sex"} <= set(parse_mrz(text).failed_checks)

    def test_icao_only_codes_are_known(self) -> None:
        assert {"D", "XXA", "XXB", "XPO", "EUE", "GBN", "UNK", "UTO"} <= KNOWN_STATE_CODES
        assert not {"INP", "BOS", "ASU"} & KNOWN_STATE_CODES

    def test_birth_century_is_the_latest_one_in_the_past(self) -> None:
        born_2010 = ICAO_TD3.replace("7408122F1204159", "1001010F3001014")
        born_2010 = _with_composite(born_2010)
        assert parse_mrz(born_2010, today=date(2026, 1, 1)).fields.birth_date == "2010-01-01"
        assert parse_mrz(born_2010, today=date(2009, 1, 1)).fields.birth_date == "1910-01-01"

    def test_expiry_far_ahead_belongs_to_the_last_century(self) -> None:
        assert parse_mrz(ICAO_TD3, today=TODAY).fields.expiry_date == "2012-04-15"
        mrva = (
            "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
            "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"
        )
        assert parse_mrz(mrva, today=TODAY).fields.expiry_date == "1996-12-10"

    def test_expired_depends_on_today_not_on_validity(self) -> None:
        assert parse_mrz(ICAO_TD3, today=date(2012, 4, 15)).expired is False
        late = parse_mrz(ICAO_TD3, today=date(2012, 4, 16))
        assert late.expired is True and late.valid is True

    def test_empty_personal_number_may_go_unchecked(self) -> None:
        text = ICAO_TD3.replace("ZE184226B<<<<<10", "<<<<<<<<<<<<<<<<")
        result = parse_mrz(_with_composite(text), today=TODAY)
        assert "optional_data_check_digit" not in result.failed_checks
        assert result.valid

    @given(
        number=st.text(alphabet=string.ascii_uppercase + string.digits, min_size=9, max_size=9),
        birth=st.dates(date(1930, 1, 1), date(2020, 12, 31)),
        expiry=st.dates(date(2021, 1, 1), date(2035, 12, 31)),
        sex=st.sampled_from("MF<"),
        country=st.sampled_from(sorted(c for c in KNOWN_STATE_CODES if len(c) == 3)),
    )
    def test_any_well_formed_td3_round_trips(
        self, number: str, birth: date, expiry: date, sex: str, country: str
    ) -> None:
        yymmdd = [d.strftime("%y%m%d") for d in (birth, expiry)]
        personal = "<" * 14
        line2 = (
            f"{number}{check_digit(number)}{country}{yymmdd[0]}{check_digit(yymmdd[0])}{sex}"
            f"{yymmdd[1]}{check_digit(yymmdd[1])}{personal}<"
        )
        line2 += str(check_digit(line2[0:10] + line2[13:20] + line2[21:43]))
        line1 = f"P<{country}DOE<<JANE".ljust(44, "<")
        result = parse_mrz(f"{line1}\n{line2}", today=TODAY)
        assert result.valid, result.failed_checks
        assert result.fields.document_number == number.rstrip("<")
        assert result.fields.birth_date == birth.isoformat()
        assert result.fields.expiry_date == expiry.isoformat()


def _with_composite(td3: str) -> str:
    """Recompute every TD3 line-2 check digit after a test edited its fields."""
    line1, line2 = td3.splitlines()
    digits = list(line2)
    for start, end in ((0, 9), (13, 19), (21, 27), (28, 42)):
        if not (start == 28 and set(line2[28:42]) == {"<"}):
            digits[end] = str(check_digit(line2[start:end]))
    edited = "".join(digits)
    edited = edited[:43] + str(check_digit(edited[0:10] + edited[13:20] + edited[21:43]))
    return f"{line1}\n{edited}"


def _fields(surname: str, given_names: str, birth: str | None = "1974-08-12") -> MrzFields:
    return MrzFields(surname, given_names, "L898902C3", "UTO", "UTO", birth, "F", "2030-01-01")


class TestCompareWithAccount:
    def test_same_person_in_any_order_case_and_accents(self) -> None:
        fields = _fields("ERIKSSON", "ANNA MARIA")
        assert compare_with_account(fields, "anna maria Eriksson", date(1974, 8, 12)) == []
        assert compare_with_account(fields, "Eriksson, Ánna", date(1974, 8, 12)) == []

    def test_icao_transliterations_match_the_written_name(self) -> None:
        fields = _fields("MUELLER", "JOERG")
        assert compare_with_account(fields, "Jörg Müller", date(1974, 8, 12)) == []
        assert (
            compare_with_account(_fields("ONEILL", "SEAN"), "Seán O'Neill", date(1974, 8, 12)) == []
        )
        assert (
            compare_with_account(_fields("STRASSE", "OEYVIND"), "Øyvind Straße", date(1974, 8, 12))
            == []
        )

    def test_other_person_is_a_mismatch(self) -> None:
        findings = compare_with_account(
            _fields("ERIKSSON", "ANNA"), "Anna Larsson", date(1974, 8, 12)
        )
        assert [f.code for f in findings] == ["name_mismatch"]
        assert "ANNA ERIKSSON" in findings[0].message

    def test_account_name_with_parts_not_on_the_document(self) -> None:
        findings = compare_with_account(
            _fields("ERIKSSON", "ANNA"), "Anna Lind Eriksson", date(1974, 8, 12)
        )
        assert [f.code for f in findings] == ["name_partial_match"]

    def test_birth_dates(self) -> None:
        fields = _fields("ERIKSSON", "ANNA")
        assert [
            f.code for f in compare_with_account(fields, "Anna Eriksson", date(1974, 8, 13))
        ] == ["birth_date_mismatch"]
        assert [f.code for f in compare_with_account(fields, "Anna Eriksson", None)] == [
            "account_birth_date_missing"
        ]
        unreadable = _fields("ERIKSSON", "ANNA", birth=None)
        assert [
            f.code for f in compare_with_account(unreadable, "Anna Eriksson", date(1974, 8, 12))
        ] == ["birth_date_unreadable"]

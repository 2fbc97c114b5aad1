from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from goodstanding.accounts.identifiers import (
    IdentifierProblem,
    looks_like_phone,
    mask_email,
    mask_phone,
    normalize_email,
    normalize_phone,
)


class TestEmail:
    def test_normal_form_is_lower_case(self) -> None:
        assert normalize_email("  Jane.Doe@Example.COM ") == "jane.doe@example.com"

    def test_international_domains_become_ascii(self) -> None:
        assert normalize_email("jane@bücher.example") == "jane@xn--bcher-kva.example"

    @pytest.mark.parametrize("raw", ["", "jane", "jane@", "jаne@example.com", "a@b@c.com"])
    def test_refused(self, raw: str) -> None:
        with pytest.raises(IdentifierProblem):
            normalize_email(raw)

    def test_disposable_domains_refused_only_when_asked(self) -> None:
        assert normalize_email("x@mailinator.com") == "x@mailinator.com"
        with pytest.raises(IdentifierProblem):
            normalize_email("x@mailinator.com", refuse_disposable=True)


class TestPhone:
    def test_e164(self) -> None:
        assert normalize_phone("+1 (415) 555-0101") == "+14155550101"

    @pytest.mark.parametrize("raw", ["", "4155550101", "+1 000", "+１４１５５５５０１０１"])
    def test_refused(self, raw: str) -> None:
        with pytest.raises(IdentifierProblem):
            normalize_phone(raw)

    def test_phone_or_email(self) -> None:
        assert looks_like_phone("+14155550101")
        assert not looks_like_phone("ana@example.com")


class TestMasks:
    def test_email_mask(self) -> None:
        assert mask_email("jane@example.com") == "j***@e***.com"

    def test_phone_mask(self) -> None:
        assert mask_phone("+14155550101") == "+1 ••• ••• ••01"

    @given(st.from_regex(r"[a-z]{2,12}@[a-z]{2,12}\.(com|org|dev)", fullmatch=True))
    @example("co@ab.com")
    def test_email_mask_never_shows_more_than_first_letters(self, email: str) -> None:
        local, domain = email.split("@")
        masked_local, masked_domain = mask_email(email).split("@")
        # Compared part by part: the shown ending ".com" may hold a short name ("co@a.com").
        assert local not in masked_local
        assert domain.split(".")[0] not in masked_domain.rsplit(".", 1)[0]

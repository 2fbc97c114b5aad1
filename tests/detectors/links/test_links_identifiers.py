"""Normalisation of identifiers: merge only spellings that reach the same mailbox or line."""

import pytest

from goodstanding.detectors.links.identifiers import (
    Identifier,
    IdentifierKind,
    InvalidIdentifier,
    normalise_email,
    normalise_identifier,
    normalise_phone,
    normalise_sign_in_ip,
    normalise_tax_id,
)


class TestNormaliseEmailGmail:
    @pytest.mark.parametrize(
        "spelling",
        [
            "janedoe@gmail.com",
            "Jane.Doe@gmail.com",
            "j.a.n.e.d.o.e@GMAIL.COM",
            "jane.doe+ebay@gmail.com",
            "janedoe+a+b@gmail.com",
            "Jane.Doe@googlemail.com",
            "  jane.doe+shop@googlemail.com. ",
        ],
    )
    def test_gmail_spellings_reach_one_mailbox(self, spelling: str) -> None:
        assert normalise_email(spelling) == "janedoe@gmail.com"

    def test_different_gmail_users_stay_apart(self) -> None:
        assert normalise_email("jane.doe@gmail.com") != normalise_email("jane.do@gmail.com")


class TestNormaliseEmailWhereDotsMatter:
    @pytest.mark.parametrize(
        "domain", ["outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "example-shop.com"]
    )
    def test_dots_are_kept(self, domain: str) -> None:
        assert normalise_email(f"jane.doe@{domain}") != normalise_email(f"janedoe@{domain}")

    def test_plus_tags_stripped_where_supported(self) -> None:
        assert normalise_email("Jane.Doe+shop@Outlook.com") == "jane.doe@outlook.com"
        assert normalise_email("jane+shop@me.com") == "jane@icloud.com"
        assert normalise_email("jane+x@pm.me") == "jane@proton.me"

    @pytest.mark.parametrize("domain", ["yahoo.com", "example-shop.com", "gmx.de"])
    def test_plus_kept_where_not_a_documented_tag(self, domain: str) -> None:
        assert normalise_email(f"jane+shop@{domain}") == f"jane+shop@{domain}"

    def test_separate_microsoft_domains_are_separate_mailboxes(self) -> None:
        assert normalise_email("jane@hotmail.com") != normalise_email("jane@outlook.com")

    def test_case_is_folded_everywhere(self) -> None:
        assert normalise_email("Jane.Doe@Example-Shop.COM") == "jane.doe@example-shop.com"

    def test_international_domain_in_ascii_form(self) -> None:
        assert normalise_email("ana@bücher.de") == "ana@xn--bcher-kva.de"

    @pytest.mark.parametrize(
        "bad",
        ["", "jane", "@gmail.com", "jane@", "jane doe@x.com", "+tag@gmail.com", "jane@localhost"],
    )
    def test_bad_addresses_are_refused(self, bad: str) -> None:
        with pytest.raises(InvalidIdentifier):
            normalise_email(bad)


class TestNormalisePhone:
    def test_national_and_international_forms_agree(self) -> None:
        assert normalise_phone("020 7946 0018", "GB") == normalise_phone("+44 20 7946 0018")
        assert normalise_phone("+44 (0)20-7946-0018") == "+442079460018"

    def test_national_number_without_region_is_refused(self) -> None:
        with pytest.raises(InvalidIdentifier, match="phone"):
            normalise_phone("020 7946 0018")

    def test_invalid_number_is_refused(self) -> None:
        with pytest.raises(InvalidIdentifier, match="not a valid number"):
            normalise_phone("+44 20 79")


class TestNormaliseSignInIp:
    def test_ipv4_is_kept_whole(self) -> None:
        assert normalise_sign_in_ip(" 81.2.69.142 ") == "81.2.69.142"

    def test_ipv6_hosts_in_one_subscriber_prefix_agree(self) -> None:
        assert normalise_sign_in_ip("2a00:1450:4009:81f::200e") == "2a00:1450:4009:81f::/64"
        assert normalise_sign_in_ip("2a00:1450:4009:81f:aaaa::1") == "2a00:1450:4009:81f::/64"

    def test_ipv4_mapped_ipv6_is_the_ipv4_address(self) -> None:
        assert normalise_sign_in_ip("::ffff:81.2.69.142") == "81.2.69.142"

    @pytest.mark.parametrize("private", ["10.0.0.1", "192.168.1.20", "127.0.0.1", "fe80::1"])
    def test_private_addresses_identify_nobody(self, private: str) -> None:
        with pytest.raises(InvalidIdentifier, match="public"):
            normalise_sign_in_ip(private)


class TestOtherKinds:
    def test_tax_id_separators_and_case(self) -> None:
        assert normalise_tax_id("de 123-456.789") == normalise_tax_id("DE123456789")

    def test_identifier_carries_its_kind(self) -> None:
        assert normalise_identifier(IdentifierKind.DEVICE, " ABC-123 ") == Identifier(
            IdentifierKind.DEVICE, "abc-123"
        )
        assert normalise_identifier(IdentifierKind.BANK_ACCOUNT, "AB" * 32).value == "ab" * 32
        assert normalise_identifier(
            IdentifierKind.PHONE, "07911 123456", phone_region="GB"
        ) == Identifier(IdentifierKind.PHONE, "+447911123456")

    @pytest.mark.parametrize(
        ("kind", "raw"),
        [
            (IdentifierKind.BANK_ACCOUNT, "not-a-hash"),
            (IdentifierKind.TAX_ID, "12"),
            (IdentifierKind.DEVICE, "   "),
            (IdentifierKind.SIGN_IN_IP, "999.1.1.1"),
        ],
    )
    def test_bad_values_name_their_kind(self, kind: IdentifierKind, raw: str) -> None:
        with pytest.raises(InvalidIdentifier, match=f"invalid {kind.value}"):
            normalise_identifier(kind, raw)

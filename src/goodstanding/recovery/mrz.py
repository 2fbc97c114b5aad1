"""Read and check the machine-readable zone (MRZ) of identity documents, per ICAO Doc 9303.

Pure functions: text in, a result out. No database, no HTTP, no clock except the ``today`` the
caller passes (it decides the century of two-digit years and whether the document has expired).

Formats (Doc 9303 parts 4-7): TD3 passports (2 x 44), TD2 cards (2 x 36), TD1 cards (3 x 30), and
the visas MRV-A (2 x 44) and MRV-B (2 x 36), told apart from TD3/TD2 by their leading ``V``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

# ISO 3166-1 alpha-3 (iso-codes 4.15.0), which Doc 9303 Part 3 adopts for states.
_ISO_3166_ALPHA3 = """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD
    BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR
    COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH
    ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL
    GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR
    JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR
    MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL
    NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY
    PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP
    SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA
    UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""

# Doc 9303 Part 3 (8th edition), section 5: codes that are not ISO 3166-1 alpha-3 states.
_ICAO_EXTRA_CODES = {
    "D": "Germany (its one-letter code in the MRZ)",
    "GBD": "British Overseas Territories Citizen",
    "GBN": "British National (Overseas)",
    "GBO": "British Overseas Citizen",
    "GBP": "British Protected Person",
    "GBS": "British Subject",
    "RKS": "Kosovo",
    "EUE": "European Union",
    "UNO": "United Nations Organization",
    "UNA": "United Nations specialized agency",
    "UNK": "Kosovo resident, UNMIK travel document",
    "XBA": "African Development Bank",
    "XIM": "African Export-Import Bank",
    "XCC": "Caribbean Community (CARICOM)",
    "XCE": "Council of Europe",
    "XCO": "Common Market for Eastern and Southern Africa (COMESA)",
    "XEC": "Economic Community of West African States (ECOWAS)",
    "XPO": "International Criminal Police Organization (INTERPOL)",
    "XES": "Organization of Eastern Caribbean States (OECS)",
    "XMP": "Parliamentary Assembly of the Mediterranean",
    "XOM": "Sovereign Military Order of Malta",
    "XDC": "Southern African Development Community",
    "XXA": "Stateless person",
    "XXB": "Refugee (1951 Convention)",
    "XXC": "Refugee (other)",
    "XXX": "Unspecified nationality",
    # Withdrawn from ISO 3166-1 but still printed on documents issued before.
    "ANT": "Netherlands Antilles",
    "NTZ": "Neutral Zone",
    # The fictional state of every ICAO specimen; real documents never carry it.
    "UTO": "Utopia (specimen documents)",
}

KNOWN_STATE_CODES: frozenset[str] = frozenset(_ISO_3166_ALPHA3.split()) | frozenset(
    _ICAO_EXTRA_CODES
)

# A document is not issued more than this many years ahead, so a two-digit expiry year further
# out than that belongs to the previous century.
_MAX_EXPIRY_YEARS_AHEAD = 50

_MRZ_CHARACTERS = re.compile(r"[A-Z0-9<]+")
_CHECK_WEIGHTS = (7, 3, 1)


class MrzFormat(StrEnum):
    TD1 = "TD1"
    TD2 = "TD2"
    TD3 = "TD3"
    MRVA = "MRVA"
    MRVB = "MRVB"


@dataclass(frozen=True, slots=True)
class MrzFields:
    surname: str | None
    given_names: str | None
    document_number: str | None
    issuing_country: str | None
    nationality: str | None
    birth_date: str | None  # ISO YYYY-MM-DD; None when the MRZ holds no real date
    sex: str | None  # "M", "F" or "X" (unspecified, written "<" in the MRZ)
    expiry_date: str | None


_NO_FIELDS = MrzFields(None, None, None, None, None, None, None, None)


@dataclass(frozen=True, slots=True)
class MrzResult:
    valid: bool
    format: MrzFormat | None
    failed_checks: tuple[str, ...]
    fields: MrzFields
    expired: bool

    @classmethod
    def unread(cls, reason: str) -> MrzResult:
        """A result for input with no MRZ to check (``format``, ``mrz_not_found``)."""
        return cls(
            valid=False, format=None, failed_checks=(reason,), fields=_NO_FIELDS, expired=False
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract shared with the operator CLI and evaluations."""
        return {
            "valid": self.valid,
            "format": None if self.format is None else self.format.value,
            "failed_checks": list(self.failed_checks),
            "fields": asdict(self.fields),
            "expired": self.expired,
        }


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each field sits, as offsets into the MRZ lines joined without line breaks."""

    format: MrzFormat
    line_length: int
    line_count: int
    document_codes: str  # allowed first characters
    issuing_country: slice
    name: slice
    document_number: slice
    document_number_check: int
    nationality: slice
    birth_date: slice
    birth_date_check: int
    sex: int
    expiry_date: slice
    expiry_date_check: int
    # Where an overlong document number continues (TD1 and TD2 only): see _document_number.
    overflow: slice | None = None
    personal_number: slice | None = None
    personal_number_check: int | None = None
    composite: tuple[slice, ...] = ()
    composite_check: int | None = None


def _two_line_layout(fmt: MrzFormat, length: int, document_codes: str) -> _Layout:
    # TD2, TD3, MRV-A and MRV-B share the first 28 characters of line 2.
    line2 = length
    return _Layout(
        format=fmt,
        line_length=length,
        line_count=2,
        document_codes=document_codes,
        issuing_country=slice(2, 5),
        name=slice(5, length),
        document_number=slice(line2, line2 + 9),
        document_number_check=line2 + 9,
        nationality=slice(line2 + 10, line2 + 13),
        birth_date=slice(line2 + 13, line2 + 19),
        birth_date_check=line2 + 19,
        sex=line2 + 20,
        expiry_date=slice(line2 + 21, line2 + 27),
        expiry_date_check=line2 + 27,
    )


_TD1 = _Layout(
    format=MrzFormat.TD1,
    line_length=30,
    line_count=3,
    document_codes="ACI",
    issuing_country=slice(2, 5),
    document_number=slice(5, 14),
    document_number_check=14,
    overflow=slice(15, 30),
    birth_date=slice(30, 36),
    birth_date_check=36,
    sex=37,
    expiry_date=slice(38, 44),
    expiry_date_check=44,
    nationality=slice(45, 48),
    composite=(slice(5, 30), slice(30, 37), slice(38, 45), slice(48, 59)),
    composite_check=59,
    name=slice(60, 90),
)
_TD2 = replace(
    _two_line_layout(MrzFormat.TD2, 36, "ACI"),
    overflow=slice(64, 71),
    composite=(slice(36, 46), slice(49, 56), slice(57, 71)),
    composite_check=71,
)
_TD3 = replace(
    _two_line_layout(MrzFormat.TD3, 44, "P"),
    personal_number=slice(72, 86),
    personal_number_check=86,
    composite=(slice(44, 54), slice(57, 64), slice(65, 87)),
    composite_check=87,
)
_MRVA = _two_line_layout(MrzFormat.MRVA, 44, "V")
_MRVB = _two_line_layout(MrzFormat.MRVB, 36, "V")


def check_digit(text: str) -> int:
    """ICAO 9303 check digit: digits as themselves, A-Z as 10-35, '<' as 0, weights 7-3-1."""
    total = 0
    for position, char in enumerate(text):
        if char.isdigit():
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - ord("A") + 10
        else:
            value = 0
        total += value * _CHECK_WEIGHTS[position % 3]
    return total % 10


def _digit_matches(data: str, digit: str) -> bool:
    return digit.isdigit() and int(digit) == check_digit(data)


def _normalise_lines(text: str) -> list[str]:
    """Undo what OCR and copy-paste do to an MRZ: case, spaces, blank or padded lines."""
    lines = ["".join(line.split()).upper() for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    if len(lines) == 1:
        # Pasted as one run: 90 = TD1, 72 = TD2/MRV-B, 88 = TD3/MRV-A.
        run = lines[0]
        width = {90: 30, 72: 36, 88: 44}.get(len(run))
        if width is not None:
            lines = [run[i : i + width] for i in range(0, len(run), width)]
    return lines


def _detect_layout(lines: list[str]) -> _Layout | None:
    if not lines or any(not _MRZ_CHARACTERS.fullmatch(line) for line in lines):
        return None
    shape = (len(lines), {len(line) for line in lines})
    visa = lines[0].startswith("V")
    if shape == (3, {30}):
        return _TD1
    if shape == (2, {36}):
        return _MRVB if visa else _TD2
    if shape == (2, {44}):
        return _MRVA if visa else _TD3
    return None


def _code(raw: str) -> str:
    return raw.replace("<", "")


def _document_number(mrz: str, layout: _Layout) -> tuple[str, str, str]:
    """Return (number as printed, the characters its check digit covers, that check digit).

    TD1 and TD2 allow numbers longer than nine characters: the check-digit position then holds
    '<' and the number goes on in the optional data, followed by its own check digit (Part 5/6).
    """
    number = mrz[layout.document_number]
    check = mrz[layout.document_number_check]
    if check == "<" and layout.overflow is not None:
        rest = mrz[layout.overflow].split("<", 1)[0]
        if rest:
            return number + rest[:-1], number + rest[:-1], rest[-1]
    return _code(number), number, check


def _date_or_none(yymmdd: str, century: int) -> date | None:
    if not yymmdd.isdigit():
        return None
    try:
        return date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None


def _expiry(yymmdd: str, today: date) -> date | None:
    in_this_century = _date_or_none(yymmdd, 2000)
    if in_this_century is not None and in_this_century.year <= today.year + _MAX_EXPIRY_YEARS_AHEAD:
        return in_this_century
    return _date_or_none(yymmdd, 1900)


def _birth(yymmdd: str, today: date, expiry: date | None) -> date | None:
    # People are born in the past, and before their document expires; between the two
    # centuries that allow it, the later one is the sensible reading.
    latest = today if expiry is None else min(today, expiry)
    in_this_century = _date_or_none(yymmdd, 2000)
    if in_this_century is not None and in_this_century <= latest:
        return in_this_century
    return _date_or_none(yymmdd, 1900)


def _names(raw: str) -> tuple[str, str]:
    surname, _, given = raw.partition("<<")
    return " ".join(surname.replace("<", " ").split()), " ".join(given.replace("<", " ").split())


def _sex(raw: str) -> str | None:
    return {"M": "M", "F": "F", "<": "X", "X": "X"}.get(raw)


def _failed_checks(
    mrz: str, layout: _Layout, birth: date | None, expiry: date | None
) -> Iterator[str]:
    if mrz[0] not in layout.document_codes:
        yield "document_code"
    if _code(mrz[layout.issuing_country]) not in KNOWN_STATE_CODES:
        yield "issuing_country"
    surname, _ = _names(mrz[layout.name])
    if not surname or not re.fullmatch(r"[A-Z<]+", mrz[layout.name]):
        yield "name"
    _, covered, check = _document_number(mrz, layout)
    if not _digit_matches(covered, check):
        yield "document_number_check_digit"
    if _code(mrz[layout.nationality]) not in KNOWN_STATE_CODES:
        yield "nationality"
    if birth is None:
        yield "birth_date"
    if not _digit_matches(mrz[layout.birth_date], mrz[layout.birth_date_check]):
        yield "birth_date_check_digit"
    if _sex(mrz[layout.sex]) is None:
        yield "sex"
    if expiry is None:
        yield "expiry_date"
    if not _digit_matches(mrz[layout.expiry_date], mrz[layout.expiry_date_check]):
        yield "expiry_date_check_digit"
    if layout.personal_number is not None and layout.personal_number_check is not None:
        personal = mrz[layout.personal_number]
        personal_check = mrz[layout.personal_number_check]
        # An empty personal number may carry '<' instead of a check digit (Part 4, 4.2.2).
        empty_and_unchecked = set(personal) == {"<"} and personal_check == "<"
        if not empty_and_unchecked and not _digit_matches(personal, personal_check):
            yield "optional_data_check_digit"
    if layout.composite_check is not None:
        covered_by_composite = "".join(mrz[part] for part in layout.composite)
        if not _digit_matches(covered_by_composite, mrz[layout.composite_check]):
            yield "composite_check_digit"


def parse_mrz(text: str, *, today: date | None = None) -> MrzResult:
    """Parse and check an MRZ given as 2 or 3 lines of text.

    ``valid`` means well formed (check digits, dates, state codes, sex, name characters) whatever
    the expiry; ``expired`` says whether the expiry date is before ``today``.
    """
    today = today or date.today()
    lines = _normalise_lines(text)
    layout = _detect_layout(lines)
    if layout is None:
        return MrzResult.unread("format")
    mrz = "".join(lines)
    expiry = _expiry(mrz[layout.expiry_date], today)
    birth = _birth(mrz[layout.birth_date], today, expiry)
    surname, given_names = _names(mrz[layout.name])
    document_number, _, _ = _document_number(mrz, layout)
    failed = tuple(_failed_checks(mrz, layout, birth, expiry))
    return MrzResult(
        valid=not failed,
        format=layout.format,
        failed_checks=failed,
        fields=MrzFields(
            surname=surname,
            given_names=given_names,
            document_number=document_number,
            issuing_country=_code(mrz[layout.issuing_country]),
            nationality=_code(mrz[layout.nationality]),
            birth_date=None if birth is None else birth.isoformat(),
            sex=_sex(mrz[layout.sex]),
            expiry_date=None if expiry is None else expiry.isoformat(),
        ),
        expired=expiry is not None and expiry < today,
    )


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a reviewer should look at before accepting a document for an account."""

    code: str
    message: str


# Letters that Unicode does not decompose into a base letter plus marks, written the way
# Doc 9303 Part 3 (section 6) transliterates them.
_TRANSLITERATIONS = str.maketrans(
    {"ß": "SS", "Æ": "AE", "Ø": "OE", "Œ": "OE", "Þ": "TH", "Ð": "D", "Đ": "D", "Ł": "L", "ı": "I"}
)
# Doc 9303 allows either Ä or AE for Ä (and so on), so both readings must compare equal.
_ICAO_DIGRAPHS = re.compile(r"AE|OE|UE|AA")


def _name_tokens(name: str) -> list[str]:
    upper = name.upper().translate(_TRANSLITERATIONS)
    plain = "".join(
        char for char in unicodedata.normalize("NFKD", upper) if not unicodedata.combining(char)
    )
    # Apostrophes vanish in the MRZ (O'NEILL -> ONEILL); every other separator splits names.
    plain = re.sub(r"['’`]", "", plain)
    tokens = re.findall(r"[A-Z]+", plain)
    return [_ICAO_DIGRAPHS.sub(lambda digraph: digraph.group()[0], token) for token in tokens]


def compare_with_account(
    mrz_fields: MrzFields, account_name: str, account_birth_date: date | None
) -> list[Finding]:
    """Compare a document's MRZ with the account's own record, for a reviewer's pre-check.

    The name matches when every document surname part and at least one given name appear in the
    account name, in any order, ignoring case and accents. An empty list means nothing to flag.
    """
    findings: list[Finding] = []
    account = _name_tokens(account_name)
    surname = _name_tokens(mrz_fields.surname or "")
    given = _name_tokens(mrz_fields.given_names or "")
    surname_found = bool(surname) and all(part in account for part in surname)
    given_found = not given or any(part in account for part in given)
    if not (surname_found and given_found):
        findings.append(
            Finding(
                "name_mismatch",
                f"The document is in the name of {mrz_fields.given_names} {mrz_fields.surname}, "
                f"which does not match the account name {account_name!r}.",
            )
        )
    elif any(part not in surname + given for part in account):
        findings.append(
            Finding(
                "name_partial_match",
                f"The account name {account_name!r} has parts that are not on the document "
                f"({mrz_fields.given_names} {mrz_fields.surname}).",
            )
        )
    if account_birth_date is None:
        findings.append(
            Finding("account_birth_date_missing", "The account has no birth date to compare.")
        )
    elif mrz_fields.birth_date is None:
        findings.append(
            Finding("birth_date_unreadable", "The document's birth date is not a real date.")
        )
    elif mrz_fields.birth_date != account_birth_date.isoformat():
        findings.append(
            Finding(
                "birth_date_mismatch",
                f"The document gives birth date {mrz_fields.birth_date}, the account "
                f"{account_birth_date.isoformat()}.",
            )
        )
    return findings


def _layout_for(fmt: MrzFormat) -> _Layout:
    return next(layout for layout in (_TD1, _TD2, _TD3, _MRVA, _MRVB) if layout.format is fmt)


def line_shape(fmt: MrzFormat) -> tuple[int, int]:
    """(number of lines, characters per line) of a format."""
    layout = _layout_for(fmt)
    return layout.line_count, layout.line_length


def character_classes(fmt: MrzFormat) -> str:
    """For each position of the joined MRZ lines: 'n' where only a digit (or '<') is valid,
    'a' where only a letter (or '<') is, '*' elsewhere. Lets OCR undo O/0-style confusions."""
    layout = _layout_for(fmt)
    classes = ["*"] * (layout.line_count * layout.line_length)
    letters = [layout.issuing_country, layout.nationality, layout.name, slice(0, 1)]
    digits = [layout.birth_date, layout.expiry_date]
    checks = [layout.document_number_check, layout.birth_date_check, layout.expiry_date_check]
    checks += [i for i in (layout.personal_number_check, layout.composite_check) if i is not None]
    for part in letters:
        classes[part] = ["a"] * len(classes[part])
    for part in digits:
        classes[part] = ["n"] * len(classes[part])
    for index in checks:
        classes[index] = "n"
    classes[layout.sex] = "a"
    return "".join(classes)

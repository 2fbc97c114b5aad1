"""Identity recovery through the pages: upload (and refusals), review, waiting period, cancel."""

from __future__ import annotations

import io
import re
import shutil
import struct
import zlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from mfa.people import MfaApi, Person, add_account, add_totp
from PIL import Image
from pypdf import PdfWriter
from shared_data import shared_data_dir
from sqlalchemy import func, select

from goodstanding.cases.audit import audit_log
from goodstanding.kit.clock import clock
from goodstanding.kit.db import Database
from goodstanding.mfa import has_second_factor
from goodstanding.models.case import Case
from goodstanding.models.recovery_document import RecoveryDocument
from goodstanding.notify.email import memory_outbox
from goodstanding.notify.sms import memory_sms_outbox
from goodstanding.recovery.service import recovery_service
from tests.console.conftest import add_staff

CANCEL_LINK = re.compile(r"https?://\S+/recovery/cancel/(\S+?)/(\S+?)(?=[\s\"<])")


def small_jpeg(extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 30, 30)).save(out, format="JPEG")
    return out.getvalue() + extra


def bomb_png(side: int = 40_000) -> bytes:
    """All-zero 1-bit PNG: a few kB on disk, 1.6 gigapixels once decoded."""
    row = b"\x00" * (1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def pdf_pages(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def vzor(database: Database) -> Person:
    """The holder of the Czech specimen passport, who lost the phone with the authenticator."""
    person = add_account(database, name="Vzor Specimen", email="vzor@example.com")
    add_totp(database, person)
    return person


@pytest.fixture
def reviewers(database: Database) -> dict[str, tuple[Person, str | None]]:
    """Two senior reviewers (identity recovery is their queue), signing in with an app."""
    return {
        "rita": add_staff(
            database, "Rita Reviewer", "rita@example.com", "+14155550103", ["senior_reviewer"]
        ),
        "sol": add_staff(
            database, "Sol Senior", "sol@example.com", "+14155550104", ["senior_reviewer"]
        ),
    }


def at_second_step(client: TestClient, person: Person) -> MfaApi:
    api = MfaApi(client)
    assert api.sign_in(person.email).json()["next"] == "second_factor"
    return api


def upload(api: MfaApi, name: str, data: bytes, content_type: str = "image/jpeg") -> object:
    return api.client.post(
        "/recovery/identity",
        data={"csrf_token": api.csrf},
        files={"document": (name, data, content_type)},
        headers={"accept": "text/html"},
    )


def stored_count(database: Database) -> tuple[int, int]:
    with database.transaction() as db:
        cases = db.scalar(select(func.count()).select_from(Case))
        files = db.scalar(select(func.count()).select_from(RecoveryDocument))
    return int(cases or 0), int(files or 0)


class TestUploadRefusals:
    @pytest.mark.parametrize(
        ("name", "data", "message"),
        [
            ("passport.jpg", b"just some text, not a picture\n" * 20, "not a JPEG, PNG or PDF"),
            ("passport.png", bomb_png(), "dimensions are too large"),
            ("passport.pdf", pdf_pages(10_000), "10000 pages"),
            (
                "passport.jpg",
                small_jpeg(b"<script>alert(document.cookie)</script>"),
                "extra data hidden after the picture",
            ),
        ],
        ids=["text-named-jpg", "decompression-bomb", "pdf-10000-pages", "script-appended"],
    )
    def test_refused_with_a_clear_message_and_nothing_stored(
        self,
        client: TestClient,
        vzor: Person,
        database: Database,
        name: str,
        data: bytes,
        message: str,
    ) -> None:
        api = at_second_step(client, vzor)
        response = upload(api, name, data)
        assert response.status_code == 422  # type: ignore[attr-defined]
        assert message in response.text  # type: ignore[attr-defined]
        assert stored_count(database) == (0, 0)

    def test_fifty_megabytes_refused_before_reading(
        self, client: TestClient, vzor: Person, database: Database
    ) -> None:
        api = at_second_step(client, vzor)
        response = upload(api, "passport.jpg", small_jpeg(b"\x00" * (50 * 1024 * 1024)))
        assert response.status_code == 413  # type: ignore[attr-defined]
        assert "at most" in response.json()["detail"]  # type: ignore[attr-defined]
        assert stored_count(database) == (0, 0)

    def test_only_after_proving_the_password(self, client: TestClient, vzor: Person) -> None:
        response = client.get("/recovery/identity", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in"


Staff = tuple[Person, str | None]
Login = Callable[[Person, str | None], TestClient]


def claim_and_decide(client: TestClient, decision: str, reason: str) -> str:
    """Take the oldest identity recovery in the console, check what the reviewer is shown, and
    decide it; returns the case id."""
    claimed = client.post("/console/queues/identity_recovery/claim-next", follow_redirects=False)
    case_url = claimed.headers["location"]
    assert case_url.startswith("/console/cases/"), case_url
    page = client.get(case_url)
    assert "Vzor Specimen" in page.text and "Automatic pre-check" in page.text
    assert f"{case_url}/documents/" in page.text  # the document, inline and watermarked
    decided = client.post(
        f"{case_url}/decide",
        data={"decision": decision, "reason": reason},
        follow_redirects=False,
    )
    assert decided.status_code == 303, decided.text
    return case_url.rsplit("/", 1)[1]


def review(login: Login, reviewers: dict[str, Staff], decision: str, reason: str) -> None:
    """A rejection takes one reviewer; an approval a first reviewer and then a second one."""
    claim_and_decide(login(*reviewers["rita"]), decision, reason)
    if decision == "approve":
        claim_and_decide(login(*reviewers["sol"]), decision, "Agreed: " + reason)


class TestRecoveryJourney:
    @pytest.mark.skipif(
        shutil.which("tesseract") is None,
        reason="tesseract binary missing: install the Debian package tesseract-ocr",
    )
    def test_precheck_reads_the_passport_for_the_reviewer(
        self,
        client: TestClient,
        vzor: Person,
        database: Database,
        login: Login,
        reviewers: dict[str, Staff],
    ) -> None:
        passport = (shared_data_dir() / "mrz/images/mrz/passports/Czech_Republic.png").read_bytes()
        api = at_second_step(client, vzor)
        assert upload(api, "passport.png", passport, "image/png").status_code == 200  # type: ignore[attr-defined]
        with database.transaction() as db:
            case = db.scalars(select(Case)).one()
            precheck = case.payload["precheck"]
            [document] = recovery_service.files(db, case.id)
        assert isinstance(precheck, dict)
        mrz = precheck["mrz"]
        assert mrz["valid"] is True and mrz["expired"] is True
        assert mrz["fields"]["surname"] == "SPECIMEN"
        assert precheck["findings"] == []  # the name matches the account

        rita = login(*reviewers["rita"])
        page = rita.get(f"/console/cases/{case.id}")
        shown = page.text.split('id="precheck"', 1)[1].split("</ul>", 1)[0]
        assert "well-formed" in shown and "expired" in shown
        assert "SPECIMEN" in shown and mrz["fields"]["expiry_date"] in shown
        assert "The name matches the account." in shown
        image = rita.get(f"/console/cases/{case.id}/documents/{document.id}")
        assert image.status_code == 200 and image.headers["content-disposition"] == "inline"
        marked = Image.open(io.BytesIO(image.content)).convert("RGB")
        original = Image.open(io.BytesIO(passport)).convert("RGB")
        assert marked.size == original.size and marked.tobytes() != original.tobytes()
        with database.transaction() as db:
            actions = [e.action for e in audit_log.entries_about(db, "case", case.id)]
        assert "document.viewed" in actions

    def test_one_reviewer_alone_cannot_complete_it(
        self,
        app: object,
        vzor: Person,
        login: Login,
        reviewers: dict[str, Staff],
        database: Database,
    ) -> None:
        with TestClient(app) as person:  # type: ignore[arg-type]
            upload(at_second_step(person, vzor), "passport.jpg", small_jpeg())
        rita = login(*reviewers["rita"])
        case_id = claim_and_decide(rita, "approve", "Document matches the account.")
        with database.transaction() as db:
            assert db.scalars(select(Case.status)).one() == Case.Status.open
        assert not [e for e in memory_outbox if e.to == vzor.email and "recovering" in e.subject]

        # Rita cannot give the second approval herself, by the queue or by the case's address.
        assert (
            "/console/cases/"
            not in rita.post(
                "/console/queues/identity_recovery/claim-next", follow_redirects=False
            ).headers["location"]
        )
        rita.post(f"/console/cases/{case_id}/claim")
        again = rita.post(
            f"/console/cases/{case_id}/decide", data={"decision": "approve", "reason": "Sure."}
        )
        assert again.status_code == 409
        assert "a different reviewer must give the second" in again.text

        clock.advance(timedelta(hours=80))
        with TestClient(app) as person:  # type: ignore[arg-type]
            assert MfaApi(person).sign_in(vzor.email).json()["next"] == "second_factor"
        with database.transaction() as db:
            assert has_second_factor(db, vzor.id) is True
            assert db.scalars(select(Case.status)).one() == Case.Status.open

    def test_approval_waits_then_wipes_factors_and_sessions(
        self,
        app: object,
        vzor: Person,
        login: Login,
        reviewers: dict[str, Staff],
        database: Database,
    ) -> None:
        with TestClient(app) as person:  # type: ignore[arg-type]
            api = at_second_step(person, vzor)
            assert upload(api, "passport.jpg", small_jpeg()).status_code == 200  # type: ignore[attr-defined]
        review(login, reviewers, "approve", "Document matches the account.")
        notices = [e for e in memory_outbox if e.to == vzor.email and "recovering" in e.subject]
        assert notices and CANCEL_LINK.search(notices[-1].text)
        assert any(s.to == vzor.phone and "/recovery/cancel/" in s.body for s in memory_sms_outbox)

        clock.advance(timedelta(hours=71))
        with TestClient(app) as person:  # type: ignore[arg-type]
            assert MfaApi(person).sign_in(vzor.email).json()["next"] == "second_factor"
        clock.advance(timedelta(hours=2))
        with TestClient(app) as person:  # type: ignore[arg-type]
            assert MfaApi(person).sign_in(vzor.email).json()["next"] == "done"
        with database.transaction() as db:
            assert has_second_factor(db, vzor.id) is False
            assert db.scalars(select(Case.status)).one() == Case.Status.completed

    def test_owner_cancels_from_the_link_during_the_waiting_period(
        self,
        app: object,
        vzor: Person,
        login: Login,
        reviewers: dict[str, Staff],
        database: Database,
    ) -> None:
        with TestClient(app) as attacker:  # type: ignore[arg-type]
            api = at_second_step(attacker, vzor)
            upload(api, "passport.jpg", small_jpeg())
        review(login, reviewers, "approve", "Looks right.")
        text = [e for e in memory_outbox if e.to == vzor.email and "recovering" in e.subject][-1]
        found = CANCEL_LINK.search(text.text)
        assert found
        with TestClient(app) as owner:  # type: ignore[arg-type]
            path = f"/recovery/cancel/{found.group(1)}/{found.group(2)}"
            page = owner.get(path)
            assert "This wasn't me" in page.text
            csrf = owner.get("/api/v1/auth/session").json()["csrf_token"]
            done = owner.post(path, data={"csrf_token": csrf})
            assert "The recovery is stopped" in done.text
        clock.advance(timedelta(hours=80))
        with TestClient(app) as attacker:  # type: ignore[arg-type]
            assert MfaApi(attacker).sign_in(vzor.email).json()["next"] == "second_factor"
        with database.transaction() as db:
            assert has_second_factor(db, vzor.id) is True
            assert db.scalars(select(Case.status)).one() == Case.Status.cancelled

    def test_files_deleted_after_close_plus_retention(
        self,
        app: object,
        vzor: Person,
        login: Login,
        reviewers: dict[str, Staff],
        database: Database,
    ) -> None:
        with TestClient(app) as person:  # type: ignore[arg-type]
            upload(at_second_step(person, vzor), "passport.jpg", small_jpeg())
        review(login, reviewers, "reject", "The photo is too blurred to read.")
        assert any("not approved" in e.subject for e in memory_outbox if e.to == vzor.email)
        with database.transaction() as db:
            assert recovery_service.purge_expired_files(db) == 0
        clock.advance(timedelta(days=31))
        with database.transaction() as db:
            assert recovery_service.purge_expired_files(db) == 1
        assert stored_count(database) == (1, 0)

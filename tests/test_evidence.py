"""Evidence per answer (diagnostic/services/evidence.py, evidence_files.py, core/evidence.py) on SQLite
and PostgreSQL: hostile files refused with a message and nothing stored, names cleaned, links checked,
who attaches, verifies, removes and reads, what is out of reach, deletion with the answer and the
assessment, the audit log.
"""

from __future__ import annotations

import io
import itertools
import string
import struct
import zipfile
import zlib
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from diagnostic import i18n
from diagnostic.core import evidence as rules
from diagnostic.core.evidence import ATTACHED, DECLARED, VERIFIED, EvidenceRefused, safe_file_name
from diagnostic.core.profile import Profile
from diagnostic.core.roles import NotAllowed, NotFound, Role
from diagnostic.evidence_files import inspect
from diagnostic.services import answers, assessments, companies, evidence, workspaces
from diagnostic.services.questionnaires import questionnaire_of
from tests.conftest import local_context, row_counts
from tests.test_coaching import member, signed_in

FLASH = "rse-flash"
Q1, Q2 = "gov.demarche-rse", "env.energie-suivi"
_unique = itertools.count(1)


# --- files worth keeping, and hostile ones -------------------------------------------------------------


def pdf_bytes() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True)  # the same bytes each time
    canvas.drawString(72, 720, "Document unique d'evaluation des risques")
    canvas.save()
    return buffer.getvalue()


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Relevés de compteurs"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_like(parts: dict[str, bytes]) -> bytes:
    """An OOXML word document's skeleton with extra parts (filetype recognises it as docx)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document/>")
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def giant_png() -> bytes:
    """A real PNG header announcing 100 000 × 100 000 pixels (a decompression bomb's signature)."""
    data = bytearray(png_bytes())
    ihdr = struct.pack(">II", 100_000, 100_000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    # 150 MB of zeros in one part: about 150 kB once packed
    return docx_like({"word/media/blob.bin": bytes(150 * 1024 * 1024)})


def test_accepted_files_are_named_by_their_content() -> None:
    assert inspect(pdf_bytes(), "duerp 2026.pdf") == rules.Inspected("application/pdf", "pdf", "duerp 2026.pdf")
    assert inspect(png_bytes(), "photo").name == "photo.png"
    found = inspect(xlsx_bytes(), "releves.pdf")  # a spreadsheet named as a PDF is kept as what it is
    assert (found.media_type, found.name) == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "releves.xlsx",
    )


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "vide.pdf", "evidence.file_empty"),
        (b"Simple texte, pas un document", "note.pdf", "evidence.file_type"),
        (open("/bin/ls", "rb").read(), "rapport.pdf", "evidence.file_program"),  # a renamed executable
        (b"MZ\x90\x00" + bytes(200), "facture.pdf", "evidence.file_program"),  # a Windows program's header
        (b"#!/bin/sh\nrm -rf /\n", "procedure.docx", "evidence.file_program"),
        (bytes(50 * 1024 * 1024), "enorme.pdf", "evidence.file_too_big"),
        (b"%PDF-1.4" + bytes(rules.MAX_BYTES), "limite.pdf", "evidence.file_too_big"),  # one byte over 10 MB
        (docx_like({"word/vbaProject.bin": b"macro"}), "avec-macros.docx", "evidence.file_macros"),
        (b"PK\x03\x04" + bytes(60), "casse.docx", "evidence.file_damaged"),
        (giant_png(), "plan.png", "evidence.file_bomb"),
    ],
)
def test_hostile_files_are_refused_with_a_message(content: bytes, name: str, code: str) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        inspect(content, name)
    assert refused.value.code == code
    for lang in ("fr", "en"):
        text = i18n.error_text(refused.value, lang)
        assert text and "{" not in text and code not in text


def test_a_zip_bomb_is_refused(zip_bomb: bytes) -> None:
    assert len(zip_bomb) < rules.MAX_BYTES
    with pytest.raises(EvidenceRefused) as refused:
        inspect(zip_bomb, "bombe.docx")
    assert refused.value.code == "evidence.file_bomb"


def test_a_part_that_lies_about_its_size_is_stopped_while_unpacking() -> None:
    # 30 MB of zeros: under the 100 MB total, far over 200 times its packed size
    with pytest.raises(EvidenceRefused) as refused:
        inspect(docx_like({"word/media/zeros.bin": bytes(30 * 1024 * 1024)}), "x.docx")
    assert refused.value.code == "evidence.file_bomb"


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\paul\\Bureau\\Procédure.pdf", "Procédure.pdf"),
        ("..\\..\\win.ini", "win.pdf"),
        (".htaccess", "htaccess.pdf"),
        ("a\x00b\u202ec.exe", "abc.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),  # "/" ends a folder name: what follows is kept
        ("", "preuve.pdf"),
    ],
)
def test_paths_in_names_are_dropped(name: str, kept: str) -> None:
    assert inspect(pdf_bytes(), name).name == kept


@given(st.text(max_size=300), st.sampled_from(sorted(set(rules.ALLOWED.values()))))
def test_a_kept_name_is_always_harmless(name: str, extension: str) -> None:
    kept = safe_file_name(name, extension)
    assert "/" not in kept and "\\" not in kept and not kept.startswith(".")
    assert len(kept) <= rules.NAME_MAX and kept.endswith(f".{extension}")
    assert all(ch.isalnum() or ch in " .()+,-_" for ch in kept)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.org/a",
        "file:///etc/passwd",
        "https://",
        "exemple.fr",
        "https://a b.fr",
        "",
    ],
)
def test_links_other_than_web_addresses_are_refused(url: str) -> None:
    with pytest.raises(EvidenceRefused):
        rules.check_link(url)


def test_status_of_an_answer() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert rules.status([]) == DECLARED
    assert rules.status([None, None]) == ATTACHED
    assert rules.status([None, now]) == VERIFIED


# --- the service, on the database ------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(module_engine):
    return module_engine


@pytest.fixture(scope="module")
def people(engine) -> dict[str, Any]:
    owner = local_context(engine)
    found: dict[str, Any] = {"owner": owner}
    for role in (Role.CONSULTANT, Role.VIEWER):
        found[role.value] = member(owner, role)
    uow = owner.uow.fresh()
    _, issued = workspaces.create_workspace(workspaces.operator_context(uow), f"Cabinet {next(_unique)}")
    stranger = signed_in(uow, f"autre{next(_unique)}")
    workspaces.accept_invitation(stranger, issued.token, "", email_verified=True)
    found["other_workspace"] = stranger
    return found


@pytest.fixture
def case(people) -> dict[str, Any]:
    owner = people["owner"]
    company = companies.save_company(owner, None, f"Atelier {next(_unique)}", Profile(headcount_band="1-10"))
    assessment = assessments.start_assessment(owner, company.id, FLASH, label="2026")
    questionnaire = questionnaire_of(owner.uow, assessment)
    answers.record_answer(owner, questionnaire, assessment.id, Q1, 3)
    found = dict(people) | {"manager": member(owner, Role.COMPANY_MANAGER, (company.id,))}
    return found | {"company": company.id, "assessment": assessment.id, "questionnaire": questionnaire}


def counts(engine: Any) -> tuple[int, int]:
    found = row_counts(engine)
    return found["evidence"], found["evidence_files"]


def test_a_file_and_a_link_back_an_answer_then_a_consultant_verifies(case, engine) -> None:
    owner, a = case["owner"], case["assessment"]
    kept = evidence.attach_file(case["manager"], a, Q1, "../DUERP.pdf", pdf_bytes(), "  Le DUERP   signé ")
    assert (kept.file_name, kept.media_type, kept.description, kept.kind) == (
        "DUERP.pdf",
        "application/pdf",
        "Le DUERP signé",
        "file",
    )
    link = evidence.attach_link(owner, a, Q1, " https://exemple.fr/rapport-rse ", "")
    assert link.url == "https://exemple.fr/rapport-rse"
    assert evidence.evidence_status(case["viewer"], a) == {Q1: ATTACHED}
    assert evidence.evidenced_questions(owner, a) == frozenset({Q1})
    got = evidence.download(case["viewer"], kept.id)
    assert (got.name, got.media_type, got.content) == ("DUERP.pdf", "application/pdf", pdf_bytes())
    verified = evidence.set_verified(case["consultant"], kept.id, True)
    assert verified.verified_at is not None and verified.verified_by == case["consultant"].actor.label
    assert evidence.evidence_status(owner, a) == {Q1: VERIFIED}
    evidence.set_verified(case["consultant"], kept.id, False)
    assert evidence.evidence_status(owner, a) == {Q1: ATTACHED}
    ((workspace, _),) = workspaces.my_workspaces(owner)
    log = [(x.action, x.detail) for x in workspaces.audit_log(owner, workspace.id) if x.target == f"assessment:{a}"]
    assert ("evidence.add", f"{Q1}: DUERP.pdf") in log and ("evidence.verify", f"{Q1}: verified") in log


def test_refusals_keep_nothing(case, engine, zip_bomb) -> None:
    manager, a = case["manager"], case["assessment"]
    before = counts(engine)
    hostile = (
        (open("/bin/ls", "rb").read(), "rapport.pdf"), (zip_bomb, "b.docx"), (b"texte", "a.pdf"),
        (bytes(50 * 1024 * 1024), "cinquante.pdf"), (docx_like({"word/vbaProject.bin": b"x"}), "../../etc/m.docx"),
    )  # fmt: skip
    for content, name in hostile:
        with pytest.raises(EvidenceRefused):
            evidence.attach_file(manager, a, Q1, name, content)
    with pytest.raises(EvidenceRefused) as refused:  # evidence backs an answer: Q2 has none yet
        evidence.attach_file(manager, a, Q2, "a.pdf", pdf_bytes())
    assert refused.value.code == "evidence.not_answered"
    with pytest.raises(EvidenceRefused):
        evidence.attach_link(manager, a, Q1, "javascript:alert(document.cookie)")
    assert counts(engine) == before


def test_at_most_ten_pieces_per_answer(case) -> None:
    for n in range(rules.MAX_PER_ANSWER):
        evidence.attach_link(case["owner"], case["assessment"], Q1, f"https://exemple.fr/{n}")
    with pytest.raises(EvidenceRefused) as refused:
        evidence.attach_link(case["owner"], case["assessment"], Q1, "https://exemple.fr/de-trop")
    assert refused.value.code == "evidence.too_many"


def test_who_may_do_what(case) -> None:
    a = case["assessment"]
    kept = evidence.attach_file(case["owner"], a, Q1, "p.png", png_bytes())
    with pytest.raises(NotAllowed):  # a viewer reads only
        evidence.attach_link(case["viewer"], a, Q1, "https://exemple.fr")
    with pytest.raises(NotAllowed):
        evidence.remove(case["viewer"], kept.id)
    with pytest.raises(NotAllowed):  # the company's own manager does not verify its own evidence
        evidence.set_verified(case["manager"], kept.id, True)
    assert not evidence.may_verify(case["manager"], a) and evidence.may_verify(case["consultant"], a)
    assert evidence.may_verify(case["owner"], a) and not evidence.may_verify(case["viewer"], a)
    stranger = case["other_workspace"]  # another workspace's ids behave as ids that do not exist
    for call in (
        lambda: evidence.download(stranger, kept.id),
        lambda: evidence.remove(stranger, kept.id),
        lambda: evidence.set_verified(stranger, kept.id, True),
        lambda: evidence.list_evidence(stranger, a),
        lambda: evidence.attach_link(stranger, a, Q1, "https://exemple.fr"),
        lambda: evidence.download(case["owner"], 999_999),
    ):
        with pytest.raises(NotFound):
            call()
    assert not evidence.may_verify(stranger, a)


def test_evidence_goes_with_its_answer_and_its_assessment(case, engine) -> None:
    owner, a, questionnaire = case["owner"], case["assessment"], case["questionnaire"]
    answers.record_answer(owner, questionnaire, a, Q2, 2)
    evidence.attach_file(owner, a, Q1, "a.pdf", pdf_bytes())
    evidence.attach_file(owner, a, Q2, "b.pdf", pdf_bytes())
    before = counts(engine)
    answers.record_answer(owner, questionnaire, a, Q1, None)  # the answer cleared: its evidence goes
    assert evidence.evidence_status(owner, a) == {Q2: ATTACHED}
    assert counts(engine) == (before[0] - 1, before[1] - 1)
    assessments.delete_assessment(owner, a)
    assert counts(engine) == (before[0] - 2, before[1] - 2)


@settings(
    max_examples=9, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # at most 10 per answer
@given(
    who=st.sampled_from(["owner", "consultant", "manager", "viewer", "other_workspace"]),
    text=st.text(string.ascii_letters, max_size=8),
)
def test_attaching_follows_the_right_to_edit(case, who: str, text: str) -> None:
    ctx, a = case[who], case["assessment"]
    may_edit = who in {"owner", "consultant", "manager"}
    try:
        evidence.attach_link(ctx, a, Q1, f"https://exemple.fr/{text}")
        assert may_edit
    except NotAllowed:
        assert who == "viewer"
    except NotFound:
        assert who == "other_workspace"

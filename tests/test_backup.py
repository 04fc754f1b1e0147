"""`python -m diagnostic backup` / `restore` (diagnostic/storage/backup.py) on SQLite and PostgreSQL: a
backup taken, the database changed, the backup restored gives back exactly what was saved (every
table's rows); a file that is not a backup of this kind of database, or of an Autodiag database, is
refused with a message and changes nothing; a restore needs --yes.
"""

from __future__ import annotations

import shutil

import pytest

from diagnostic.cli import main
from diagnostic.core.profile import Profile
from diagnostic.i18n import t
from diagnostic.services import assessments, companies, evidence
from diagnostic.storage.database import make_engine
from tests.conftest import PG_URL, empty_pg_database, fresh_engine, local_context, row_counts
from tests.test_evidence import pdf_bytes


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'live.db'}"
    if not PG_URL:
        pytest.skip("PostgreSQL tests skipped: TEST_DATABASE_URL is not set (.ci/run sets it)")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (Debian package postgresql-client)")
    return empty_pg_database("backup")  # a database of its own: a restore replaces everything in it


def contents(url: str) -> tuple[dict[str, int], list[str]]:
    engine = make_engine(url)
    try:
        ctx = local_context(engine)
        return row_counts(engine), sorted(c.name for c in companies.list_companies(ctx))
    finally:
        engine.dispose()


def test_backup_then_restore_gives_back_what_was_saved(url, tmp_path, capsys) -> None:
    engine = fresh_engine(url)
    ctx = local_context(engine)
    company = companies.save_company(ctx, None, "Scierie Sauvegardée", Profile(headcount_band="11-19"))
    assessment = assessments.start_assessment(ctx, company.id, "rse-flash")
    from diagnostic.services import answers
    from diagnostic.services.questionnaires import questionnaire_of

    answers.record_answer(ctx, questionnaire_of(ctx.uow, assessment), assessment.id, "gov.demarche-rse", 3)
    evidence.attach_file(ctx, assessment.id, "gov.demarche-rse", "charte.pdf", pdf_bytes())
    engine.dispose()
    saved = contents(url)

    file = tmp_path / "autodiag.backup"
    assert main(["backup", str(file), "--database-url", url]) == 0
    assert file.stat().st_size > 0 and not list(tmp_path.glob(".backup-*"))  # no temporary file left
    assert "Sauvegarde écrite" in capsys.readouterr().out

    engine = make_engine(url)
    ctx = local_context(engine)
    companies.save_company(ctx, None, "Ajoutée après la sauvegarde", Profile())
    companies.delete_company(ctx, company.id)
    engine.dispose()
    assert contents(url) != saved

    assert main(["restore", str(file), "--database-url", url]) == 2  # without --yes: nothing changes
    assert t("backup.confirm", "fr", path=str(file)) in capsys.readouterr().err
    assert main(["restore", str(file), "--database-url", url, "--yes"]) == 0
    assert contents(url) == saved
    engine = make_engine(url)
    got = evidence.download(local_context(engine), evidence.list_evidence(local_context(engine), assessment.id)["gov.demarche-rse"][0].id)
    engine.dispose()
    assert got.content == pdf_bytes()  # the files come back with the rest


def test_a_file_that_is_not_a_backup_changes_nothing(url, tmp_path, capsys) -> None:
    engine = fresh_engine(url)
    companies.save_company(local_context(engine), None, "Intacte", Profile())
    engine.dispose()
    before = contents(url)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("pas une sauvegarde")
    other = tmp_path / "other.db"  # a SQLite database, but not an Autodiag one
    make_engine(f"sqlite:///{other}").connect().exec_driver_sql("CREATE TABLE t (x)").close()
    cases = [(text_file, "backup.wrong_kind"), (tmp_path / "absent.backup", "backup.no_file")]
    if url.startswith("sqlite"):
        cases.append((other, "backup.not_autodiag"))
    for path, code in cases:
        assert main(["restore", str(path), "--database-url", url, "--yes"]) == 1
        message = capsys.readouterr().err
        assert message.strip() and "Traceback" not in message, code
        assert message.strip() == t(code, "fr", path=str(path), kind="SQLite" if url.startswith("sqlite") else "PostgreSQL").strip()
    assert contents(url) == before


def test_a_backup_into_a_missing_folder_is_refused(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    fresh_engine(url).dispose()
    assert main(["backup", str(tmp_path / "nowhere" / "x.backup"), "--database-url", url]) == 1
    assert capsys.readouterr().err.strip() == t("backup.no_folder", "fr", path=str(tmp_path / "nowhere"))


def test_the_password_never_appears_in_the_tools_command_line() -> None:
    from diagnostic.storage.backup import _pg

    address, env = _pg("postgresql+psycopg://autodiag:s3cret@127.0.0.1:5432/base")
    assert "s3cret" not in address and address.startswith("postgresql://autodiag@127.0.0.1")
    assert env["PGPASSWORD"] == "s3cret"

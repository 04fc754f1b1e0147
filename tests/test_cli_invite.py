"""python -m diagnostic invite ASSESSMENT_ID --group GROUP [...]: a respondent link from the command
line, in-process on the test database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, select

from diagnostic.cli import main
from diagnostic.core.profile import Profile
from diagnostic.services import assessments, companies, participation, respondents
from diagnostic.services.context import Actor, Context
from diagnostic.services.respondents import RespondentRefused
from tests.conftest import local_context

FULL = "rse-performance-globale"
LINK = re.compile(r"^(?P<base>\S+)/\?repondre=(?P<token>[A-Za-z0-9_-]+)$", re.MULTILINE)
GROUPS = "direction, managers, staff, consultant, stakeholders"
_unique = itertools.count(1)


@pytest.fixture(autouse=True)
def no_public_url(monkeypatch):
    monkeypatch.delenv("AUTODIAG_PUBLIC_URL", raising=False)


@pytest.fixture(scope="module")
def database(module_engine):
    """(url, the local owner's context): one database per module and engine."""
    return module_engine.url.render_as_string(hide_password=False), local_context(module_engine)


@pytest.fixture
def owner(database) -> Context:
    return database[1]


@pytest.fixture
def invite(capsys, database):
    """Run `python -m diagnostic invite ...` on the test database: (code, out, err)."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["invite", *args, "--database-url", database[0]])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def new_assessment(owner: Context) -> int:
    company = companies.save_company(owner, None, f"Fromagerie {next(_unique)}", Profile())
    return assessments.start_assessment(owner, company.id, FULL).id


def token_of(out: str) -> tuple[str, str]:
    found = LINK.findall(out)
    assert len(found) == 1, out
    return found[0]


def snapshot(owner: Context) -> dict[str, list[str]]:
    metadata = MetaData()
    metadata.reflect(owner.uow.engine)
    with owner.uow.engine.connect() as connection:
        return {
            t.name: sorted(repr(tuple(row)) for row in connection.execute(select(t))) for t in metadata.sorted_tables
        }


def visitor(owner: Context) -> Context:
    return Context(owner.uow.fresh(), Actor(user_id=None))


def test_a_named_link_for_a_person_of_the_direction(invite, owner) -> None:
    assessment_id = new_assessment(owner)
    code, out, err = invite(str(assessment_id), "--group", "direction", "--name", "  Claire   Dupont ")
    assert code == 0 and err == ""
    first, url, last = out.strip().splitlines()
    assert first.startswith("Lien nominatif pour Claire Dupont (groupe « Direction »), valable jusqu’au ")
    assert first.endswith(" UTC :")
    assert last.startswith("Ce lien n’est affiché qu’une fois")
    base, token = token_of(out)
    assert base == "http://localhost:8501" and len(token) >= 43
    # the command opened the assessment to the groups, and the link is Claire's key
    found = participation.participation(owner, assessment_id)
    assert found is not None and found.launched
    (link,) = found.groups[0].links
    assert (link.name, link.created_by, link.max_uses) == ("Claire Dupont", "ligne de commande", None)
    assert abs(link.expires_at - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=1)
    entered = respondents.enter(visitor(owner), token)
    assert (entered.group.key, entered.key) == ("direction", token)
    assert respondents.enter(visitor(owner), token).respondent_id == entered.respondent_id


def test_a_group_link_for_the_staff(invite, owner) -> None:
    assessment_id = new_assessment(owner)
    opened = participation.open_participation(owner, assessment_id)
    staff = opened.groups[2].group
    participation.update_group(owner, assessment_id, staff.id, label="Ateliers")
    code, out, err = invite(
        str(assessment_id), "--group", " Staff ", "--max-uses", "2", "--expires-days", "3",
        "--base-url", "https://diag.example.org/",
    )  # fmt: skip
    assert code == 0 and err == ""
    assert out.startswith("Lien de groupe anonyme (groupe « Ateliers »), valable jusqu’au ")
    base, token = token_of(out)
    assert base == "https://diag.example.org"
    (link,) = participation.participation(owner, assessment_id).group(staff.id).links  # type: ignore[union-attr]
    assert (link.name, link.max_uses) == ("", 2)
    assert abs(link.expires_at - (datetime.now(UTC) + timedelta(days=3))) < timedelta(minutes=1)
    someone = visitor(owner)
    first, second = respondents.enter(someone, token), respondents.enter(someone, token)
    assert first.group.key == "staff" and token not in (first.key, second.key) and first.key != second.key
    with pytest.raises(RespondentRefused) as caught:
        respondents.enter(someone, token)
    assert caught.value.code == "respond.full"
    # the group by its id, and the address from the environment
    code, out, _ = invite(str(assessment_id), "--group", str(staff.id))
    assert code == 0 and token_of(out)[0] == "http://localhost:8501"


def test_the_public_address_comes_from_the_environment(invite, owner, monkeypatch) -> None:
    monkeypatch.setenv("AUTODIAG_PUBLIC_URL", "https://rse.example.org/")
    code, out, _ = invite(str(new_assessment(owner)), "--group", "staff")
    assert code == 0 and token_of(out)[0] == "https://rse.example.org"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group", "compta"], f"erreur : groupe inconnu : compta (groupes : {GROUPS})\n"),
        (
            ["--group", "staff", "--name", "Jean"],
            "erreur : Ce groupe est anonyme : son lien est partagé par l’équipe et ne porte pas de nom.\n",
        ),
        (
            ["--group", "direction"],
            "erreur : Ce groupe est nominatif : indiquez le nom de la personne (une ligne de 200 caractères au plus).\n",
        ),
        (
            ["--group", "staff", "--expires-days", "400"],
            "erreur : La durée de validité d’un lien va de 1 à 365 jours.\n",
        ),
        (
            ["--group", "staff", "--max-uses", "20000"],
            "erreur : Le nombre d’utilisations d’un lien de groupe va de 1 à 10000.\n",
        ),
        (
            ["--group", "direction", "--name", "Paul", "--max-uses", "3"],
            "erreur : Un lien nominatif sert à une seule personne : pas de nombre d’utilisations.\n",
        ),
    ],
)
def test_refusals_say_why_in_french_and_write_nothing(invite, owner, args, message) -> None:
    assessment_id = new_assessment(owner)
    participation.open_participation(owner, assessment_id)
    before = snapshot(owner)
    code, out, err = invite(str(assessment_id), *args)
    assert (code, out, err) == (2, "", message)
    assert snapshot(owner) == before


def test_a_refused_command_does_not_open_the_assessment(invite, owner) -> None:
    assessment_id = new_assessment(owner)
    before = snapshot(owner)
    code, _, err = invite(str(assessment_id), "--group", "compta")
    assert code == 2 and err.startswith("erreur : groupe inconnu : compta")
    assert participation.participation(owner, assessment_id) is None
    assert snapshot(owner) == before


def test_an_unknown_assessment_is_refused_without_a_traceback(invite, owner) -> None:
    new_assessment(owner)
    before = snapshot(owner)
    for assessment, message in (
        ("999999", "erreur : introuvable : assessment 999999\n"),
        ("abc", "erreur : « abc » n’est pas un numéro\n"),
    ):
        code, out, err = invite(assessment, "--group", "staff")
        assert (code, out, err) == (2, "", message)
    assert snapshot(owner) == before


def test_a_closed_collection_gives_no_link_and_english_is_spoken(invite, owner) -> None:
    assessment_id = new_assessment(owner)
    participation.open_participation(owner, assessment_id)
    code, out, _ = invite(str(assessment_id), "--group", "staff", "--lang", "en")
    assert code == 0 and out.startswith('Anonymous group link (group "Staff"), valid until ')
    participation.set_closed(owner, assessment_id, True)
    code, out, err = invite(str(assessment_id), "--group", "staff")
    assert (code, out, err) == (2, "", "erreur : La collecte est close : rouvrez-la pour créer des liens.\n")
    code, out, err = invite(str(assessment_id), "--group", "staff", "--lang", "en")
    assert (code, out, err) == (2, "", "error: The collection is closed: reopen it to make links.\n")

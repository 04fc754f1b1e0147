"""Operations from the command line: python -m diagnostic admin ... on the database, as the operator."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest
import yaml
from sqlalchemy import select, update

from diagnostic import i18n
from diagnostic.cli import main
from diagnostic.core.profile import Profile
from diagnostic.core.roles import roles_for
from diagnostic.services import companies, workspaces
from diagnostic.services.context import Context
from diagnostic.storage.database import get_engine
from diagnostic.storage.models import Base, Invitation
from diagnostic.storage.uow import sql_unit_of_work
from tests.conftest import PG_URL, fresh_engine

LINK = re.compile(r"^(?P<base>\S+)/\?invite=(?P<token>\S+)$", re.MULTILINE)
ISSUER = "https://idp.example.org"

# The cli.admin.* texts, written apart while the catalogues were being created; once they are in
# diagnostic/locales/*.yaml the fixture below does nothing.
PENDING_CATALOGUES = Path("/tmp")


@pytest.fixture(autouse=True)
def admin_texts(monkeypatch):
    for lang in i18n.LANGS:
        path = PENDING_CATALOGUES / f"cli_catalogue_{lang}.yaml"
        current = i18n.catalogue(lang)
        if "cli.admin.error" in current or not path.exists():
            continue
        extra = yaml.safe_load(path.read_text(encoding="utf-8"))
        monkeypatch.setitem(i18n._CATALOGUES, lang, MappingProxyType({**current, **extra}))


@pytest.fixture(autouse=True)
def no_public_url(monkeypatch):
    monkeypatch.delenv("AUTODIAG_PUBLIC_URL", raising=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        address = f"sqlite:///{tmp_path / 'admin.db'}"
    elif not PG_URL:
        pytest.skip("PostgreSQL tests skipped: TEST_DATABASE_URL is not set (.ci/run sets it)")
    else:
        address = PG_URL
    engine = fresh_engine(address)
    engine.dispose()
    return address


@pytest.fixture
def admin(capsys, url):
    """Run `python -m diagnostic admin COMMAND ...` in-process on the test database: (code, out, err)."""

    def run(command: str, *args: str, lang: str | None = None) -> tuple[int, str, str]:
        capsys.readouterr()
        extra = ["--lang", lang] if lang else []
        code = main(["admin", command, *args, "--database-url", url, *extra])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def token_of(out: str) -> str:
    found = LINK.findall(out)
    assert len(found) == 1, out
    return found[0][1]


def snapshot(url: str) -> dict[str, list[str]]:
    """Every row of every table, to tell that a refused command wrote nothing."""
    with get_engine(url).connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def member(url: str, token: str, subject: str, email: str = "") -> Context:
    """A person who signs in and accepts the invitation: their context."""
    uow = sql_unit_of_work(url)
    ctx = Context(uow, workspaces.signed_in_actor(uow, ISSUER, subject, email, subject.title()))
    workspaces.accept_invitation(ctx, token, email, email_verified=True)
    return ctx


def operator(url: str) -> Context:
    return workspaces.operator_context(sql_unit_of_work(url))


@pytest.fixture
def space(admin, url) -> dict:
    """Workspace "Cabinet Alpha" with its owner Anne (signed in), and a company in it."""
    code, out, err = admin("create-workspace", "Cabinet Alpha", "--owner", "anne@example.org")
    assert code == 0, err
    anne = member(url, token_of(out), "anne", "anne@example.org")
    workspace = workspaces.find_workspace(operator(url), "Cabinet Alpha")
    company = companies.save_company(anne, None, "Boulangerie Martin", Profile(), workspace_id=workspace.id)
    return {"workspace": workspace, "anne": anne, "company": company}


def invitation_rows(url: str) -> list:
    with get_engine(url).connect() as connection:
        return list(connection.execute(select(Invitation).order_by(Invitation.id)))


# --- create-workspace ---------------------------------------------------------------------------


def test_create_workspace_prints_a_one_time_link_and_stores_only_its_hash(admin, url) -> None:
    code, out, err = admin("create-workspace", "Réseau Sud", "--kind", "network", "--owner", "Chef@Example.org")
    assert code == 0 and err == ""
    assert "Espace « Réseau Sud » créé" in out and "type network" in out
    assert "rôle owner" in out and "chef@example.org" in out and "n’est affiché qu’une fois" in out
    base, token = LINK.findall(out)[0]
    assert base == "http://localhost:8501"
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    (row,) = invitation_rows(url)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.role == "owner" and row.email == "chef@example.org"
    assert token not in repr(snapshot(url))  # in no row of any table
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # the file, its WAL
        assert token.encode() not in stored and row.token_hash.encode() in stored
    # the link makes its owner
    owner = member(url, token, "chef", "chef@example.org")
    assert [(w.name, role) for w, role in workspaces.my_workspaces(owner)] == [("Réseau Sud", "owner")]


def test_the_base_of_the_link(admin, monkeypatch) -> None:
    monkeypatch.setenv("AUTODIAG_PUBLIC_URL", "https://diag.example.org/")
    _, out, _ = admin("create-workspace", "A", "--owner", "a@example.org")
    assert LINK.findall(out)[0][0] == "https://diag.example.org"
    _, out, _ = admin("invite", "A", "--role", "viewer", "--base-url", "https://autre.example.org")
    assert LINK.findall(out)[0][0] == "https://autre.example.org"


def test_create_workspace_with_another_expiry(admin, url) -> None:
    code, out, _ = admin("create-workspace", "A", "--owner", "a@example.org", "--expires-days", "30")
    assert code == 0
    token = token_of(out)
    pending = [r for r in invitation_rows(url) if r.revoked_at is None]
    assert [r.token_hash for r in pending] == [workspaces.token_hash(token)]
    expires = pending[0].expires_at.replace(tzinfo=pending[0].expires_at.tzinfo or UTC)
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)


# --- invite -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in roles_for("consultancy")])
def test_invite_each_role(admin, url, space, role) -> None:
    workspace, company = space["workspace"], space["company"]
    extra = ["--company", str(company.id)] if role == "company_manager" else []
    code, out, err = admin("invite", "Cabinet Alpha", "--role", role, *extra, "--email", "bob@example.org")
    assert code == 0, err
    assert f"rôle {role}" in out and "bob@example.org" in out
    if role == "company_manager":
        assert f"{company.id} (Boulangerie Martin)" in out
    bob = member(url, token_of(out), "bob", "bob@example.org")
    assert [(w.id, r) for w, r in workspaces.my_workspaces(bob)] == [(workspace.id, role)]
    assert invitation_rows(url)[-1].company_ids == ([company.id] if role == "company_manager" else [])


def test_a_role_is_invited_only_into_a_workspace_of_its_kind(admin, url, space) -> None:
    code, out, err = admin("invite", "Cabinet Alpha", "--role", "reviewer")
    assert (code, out) == (2, "")
    assert err == "erreur : le rôle reviewer n’existe pas dans un espace de type consultancy (rôles possibles : owner, admin, consultant, company_manager, viewer)\n"
    code, out, err = admin("create-workspace", "Réseau Loire", "--kind", "network", "--owner", "lea@example.org")
    assert code == 0, err
    for role in ("reviewer", "committee"):
        code, out, err = admin("invite", "Réseau Loire", "--role", role)
        assert code == 0 and f"rôle {role}" in out, err
    code, _, err = admin("invite", "Réseau Loire", "--role", "consultant")
    assert code == 2 and "le rôle consultant n’existe pas dans un espace de type network" in err


def test_invite_by_workspace_id_with_an_expiry(admin, url, space) -> None:
    code, out, _ = admin("invite", str(space["workspace"].id), "--role", "consultant", "--expires-days", "90")
    assert code == 0 and "Utilisable par toute personne connectée" in out
    row = invitation_rows(url)[-1]
    expires = row.expires_at.replace(tzinfo=row.expires_at.tzinfo or UTC)
    assert expires - datetime.now(UTC) > timedelta(days=89)


def test_a_company_manager_needs_a_company_of_that_workspace(admin, url, space) -> None:
    other = companies.save_company(operator(url), None, "Ailleurs", Profile(), workspace_id=make_other_workspace(admin, url))
    before = snapshot(url)
    code, out, err = admin("invite", "Cabinet Alpha", "--role", "company_manager")
    assert (code, out) == (2, "") and "ajoutez --company ID" in err and err.count("\n") == 1
    code, _, elsewhere = admin("invite", "Cabinet Alpha", "--role", "company_manager", "--company", str(other.id))
    assert code == 2
    code, _, missing = admin("invite", "Cabinet Alpha", "--role", "company_manager", "--company", "999")
    assert code == 2
    assert elsewhere.replace(str(other.id), "N") == missing.replace("999", "N")
    assert missing == "erreur : aucune entreprise n° 999 dans l’espace « Cabinet Alpha »\n"
    assert snapshot(url) == before


def make_other_workspace(admin, url) -> int:
    code, _, _ = admin("create-workspace", "Cabinet Beta", "--owner", "beta@example.org")
    assert code == 0
    return workspaces.find_workspace(operator(url), "Cabinet Beta").id


# --- list, revoke, remove-member ----------------------------------------------------------------


def test_list_every_workspace(admin, url, space) -> None:
    make_other_workspace(admin, url)
    code, out, _ = admin("list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["n°", "nom", "type", "membres", "entreprises"]
    alpha = next(line for line in lines if "Cabinet Alpha" in line).split()
    beta = next(line for line in lines if "Cabinet Beta" in line).split()
    assert alpha[-3:] == ["consultancy", "1", "1"] and beta[-3:] == ["consultancy", "0", "0"]
    code, out, _ = admin("list", "Cabinet Beta")
    assert code == 0 and "Membres :\n  aucun membre\n" in out and " owner " in out and "en attente" in out


def test_list_shows_members_and_the_state_of_invitations(admin, url, space) -> None:
    tokens = {}
    for label in ("used", "revoked", "expired", "pending"):
        _, out, _ = admin("invite", "Cabinet Alpha", "--role", "viewer", "--email", f"{label}@example.org")
        tokens[label] = token_of(out)
    member(url, tokens["used"], "usagere", "used@example.org")
    ids = {r.email: r.id for r in invitation_rows(url)}
    assert admin("revoke", "Cabinet Alpha", str(ids["revoked@example.org"]))[0] == 0
    with get_engine(url).begin() as connection:
        past = datetime.now(UTC) - timedelta(hours=1)
        connection.execute(update(Invitation).where(Invitation.id == ids["expired@example.org"]).values(expires_at=past))
    code, out, _ = admin("list", "Cabinet Alpha")
    assert code == 0
    assert out.startswith(f"Espace « Cabinet Alpha » (n° {space['workspace'].id}, type consultancy)")
    assert re.search(r"^\s+\d+\s+Anne\s+owner\s+toutes$", out, re.MULTILINE)
    assert re.search(r"^\s+\d+\s+Usagere\s+viewer\s+toutes$", out, re.MULTILINE)
    states = {"used": "utilisée", "revoked": "révoquée", "expired": "expirée", "pending": "en attente"}
    for label, state in states.items():
        line = next(line for line in out.splitlines() if f"{label}@example.org" in line)
        assert f" {state} " in line and "UTC" in line, line
    assert "anne@example.org" in out  # the owner's invitation, used
    for row in invitation_rows(url):
        assert row.token_hash not in out
    assert not any(token in out for token in tokens.values())


def test_revoke_a_pending_invitation(admin, url, space) -> None:
    _, out, _ = admin("invite", "Cabinet Alpha", "--role", "admin")
    token = token_of(out)
    invitation = invitation_rows(url)[-1].id
    code, out, err = admin("revoke", "Cabinet Alpha", str(invitation))
    assert (code, err) == (0, "") and f"Invitation n° {invitation} révoquée" in out
    assert workspaces.invitations(operator(url), space["workspace"].id)[-1].state(datetime.now(UTC)) == "revoked"
    uow = sql_unit_of_work(url)
    late = Context(uow, workspaces.signed_in_actor(uow, ISSUER, "tardif"))
    with pytest.raises(workspaces.InvitationRefused) as refused:
        workspaces.accept_invitation(late, token)
    assert refused.value.code == "invite.revoked"
    before = snapshot(url)
    code, out, err = admin("revoke", "Cabinet Alpha", str(invitation))  # not twice
    assert (code, out) == (2, "") and err == f"erreur : l’invitation n° {invitation} n’est plus en attente (révoquée) : il n’y a rien à révoquer\n"
    used = invitation_rows(url)[0].id  # the owner's, used: it stays "used"
    assert admin("revoke", "Cabinet Alpha", str(used))[0] == 2
    assert snapshot(url) == before


def test_remove_member_but_not_the_last_owner(admin, url, space) -> None:
    workspace = space["workspace"]
    _, out, _ = admin("invite", "Cabinet Alpha", "--role", "consultant")
    bruno = member(url, token_of(out), "bruno")
    assert bruno.actor.user_id is not None
    code, out, err = admin("remove-member", "Cabinet Alpha", str(bruno.actor.user_id))
    assert (code, err) == (0, "") and "(Bruno) retiré de l’espace « Cabinet Alpha »" in out
    assert workspaces.my_workspaces(bruno) == []
    anne = space["anne"].actor.user_id
    before = snapshot(url)
    code, out, err = admin("remove-member", "Cabinet Alpha", str(anne))
    assert (code, out) == (2, "")
    assert err == f"erreur : l’utilisateur n° {anne} est le dernier propriétaire de l’espace « Cabinet Alpha » : invitez d’abord un autre propriétaire\n"
    assert snapshot(url) == before
    # with a second owner, the first may go
    _, out, _ = admin("invite", str(workspace.id), "--role", "owner")
    member(url, token_of(out), "claire")
    assert admin("remove-member", "Cabinet Alpha", str(anne))[0] == 0


# --- audit --------------------------------------------------------------------------------------


def test_audit_export_csv_and_json_without_formulas(admin, url, space, tmp_path) -> None:
    hostile = '=HYPERLINK("http://evil.example","clic")'
    companies.save_company(space["anne"], None, hostile, Profile(), workspace_id=space["workspace"].id)
    companies.save_company(space["anne"], None, "+33 1 23", Profile(), workspace_id=space["workspace"].id)
    code, out, err = admin("audit", "Cabinet Alpha")
    assert (code, err) == (0, "")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "at", "actor", "action", "target", "detail"]
    actions = [r[3] for r in rows[1:]]
    assert actions[:3] == ["workspace.create", "invitation.create", "invitation.accept"]  # oldest first
    assert actions.count("company.create") == 3
    details = [r[5] for r in rows[1:]]
    assert "'" + hostile in details and "'+33 1 23" in details and hostile not in details
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)

    target = tmp_path / "audit.csv"
    code, out, _ = admin("audit", "Cabinet Alpha", "--output", str(target))
    assert code == 0 and f"écrit dans {target}" in out and f"événements : {len(rows) - 1}" in out
    assert list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")))) == rows

    target = tmp_path / "audit.json"
    assert admin("audit", "Cabinet Alpha", "--format", "json", "-o", str(target))[0] == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["workspace"]["name"] == "Cabinet Alpha"
    events = document["events"]
    assert [e["action"] for e in events] == actions and hostile in [e["detail"] for e in events]
    assert set(events[0]) == {"id", "at", "actor", "action", "target", "detail"}
    assert events[0]["actor"] == "ligne de commande" and events[2]["actor"] == "Anne"


# --- refusals: one translated line on stderr, exit code 2, nothing written ----------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["invite", "Nulle part", "--role", "viewer"], "aucun espace « Nulle part » : donnez son numéro ou son nom exact"),
        (["invite", "999", "--role", "viewer"], "aucun espace « 999 »"),
        (["invite", "Cabinet Alpha", "--role", "boss"], "rôle inconnu « boss » : owner, admin, consultant, company_manager, viewer"),
        (["invite", "Cabinet Alpha", "--role", "viewer", "--company", "{company}"], "seul un gestionnaire d’entreprise"),
        (["invite", "Cabinet Alpha", "--role", "company_manager", "--company", "x1"], "« x1 » n’est pas un numéro"),
        (["invite", "Cabinet Alpha", "--role", "viewer", "--expires-days", "0"], "durée de validité : un nombre de jours de 1 à 90, pas « 0 »"),
        (["invite", "Cabinet Alpha", "--role", "viewer", "--expires-days", "91"], "de 1 à 90, pas « 91 »"),
        (["invite", "Cabinet Alpha", "--role", "viewer", "--expires-days", "sept"], "pas « sept »"),
        (["invite", "Cabinet Alpha", "--role", "viewer", "--email", "pas-une-adresse"], "adresse e-mail invalide"),
        (["create-workspace", "Cabinet Alpha", "--owner", "z@example.org"], "un espace s’appelle déjà « Cabinet Alpha »"),
        (["create-workspace", "  ", "--owner", "z@example.org"], "nom d’espace vide"),
        (["create-workspace", "2024", "--owner", "z@example.org"], "se lirait comme un numéro d’espace"),
        (["create-workspace", "A\u202eB", "--owner", "z@example.org"], "caractère invisible ou de contrôle"),
        (["create-workspace", "X" * 201, "--owner", "z@example.org"], "nom d’espace trop long : 200 caractères au plus"),
        (["create-workspace", "Neuf", "--kind", "club", "--owner", "z@example.org"], "type d’espace inconnu « club »"),
        (["create-workspace", "Neuf", "--owner", "z@"], "adresse e-mail invalide : « z@ »"),
        (["create-workspace", "Neuf", "--owner", "z@example.org", "--expires-days", "-1"], "pas « -1 »"),
        (["revoke", "Cabinet Alpha", "999"], "aucune invitation n° 999 dans l’espace « Cabinet Alpha »"),
        (["revoke", "Cabinet Beta", "{invitation}"], "aucune invitation n° {invitation} dans l’espace « Cabinet Beta »"),
        (["revoke", "Cabinet Alpha", "un"], "« un » n’est pas un numéro"),
        (["revoke", "Cabinet Alpha", "9" * 5000], "n’est pas un numéro"),
        (["revoke", "Cabinet Alpha", "0"], "« 0 » n’est pas un numéro"),
        (["remove-member", "Cabinet Alpha", "999"], "aucun membre n° 999 dans l’espace « Cabinet Alpha »"),
        (["remove-member", "Nulle part", "1"], "aucun espace « Nulle part »"),
        (["list", "Nulle part"], "aucun espace « Nulle part »"),
        (["audit", "Nulle part"], "aucun espace « Nulle part »"),
        (["audit", "Cabinet Alpha", "-o", "{tmp}/nope/audit.csv"], "impossible d’écrire"),
    ],
)
def test_refusals_are_one_line_exit_2_and_write_nothing(admin, url, space, tmp_path, args, message) -> None:
    make_other_workspace(admin, url)
    values = {"company": space["company"].id, "invitation": invitation_rows(url)[0].id, "tmp": tmp_path}
    args = [a.format(**values) for a in args]
    before = snapshot(url)
    code, out, err = admin(*args)
    assert (code, out) == (2, "")
    assert err.startswith("erreur : ") and message.format(**values) in err and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert snapshot(url) == before
    assert not (tmp_path / "nope").exists()


def test_an_ambiguous_name_asks_for_the_number(admin, url, space) -> None:
    beta = make_other_workspace(admin, url)
    with get_engine(url).begin() as connection:  # a duplicate left by an older version or another tool
        connection.exec_driver_sql(f"UPDATE workspaces SET name = 'Cabinet Alpha' WHERE id = {beta}")
    code, _, err = admin("invite", "cabinet alpha", "--role", "viewer")
    assert code == 2 and err == f"erreur : plusieurs espaces s’appellent « cabinet alpha » : donnez son numéro ({space['workspace'].id}, {beta})\n"


def test_an_unreachable_database_is_one_line(capsys) -> None:
    code = main(["admin", "list", "--database-url", "postgresql+psycopg://u:secret@127.0.0.1:1/nothing"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("erreur : base de données inaccessible : ") and err.count("\n") == 1
    assert "secret" not in err
    code = main(["admin", "list", "--database-url", "nonsense", "--lang", "en"])
    assert code == 2 and capsys.readouterr().err == "error: database unreachable: Could not parse SQLAlchemy URL from given URL string\n"


# --- English ------------------------------------------------------------------------------------


def test_english(admin, url, space) -> None:
    code, out, _ = admin("invite", "Cabinet Alpha", "--role", "viewer", "--email", "eve@example.org", lang="en")
    assert code == 0
    assert "role viewer in workspace “Cabinet Alpha”, valid until" in out and "This link is shown once" in out
    assert "Only for the person who signs in with the address eve@example.org." in out
    _, out, _ = admin("list", "Cabinet Alpha", lang="en")
    assert out.startswith("Workspace “Cabinet Alpha”") and "Members:" in out and "pending" in out and "used" in out
    _, out, _ = admin("list", lang="en")
    assert out.splitlines()[0].split() == ["id", "name", "kind", "members", "companies"]
    code, out, err = admin("invite", "Nowhere", "--role", "viewer", lang="en")
    assert (code, out) == (2, "") and err.startswith("error: no workspace “Nowhere”: give its number")
    code, _, err = admin("invite", "Cabinet Alpha", "--role", "boss", lang="en")
    assert err == "error: unknown role “boss”: owner, admin, consultant, company_manager, viewer, reviewer, committee\n"

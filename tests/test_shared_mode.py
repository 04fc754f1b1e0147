"""Shared mode end to end, in Chromium, through a real OpenID Connect flow (oidc-provider-mock).

One provider and one app server (serve.py, AUTODIAG_MODE=shared) on a fresh SQLite database serve the
whole module; each person has a browser context of their own. The operator creates two workspaces with
the services; Alice and Bob become their owners by opening their invitation links, Carol has none.
Then every way into another workspace is tried and must be refused exactly as a missing id is: URL ids,
the sidebar, downloads, an import, a member removed meanwhile, an invitation link used twice.

The tests run in the order written and build on one another (the `World` below keeps what they made);
a test whose groundwork failed is skipped, saying which.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from diagnostic.core.roles import NotAllowed, NotFound
from diagnostic.exports.assessment_json import to_json
from diagnostic.services import (
    answers,
    assessments,
    companies,
    participation,
    questionnaires,
    reports,
    respondents,
    transfer,
    workspaces,
)
from diagnostic.services.context import Actor, Context
from diagnostic.storage.uow import sql_unit_of_work
from tests.e2e import ROOT, SHOTS_WANTED, browser, click_and_wait, free_port, new_page, wait_drawn, wait_idle
from tests.oidc import (
    Provider,
    finish_sign_out,
    keep_offline,
    oidc_provider,
    redirect_uri,
    shared_server,
    start_sign_in,
)
from tests.oidc import sign_in as authorize

pytestmark = [
    pytest.mark.browser,
    # oidc-provider-mock runs in this process and imports Authlib APIs that Authlib 1.9 deprecates
    pytest.mark.filterwarnings("ignore::authlib.deprecate.AuthlibDeprecationWarning"),
    pytest.mark.filterwarnings("ignore:get_jwt_config.* is deprecated:DeprecationWarning"),
]

if not shutil.which("chromium"):
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)

SHOTS = Path("/tmp/shots")
PEOPLE = {
    "alice": ("alice@example.org", "Alice Martin"),
    "bob": ("bob@example.org", "Bob Durand"),
    "carol": ("carol@example.org", "Carol Petit"),
}
ALPHA, BETA = "Cabinet Alpha", "Atelier Beta"  # the workspaces
ALICE_CO, BOB_CO = "Menuiserie Aubépine", "Brasserie Bergamote"  # their companies, made through the UI
NOWHERE = 999_999  # an id that exists in no workspace
MAIN = "[data-testid=stMain]"
SIDEBAR = "[data-testid=stSidebar]"
DOWNLOAD = "[data-testid=stDownloadButton]"
OPTION = "label:has(input[type=radio])"  # one choice of a radio group
NOT_ALLOWED = "Votre rôle dans cet espace ne permet pas"


@dataclass
class World:
    """What the module shares: the servers, the browser, each person's page, and what the tests made."""

    url: str  # the app
    database: str
    provider: Provider
    folder: Path
    browser_page: Any  # a page of the browser, to open the others from
    pages: dict[str, Any] = field(default_factory=dict)
    made: dict[str, Any] = field(default_factory=dict)  # ids, tokens, files made by earlier tests

    def need(self, *keys: str) -> Any:
        missing = [key for key in keys if key not in self.made]
        if missing:
            pytest.skip(f"an earlier test of this module did not make {', '.join(missing)}")
        return self.made[keys[0]] if len(keys) == 1 else [self.made[key] for key in keys]

    def context_of(self, subject: str) -> Context:
        """`subject`'s rights, read through the services as the app reads them (same database)."""
        email, name = PEOPLE[subject]
        uow = sql_unit_of_work(self.database)
        return Context(uow, workspaces.signed_in_actor(uow, self.provider.issuer, subject, email, name), "fr")

    def page(self, subject: str, width: int = 1280) -> Any:
        """`subject`'s page, in a browser context of their own (opened on first use)."""
        if subject not in self.pages:
            page = new_page(self.browser_page, width=width, height=1100)
            keep_offline(page.context)
            self.pages[subject] = page
        return self.pages[subject]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("shared")
    database = f"sqlite:///{folder / 'shared.db'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with oidc_provider(redirect_uris=[redirect_uri(port)]) as provider:
        server = shared_server(
            ROOT / "serve.py", database, provider, folder, port=port, log=folder / "server.log",
            env={"AUTODIAG_PUBLIC_URL": url},  # the invitation links the workspace page shows
        )  # fmt: skip
        # the operator's part, before anyone signs in: two workspaces and their owners' links
        operator = workspaces.operator_context(sql_unit_of_work(database))
        alpha, alpha_link = workspaces.create_workspace(operator, ALPHA, owner_email=PEOPLE["alice"][0])
        beta, beta_link = workspaces.create_workspace(operator, BETA, "company", owner_email=PEOPLE["bob"][0])
        server.start()
        try:
            with browser() as first:
                here = World(url, database, provider, folder, first)
                here.made.update(alpha=alpha.id, beta=beta.id, alpha_token=alpha_link.token, beta_token=beta_link.token)
                yield here
        finally:
            server.stop()


# --- reading and acting on a page --------------------------------------------------------------


def goto(page, url: str, drawn: bool = True) -> None:
    page.goto(url)
    wait_idle(page, settle=0.3)
    if drawn:
        wait_drawn(page, quiet=0.4)


def text(page, where: str = "body") -> str:
    return page.locator(where).first.inner_text(timeout=10_000)


def settled_text(page, where: str = MAIN, quiet: float = 0.6, timeout: float = 15.0) -> str:
    """The text of `where` once it has not changed for `quiet` seconds (elements drawn after a run's end)."""
    deadline = time.monotonic() + timeout
    last, since = text(page, where), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = text(page, where)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    raise TimeoutError(f"the text of {where} still changing {timeout:.0f} s after loading {page.url}")


def shot(page, name: str) -> None:
    if not SHOTS_WANTED:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"shared-{name}.png"), full_page=True)


def place(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def sign_in_from_here(page, subject: str) -> None:
    """The page shows the app's sign-in page: sign in at the provider as `subject`, come back."""
    email, name = PEOPLE[subject]
    start_sign_in(page, "Se connecter")
    authorize(page, subject, email, name)
    wait_drawn(page, quiet=0.5)


def sidebar_select(page, label: str):
    return page.locator(f"{SIDEBAR} [data-testid=stSelectbox]").filter(
        has=page.locator("[data-testid=stWidgetLabel]", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )


def options_of(page, select) -> list[str]:
    """The choices a selectbox offers (its list opened, read, closed). The sidebar's selectors sit below
    a long navigation: brought into view first, so that their list opens on screen."""
    select.scroll_into_view_if_needed(timeout=10_000)
    select.get_by_role("combobox").click()
    listed = page.get_by_role("option")
    listed.first.wait_for(timeout=10_000)
    found = [" ".join(item.split()) for item in listed.all_inner_texts()]
    page.keyboard.press("Escape")
    listed.first.wait_for(state="detached", timeout=10_000)
    return found


def choose(page, select, option: str, in_form: bool = False) -> None:
    """Pick `option` in a selectbox; outside a form, wait for the run the choice starts."""
    select.get_by_role("combobox").click()
    picked = page.get_by_role("option", name=option, exact=True)
    if in_form:
        picked.click()
        picked.wait_for(state="detached", timeout=10_000)
        return
    click_and_wait(page, picked)
    wait_drawn(page, quiet=0.5)


def company_choices(page) -> list[str]:
    select = sidebar_select(page, "Entreprise")
    return options_of(page, select) if select.count() else []


def as_missing(world: World, subject: str, path: str, company_id: int, assessment_id: int) -> str:
    """Open /path with these ids as `subject`: it must show what ids that exist nowhere show (main text,
    place left in the URL, no download). The view of the missing ids is read once per person and page."""

    def seen(c: int, a: int) -> tuple[str, dict[str, list[str]], int]:
        goto(page, f"{world.url}/{path}?c={c}&a={a}", drawn=False)
        return settled_text(page), place(page.url), page.locator(DOWNLOAD).count()

    page = world.page(subject)
    mine, mine_place, mine_downloads = seen(company_id, assessment_id)
    missing, missing_place, _ = world.made.setdefault("missing", {}).get((subject, path)) or seen(NOWHERE, NOWHERE)
    for _ in range(2):  # a view read while its last element was still drawing: read both again (bounded)
        if mine == missing:
            break
        mine, mine_place, mine_downloads = seen(company_id, assessment_id)
        missing, missing_place, _ = seen(NOWHERE, NOWHERE)
    world.made["missing"][(subject, path)] = (missing, missing_place, 0)
    assert mine == missing, f"/{path} with another workspace's ids differs from missing ids:\n{mine}\n---\n{missing}"
    assert mine_place == missing_place, (mine_place, missing_place)
    assert mine_downloads == 0, f"/{path}: a download button for another workspace's assessment"
    return mine


# --- the journey ------------------------------------------------------------------------------


def test_owners_sign_in_through_their_invitation_links(world: World) -> None:
    for subject, workspace, token in (("alice", ALPHA, "alpha_token"), ("bob", BETA, "beta_token")):
        page = world.page(subject)
        goto(page, f"{world.url}/?invite={world.made[token]}")
        page.get_by_text("Vous avez reçu une invitation").wait_for()
        assert page.get_by_role("button", name="Se connecter").count() == 1
        assert page.locator(f"{SIDEBAR} [data-testid=stSidebarNav]").count() == 0, "nothing but the sign-in"
        if subject == "alice":
            shot(page, "sign-in")
        sign_in_from_here(page, subject)
        # the sign-in round trip drops the query: the link came back through serve.py's cookie
        page.get_by_text(f"Invitation acceptée : vous avez maintenant accès à l’espace « {workspace} »").wait_for()
        page.get_by_text(f"Connecté : {PEOPLE[subject][1]}").wait_for()
        page.get_by_role("link", name="Espace et accès").wait_for()
        mine = workspaces.my_workspaces(world.context_of(subject))
        assert [(w.name, role) for w, role in mine] == [(workspace, "owner")]
    world.made["owners"] = True


def create_company(world: World, subject: str, name: str) -> int:
    page = world.page(subject)
    goto(page, f"{world.url}/entreprise")
    page.get_by_role("textbox", name="Nom de l’entreprise").fill(name)
    page.get_by_role("textbox", name="Code NAF (secteur)").fill("16.10A")
    click_and_wait(page, page.get_by_role("button", name="Créer l’entreprise"))
    page.get_by_text(f"Entreprise « {name} » créée.").wait_for()
    found = [c for c in companies.list_companies(world.context_of(subject)) if c.name == name]
    assert len(found) == 1
    return found[0].id


def test_each_owner_creates_a_company_and_alice_answers(world: World) -> None:
    world.need("owners")
    world.made["bob_company"] = create_company(world, "bob", BOB_CO)
    world.made["alice_company"] = company = create_company(world, "alice", ALICE_CO)
    alice, ctx = world.page("alice"), world.context_of("alice")
    assert {c.workspace_id for c in companies.list_companies(ctx)} == {world.made["alpha"]}

    click_and_wait(alice, alice.get_by_role("button", name=re.compile("^Diagnostic flash")))
    alice.get_by_role("heading", name="Diagnostic").wait_for()
    [assessment] = assessments.list_assessments(ctx, company)
    world.made["alice_assessment"] = assessment.id
    first = alice.locator(".st-key-questions [data-testid=stRadio]").first
    first.wait_for()
    click_and_wait(alice, first.locator(OPTION).nth(1))
    saved = answers.load_answers(ctx, assessment.id)
    assert len(saved) == 1, saved
    [(question_id, record)] = saved.items()
    world.made["alice_answer"] = (question_id, record.value)
    goto(alice, alice.url)  # a new session: the answer comes back from the database
    alice.locator(".st-key-questions [data-testid=stRadio]").first.locator("input:checked").wait_for(timeout=15_000)

    # her assessment, exported as the JSON download makes it (for the import attempt further down)
    export = world.folder / "alice-export.json"
    export.write_bytes(to_json(reports.export_document(ctx, assessment.id)))
    world.made["alice_export"] = export


def test_a_person_without_invitation_sees_nothing(world: World) -> None:
    company, assessment = world.need("alice_company", "alice_assessment")
    page = world.page("carol")
    goto(page, world.url)
    sign_in_from_here(page, "carol")
    page.get_by_text("Votre compte n’a encore accès à aucun espace de travail").wait_for()
    shot(page, "no-access")
    secret = [ALICE_CO, BOB_CO, ALPHA, BETA]
    for path in ("", f"resultats?c={company}&a={assessment}", f"entreprise?c={company}", f"espace?c={company}"):
        goto(page, f"{world.url}/{path}")
        page.get_by_text("Votre compte n’a encore accès à aucun espace de travail").wait_for()
        shown, html = text(page), page.content()
        assert not [name for name in secret if name in shown or name in html], f"/{path}: {shown}"
        assert page.locator(DOWNLOAD).count() == 0
        assert page.locator(f"{SIDEBAR} [data-testid=stSidebarNav]").count() == 0
    ctx = world.context_of("carol")
    assert companies.list_companies(ctx) == [] and companies.get_company(ctx, company) is None
    assert assessments.evaluate(ctx, assessment) is None
    world.made["carol"] = True


def test_bob_cannot_reach_alices_workspace(world: World) -> None:
    company, assessment = world.need("alice_company", "alice_assessment")
    bob = world.page("bob")
    for path in ("resultats", "diagnostic", "plan"):
        shown = as_missing(world, "bob", path, company, assessment)
        assert ALICE_CO not in text(bob), f"/{path}: {shown}"
    goto(bob, f"{world.url}/entreprise?c={company}&a={assessment}")
    assert ALICE_CO not in text(bob)
    sidebar_select(bob, "Entreprise").first.wait_for(timeout=30_000)  # the sidebar is drawn after the page
    assert company_choices(bob) == [BOB_CO]
    assert sidebar_select(bob, "Espace de travail").count() == 0  # one workspace: no selector
    ctx = world.context_of("bob")
    assert companies.get_company(ctx, company) is None and assessments.evaluate(ctx, assessment) is None
    assert reports.export_document(ctx, assessment) is None


def test_a_respondent_link_opens_its_questionnaire_and_nothing_else(world: World) -> None:
    """A respondent has no account: their link opens their group's questions without signing in, and
    nothing else — another company's id says "not found", a page of the app asks to sign in."""
    company, assessment, bob_company = world.need("alice_company", "alice_assessment", "bob_company")
    operator = workspaces.operator_context(sql_unit_of_work(world.database))
    opened = participation.open_participation(operator, assessment, k=3, comment_k=3)
    staff = next(g.group for g in opened.groups if g.group.key == "staff")
    link = participation.create_link(operator, assessment, staff.id)
    page = world.page("respondent", width=390)
    goto(page, f"{world.url}/?repondre={link.token}")
    page.get_by_text("Vos réponses sont anonymes").wait_for(timeout=15_000)
    assert ALICE_CO in text(page)
    assert page.locator(f"{SIDEBAR} [data-testid=stSidebarNav]").count() == 0
    key = place(page.url)["repondre"][0]
    assert key != link.token  # a key of their own: a reload comes back to their answers
    click_and_wait(page, page.locator("[data-testid=stRadio]").first.locator(OPTION).nth(2))
    assert list(respondents.view(Context(sql_unit_of_work(world.database), Actor(user_id=None)), key).answers.values()) == [2]
    shot(page, "respondent-390")

    goto(page, f"{world.url}/?repondre={key}&c={bob_company}")
    page.get_by_text("Introuvable").wait_for(timeout=15_000)
    assert BOB_CO not in text(page) and BOB_CO not in page.content()
    goto(page, f"{world.url}/resultats?c={company}&a={assessment}")  # the app itself, without the key
    page.get_by_role("button", name="Se connecter").wait_for(timeout=15_000)
    assert ALICE_CO not in text(page) and ALICE_CO not in page.content()


def test_alice_invites_bob_as_viewer(world: World) -> None:
    company, assessment, (question_id, value) = world.need("alice_company", "alice_assessment", "alice_answer")
    alice, bob = world.page("alice"), world.page("bob")
    goto(alice, f"{world.url}/espace")
    form = alice.locator("[data-testid=stForm]")
    choose(alice, form.locator("[data-testid=stSelectbox]").first, "lecteur", in_form=True)
    click_and_wait(alice, alice.get_by_role("button", name="Créer le lien d’invitation"))
    alice.get_by_text("Lien créé. Copiez-le maintenant").wait_for()
    link = text(alice, f"{MAIN} [data-testid=stCode]").strip()
    assert link.startswith(f"{world.url}/?invite="), link
    shot(alice, "workspace-invitation")
    goto(alice, f"{world.url}/espace")  # shown once: gone from the next page
    assert alice.locator(f"{MAIN} [data-testid=stCode]").count() == 0

    goto(bob, link)
    bob.get_by_text(f"Invitation acceptée : vous avez maintenant accès à l’espace « {ALPHA} »").wait_for()
    world.made["viewer_link"] = link
    roles = {w.name: role for w, role in workspaces.my_workspaces(world.context_of("bob"))}
    assert roles == {ALPHA: "viewer", BETA: "owner"}
    spaces = sidebar_select(bob, "Espace de travail")
    assert sorted(options_of(bob, spaces)) == sorted([ALPHA, BETA])
    # each workspace shows its own companies (the selector starts on either: pick the other one first)
    on_alpha = spaces.get_by_role("combobox").input_value() == ALPHA
    for workspace in [BETA, ALPHA] if on_alpha else [ALPHA]:
        choose(bob, spaces, workspace)
        assert company_choices(bob) == ([ALICE_CO] if workspace == ALPHA else [BOB_CO])
    goto(bob, f"{world.url}/resultats?c={company}&a={assessment}")
    bob.get_by_text(ALICE_CO).first.wait_for()
    assert bob.get_by_text("Introuvable").count() == 0

    # writing is refused, and nothing is written: the diagnostic is shown read-only
    goto(bob, f"{world.url}/diagnostic?c={company}&a={assessment}")
    bob.get_by_text("Lecture seule : votre rôle dans cet espace permet de consulter ce diagnostic").wait_for()
    radios = bob.locator(".st-key-questions [data-testid=stRadio] input[type=radio]")
    radios.first.wait_for(state="attached")
    assert radios.count() > 1 and all(radios.nth(i).is_disabled() for i in range(radios.count()))
    assert bob.get_by_role("button", name="Marquer le diagnostic comme terminé").is_disabled()
    alice_ctx, bob_ctx = world.context_of("alice"), world.context_of("bob")
    questionnaire = questionnaires.questionnaire_of(alice_ctx.uow, assessments.get_assessment(alice_ctx, assessment))
    with pytest.raises(NotAllowed):
        answers.record_answer(bob_ctx, questionnaire, assessment, question_id, 0)
    # an import into Alice's company: the Entreprise page offers one (the import section shows because Bob
    # may create companies in Beta, and Alice's company has the file's name): refused, with the reason
    goto(bob, f"{world.url}/entreprise?c={company}&a={assessment}")
    assert bob.locator(MAIN).get_by_role("combobox").first.input_value() == ALICE_CO
    importer = bob.get_by_text("Importer un diagnostic (fichier JSON)")
    if importer.count():
        importer.click()
        bob.locator("input[type=file]").set_input_files(str(world.need("alice_export")))
        into = bob.get_by_text(f"Dans l’entreprise existante « {ALICE_CO} »")
        into.wait_for()
        into.click()
        click_and_wait(bob, bob.get_by_role("button", name="Importer", exact=True))
        bob.get_by_text(NOT_ALLOWED).first.wait_for()
    assert {k: r.value for k, r in answers.load_answers(alice_ctx, assessment).items()} == {question_id: value}
    assert [a.id for a in assessments.list_assessments(alice_ctx, company)] == [assessment]
    world.made["viewer"] = True


def test_a_removed_member_loses_access_at_the_next_click(world: World) -> None:
    company, assessment = world.need("alice_company", "alice_assessment")
    world.need("viewer")
    alice, bob = world.page("alice"), world.page("bob")
    goto(bob, f"{world.url}/resultats?c={company}&a={assessment}")
    bob.get_by_text(ALICE_CO).first.wait_for()

    goto(alice, f"{world.url}/espace")
    listed = f"{PEOPLE['bob'][1]} · lecteur"  # his line among the members
    assert listed in text(alice, MAIN)
    remove = alice.locator(f".st-key-remove-{world.context_of('bob').actor.user_id}").get_by_role("button")
    assert remove.inner_text().strip().endswith("Retirer")
    click_and_wait(alice, remove)
    wait_drawn(alice, quiet=0.5)
    assert listed not in settled_text(alice)
    assert [w.name for w, _ in workspaces.my_workspaces(world.context_of("bob"))] == [BETA]

    # Bob's open page, same session: his next click shows nothing of Alpha any more
    click_and_wait(bob, bob.locator(f"{SIDEBAR} [data-testid=stSidebarNavLink]", has_text="Diagnostic"))
    wait_drawn(bob, quiet=0.5)
    assert ALICE_CO not in text(bob) and ALPHA not in text(bob)
    assert sidebar_select(bob, "Espace de travail").count() == 0
    assert company_choices(bob) == [BOB_CO]
    for path in ("resultats", "diagnostic"):
        as_missing(world, "bob", path, company, assessment)
    assert ALICE_CO not in text(bob)


def test_an_invitation_link_serves_once(world: World) -> None:
    link = world.need("viewer_link")
    carol = world.page("carol")
    world.need("carol")
    goto(carol, link)
    carol.get_by_text("Ce lien d’invitation a déjà servi").wait_for()
    carol.get_by_text("Votre compte n’a encore accès à aucun espace de travail").wait_for()
    assert workspaces.my_workspaces(world.context_of("carol")) == []
    # pasted in the no-access page's field: the same answer
    carol.get_by_role("textbox", name="Lien d’invitation").fill(link)
    click_and_wait(carol, carol.get_by_role("button", name="Utiliser l’invitation"))
    carol.get_by_text("Ce lien d’invitation a déjà servi").wait_for()
    assert workspaces.my_workspaces(world.context_of("carol")) == []


def test_an_import_never_reaches_another_workspace(world: World) -> None:
    company, assessment, export = world.need("alice_company", "alice_assessment", "alice_export")
    bob_company = world.need("bob_company")
    alice_ctx, bob_ctx = world.context_of("alice"), world.context_of("bob")
    before = {a.id: answers.load_answers(alice_ctx, a.id) for a in assessments.list_assessments(alice_ctx, company)}
    assert list(before) == [assessment]

    bob = world.page("bob")
    goto(bob, f"{world.url}/entreprise?c={bob_company}")
    bob.get_by_text("Importer un diagnostic (fichier JSON)").click()
    bob.locator("input[type=file]").set_input_files(str(export))
    bob.get_by_text(f"« {ALICE_CO} »").first.wait_for()
    # no company of that name within Bob's reach: nothing to choose but a new company
    assert bob.get_by_text("Une entreprise du même nom existe déjà").count() == 0
    click_and_wait(bob, bob.get_by_role("button", name="Importer", exact=True))
    bob.get_by_text("Diagnostic importé.").wait_for()

    mine = companies.list_companies(bob_ctx)
    assert sorted(c.name for c in mine) == sorted([BOB_CO, ALICE_CO])
    assert {c.workspace_id for c in mine} == {world.made["beta"]}
    copy = next(c for c in mine if c.name == ALICE_CO)
    assert copy.id != company
    after = {a.id: answers.load_answers(alice_ctx, a.id) for a in assessments.list_assessments(alice_ctx, company)}
    assert after == before, "Alice's company changed"
    assert [c.name for c in companies.list_companies(alice_ctx)] == [ALICE_CO]

    # the service itself: another workspace's company is not found, as a missing one
    plan, matches = transfer.prepare_import(bob_ctx, export.read_bytes())
    assert [c.id for c in matches] == [copy.id]
    for target in (company, NOWHERE):
        with pytest.raises(NotFound):
            transfer.apply_import(bob_ctx, plan, company_id=target)
    assert len(assessments.list_assessments(alice_ctx, company)) == 1


def test_sign_out(world: World) -> None:
    world.need("owners")
    alice = world.page("alice")
    goto(alice, f"{world.url}/accueil")
    alice.get_by_role("button", name="Se déconnecter").click()
    finish_sign_out(alice)
    alice.get_by_role("button", name="Se connecter").wait_for()
    assert [c["name"] for c in alice.context.cookies() if c["name"].startswith("_streamlit_user")] == []
    # the invitation she opened before signing in is forgotten too: the next person here starts clean
    assert "autodiag_invite" not in {c["name"] for c in alice.context.cookies()}
    assert "Vous avez reçu une invitation" not in text(alice)
    goto(alice, f"{world.url}/resultats?c={world.made.get('alice_company', NOWHERE)}")
    alice.get_by_role("button", name="Se connecter").wait_for()
    assert ALICE_CO not in text(alice)


def test_sign_in_page_on_a_phone(world: World) -> None:
    phone = world.page("phone", width=390)
    goto(phone, world.url)
    phone.get_by_role("button", name="Se connecter").wait_for()
    shot(phone, "sign-in-390")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the sign-in page scrolls sideways on a phone: {width} px"


def test_the_server_logged_no_error(world: World) -> None:
    """Every refusal above is an expected answer, never an "unexpected error" with a traceback."""
    world.need("owners")
    log = (world.folder / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]

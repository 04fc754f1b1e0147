"""A network's label in real browsers (Debian's Chromium driven by Playwright), shared mode, several people.

One OpenID Connect provider (oidc-provider-mock) and one app server (serve.py, AUTODIAG_MODE=shared) on
a fresh SQLite database serve the module; each person signs in through the provider in a browser
context of their own. Before the server starts, the services make: a network whose label is
"label-performance-globale" (Léa leads it; Rita reviews; Carl and Cora sit on its committee) and the
workspace of a company, Menuiserie Duval (Marc manages it), with a completed assessment that meets the
label's criteria and a newer one in progress.

The tests run in the order written and build on one another (a test whose groundwork failed is
skipped, saying which):
1. Léa makes a join code on the dashboard (/reseau);
2. Marc enters a wrong code (refused, in words), then hers: the company joins; it shares its results
   and applies for the label with its completed assessment (the one in progress is not offered);
3. Léa sees the member on the dashboard;
4. Rita reviews on /label (the checklist, "grant"), and has no vote;
5. Carl's vote "refused" without a reason is refused; he votes "granted", Cora too (through the
   services), Léa last (quorum 3); Léa records the decision;
6. Marc sees the label granted, valid for three years, and downloads the decision letter (a PDF whose
   text names the company, the label and the grant).
Screenshots of /reseau, /label and /reseaux at 1280 and 390 px go to /tmp/shots-issue12/ (not checked).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from diagnostic.core.label import add_years
from diagnostic.core.profile import Profile
from diagnostic.core.roles import Role
from diagnostic.exports.pdf import format_date as letter_date
from diagnostic.i18n import format_date
from diagnostic.i18n import t as translate
from diagnostic.services import access, assessments, companies, labels, workspaces
from diagnostic.services.context import Context
from diagnostic.services.demo_network import _answers
from diagnostic.services.questionnaires import shipped_questionnaire
from diagnostic.storage.uow import sql_unit_of_work
from tests.e2e import (
    ROOT,
    browser,
    click_and_wait,
    free_port,
    new_page,
    wait_for,
    wait_idle,
    whole_page_shots,
)
from tests.oidc import keep_offline, oidc_provider, redirect_uri, shared_server, start_sign_in
from tests.oidc import sign_in as authorize

pytestmark = [
    pytest.mark.browser,
    # oidc-provider-mock runs in this process and imports Authlib APIs that Authlib 1.9 deprecates
    pytest.mark.filterwarnings("ignore::authlib.deprecate.AuthlibDeprecationWarning"),
    pytest.mark.filterwarnings("ignore:get_jwt_config.* is deprecated:DeprecationWarning"),
]

if not shutil.which("chromium"):
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)

SHOTS = Path("/tmp/shots-issue12")
WAIT = 30_000  # ms: every wait of this file is bounded
MAIN = "[data-testid=stMain]"
LABEL = "label-performance-globale"
NETWORK, COMPANY = "Réseau Qualité Anjou", "Menuiserie Duval"
PEOPLE = {  # subject -> (e-mail, name, workspace, role); Cora votes through the services only
    "lea": ("lea@example.org", "Léa Lefort", NETWORK, Role.OWNER),
    "marc": ("marc@example.org", "Marc Duval", COMPANY, Role.OWNER),
    "rita": ("rita@example.org", "Rita Roussel", NETWORK, Role.REVIEWER),
    "carl": ("carl@example.org", "Carl Chevalier", NETWORK, Role.COMMITTEE),
    "cora": ("cora@example.org", "Cora Colin", NETWORK, Role.COMMITTEE),
}
PROFILE = Profile(headcount_band="20-49", sector="16.23Z", sites=1, production_site=True, tertiary_area_1000m2=False)


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


@dataclass
class World:
    url: str
    database: str
    issuer: str
    browser_page: Any  # a page of the browser, to open the others from
    ids: dict[str, int]
    pages: dict[str, Any] = field(default_factory=dict)
    made: dict[str, Any] = field(default_factory=dict)

    def need(self, *keys: str) -> Any:
        missing = [key for key in keys if key not in self.made]
        if missing:
            pytest.skip(f"an earlier test of this module did not make {', '.join(missing)}")
        return self.made[keys[0]] if len(keys) == 1 else [self.made[key] for key in keys]

    def context_of(self, subject: str) -> Context:
        """`subject`'s rights, read through the services as the app reads them (same database)."""
        email, name, *_ = PEOPLE[subject]
        uow = sql_unit_of_work(self.database)
        return Context(uow, workspaces.signed_in_actor(uow, self.issuer, subject, email, name), "fr")

    def page(self, subject: str) -> Any:
        """`subject`'s page, in a browser context of their own, signed in on first use."""
        if subject not in self.pages:
            page = new_page(self.browser_page, width=1280, height=1000)
            keep_offline(page.context)
            page.goto(self.url, timeout=WAIT)
            wait_idle(page, settle=0.3)
            start_sign_in(page, t("auth.sign_in"))
            email, name, *_ = PEOPLE[subject]
            authorize(page, subject, email, name)
            page.get_by_text(t("auth.signed_in_as", who=name)).wait_for(timeout=WAIT)
            self.pages[subject] = page
        return self.pages[subject]


def _people(database: str, issuer: str) -> dict[str, int]:
    """The two workspaces, their people (as the provider will name them), the label, the company and its
    assessments: the operator's and the people's own work before anyone signs in."""
    operator = workspaces.operator_context(sql_unit_of_work(database))
    network, _ = workspaces.create_workspace(operator, NETWORK, "network")
    home, _ = workspaces.create_workspace(operator, COMPANY, "company")
    spaces = {NETWORK: network.id, COMPANY: home.id}
    contexts = {}
    for subject, (email, name, space, role) in PEOPLE.items():
        uow = sql_unit_of_work(database)
        actor = workspaces.signed_in_actor(uow, issuer, subject, email, name)
        uow.run(lambda u, a=actor, s=spaces[space], r=role: u.workspaces.put_member(s, a.user_id, r.value))
        contexts[subject] = Context(uow, actor, "fr", spaces[space])
    labels.configure(contexts["lea"], network.id, LABEL)
    marc = contexts["marc"]
    company = companies.save_company(marc, None, COMPANY, PROFILE)
    loaded, _ = shipped_questionnaire("rse-performance-globale")
    done = assessments.start_assessment(marc, company.id, loaded.model.id)
    answers = _answers(loaded, PROFILE, 3, 0)  # the demo network's rule, a strong member
    marc.uow.run(lambda u: u.answers.replace(access.scope(marc), done.id, answers))
    assessments.set_status(marc, done.id, True)
    newer = assessments.start_assessment(marc, company.id, loaded.model.id)  # in progress
    return {"network": network.id, "home": home.id, "company": company.id, "completed": done.id, "open": newer.id}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    SHOTS.mkdir(exist_ok=True)
    folder = tmp_path_factory.mktemp("network-label")
    database = f"sqlite:///{folder / 'label.db'}"
    from diagnostic.storage.database import make_engine, migrate

    engine = make_engine(database)
    migrate(engine)
    engine.dispose()
    port = free_port()
    with oidc_provider(redirect_uris=[redirect_uri(port)]) as provider:
        ids = _people(database, provider.issuer)
        server = shared_server(ROOT / "serve.py", database, provider, folder, port=port, log=folder / "server.log")
        server.start()
        try:
            with browser() as first:
                yield World(f"http://127.0.0.1:{port}", database, provider.issuer, first, ids)
        finally:
            server.stop()


# --- reading and acting on a page --------------------------------------------------------------------


def goto(page, url: str) -> None:
    page.goto(url, timeout=WAIT)
    wait_idle(page, settle=0.3)
    page.locator(f"{MAIN} h1").first.wait_for(timeout=WAIT)


def main_text(page) -> str:
    return " ".join(page.locator(MAIN).inner_text(timeout=WAIT).split())


def shot(page, name: str, ready: str | None = None) -> None:
    whole_page_shots(page, SHOTS, name, ready)


def form(page, button: str):
    """The form whose submit button says `button` (a form's key gives its container no class)."""
    return page.locator(f"{MAIN} [data-testid=stForm]").filter(has=page.get_by_role("button", name=button, exact=True))


def choose_radio(container, label: str, option: str) -> None:
    group = container.get_by_role("radiogroup", name=label)
    group.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")).click(timeout=WAIT)


def options_of(page, combobox) -> list[str]:
    """The choices a selectbox offers (its list opened, read, closed)."""
    combobox.click(timeout=WAIT)
    listed = page.get_by_role("option")
    listed.first.wait_for(timeout=WAIT)
    found = [" ".join(item.split()) for item in listed.all_inner_texts()]
    page.keyboard.press("Escape")
    listed.first.wait_for(state="detached", timeout=WAIT)
    return found


def metric(page, label: str) -> str:
    found = page.locator(f"{MAIN} [data-testid=stMetric]").filter(
        has=page.locator("[data-testid=stMetricLabel]", has_text=label)
    )
    found.wait_for(timeout=WAIT)
    return found.locator("[data-testid=stMetricValue]").inner_text(timeout=WAIT).strip()


# --- the journey ------------------------------------------------------------------------------------


def test_the_lead_makes_a_join_code_on_the_dashboard(world: World) -> None:
    page = world.page("lea")
    # a network's workspace: its dashboard is the first page
    wait_for(page, "() => location.pathname === '/reseau'", "the lead on the network's dashboard")
    page.get_by_role("heading", name=t("network.title", name=NETWORK)).wait_for(timeout=WAIT)
    assert metric(page, t("network.members_count")) == "0"
    made = form(page, t("network.code_make"))
    made.get_by_label(t("network.code_note"), exact=True).fill(COMPANY)
    click_and_wait(page, made.get_by_role("button", name=t("network.code_make")))
    page.get_by_text(t("network.code_once")).wait_for(timeout=WAIT)
    code = page.locator(f"{MAIN} [data-testid=stCode]").inner_text(timeout=WAIT).strip()
    assert len(code) >= 16, code
    world.made["code"] = code


def test_the_member_joins_with_the_code_shares_and_applies(world: World) -> None:
    code = world.need("code")
    page = world.page("marc")
    goto(page, f"{world.url}/reseaux?c={world.ids['company']}")
    page.get_by_text(t("membership.none")).wait_for(timeout=WAIT)

    def join(token: str) -> None:
        joining = form(page, t("membership.join_button"))
        joining.locator("input[type=password]").fill(token)
        click_and_wait(page, joining.get_by_role("button", name=t("membership.join_button")))

    # a wrong code: refused in words, nothing joined
    join(code[:-4] + "abcd")
    page.get_by_text(t("membership.code_invalid")).wait_for(timeout=WAIT)
    assert t("membership.none") in main_text(page)
    join(code)
    page.get_by_text(t("membership.joined_now", network=NETWORK)).wait_for(timeout=WAIT)
    page.get_by_text(t("membership.give_to_get")).wait_for(timeout=WAIT)

    # the consent to share, then the label: only the completed assessment is offered
    click_and_wait(page, page.get_by_text(t("membership.share"), exact=True))
    wait_for(page, f"() => !document.querySelector('{MAIN}').innerText.includes({json.dumps(t('membership.give_to_get'))})",
             "the network's benchmark instead of 'give to get'")  # fmt: skip
    page.get_by_text(t("label.member.precheck")).wait_for(timeout=WAIT)
    offered = options_of(page, page.get_by_role("combobox", name=t("label.member.choose_assessment"), exact=True))
    assert len(offered) == 1 and offered[0].endswith(f"({t('status.completed')})"), f"only the completed one: {offered}"
    checks = page.locator(f"{MAIN} [data-testid=stTable] table").last
    statuses = [s.strip() for s in checks.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert statuses == [t("label.check.met")] * 6 + [t("label.check.not_measurable")], statuses
    click_and_wait(page, page.get_by_role("button", name=t("label.member.apply"), exact=True))
    page.get_by_text(t("label.member.applied")).wait_for(timeout=WAIT)
    page.get_by_text(
        t("label.member.pending", date=format_date(labels.today_utc(), "fr"), status=t("label.app_status.submitted"))
    ).wait_for(timeout=WAIT)
    found = labels.applications(world.context_of("lea"), world.ids["network"])
    assert [(a.company_name, a.assessment_id, a.status) for a in found] == [
        (COMPANY, world.ids["completed"], "submitted")
    ]
    world.made["application"] = found[0].id


def test_the_lead_sees_the_member_on_the_dashboard(world: World) -> None:
    world.need("application")
    page = world.page("lea")
    goto(page, f"{world.url}/reseau")
    assert (metric(page, t("network.members_count")), metric(page, t("network.sharing_count"))) == ("1", "1")
    page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT)
    rows = wait_for(
        page, "() => { const r = [...document.querySelectorAll('[data-testid=stDataFrame] table tr')].slice(1);"
        " return r.length === 1 && r[0].innerText; }", "the member in the members' table",
    )  # fmt: skip
    assert COMPANY in rows and t("network.yes") in rows, rows
    shot(page, "reseau", ready=".js-plotly-plot")


def test_the_reviewer_reviews_and_recommends_granting(world: World) -> None:
    application = world.need("application")
    page = world.page("rita")
    goto(page, f"{world.url}/label")
    review = form(page, t("label.review.submit"))
    review.wait_for(timeout=WAIT)
    assert COMPANY in main_text(page)
    # the checklist is the label's criteria, prefilled from the checks (met, and open for evidence)
    radios = review.locator("[data-testid=stRadio]")
    radios.nth(7).wait_for(timeout=WAIT)
    assert radios.count() == 8, "seven criteria and the recommendation"
    review.get_by_label(t("label.review.comment"), exact=True).fill("Dossier complet, visite du site faite.")
    choose_radio(review, t("label.review.recommendation"), t("label.recommendation.grant"))
    shot(page, "label-review", ready=f"{MAIN} [data-testid=stForm]")
    assert form(page, t("label.votes.submit")).count() == 0, "a reviewer has no vote"
    click_and_wait(page, review.get_by_role("button", name=t("label.review.submit")))
    page.get_by_text(t("label.review.saved")).wait_for(timeout=WAIT)
    detail = labels.detail(world.context_of("lea"), application)
    assert [(r.recommendation, r.comment) for r in detail.reviews] == [
        ("grant", "Dossier complet, visite du site faite.")
    ]
    assert all(line["ok"] is not False for line in detail.reviews[0].checklist.values())
    assert detail.application.status == "reviewed"
    world.made["reviewed"] = True


def test_the_committee_votes_and_the_lead_records_the_decision(world: World) -> None:
    application = world.need("application", "reviewed")[0]
    page = world.page("carl")
    goto(page, f"{world.url}/label")
    voting = form(page, t("label.votes.submit"))
    voting.wait_for(timeout=WAIT)
    assert form(page, t("label.review.submit")).count() == 0, "a committee member does not review"
    # refused without a reason: said, and no vote recorded
    choose_radio(voting, t("label.votes.yours"), t("label.decision.refused"))
    click_and_wait(page, voting.get_by_role("button", name=t("label.votes.submit")))
    page.get_by_text(t("label.error.reason_needed")).wait_for(timeout=WAIT)
    assert labels.detail(world.context_of("lea"), application).votes == []
    choose_radio(voting, t("label.votes.yours"), t("label.decision.granted"))
    click_and_wait(page, voting.get_by_role("button", name=t("label.votes.submit")))
    page.get_by_text(t("label.votes.saved")).wait_for(timeout=WAIT)
    page.get_by_text(t("label.votes.tally", granted=1, deferred=0, refused=0, quorum=3)).wait_for(timeout=WAIT)

    labels.vote(world.context_of("cora"), application, "granted")  # the second vote, through the services

    # the lead's vote is the third (quorum 3): the decision form follows at once
    lead = world.page("lea")
    goto(lead, f"{world.url}/label")
    voting = form(lead, t("label.votes.submit"))
    voting.wait_for(timeout=WAIT)
    lead.get_by_text(t("label.decide.waiting", quorum=3), exact=True).wait_for(timeout=WAIT)
    choose_radio(voting, t("label.votes.yours"), t("label.decision.granted"))
    click_and_wait(lead, voting.get_by_role("button", name=t("label.votes.submit")))
    lead.get_by_text(t("label.votes.saved")).wait_for(timeout=WAIT)
    lead.get_by_text(t("label.votes.tally", granted=3, deferred=0, refused=0, quorum=3)).wait_for(timeout=WAIT)
    text = main_text(lead)
    for name in ("Carl Chevalier", "Cora Colin", "Léa Lefort"):
        assert f"{name} · {t('label.decision.granted')}" in text, f"{name}'s vote, named on the network's side"
    deciding = form(lead, t("label.decide.submit"))
    deciding.wait_for(timeout=WAIT)
    shot(
        lead, "label-votes", ready=f"{MAIN} button:has-text({json.dumps(t('label.decide.submit'), ensure_ascii=False)})"
    )
    click_and_wait(lead, deciding.get_by_role("button", name=t("label.decide.submit")))
    lead.get_by_text(t("label.decide.saved")).wait_for(timeout=WAIT)
    decided = labels.detail(world.context_of("lea"), application).application
    assert (decided.status, decided.decision, decided.decided_by) == ("decided", "granted", "Léa Lefort")
    assert decided.decided_on == labels.today_utc()
    assert decided.valid_until == add_years(decided.decided_on, 3), "valid for the label's three years"
    world.made["decided"] = decided


def test_the_member_sees_the_decision_and_downloads_the_letter(world: World, tmp_path) -> None:
    decided = world.need("decided")
    page = world.page("marc")
    goto(page, f"{world.url}/reseaux?c={world.ids['company']}")
    until = format_date(decided.valid_until, "fr")
    page.get_by_text(t("label.member.valid", date=until)).wait_for(timeout=WAIT)
    said = f"{t('label.decision.granted')} · {format_date(decided.decided_on, 'fr')} · {t('label.valid_until', date=until)}"
    page.get_by_text(said).wait_for(timeout=WAIT)
    assert "Carl Chevalier" not in main_text(page), "the member sees the tally, never who voted"
    shot(page, "reseaux-decision", ready="[data-testid=stDownloadButton]")

    with page.expect_download(timeout=WAIT) as started:
        page.get_by_role("button", name=t("label.letter.download")).click(timeout=WAIT)
    pdf = tmp_path / "letter.pdf"
    started.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
        ).stdout.split()
    )
    definition = labels.definition(LABEL)
    assert definition is not None
    assert t("label.letter.to", company=COMPANY) in text
    assert definition.name.get("fr") in text
    assert t("label.letter.decision_granted") in text
    # the letter writes its dates as the PDF report does ("1er décembre" on the first day of a month)
    assert t("label.letter.valid_until", date=letter_date(decided.valid_until, "fr")) in text

"""The participative diagnostic in a real browser (Debian's Chromium driven by Playwright), one journey.

The owner opens the full diagnostic to groups (k = 3) and makes the staff group link on the
Participants page; three respondents answer at the same time in browser contexts of their own (two
staff through the group link, the direction through a named link, one of them on a phone); a reload
keeps what was answered; an id in a respondent's address is answered as an id that does not exist;
a third staff response is made through the services. Then the owner follows the progress, reads the
crossed views, takes every consolidated value on the Consensus page, and the PDF report speaks of
"Regards croisés". Screenshots (not checked) go to /tmp/shots-participation/ for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from diagnostic.core.audience import ordered_asked
from diagnostic.core.conditions import applicability
from diagnostic.core.loading import LoadedQuestionnaire
from diagnostic.core.profile import Profile
from diagnostic.core.schema import MaturityQuestion, SingleQuestion, YesNoQuestion
from diagnostic.i18n import t as translate
from diagnostic.services import assessments, companies, participation, questionnaires, reports, respondents
from diagnostic.storage.database import make_engine, migrate
from tests.conftest import local_context
from tests.e2e import ROOT, SHOTS_WANTED, browser, click_and_wait, new_page, running, wait_drawn, wait_for, wait_idle

pytestmark = pytest.mark.browser

if not shutil.which("chromium"):
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)

SHOTS = Path("/tmp/shots-participation")
WAIT = 30_000  # ms: every wait of this file is bounded
ANSWERED = 3  # questions each respondent answers
OTHER = "Autre SARL"  # another company of the same database: never named to a respondent
RADIOS = (MaturityQuestion, SingleQuestion, YesNoQuestion)


def t(key: str, **values: object) -> str:
    return translate(key, "fr", **values)


def question(page, question_id: str):
    """The container of one question of the respondent's page (Streamlit writes a key's dots as "-" in its class)."""
    return page.locator("." + key_class(question_id))


def key_class(question_id: str) -> str:
    return "st-key-question-" + re.sub(r"[^a-zA-Z0-9_-]", "-", question_id)


def checked(page, question_id: str) -> int:
    return question(page, question_id).locator("input[type=radio]:checked").count()


def checked_js(question_id: str) -> str:
    return f"document.querySelector('.{key_class(question_id)} input[type=radio]:checked') !== null"


def goto(page, url: str) -> None:
    page.goto(url, timeout=WAIT)
    wait_idle(page, settle=0.3)


def shot(page, name: str, widths: tuple[int, ...] = (1280, 390)) -> None:
    """Screenshots of the page at each width (the page's own width last), for the lead to look at."""
    if not SHOTS_WANTED:
        return
    own = page.viewport_size
    for width in widths:
        if width != own["width"]:
            page.set_viewport_size({"width": width, "height": 844 if width < 600 else own["height"]})
            wait_drawn(page, quiet=0.3)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    if page.viewport_size != own:
        page.set_viewport_size(own)
        wait_drawn(page, quiet=0.3)


def first_questions(questionnaire: LoadedQuestionnaire, group: str, profile: Profile) -> list[str]:
    """The first questions (answered by a radio) that the group's page shows, in its order."""
    applies = applicability(questionnaire, profile, {})
    shown = [q for q in ordered_asked(questionnaire, group) if applies.get(q, True)]
    return [q for q in shown if isinstance(questionnaire.questions[q], RADIOS)][:ANSWERED]


def radio_value(questionnaire: LoadedQuestionnaire, question_id: str, index: int) -> object:
    """The value of the index-th option of a question answered by a radio (as the page lists them)."""
    found = questionnaire.questions[question_id]
    if isinstance(found, MaturityQuestion):
        return index
    if isinstance(found, YesNoQuestion):
        return ["yes", "no"][index % 2]
    options = questionnaire.options(found)
    return options[index % len(options)].id


class Respondent:
    """One person answering in a browser context of their own."""

    def __init__(self, page, plan: list[str], option: int):
        self.page, self.plan, self.option = page, plan, option

    def show(self, question_id: str) -> None:
        """Go on to the next dimension until the question is on the page (a group may see one
        question only in a dimension)."""
        for _ in range(len(self.plan) + 1):
            if question(self.page, question_id).count():
                return
            click_and_wait(self.page, self.page.locator(".st-key-respond-next button"))
            wait_drawn(self.page, quiet=0.3)
        raise AssertionError(f"{question_id} never shown on {self.page.url}")

    def radio(self, question_id: str):
        return (
            question(self.page, question_id).locator("[data-testid=stRadio] [role=radiogroup] label").nth(self.option)
        )

    @property
    def key(self) -> str:
        return parse_qs(urlsplit(self.page.url).query)["repondre"][0]


def together(clicks: list[tuple[object, object]]) -> None:
    """Click on every page first, then wait for each page's run: the server serves them at the same time."""
    for _, locator in clicks:
        locator.click(timeout=WAIT)
    for page, _ in clicks:
        wait_idle(page, settle=0.1)


def test_three_respondents_at_once_then_crossed_views_consensus_and_report(tmp_path) -> None:
    SHOTS.mkdir(exist_ok=True)
    db_url = f"sqlite:///{tmp_path / 'participation.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    ctx = local_context(engine)
    profile = Profile(headcount_band="20-49", sector="16.23Z", sites=1)
    company = companies.save_company(ctx, None, "Atelier Participatif", profile)
    other = companies.save_company(ctx, None, OTHER, Profile())
    assessment = assessments.start_assessment(ctx, company.id, "rse-performance-globale")
    participation.open_participation(ctx, assessment.id, k=3, comment_k=3)
    groups = {g.group.key: g.group.id for g in participation.participation(ctx, assessment.id).groups}
    direction_link = participation.create_link(ctx, assessment.id, groups["direction"], name="Claire Dubois")
    questionnaire = questionnaires.questionnaire_of(ctx.uow, assessment)
    staff_plan = first_questions(questionnaire, "staff", profile)
    direction_plan = first_questions(questionnaire, "direction", profile)
    place = f"c={company.id}&a={assessment.id}"
    try:
        with running(ROOT / "serve.py", db_url, log=tmp_path / "server.log") as server, browser(1280, 1000) as owner:
            # 1. the owner makes the staff group link on the Participants page: its address is shown once
            goto(owner, f"{server.url}/participants?{place}")
            staff_box = owner.locator(".st-key-group-staff")
            click_and_wait(owner, staff_box.get_by_role("button", name=t("participants.make_group_link")))
            shown = staff_box.locator("[data-testid=stCode]")
            shown.wait_for(timeout=WAIT)
            address = shown.inner_text().strip()
            assert "?repondre=" in address, address
            staff_token = address.split("?repondre=", 1)[1]

            # 2. three people open their links at once, one of them on a phone
            pages = [new_page(owner, 1280, 1000), new_page(owner, 1280, 1000), new_page(owner, 390, 844)]
            links = [staff_token, staff_token, direction_link.token]
            for page, token in zip(pages, links, strict=True):
                page.goto(f"{server.url}/?repondre={token}", timeout=WAIT)
            for page in pages:
                wait_idle(page, settle=0.3)
                page.get_by_role("button", name=t("respond.send")).wait_for(timeout=WAIT)
            staff_a, staff_b, boss = (
                Respondent(pages[0], staff_plan, 3), Respondent(pages[1], staff_plan, 3), Respondent(pages[2], direction_plan, 1)
            )  # fmt: skip
            people = [staff_a, staff_b, boss]
            assert staff_a.key != staff_b.key != staff_token, "each opening of a group link is a respondent of its own"
            assert t("respond.anonymous", k=3) in staff_a.page.get_by_test_id("stMain").inner_text()
            assert t("respond.named") in boss.page.get_by_test_id("stMain").inner_text()

            # 3. they answer at the same time, question by question; a reload in the middle keeps the answers
            for step in range(ANSWERED):
                for person in people:
                    person.show(person.plan[step])
                together([(p.page, p.radio(p.plan[step])) for p in people])
                if step == 1:
                    boss.page.reload(timeout=WAIT)
                    wait_idle(boss.page, settle=0.3)
                    wait_for(
                        boss.page, "() => document.querySelectorAll('[data-testid=stMain] input[type=radio]:checked').length >= 2",
                        "the two answers given before the reload checked again",
                    )  # fmt: skip
                    assert [checked(boss.page, q) for q in boss.plan[:2]] == [1, 1]
            for person in people:
                last = person.plan[-1]
                wait_for(person.page, f"() => {checked_js(last)}", f"the answer to {last} checked")
            saved = [respondents.view(ctx, p.key).answers for p in people]
            wanted = [{q: radio_value(questionnaire, q, p.option) for q in p.plan} for p in people]
            assert saved == wanted, "each click saved, in its own respondent's answers"
            shot(staff_a.page, "respondent", (1280,))
            shot(boss.page, "respondent", (390,))

            # 4. an id in the address: the words of an id that does not exist, nothing of that company
            goto(staff_a.page, f"{server.url}/?repondre={staff_a.key}&c={other.id}")
            staff_a.page.get_by_text(t("access.not_found")).wait_for(timeout=WAIT)
            assert OTHER not in staff_a.page.locator("body").inner_text()
            staff_a.page.get_by_role("button", name=t("respond.send")).wait_for(timeout=WAIT)

            # 5. all three send at the same time
            together([(p.page, p.page.get_by_role("button", name=t("respond.send"))) for p in people])
            for person in people:
                person.page.get_by_text(t("respond.done")).wait_for(timeout=WAIT)
            # the third staff member answers through the services, the same questions
            third = respondents.enter(ctx, staff_token)
            for question_id in staff_plan:
                respondents.answer(ctx, third.key, question_id, radio_value(third.questionnaire, question_id, 2))
            respondents.complete(ctx, third.key)

            # 6. the owner follows the progress
            goto(owner, f"{server.url}/participants?{place}")
            staff_box.wait_for(timeout=WAIT)
            wait_drawn(owner, quiet=0.3)

            def metric(group: str, label: str) -> str:
                found = owner.locator(f".st-key-group-{group} [data-testid=stMetric]").filter(has_text=t(label))
                return found.locator("[data-testid=stMetricValue]").inner_text().strip()

            assert (metric("staff", "participants.completed"), metric("direction", "participants.completed")) == (
                "3",
                "1",
            )
            # the reload and the second visit came back to the same respondents: nobody else started
            assert (metric("staff", "participants.started"), metric("direction", "participants.started")) == ("0", "0")
            shot(owner, "participants")

            # 7. the crossed views name the groups shown (3 staff reach k = 3)
            goto(owner, f"{server.url}/regards-croises?{place}")
            owner.locator("[data-testid=stPlotlyChart]").first.wait_for(timeout=WAIT)
            main = owner.get_by_test_id("stMain").inner_text()
            assert "Direction" in main and "Collaborateurs" in main
            assert t("crossed.not_enough", k=3) not in main and t("crossed.nothing_shown") not in main
            shot(owner, "regards-croises")

            # 8. the consensus: every consolidated value taken at once
            goto(owner, f"{server.url}/consensus?{place}")
            prefill = participation.crossed_views(ctx, assessment.id).consolidation.prefill
            proposals = [q for q, value in prefill.items() if value is not None]
            assert set(staff_plan) | set(direction_plan) <= set(proposals), "the groups' answers make proposals"
            click_and_wait(owner, owner.get_by_role("button", name=t("consensus.accept_all")))
            owner.get_by_text(t("consensus.accepted", count=len(proposals))).wait_for(timeout=WAIT)
            shot(owner, "consensus")
            agreed = participation.consensus(ctx, assessment.id)
            assert all(agreed.settled(q) for q in proposals)

        # 9. the PDF report has the crossed views (built as the results page builds it)
        from diagnostic.exports.pdf import build_pdf

        data = reports.report_data(ctx, assessment.id)
        assert data is not None and data.crossed is not None
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(build_pdf(data))
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        assert "Regards croisés" in text
    finally:
        engine.dispose()

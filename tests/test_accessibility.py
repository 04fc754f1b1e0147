"""Accessibility in a real browser (WCAG 2.2 AA): axe-core on every page, language, titles, keyboard.

axe-core is pinned in the Makefile and installed by it with npm under the virtualenv; Debian's
Chromium runs it. One server with the demo company, one browser; each page is opened at 1280 and
390 px, in French and in English. The viewport is made as tall as the page before axe runs: the
page scrolls inside Streamlit's main area, and axe cannot judge the contrast of text that a scroll
container hides (it would report it as "incomplete", not as a violation).
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from diagnostic.i18n import t
from diagnostic.services import answers, assessments, demo, participation, questionnaires
from diagnostic.storage.database import make_engine, migrate
from tests.conftest import local_context
from tests.e2e import ROOT, Server, browser, wait_drawn, wait_for, wait_idle

pytestmark = pytest.mark.browser

if not shutil.which("chromium"):
    pytest.skip("Chromium is not installed (.ci/run installs it)", allow_module_level=True)

AXE_DIRS = (Path(sys.prefix) / "axe-core", ROOT / ".venv" / "axe-core")
AXE = next((found for folder in AXE_DIRS for found in sorted(folder.glob("axe-*.min.js"))), None)

PAGES = {  # url path -> i18n key of its title
    "accueil": "nav.home",
    "entreprise": "nav.company",
    "diagnostic": "nav.diagnostic",
    "resultats": "nav.results",
    "plan": "nav.plan",
    "suivi": "nav.followup",
    "espace": "nav.workspace",  # members, invitations, audit log: shown to the local owner too
    "participants": "nav.participants",  # the demo's assessment is open to respondent groups
    "regards-croises": "nav.crossed",
    "consensus": "nav.consensus",
}
WIDTHS = {1280: 900, 390: 844}  # width -> height before the viewport is made as tall as the page
FAILING_IMPACTS = {"serious", "critical"}
ALSO_FAILING = {"heading-order"}  # "moderate" for axe, but named by the issue: headings must not skip a level
NOT_YET: set[str] = set()  # rules known to fail and being fixed (none now)
MAX_VIEWPORT = 12_000  # px: a taller page is checked down to there
DRAWN_LATE = {  # what appears a moment after the page's run has ended
    "diagnostic": ".st-key-questions [data-testid=stRadio]",
    "resultats": ".js-plotly-plot .scatterlayer",
    "regards-croises": ".js-plotly-plot .scatterlayer",
}

PRIMARY = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]["primaryColor"]


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The server, with the demo company (an empty assessment beside it for the keyboard), and one page."""
    folder = tmp_path_factory.mktemp("accessibility")
    db_url = f"sqlite:///{folder / 'a11y.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    ctx = local_context(engine)
    company, assessment = demo.create_demo(ctx)
    blank = assessments.start_assessment(ctx, company.id, assessment.questionnaire_id, respondent="Clavier")
    staff = next(g.group for g in participation.open_participation(ctx, blank.id).groups if g.group.key == "staff")
    respondent_link = participation.create_link(ctx, blank.id, staff.id).token
    server = Server(ROOT / "serve.py", db_url, log=folder / "server.log")
    server.start()
    try:
        with browser(1280, WIDTHS[1280]) as page:
            yield {"server": server, "page": page, "ctx": ctx, "company": company, "assessment": assessment,
                   "blank": blank, "respondent_link": respondent_link}  # fmt: skip
    finally:
        server.stop()
        engine.dispose()


def open_page(site: dict[str, Any], name: str, lang: str, width: int = 1280, assessment: int | None = None) -> Any:
    page = site["page"]
    page.set_viewport_size({"width": width, "height": WIDTHS[width]})
    a = assessment or site["assessment"].id
    page.goto(f"{site['server'].url}/{name}?c={site['company'].id}&a={a}&lang={lang}")
    wait_idle(page, settle=0.5)
    page.locator("[data-testid=stMain] h1").first.wait_for()
    if name in DRAWN_LATE:
        page.locator(DRAWN_LATE[name]).first.wait_for()
    wait_drawn(page)
    return page


# --- axe-core ---------------------------------------------------------------------------------------

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    nodes: v.nodes.slice(0, 3).map((n) => ({target: n.target.join(' '), why: n.failureSummary || ''})),
  }));
}"""


def axe_violations(page) -> list[dict[str, Any]]:
    """axe's violations on the whole page (the viewport made as tall as the page first)."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]"
        ".map((e) => e.scrollHeight), window.innerHeight)"
    )
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, MAX_VIEWPORT)})
    wait_idle(page, settle=0.3)
    wait_drawn(page, quiet=0.5)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


def failing(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        v for v in violations
        if (v["impact"] in FAILING_IMPACTS or v["id"] in ALSO_FAILING) and v["id"] not in NOT_YET
    ]  # fmt: skip


def readable(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}, {v['count']} node(s)): {v['help']}")
        lines += [f"    {n['target']}\n      {n['why'].replace(chr(10), ' ')[:300]}" for n in v["nodes"]]
    return "\n".join(lines)


# Every page at 1280 px in French. In English, and at 390 px, the pages whose texts differ most in
# length and whose phone layout differs most (questions, charts, the plan's cards): axe's rules read
# the structure, which the width and the words change little, and each check costs seconds of the
# suite's time (decisions 126 and 135).
ENGLISH = ("accueil", "diagnostic", "resultats", "plan")
PHONE = ("accueil", "diagnostic", "resultats", "plan")


@pytest.mark.skipif(AXE is None, reason="axe-core is not installed: `make test` installs it with npm (Makefile)")
@pytest.mark.parametrize(
    ("name", "width", "lang"),
    [(name, 1280, "fr") for name in PAGES] + [(name, 390, "fr") for name in PHONE] + [(name, 1280, "en") for name in ENGLISH],
)
def test_axe_finds_nothing_serious(site, name: str, width: int, lang: str) -> None:
    page = open_page(site, name, lang, width)
    # each page has its own title, in the language of the page
    expected = f"{t(PAGES[name], lang)} · Autodiag RSE"
    wait_for(page, f"() => document.title === {json.dumps(expected)}", f"the title {expected!r}", timeout=10)
    assert page.evaluate("() => document.documentElement.lang") == lang
    found = failing(axe_violations(page))
    assert not found, f"axe-core ({AXE.name}) on /{name} at {width} px in {lang}:\n{readable(found)}"


@pytest.mark.skipif(AXE is None, reason="axe-core is not installed: `make test` installs it with npm (Makefile)")
@pytest.mark.parametrize("width", list(WIDTHS))
def test_axe_finds_nothing_serious_on_the_respondents_page(site, width: int) -> None:
    """The page a respondent opens from a link, often on a phone."""
    page = site["page"]
    page.set_viewport_size({"width": width, "height": WIDTHS[width]})
    page.goto(f"{site['server'].url}/?repondre={site['respondent_link']}")
    wait_idle(page, settle=0.5)
    page.locator("[data-testid=stMain] h1").first.wait_for()
    page.locator("[data-testid=stRadio]").first.wait_for()
    wait_drawn(page)
    found = failing(axe_violations(page))
    assert not found, f"axe-core ({AXE.name}) on the respondent's page at {width} px:\n{readable(found)}"


def test_axe_is_pinned_by_the_makefile() -> None:
    """The test runs the version the Makefile pins (an old download is not silently kept)."""
    makefile = (ROOT / "Makefile").read_text()
    version = next(line.split(":=")[1].strip() for line in makefile.splitlines() if line.startswith("AXE_VERSION"))
    if AXE is None:
        pytest.skip("axe-core is not installed: `make test` installs it with npm (Makefile)")
    assert AXE.name == f"axe-{version}.min.js"


# --- language, titles, Streamlit's own labels ---------------------------------------------------------


def test_the_served_page_is_in_the_language_of_the_url(site) -> None:
    """Before any script runs: `<html lang>` from ?lang= (French by default), never a 304 or gzip of another."""
    for query, lang in (("", "fr"), ("?lang=en", "en"), ("?lang=fr&c=1", "fr"), ("?lang=xx", "fr")):
        request = urllib.request.Request(
            f"{site['server'].url}/diagnostic{query}",
            headers={"Accept-Encoding": "gzip", "If-None-Match": '"anything"', "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            assert response.status == 200, f"{query}: a whole page, never a 304 (validators dropped)"
            assert "Content-Encoding" not in response.headers, f"{query}: served uncompressed"
            assert int(response.headers["Content-Length"]) == len(body)
            assert response.headers["X-Frame-Options"] == "DENY", "the hardening still applies"
        assert f'<html lang="{lang}">'.encode() in body, query


def test_language_title_and_labels_follow_the_sidebar_switch(site) -> None:
    """`<html lang>`, the tab's title and Streamlit's own labels change with the language, without a reload."""
    page = open_page(site, "resultats", "fr")
    labels = """() => ({
      lang: document.documentElement.lang, title: document.title,
      skip: document.querySelector('[data-testid=stSkipToContent]').textContent,
      collapse: document.querySelector('[data-testid=stSidebarCollapseButton] [aria-label]')?.getAttribute('aria-label'),
      anchors: [...new Set([...document.querySelectorAll('h1 a[aria-label], h2 a[aria-label], h3 a[aria-label]')]
        .map((a) => a.getAttribute('aria-label')))],
    })"""
    fr = wait_for(page, f"() => {{ const l = ({labels})(); return l.skip === 'Aller au contenu principal' && l; }}",
                  "Streamlit's labels in French")  # fmt: skip
    assert fr["lang"] == "fr"
    assert fr["title"] == f"{t('nav.results', 'fr')} · Autodiag RSE"
    assert fr["collapse"] == "Replier la barre latérale" and fr["anchors"] == ["Lien vers ce titre"], fr
    page.evaluate("() => { window.__notReloaded = true; }")

    page.locator("[data-testid=stSidebar]").get_by_role("radio", name="EN", exact=True).click()
    wait_for(page, f"() => {{ const l = ({labels})(); return l.lang === 'en' && l.skip === 'Skip to main content'; }}",
             "the page in English after the switch")  # fmt: skip
    wait_idle(page)
    en = page.evaluate(labels)
    assert page.evaluate("() => window.__notReloaded === true"), "the switch does not reload the page"
    assert en["title"] == f"{t('nav.results', 'en')} · Autodiag RSE"
    assert en["collapse"] == "Collapse sidebar" and en["anchors"] == ["Link to heading"], en

    page.locator("[data-testid=stSidebar]").get_by_role("radio", name="FR", exact=True).click()
    wait_for(page, "() => document.documentElement.lang === 'fr'", "back in French")
    wait_idle(page)


# --- keyboard -----------------------------------------------------------------------------------------

# The element that shows the keyboard focus: a radio or checkbox input is clipped to 1 px, its label
# shows it; a text field or a select box shows it on its frame (the nearest ancestor with a border).
# Visible: an outline, a ring (box-shadow) or, for a frame, the border in the theme's primary colour.
FOCUS = """([primary]) => {
  const e = document.activeElement;
  if (!e || e === document.body) return {what: 'nothing', visible: false};
  const shown = ['radio', 'checkbox'].includes(e.type) ? e.closest('label') : e;
  let frame = e.tagName === 'INPUT' && e.type === 'text' || e.tagName === 'TEXTAREA' ? e.parentElement : null;
  for (let i = 0; frame && i < 3 && parseFloat(getComputedStyle(frame).borderTopWidth) === 0; i++) frame = frame.parentElement;
  const style = getComputedStyle(shown);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow !== 'none';
  const framed = frame !== null && getComputedStyle(frame).borderTopColor === primary;
  const box = shown.getBoundingClientRect();
  const question = e.closest('.st-key-questions [data-testid=stRadio], .st-key-questions [data-testid=stButtonGroup], '
    + '.st-key-questions [data-testid=stMultiSelect], .st-key-questions [data-testid=stSelectbox], '
    + '.st-key-questions [data-testid=stNumberInput], .st-key-questions [data-testid=stTextArea]');
  const all = [...document.querySelectorAll('.st-key-questions [data-testid=stRadio], .st-key-questions [data-testid=stButtonGroup], '
    + '.st-key-questions [data-testid=stMultiSelect], .st-key-questions [data-testid=stSelectbox], '
    + '.st-key-questions [data-testid=stNumberInput], .st-key-questions [data-testid=stTextArea]')];
  return {
    what: `${e.tagName.toLowerCase()}[${e.type || e.getAttribute('role') || ''}] ${(e.getAttribute('aria-label') || e.textContent || '').slice(0, 40)}`,
    visible: (outline || ring || framed) && box.width > 0 && box.height > 0,
    question: question ? all.indexOf(question) : -1, checked: e.checked === true, value: e.value ?? null,
    inViewport: box.bottom > 0 && box.top < window.innerHeight && box.right > 0 && box.left < window.innerWidth,
  };
}"""


def focus(page) -> dict[str, Any]:
    return page.evaluate(FOCUS, [_rgb(PRIMARY)])


def press(page, key: str) -> dict[str, Any]:
    page.keyboard.press(key)
    wait_idle(page, settle=0.3)
    return focus(page)


def test_answer_a_question_and_reach_the_next_with_the_keyboard(site) -> None:
    """Tab to the first question's radio group, choose with the arrows and Space, Tab to the next question."""
    blank = site["blank"]
    page = open_page(site, "diagnostic", "fr", assessment=blank.id)
    first = questionnaires.questionnaire_of(site["ctx"].uow, blank).dimensions[0].questions[0]

    now = press(page, "Tab")
    assert now["what"].startswith("a[") and "contenu principal" in now["what"], f"the skip link comes first: {now}"
    stops = [now]
    for _ in range(40):
        if now["question"] == 0:
            break
        now = press(page, "Tab")
        stops.append(now)
    assert now["question"] == 0, "Tab reaches the first question:\n" + "\n".join(str(s) for s in stops)
    invisible = [s for s in stops if not s["visible"]]
    assert not invisible, "every keyboard stop shows its focus:\n" + "\n".join(str(s) for s in invisible)
    assert now["what"].startswith("input[radio]") and not now["checked"]

    now = press(page, "ArrowDown")
    now = press(page, "ArrowDown")
    assert now["question"] == 0 and now["visible"] and now["inViewport"], f"the focus stays, visible: {now}"
    now = press(page, "Space")
    assert now["question"] == 0 and now["checked"] and now["visible"], now
    assert now["value"] == "2", f"two steps down from the first level: {now}"
    stored = answers.load_answers(site["ctx"], blank.id)
    assert first.id in stored and stored[first.id].value == 2, "the answer given with the keyboard is saved"

    for _ in range(4):
        now = press(page, "Tab")
        assert now["visible"] and now["inViewport"], f"every keyboard stop shows its focus: {now}"
        if now["question"] == 1:
            break
    assert now["question"] == 1, f"Tab reaches the next question: {now}"


def test_a_collapsed_sidebar_is_out_of_the_tab_order(site) -> None:
    """On a phone the sidebar is collapsed: Tab after the skip link goes to the page, not off screen."""
    page = open_page(site, "accueil", "fr", 390)
    page.locator("body").focus()
    seen = [press(page, "Tab") for _ in range(4)]
    assert "contenu principal" in seen[0]["what"], seen[0]
    assert all(s["inViewport"] for s in seen[1:]), "no keyboard stop off screen:\n" + "\n".join(map(str, seen))


# --- the page shell, without a browser ----------------------------------------------------------------


def test_streamlit_labels_translate_both_ways() -> None:
    """Each French label is distinct, so switching back to English gives back Streamlit's own label."""
    import serve

    assert len(set(serve.LABELS_FR.values())) == len(serve.LABELS_FR)
    assert not set(serve.LABELS_FR) & set(serve.LABELS_FR.values())
    html = b'<!DOCTYPE html>\n<html lang="en">\n  <head><title>Streamlit</title></head><body></body></html>'
    mended = serve.mend_shell(html, "fr")
    assert mended.startswith(b'<!DOCTYPE html>\n<html lang="fr">') and b"</style><script>" in mended
    assert serve.mend_shell(b"<html><body></body></html>", "fr") == b"<html><body></body></html>"


# --- issue 12: the consultant's and the network's pages -----------------------------------------------

# url path -> (i18n key of its title, where it is opened): "members" is the demo network's members'
# workspace (a consultancy's navigation, Mécanique Précision Loire and its latest assessment current),
# "network" the demo network's own workspace (its dashboard, label and practices).
NETWORK_PAGES = {
    "portefeuille": ("nav.portfolio", "members"),
    "comparer": ("nav.compare", "members"),
    "seance": ("nav.coaching", "members"),
    "reseaux": ("nav.memberships", "members"),
    "reseau": ("nav.network", "network"),
    "label": ("nav.label", "network"),
    "pratiques": ("nav.practices", "network"),
    # issue 13: evidence, VSME data, label readiness (on the members' workspace)
    "preuves": ("nav.evidence", "members"),
    "vsme": ("nav.vsme", "members"),
    "preparation-labels": ("nav.readiness", "members"),
}
NETWORK_DRAWN_LATE = {
    "portefeuille": "[data-testid=stDataFrame]",
    "comparer": ".js-plotly-plot .scatterlayer",
    "seance": ".st-key-coaching-prepare [data-testid=stRadio]",
    "reseau": ".js-plotly-plot",
}
COMPARED = ("Mécanique Précision Loire", "Boulangeries Réunies", "Conserverie du Val")  # demo network members


@pytest.fixture(scope="module")
def network_site(site: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server of its own (the pages above keep their single workspace) with the demo network made
    through the services; the same browser page."""
    from diagnostic.services import companies, demo_network, workspaces

    folder = tmp_path_factory.mktemp("accessibility-network")
    db_url = f"sqlite:///{folder / 'network.db'}"
    engine = make_engine(db_url)
    migrate(engine)
    ctx = local_context(engine)
    network = demo_network.create_demo_network(ctx)
    members = next(w.id for w, _ in workspaces.my_workspaces(ctx) if w.name == demo_network.MEMBERS_NAME["fr"])
    company = next(c for c in companies.list_companies(ctx) if c.name == COMPARED[0])
    latest = assessments.list_assessments(ctx, company.id)[-1]
    places = {"members": f"w={members}&c={company.id}&a={latest.id}", "network": f"w={network}"}
    server = Server(ROOT / "serve.py", db_url, log=folder / "server.log")
    server.start()
    try:
        yield {"server": server, "page": site["page"], "places": places}
    finally:
        server.stop()
        engine.dispose()


def open_network_page(site: dict[str, Any], name: str, lang: str, width: int = 1280) -> Any:
    """One of the pages above, drawn in full; on Compare, three companies chosen first (the radar, the
    dimension table and the questions where they differ)."""
    from tests.e2e import click_and_wait

    page = site["page"]
    page.set_viewport_size({"width": width, "height": WIDTHS[width]})
    place = site["places"][NETWORK_PAGES[name][1]]
    page.goto(f"{site['server'].url}/{name}?{place}&lang={lang}")
    wait_idle(page, settle=0.5)
    page.locator("[data-testid=stMain] h1").first.wait_for()
    if name == "comparer":
        chooser = page.locator("[data-testid=stMain] [data-testid=stMultiSelect]")
        for company in COMPARED:
            chooser.get_by_role("combobox").click()
            click_and_wait(page, page.get_by_role("option", name=company, exact=True))
        page.keyboard.press("Escape")
    if name in NETWORK_DRAWN_LATE:
        page.locator(NETWORK_DRAWN_LATE[name]).first.wait_for()
    wait_drawn(page)
    return page


NETWORK_PHONE = ("portefeuille", "preuves")  # a table on a phone; evidence photographed on site


@pytest.mark.skipif(AXE is None, reason="axe-core is not installed: `make test` installs it with npm (Makefile)")
@pytest.mark.parametrize(
    ("name", "width"), [(name, 1280) for name in NETWORK_PAGES] + [(name, 390) for name in NETWORK_PHONE]
)
def test_axe_finds_nothing_serious_on_the_consultant_and_network_pages(network_site, name: str, width: int) -> None:
    """In French only (the texts' language changes no structure, and each page costs seconds); the
    page's own title is checked on the way."""
    page = open_network_page(network_site, name, "fr", width)
    expected = f"{t(NETWORK_PAGES[name][0], 'fr')} · Autodiag RSE"
    wait_for(page, f"() => document.title === {json.dumps(expected)}", f"the title {expected!r}", timeout=10)
    found = failing(axe_violations(page))
    assert not found, f"axe-core ({AXE.name}) on /{name} at {width} px in fr:\n{readable(found)}"

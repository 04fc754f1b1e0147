"""Entry point of the server: `streamlit run serve.py` serves app.py with the hardening below.

Streamlit 1.67 has no option to turn off /_stcore/metrics or to add response headers; `st.App`
(its documented ASGI entry point, which `streamlit run` detects in this file) takes Starlette
middleware, which runs before Streamlit's own on every HTTP request. The WebSocket is left alone.

`PageShell` mends Streamlit's page shell (the index.html of every page) for accessibility, which no
option of Streamlit 1.67 does: `<html lang>` in the app's language, French for Streamlit's own
English labels, a focus that shows, a collapsed sidebar out of the tab order (docs/decisions.md).
"""

from __future__ import annotations

import gc
import importlib
import json
import logging
import re
from urllib.parse import parse_qs

import streamlit as st
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from diagnostic import logs, metrics, settings
from diagnostic.i18n import LANGS

# Nobody may frame the app (clickjacking): the old header for old browsers, the CSP one for the others.
ANTI_FRAMING = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}
HIDDEN = ("/_stcore/metrics",)  # server internals (sessions, caches) that nobody outside needs to read


class Hardening:
    """Answer 404 for HIDDEN paths, add ANTI_FRAMING to every other HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = "/" + "/".join(part for part in scope["path"].split("/") if part)  # "//_stcore//metrics/" too
        if path.endswith(HIDDEN):
            await PlainTextResponse("Not Found", status_code=404, headers=ANTI_FRAMING)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ANTI_FRAMING.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- accessibility of the page shell ---------------------------------------------------------------

# Streamlit's own English labels (1.67 has no locale option) and their French. Attribute values
# (aria-label, title, placeholder) anywhere in the page; text only inside the elements of TEXT_IN.
LABELS_FR = {
    "Skip to main content": "Aller au contenu principal",
    "Sidebar": "Barre latérale",
    "Collapse sidebar": "Replier la barre latérale",
    "Expand sidebar": "Déplier la barre latérale",
    "App pages": "Pages de l’application",
    "Link to heading": "Lien vers ce titre",
    "Choose an option": "Choisissez une option",
    "Choose options": "Choisissez des options",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Clear value": "Effacer la valeur",
    "Clear all": "Tout effacer",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "progress": "progression",
    "file upload": "Envoi de fichier",
    "Upload": "Parcourir",
    "Add row": "Ajouter une ligne",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Fermer le plein écran",
    "Exit fullscreen": "Quitter le plein écran",
    "Copy to clipboard": "Copier dans le presse-papiers",
}
TEXT_IN = '[data-testid="stSkipToContent"], [data-testid="stFileUploader"]'

SHELL_SCRIPT = """(() => {
  const LANGS = %(langs)s, FR = %(labels)s, TEXT_IN = %(text_in)s;
  const EN = Object.fromEntries(Object.entries(FR).map(([en, fr]) => [fr, en]));
  // labels with a variable part: [English pattern, French pattern, English, French]
  const PATTERNS = [
    [/^Help for (.+)$/s, /^Aide : (.+)$/s, (x) => `Help for ${x}`, (x) => `Aide : ${x}`],
    [/^(\\d[\\d.]*)([KMG])B per file$/, /^(\\d[\\d.]*) ([KMG])o par fichier$/,
     (n, u) => `${n}${u}B per file`, (n, u) => `${n} ${u}o par fichier`],
    [/^File must be (\\d[\\d.]*)([KMG])B or smaller\\.$/, /^Le fichier doit faire au plus (\\d[\\d.]*) ([KMG])o\\.$/,
     (n, u) => `File must be ${n}${u}B or smaller.`, (n, u) => `Le fichier doit faire au plus ${n} ${u}o.`],
  ];
  let lang = null;
  function wanted() {  // the URL carries the app's language (?lang=…), the sidebar changes it
    const asked = new URLSearchParams(location.search).get("lang");
    return LANGS.includes(asked) ? asked : LANGS[0];
  }
  function translated(text) {
    const table = lang === "fr" ? FR : EN;
    if (Object.hasOwn(table, text)) return table[text];
    for (const [en, fr, toEn, toFr] of PATTERNS) {
      const match = (lang === "fr" ? en : fr).exec(text);
      if (match) return (lang === "fr" ? toFr : toEn)(...match.slice(1));
    }
    return null;
  }
  function attributes(element) {
    for (const name of ["aria-label", "title", "placeholder"]) {
      const value = element.getAttribute(name);
      const other = value && translated(value);
      if (other && other !== value) element.setAttribute(name, other);
    }
  }
  function text(node) {
    if (!node.parentElement || !node.parentElement.closest(TEXT_IN)) return;
    const value = node.data.trim(), other = value && translated(value);
    if (other && other !== value) node.data = other;
  }
  function sweep(root) {
    if (root.nodeType === Node.TEXT_NODE) { text(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    attributes(root);
    for (const element of root.querySelectorAll("[aria-label], [title], [placeholder]")) attributes(element);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) text(walker.currentNode);
  }
  function sync() {
    const now = wanted();
    if (document.documentElement.lang !== now) document.documentElement.lang = now;
    if (now !== lang) { lang = now; if (document.body) sweep(document.body); }
  }
  function safely(f) { try { f(); } catch (error) { console.error("page shell", error); } }
  for (const name of ["pushState", "replaceState"]) {
    const native = history[name];
    history[name] = function (...args) { const result = native.apply(this, args); safely(sync); return result; };
  }
  window.addEventListener("popstate", () => safely(sync));
  new MutationObserver((records) => safely(() => {
    sync();
    for (const record of records) {
      if (record.type === "attributes") attributes(record.target);
      else if (record.type === "characterData") text(record.target);
      else for (const node of record.addedNodes) sweep(node);
    }
  })).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["aria-label", "title", "placeholder"],
  });
  safely(sync);
})();"""

SHELL_STYLE = """
/* Keyboard focus that shows (WCAG 2.4.7): Streamlit 1.67 marks these with a faint background, or nothing
   (!important: Streamlit's own rules set "outline: none" on them, and come after this one) */
[data-testid="stSidebarNavLink"]:focus-visible,
[data-testid="stPageLink-NavLink"]:focus-visible,
[data-testid="stMain"]:focus-visible,
label:has(input[type="radio"]:focus-visible),
label:has(input[type="checkbox"]:focus-visible) {
  outline: 2px solid %(focus)s !important;
  outline-offset: 2px;
}
[data-testid="stMain"]:focus-visible { outline-offset: -2px; }
/* Question labels are plain text (a screen reader reads a widget's label as its name, Markdown
   marks included), drawn bold here instead */
.st-key-questions [data-testid="stWidgetLabel"] p { font-weight: 600; }
/* A collapsed sidebar (a phone's, or closed by hand) leaves the tab order and the reading order:
   its controls were reached with Tab while off screen. Hidden once its slide-out (0.3 s) is over. */
[data-testid="stSidebar"][data-collapsed="true"] {
  visibility: hidden;
  transition: transform 0.3s, min-width 0.3s, max-width 0.3s, visibility 0s 0.3s;
}
"""

_HTML_LANG = re.compile(rb'(<html\b[^>]*?\blang=")[^"]*(")')
_log = logging.getLogger("autodiag")


def page_lang(query_string: bytes) -> str:
    """The app's language asked for by the URL (`?lang=en`), else the first of LANGS, as ui/state.py reads it."""
    asked = parse_qs(query_string.decode("latin-1")).get("lang", [""])[0]
    return asked if asked in LANGS else LANGS[0]


def mend_shell(html: bytes, lang: str) -> bytes:
    """Streamlit's index.html with `<html lang>` in `lang`, and the style and script above in its head."""
    mended, found = _HTML_LANG.subn(rb"\g<1>" + lang.encode() + rb"\g<2>", html, count=1)
    focus = st.get_option("theme.primaryColor") or "currentColor"
    script = SHELL_SCRIPT % {
        "langs": json.dumps(LANGS), "labels": json.dumps(LABELS_FR, ensure_ascii=False), "text_in": json.dumps(TEXT_IN),
    }  # fmt: skip
    head = f"<style>{SHELL_STYLE % {'focus': focus}}</style><script>{script}</script></head>".encode()
    if not found or b"</head>" not in mended:  # another Streamlit's page: tests/test_accessibility.py says so
        _log.warning("page shell not mended: no <html lang> or </head> in the served index.html")
        return html
    return mended.replace(b"</head>", head, 1)


def _is_page(path: str) -> bool:
    """A path that Streamlit answers with its index.html: "/" or a page's path, not a file or an endpoint."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return "." not in last and not path.startswith(("/_stcore/", "/static/", "/media/", "/component/"))


class PageShell:
    """Serve every page's index.html mended by `mend_shell`, whole and uncompressed (it is 5 kB)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not _is_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        lang = page_lang(scope.get("query_string", b""))
        # The body depends on the query now: no 304 from a validator of another page, no gzip to undo.
        dropped = {b"if-none-match", b"if-modified-since", b"accept-encoding"}
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() not in dropped]}
        held: Message | None = None
        chunks: list[bytes] = []

        async def mend(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                if message["status"] == 200 and headers.get("content-type", "").startswith("text/html") \
                        and "content-encoding" not in headers:  # fmt: skip
                    held = message
                    return
            elif message["type"] == "http.response.body" and held is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = mend_shell(b"".join(chunks), lang)
                headers = MutableHeaders(scope=held)
                headers["content-length"] = str(len(body))
                del headers["etag"]  # they described the file, not this page
                del headers["last-modified"]
                await send(held)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, mend)


# --- invitations: the link survives the sign-in round trip ------------------------------------------

INVITE_COOKIE = "autodiag_invite"  # read by ui/session.py
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class InvitationCookie:
    """A page opened with ?invite=TOKEN keeps the token in a short-lived cookie (15 minutes, HttpOnly).

    After the OpenID Connect sign-in, Streamlit sends the browser back to "/" without the query: the
    app then finds the invitation in the cookie. Only a well-formed token is kept; it is worth
    nothing without the sign-in, is single use, and the database holds only its SHA-256.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").endswith("/auth/logout"):
            await self.app(scope, receive, self._forgetting(send))  # the next person on this browser starts clean
            return
        if scope["type"] != "http" or scope["method"] != "GET" or not _is_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        token = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("invite") or [""])[0]
        if not TOKEN.match(token):
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(
                    "set-cookie", f"{INVITE_COOKIE}={token}; Max-Age=900; Path=/; HttpOnly; SameSite=Lax"
                )
            await send(message)

        await self.app(scope, receive, with_cookie)

    @staticmethod
    def _forgetting(send: Send) -> Send:
        async def without_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", f"{INVITE_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax")
            await send(message)

        return without_cookie


def check_binding() -> None:
    """Local mode has no login: refuse to listen beyond the loopback address."""
    from streamlit import config

    problem = settings.binding_problem(config.get_option("server.address"))
    if problem:
        logging.getLogger("autodiag").critical(problem)
        raise SystemExit(problem)


# --- the garbage collector's walk after each run -----------------------------------------------------

WARM = (
    "app_pages.home", "app_pages.company", "app_pages.diagnostic", "app_pages.results", "app_pages.plan",
    "app_pages.followup", "app_pages.workspace", "ui.session", "ui.charts", "ui.exports", "ui.questions", "ui.live",
    "diagnostic.exports.pdf", "diagnostic.exports.excel", "diagnostic.exports.radar",
)


def warm_up_and_freeze() -> None:
    """Import what the runs use and load the questionnaires once, then take these long-lived objects
    out of the garbage collector's walks (`gc.freeze`).

    Streamlit collects every generation after each run (`runner.postScriptGC`, kept on: it keeps a
    server's memory flat); walking the modules, the questionnaires, plotly, pandas, reportlab and
    matplotlib at each answer was three quarters of the server's CPU per answer (`make bench`, py-spy).
    """
    for name in WARM:
        importlib.import_module(name)
    from diagnostic.services.questionnaires import shipped_questionnaires

    shipped_questionnaires()
    gc.collect()
    gc.freeze()


logs.configure()  # JSON lines when AUTODIAG_LOG_FORMAT=json (a cluster's log collector)
check_binding()
warm_up_and_freeze()
async def metrics_endpoint(request: Request) -> Response:
    """The server's metrics (diagnostic/metrics.py), for a collector on this machine or its network."""
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


app = st.App(
    "app.py",
    middleware=[Middleware(Hardening), Middleware(PageShell), Middleware(InvitationCookie)],
    routes=[Route("/_autodiag/metrics", metrics_endpoint)],
)

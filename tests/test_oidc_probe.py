"""Proof that Streamlit's own st.login() signs in through a real OpenID Connect flow in Chromium.

The provider is oidc-provider-mock (tests/oidc.py) with a registered client, so a wrong client secret
or redirect URI would fail. The app is the throwaway tests/oidc_probe_app.py, served twice: by
`streamlit run` of the script itself, and by `streamlit run` of a copy of serve.py (its `st.App(...)`
ASGI entry point and middleware) pointed at the probe instead of app.py.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import ROOT, browser, free_port, new_page, wait_idle, wait_selector
from tests.oidc import (
    Provider,
    finish_sign_out,
    keep_offline,
    oidc_provider,
    redirect_uri,
    running_shared,
    sign_in,
    start_sign_in,
)

pytestmark = [
    pytest.mark.browser,
    # oidc-provider-mock runs in this process and imports Authlib APIs that Authlib 1.9 deprecates
    pytest.mark.filterwarnings("ignore::authlib.deprecate.AuthlibDeprecationWarning"),
    pytest.mark.filterwarnings("ignore:get_jwt_config.* is deprecated:DeprecationWarning"),
]

PROBE = Path(__file__).resolve().parent / "oidc_probe_app.py"
PEOPLE = [("alice", "alice@example.org", "Alice Martin"), ("bob", "bob@example.org", "Bob Durand")]
SERVE_APP = 'st.App("app.py"'  # the line of serve.py that names the script it serves


@pytest.fixture
def chromium() -> Iterator:
    with browser() as page:
        yield page


def shown(page, key: str) -> str:
    """The value the probe app shows after `key: ` (iss, sub, email)."""
    text = page.locator("[data-testid=stMarkdownContainer]", has_text=f"{key}:").first.inner_text(timeout=10_000)
    match = re.fullmatch(rf"{key}: (.*)", text.strip())
    assert match, f"{key!r} not shown as expected: {text!r}"
    return match.group(1)


def offline_page(any_page):
    """A page in a new context of the same browser (own cookies), with no request leaving this machine."""
    page = new_page(any_page)
    keep_offline(page.context)
    return page


def auth_cookies(page) -> list[str]:
    return [cookie["name"] for cookie in page.context.cookies() if cookie["name"].startswith("_streamlit_user")]


def check_sign_in_and_out(any_page, url: str, provider: Provider) -> None:
    """Two people sign in in two contexts, each sees their own identity; logout works; a fresh context is anonymous."""
    people = []
    for subject, email, name in PEOPLE:
        page = offline_page(any_page)
        page.goto(url)
        wait_idle(page)
        wait_selector(page, "text=Non connecté", f"{subject}: the app before signing in")
        start_sign_in(page, "Se connecter")
        assert page.url.startswith(f"{provider.issuer}/oauth2/authorize?"), page.url
        sign_in(page, subject, email, name)
        wait_selector(page, "[data-testid=stJson]", f"{subject}'s identity shown")
        assert (shown(page, "iss"), shown(page, "sub"), shown(page, "email")) == (provider.issuer, subject, email)
        assert sorted(auth_cookies(page)) == ["_streamlit_user", "_streamlit_user_tokens"]
        people.append(page)

    # each context keeps its own identity, also in a new session (a reload: the identity comes from the cookie)
    for page, (subject, _, _) in zip(people, PEOPLE, strict=True):
        page.reload()
        wait_idle(page)
        wait_selector(page, "[data-testid=stJson]", f"{subject}'s identity after a reload")
        assert shown(page, "sub") == subject

    # logout: Streamlit clears its cookies and sends the browser to the provider's end_session_endpoint,
    # which, once confirmed, sends it to /oauth2callback, and Streamlit to the app's home, signed out
    alice, bob = people
    alice.get_by_role("button", name="Se déconnecter").click()
    finish_sign_out(alice)
    wait_selector(alice, "text=Non connecté", "alice signed out")
    assert auth_cookies(alice) == []
    alice.reload()
    wait_idle(alice)
    wait_selector(alice, "text=Non connecté", "alice still signed out after a reload")

    # bob is still signed in; a fresh context is not
    bob.reload()
    wait_idle(bob)
    wait_selector(bob, "[data-testid=stJson]", "bob's identity after alice left")
    assert shown(bob, "sub") == "bob"
    stranger = offline_page(any_page)
    stranger.goto(url)
    wait_idle(stranger)
    wait_selector(stranger, "text=Non connecté", "a fresh context")
    assert stranger.get_by_text("sub:").count() == 0
    assert auth_cookies(stranger) == []


def head(port: int, path: str) -> tuple[int, dict[str, str]]:
    """Status and headers of a GET, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()


def test_login_with_streamlit_run_of_the_script(tmp_path, chromium):
    port = free_port()
    with oidc_provider(redirect_uris=[redirect_uri(port)]) as provider:
        database = f"sqlite:///{tmp_path / 'unused.db'}"
        with running_shared(PROBE, database, provider, tmp_path, port=port, log=tmp_path / "server.log") as server:
            check_sign_in_and_out(chromium, server.url, provider)


def test_login_through_the_st_app_entry_point_of_serve_py(tmp_path, chromium):
    """serve.py's `st.App(..., middleware=[Hardening, PageShell])` serves /auth/login and /oauth2callback too."""
    serve = (ROOT / "serve.py").read_text(encoding="utf-8")
    assert serve.count(SERVE_APP) == 1, f"serve.py no longer has one {SERVE_APP!r}: update this test"
    entry = tmp_path / "serve_probe.py"
    entry.write_text(serve.replace(SERVE_APP, f"st.App({str(PROBE)!r}"), encoding="utf-8")
    port = free_port()
    with oidc_provider(redirect_uris=[redirect_uri(port)]) as provider:
        database = f"sqlite:///{tmp_path / 'unused.db'}"
        with running_shared(entry, database, provider, tmp_path, port=port, log=tmp_path / "server.log") as server:
            # the auth routes answer through serve.py's middleware (its anti-framing header)
            for path in ("/auth/login", "/oauth2callback"):
                status, headers = head(port, path)
                assert status == 302 and headers.get("x-frame-options") == "DENY", (path, status, headers)
            check_sign_in_and_out(chromium, server.url, provider)

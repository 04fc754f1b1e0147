"""A real OpenID Connect provider for browser tests: oidc-provider-mock on 127.0.0.1, the app signed in through it.

How the pieces fit (Streamlit 1.67, oidc-provider-mock 0.3.4):

- `oidc_provider()` serves the mock's Flask app (`oidc_provider_mock.app`) with Werkzeug in a thread of the
  test process. Its issuer is the URL it was reached at (`http://127.0.0.1:PORT`), so the app server, which
  fetches the metadata, and the browser, which follows the authorisation URL named there, must both use
  127.0.0.1. With `redirect_uris`, the mock requires client registration and a client is registered for
  them (exact redirect URI and client secret checked); without, it accepts any client id and secret.
- `write_auth_secrets()` writes Streamlit's `[auth]` secrets; `shared_server()` gives them to a
  `tests.e2e.Server` through `STREAMLIT_SECRETS_FILES` (the `secrets.files` option), so the repository's
  `.streamlit/` is never read for secrets nor written.
- The app's host must be the same everywhere (127.0.0.1 here): the OAuth state lives in a cookie of the
  host that started the login, and the identity cookie is only accepted by a WebSocket whose Origin equals
  the origin of `redirect_uri`.
- The mock's pages link a stylesheet on cdn.jsdelivr.net: `keep_offline()` answers every request that is not
  for this machine with an error, so that no page load waits for the network.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from tests.e2e import TIMEOUT, Server, free_port, wait_idle

HOST = "127.0.0.1"  # the one host of the provider, the app and the browser
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
WAIT = 10.0  # seconds, for one HTTP request to the provider


@dataclass(frozen=True)
class Provider:
    """A running mock provider and the client the app uses with it."""

    issuer: str  # http://127.0.0.1:PORT, also the `iss` of the identities it issues
    client_id: str
    client_secret: str

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def redirect_uri(app_port: int) -> str:
    """Streamlit's OAuth callback of an app served on `app_port` of 127.0.0.1."""
    return f"http://{HOST}:{app_port}/oauth2callback"


def _request(method: str, url: str, body: Any = None, timeout: float = WAIT) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{method} {url}: HTTP {error.code}: {error.read()[:500]!r}") from None
    return json.loads(text) if text else None


@contextmanager
def oidc_provider(redirect_uris: Sequence[str] = (), timeout: float = 15.0) -> Iterator[Provider]:
    """oidc-provider-mock on a free port of 127.0.0.1, in a thread; stopped on the way out.

    `redirect_uris`: register a client for exactly these (the mock then refuses any other client, secret
    or redirect URI). Empty: no registration, the mock accepts any client id and secret.
    """
    import werkzeug.serving
    from oidc_provider_mock import app as provider_app

    class Quiet(werkzeug.serving.WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:  # one line per request: noise in test output
            pass

    flask_app = provider_app(require_client_registration=bool(redirect_uris))
    server = werkzeug.serving.make_server(HOST, 0, flask_app, threaded=True, request_handler=Quiet)
    issuer = f"http://{HOST}:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        deadline, last = time.monotonic() + timeout, None
        while True:
            try:
                metadata = _request("GET", f"{issuer}/.well-known/openid-configuration", timeout=2)
                break
            except (OSError, RuntimeError) as error:
                last = error
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the OIDC provider did not answer on {issuer} within {timeout:.0f} s: {last}"
                    ) from None
                time.sleep(0.1)
        if metadata.get("issuer") != issuer:
            raise RuntimeError(f"the OIDC provider says its issuer is {metadata.get('issuer')!r}, not {issuer!r}")
        if redirect_uris:
            client = _request("POST", f"{issuer}/oauth2/clients", {"redirect_uris": list(redirect_uris)})
            client_id, client_secret = client["client_id"], client["client_secret"]
        else:
            client_id, client_secret = "autodiag-tests", secrets.token_urlsafe(16)
        yield Provider(issuer=issuer, client_id=client_id, client_secret=client_secret)
    finally:
        stopper = threading.Thread(target=server.shutdown, daemon=True)
        stopper.start()
        stopper.join(10)
        thread.join(5)
        server.server_close()


def _toml(value: str) -> str:
    return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's


def write_auth_secrets(path: Path, provider: Provider, app_port: int, cookie_secret: str | None = None) -> Path:
    """Write a secrets.toml with Streamlit's `[auth]` (default provider) for an app on `app_port` of 127.0.0.1."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = {
        "redirect_uri": redirect_uri(app_port),
        "cookie_secret": cookie_secret or secrets.token_hex(32),
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "server_metadata_url": provider.metadata_url,
    }
    path.write_text("[auth]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in entries.items()))
    return path


def shared_server(
    script: Path,
    database_url: str,
    provider: Provider,
    folder: Path,
    port: int | None = None,
    cookie_secret: str | None = None,
    env: dict[str, str] | None = None,
    **options: Any,
) -> Server:
    """A (not started) `tests.e2e.Server` of `script` in shared mode, signing in through `provider`.

    Its secrets file is written in `folder` and given through STREAMLIT_SECRETS_FILES (which replaces
    the default .streamlit/secrets.toml locations); AUTODIAG_MODE=shared. `options`: those of Server
    (log, ...); the address stays 127.0.0.1, the host of `redirect_uri`.
    """
    port = port or free_port()
    secrets_file = write_auth_secrets(Path(folder) / f"secrets-{port}.toml", provider, port, cookie_secret)
    if any(c.isspace() for c in str(secrets_file)):  # click splits a multiple option's variable on whitespace
        raise ValueError(f"the secrets file path must not contain whitespace: {secrets_file}")
    if options.get("address", HOST) != HOST:
        raise ValueError(f"a shared-mode test server listens on {HOST}, the host of its redirect_uri")
    extra = {"AUTODIAG_MODE": "shared", "STREAMLIT_SECRETS_FILES": str(secrets_file), **(env or {})}
    return Server(script, database_url, port=port, env=extra, **options)


@contextmanager
def running_shared(
    script: Path, database_url: str, provider: Provider, folder: Path, **options: Any
) -> Iterator[Server]:
    """A started `shared_server(...)`, stopped on the way out."""
    server = shared_server(script, database_url, provider, folder, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def keep_offline(context) -> None:
    """Abort every request of this browser context that is not for this machine (the mock's CDN stylesheet)."""

    def handle(route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.fallback()
        else:
            route.abort("internetdisconnected")

    context.route("**/*", handle)


def _on_authorize_form(url: str) -> bool:
    return urlsplit(url).path.rstrip("/") == "/oauth2/authorize"


def start_sign_in(page, button: str = "Se connecter", timeout_s: float = TIMEOUT) -> None:
    """Click the app's login button (calls `st.login()`) and wait until the provider's authorisation form shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.get_by_role("button", name=button).click(timeout=timeout_s * 1000)
    try:
        page.wait_for_url(_on_authorize_form, timeout=timeout_s * 1000)
        page.locator("input[name=sub]").wait_for(timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        raise TimeoutError(f"no authorisation form of the provider {timeout_s:.0f} s after clicking "
                           f"{button!r}; the page is at {page.url}") from None  # fmt: skip


def sign_in(page, subject: str, email: str, name: str, timeout_s: float = TIMEOUT) -> None:
    """On the provider's authorisation form: authorise `subject` (with these email and name claims), then
    wait until the browser is back on the app and the app is idle; bounded by `timeout_s` in all.

    The mock's form only asks for `sub`; the other claims of that subject are set beforehand through
    its `PUT /users/{sub}` (email_verified true, as a real provider that checked the address says).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout_s
    if not _on_authorize_form(page.url):
        raise RuntimeError(f"sign_in: the page is not on the provider's authorisation form but on {page.url}")
    address = urlsplit(page.url)
    back_to = parse_qs(address.query).get("redirect_uri", [""])[0]
    app = urlsplit(back_to)
    if not app.netloc:
        raise RuntimeError(f"sign_in: no redirect_uri in the authorisation URL {page.url}")
    claims = {"email": email, "email_verified": True, "name": name}
    _request("PUT", f"{address.scheme}://{address.netloc}/users/{quote(subject, safe='')}", claims)

    def back_on_app(url: str) -> bool:
        here = urlsplit(url)
        return (here.scheme, here.netloc) == (app.scheme, app.netloc) and not here.path.endswith("/oauth2callback")

    page.locator("input[name=sub]").fill(subject, timeout=timeout_s * 1000)
    page.get_by_role("button", name="Authorize", exact=True).click(timeout=max(1.0, deadline - time.monotonic()) * 1000)
    try:
        page.wait_for_url(back_on_app, timeout=max(1.0, deadline - time.monotonic()) * 1000)
    except PlaywrightTimeout:
        raise TimeoutError(f"sign_in({subject!r}): not back on {app.scheme}://{app.netloc} within "
                           f"{timeout_s:.0f} s; the page is at {page.url}: {_text(page)}") from None  # fmt: skip
    wait_idle(page, timeout=max(1.0, deadline - time.monotonic()))


def finish_sign_out(page, timeout_s: float = TIMEOUT) -> None:
    """After `st.logout()`: confirm on the provider's end-session page (Streamlit sends the browser there
    when the provider names an end_session_endpoint, as the mock does), then wait until the browser is
    back on the app and the app is idle; bounded by `timeout_s` in all.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout_s
    try:
        page.wait_for_url(lambda url: urlsplit(url).path.rstrip("/") == "/oauth2/end_session",
                          timeout=timeout_s * 1000)  # fmt: skip
    except PlaywrightTimeout:
        raise TimeoutError(f"no end-session page of the provider within {timeout_s:.0f} s; "
                           f"the page is at {page.url}") from None  # fmt: skip
    back_to = parse_qs(urlsplit(page.url).query).get("post_logout_redirect_uri", [""])[0]
    app = urlsplit(back_to)
    page.get_by_role("button", name="End session", exact=True).click(
        timeout=max(1.0, deadline - time.monotonic()) * 1000
    )
    try:
        page.wait_for_url(
            lambda url: (
                (urlsplit(url).scheme, urlsplit(url).netloc) == (app.scheme, app.netloc)
                and not urlsplit(url).path.endswith("/oauth2callback")
            ),
            timeout=max(1.0, deadline - time.monotonic()) * 1000,
        )
    except PlaywrightTimeout:
        raise TimeoutError(f"not back on {back_to} after ending the session; the page is at {page.url}") from None
    wait_idle(page, timeout=max(1.0, deadline - time.monotonic()))


def _text(page, limit: int = 300) -> str:
    try:
        return " ".join(page.inner_text("body", timeout=2000).split())[:limit]
    except Exception:  # noqa: BLE001 - only for an error message
        return "(no text)"

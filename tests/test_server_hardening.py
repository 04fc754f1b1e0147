"""The real server, hardened: bound to this machine, no public metrics, not framable, no help links.

The server is started as `make run` starts it: from serve.py (app.py behind the hardening
middleware, see docs/decisions.md) when it is there, else app.py, and without `--server.address`,
so that .streamlit/config.toml alone decides where it listens.

Local mode has no login: serve.py's `check_binding()` stops a server asked to listen beyond the
loopback address; shared mode may. An invitation link (`/?invite=TOKEN`) leaves the token in a
short-lived HttpOnly cookie (serve.py's `InvitationCookie`), and only a well-formed one, on a page.
"""

from __future__ import annotations

import fcntl
import http.client
import ipaddress
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import ROOT, Server, browser, free_port, running, wait_idle, wait_selector

ENTRY = ROOT / "serve.py"
WAIT = 10  # seconds, for one HTTP request


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("hardening")
    with running(
        ENTRY, f"sqlite:///{folder / 'hardening.db'}", log=folder / "server.log", address=None,
        env={"AUTODIAG_MODE": "local"},
    ) as started:  # fmt: skip
        yield started


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=WAIT) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _decode(host: str) -> str:
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        return str(ipaddress.ip_address(raw[::-1]))
    return str(ipaddress.ip_address(b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))))


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (/proc/net/tcp and tcp6)."""
    found = set()
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            host, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(_decode(host))
    return found


def machine_addresses() -> list[tuple[int, tuple]]:
    """Every address of this machine's interfaces, as (family, socket address)."""
    found: list[tuple[int, tuple]] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(probe.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))  # SIOCGIFADDR
            except OSError:
                continue  # no IPv4 address on this interface
            found.append((socket.AF_INET, (socket.inet_ntoa(packed[20:24]),)))
    inet6 = Path("/proc/net/if_inet6")
    if inet6.exists():
        for line in inet6.read_text().splitlines():
            hex_address, index, *_ = line.split()
            address = str(ipaddress.ip_address(bytes.fromhex(hex_address)))
            found.append((socket.AF_INET6, (address, 0, int(index, 16))))
    return found


def test_health_answers_ok(server: Server) -> None:
    status, _, body = get(f"{server.url}/_stcore/health")
    assert (status, body) == (200, b"ok"), "the health check answers ok"


def test_the_server_listens_on_127_0_0_1_only(server: Server) -> None:
    assert listening_addresses(server.port) == {"127.0.0.1"}, (
        f"the server must listen on 127.0.0.1 only (server.address in .streamlit/config.toml); "
        f"it listens on {sorted(listening_addresses(server.port))}"
    )
    reachable = []
    for family, address in machine_addresses():
        if address[0] == "127.0.0.1":
            continue
        with socket.socket(family, socket.SOCK_STREAM) as client:
            client.settimeout(2)
            try:
                client.connect((address[0], server.port, *address[1:]))
                reachable.append(address[0])
            except OSError:
                pass
    assert not reachable, f"the server answers on other addresses of this machine: {reachable}"
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT):
        pass


def test_metrics_are_not_public(server: Server) -> None:
    for path in ("/_stcore/metrics", "/_stcore/metrics/", "//_stcore//metrics", "/_stcore/%6detrics"):
        status, _, body = get(f"{server.url}{path}")
        assert status in (403, 404), (
            f"{path} is readable ({status}: {body[:60]!r}); Streamlit 1.67 has no option for it: "
            f"serve.py's middleware answers 404 (served: {ENTRY.name})"
        )


def test_every_page_refuses_to_be_framed(server: Server) -> None:
    for path in ("/", "/accueil", "/_stcore/health", "/_stcore/host-config"):
        status, headers, _ = get(f"{server.url}{path}")
        assert status == 200, path
        lower = {k.lower(): v for k, v in headers.items()}
        assert lower.get("x-frame-options") == "DENY", f"{path}: no X-Frame-Options: DENY (served: {ENTRY.name})"
        assert "frame-ancestors 'none'" in lower.get("content-security-policy", ""), (
            f"{path}: no Content-Security-Policy frame-ancestors 'none' (served: {ENTRY.name})"
        )


def test_no_parent_page_may_drive_the_app(server: Server) -> None:
    _, _, body = get(f"{server.url}/_stcore/host-config")
    assert json.loads(body)["allowedOrigins"] == [], "client.allowedOrigins = [] in .streamlit/config.toml"


needs_chromium = pytest.mark.skipif(
    not shutil.which("chromium"), reason="Chromium is not installed (.ci/run installs it)"
)


@pytest.mark.browser
@needs_chromium
def test_accueil_opens_the_home_page(server: Server) -> None:
    with browser() as page:
        page.goto(f"{server.url}/accueil")
        wait_idle(page, settle=0)
        wait_selector(page, "[data-testid=stMain] h1", "the home page's title")
        assert page.get_by_text("Page not found").count() == 0, (
            "/accueil shows Streamlit's English 'Page not found' dialog: the default page is served at / "
            "and its url_path is not reachable; the fix belongs in app.py (see docs/decisions.md)"
        )
        assert page.url.split("?")[0].endswith("/accueil"), f"/accueil went to {page.url}"


@pytest.mark.browser
@needs_chromium
def test_an_error_offers_no_search_links(tmp_path: Path) -> None:
    failing = tmp_path / "failing.py"
    failing.write_text("raise RuntimeError('secret detail')\n", encoding="utf-8")
    # served from the project's folder, so with the project's .streamlit/config.toml
    with running(failing, f"sqlite:///{tmp_path / 'e.db'}", log=tmp_path / "server.log") as failing_server:
        with browser() as page:
            page.goto(failing_server.url)
            wait_idle(page, settle=0)
            wait_selector(page, "[data-testid=stException]", "the error box")
            box = page.get_by_test_id("stException")
            assert box.get_by_text("Ask Google").count() == 0, "client.showErrorLinks = false"
            assert box.get_by_text("Ask ChatGPT").count() == 0, "client.showErrorLinks = false"
            assert "secret detail" not in box.inner_text(), "client.showErrorDetails = none"


# --- local mode listens on the loopback address only (serve.py's check_binding) -----------------------

DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy of the environment
REFUSAL = "Local mode has no login"
BINDING_WAIT = 60.0  # seconds: a refused server must have exited by then (it takes about 1 s)


def network_addresses() -> list[str]:
    """This machine's non-loopback addresses (`hostname -I`, else its interfaces); link-local IPv6 left out."""
    try:
        listed = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5, check=False).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        listed = []
    found: list[str] = []
    for text in listed or [address[0] for _, address in machine_addresses()]:
        try:
            address = ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            continue
        if not (address.is_loopback or address.is_link_local or address.is_unspecified) and str(address) not in found:
            found.append(str(address))
    return found


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def answers_http(address: str, port: int, timeout: float = 1.0) -> str | None:
    """What /_stcore/health at address:port answered (any HTTP status counts), None if nothing answered."""
    try:
        with DIRECT.open(f"http://{_host(address)}:{port}/_stcore/health", timeout=timeout) as response:
            return f"{response.status} {response.read()[:20]!r}"
    except urllib.error.HTTPError as error:
        return f"{error.code}"
    except (OSError, http.client.HTTPException):  # refused, reset, timed out: no answer
        return None


def start_and_watch(folder: Path, address: str, mode: str | None, tcp: bool = False) -> tuple[int | None, float, str, list[str]]:
    """`streamlit run serve.py --server.address <address>` as `make run` would, in `mode` (None: unset).

    While it runs (at most BINDING_WAIT seconds), the port is asked over and over on 127.0.0.1 and on
    this machine's network addresses: by HTTP, or with `tcp` by a bare TCP connection. Returns the exit
    code (None: still running, then stopped), the seconds it ran, its output and every answer seen.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "AUTODIAG_MODE"}
    if mode is not None:
        env["AUTODIAG_MODE"] = mode
    env.update(DATABASE_URL=f"sqlite:///{folder / 'binding.db'}", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "streamlit", "run", str(ENTRY), "--server.headless", "true",
               "--server.port", str(port), "--server.address", address, "--browser.gatherUsageStats", "false"]  # fmt: skip
    hosts = ["127.0.0.1", *network_addresses()]
    log = folder / f"binding-{port}.log"
    answered: list[str] = []
    started = time.monotonic()
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            while process.poll() is None and time.monotonic() - started < BINDING_WAIT:
                for host in hosts:
                    if tcp:
                        try:
                            with socket.create_connection((host, port), timeout=0.5):
                                answered.append(f"{host}: TCP connection accepted after {time.monotonic() - started:.2f} s")
                        except OSError:
                            pass
                    elif (answer := answers_http(host, port)) is not None:
                        answered.append(f"{host}: {answer}")
                time.sleep(0.01)
            code = process.poll()
            elapsed = time.monotonic() - started
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=15)
    return code, elapsed, log.read_text(encoding="utf-8", errors="replace"), answered


@pytest.mark.parametrize(
    ("mode", "address"), [(None, "0.0.0.0"), ("local", "0.0.0.0"), (None, "network"), ("LOCAL ", "network")]
)
def test_local_mode_refuses_to_listen_beyond_this_machine(tmp_path: Path, mode: str | None, address: str) -> None:
    if address == "network":
        found = [a for a in network_addresses() if ":" not in a]
        if not found:
            pytest.skip("this machine has no non-loopback IPv4 address (hostname -I lists none)")
        address = found[0]
    code, elapsed, output, answered = start_and_watch(tmp_path, address, mode)
    assert code is not None, f"the server still ran {elapsed:.0f} s after start on {address!r} in local mode:\n{output[-2000:]}"
    assert code != 0, f"exit code 0 on a refused address:\n{output[-2000:]}"
    assert REFUSAL in output, f"the refusal does not say why:\n{output[-2000:]}"
    assert "AUTODIAG_MODE=shared" in output, "the refusal says how to serve other machines"
    assert not answered, f"the refused server answered HTTP before it exited: {answered}"


def test_shared_mode_may_listen_beyond_this_machine(tmp_path: Path) -> None:
    """Shared mode has a login: the same address is allowed (the health check needs no [auth] secrets)."""
    with running(
        ENTRY, f"sqlite:///{tmp_path / 'shared.db'}", log=tmp_path / "server.log", address="0.0.0.0",
        env={"AUTODIAG_MODE": "shared"},
    ) as shared:  # fmt: skip
        status, _, body = get(f"{shared.url}/_stcore/health")
        assert (status, body) == (200, b"ok")
        for address in [a for a in network_addresses() if ":" not in a][:1]:
            assert answers_http(address, shared.port, timeout=WAIT) == "200 b'ok'", f"not served on {address}"
    assert REFUSAL not in (tmp_path / "server.log").read_text(encoding="utf-8", errors="replace")


def test_the_default_configuration_does_not_answer_on_the_network_address(server: Server) -> None:
    """The server as `make run` starts it (.streamlit/config.toml alone) is out of reach of other machines."""
    addresses = network_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback address (hostname -I lists none): nothing to reach it by")
    assert answers_http("127.0.0.1", server.port, timeout=WAIT) == "200 b'ok'"
    answered = {a: answer for a in addresses if (answer := answers_http(a, server.port, timeout=3)) is not None}
    assert not answered, f"the local server answers on this machine's network address(es): {answered}"


# --- invitation links: the token kept in a short-lived cookie (serve.py's InvitationCookie) -----------

TOKEN = "Ab3-_" + "x" * 36 + "-_"  # 43 url-safe characters, as secrets.token_urlsafe(32) gives
assert len(TOKEN) == 43


def set_cookies(url: str) -> tuple[int, list[str]]:
    """Status and the Set-Cookie headers of a GET that carry the invitation (or its token), redirects not followed.

    Streamlit's own cookie (_streamlit_xsrf, on some responses) is left out.
    """

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    try:
        with opener.open(url, timeout=WAIT) as response:
            response.read()
            status, headers = response.status, response.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        status, headers = error.code, error.headers.get_all("Set-Cookie") or []
    return status, [h for h in headers if h.startswith("autodiag_invite=") or TOKEN[:20] in h]


@pytest.mark.parametrize("path", ["/", "/accueil", "/espace", "/diagnostic"])
def test_an_invitation_link_keeps_its_token_in_a_short_lived_cookie(server: Server, path: str) -> None:
    status, cookies = set_cookies(f"{server.url}{path}?invite={TOKEN}")
    assert status == 200, path
    assert cookies == [f"autodiag_invite={TOKEN}; Max-Age=900; Path=/; HttpOnly; SameSite=Lax"], (path, cookies)
    # the other parameters of the link do not matter
    _, cookies = set_cookies(f"{server.url}{path}?lang=en&invite={TOKEN}&c=1")
    assert cookies == [f"autodiag_invite={TOKEN}; Max-Age=900; Path=/; HttpOnly; SameSite=Lax"], (path, cookies)


@pytest.mark.parametrize(
    "token",
    [
        "short",  # too short
        "x" * 19,
        "x" * 101,  # too long
        "x" * 500,
        TOKEN[:-2] + "%3B" + "a",  # ;
        TOKEN + "%3B%20Domain%3Devil.example",  # a cookie attribute smuggled in
        TOKEN[:20] + "%20" + TOKEN[20:],  # a space
        TOKEN[:20] + "+" + TOKEN[20:],  # a space, form-encoded
        TOKEN + "%0D%0ASet-Cookie%3A%20x%3D1",  # a header smuggled in
        TOKEN[:-1] + "%3D",  # base64's padding is not url-safe base64 without padding
        TOKEN[:-1] + "%C3%A9",  # not ASCII
        "",
    ],
)
def test_a_malformed_invitation_token_sets_no_cookie(server: Server, token: str) -> None:
    status, cookies = set_cookies(f"{server.url}/?invite={token}")
    assert status == 200
    assert cookies == [], f"{token[:60]!r}: {cookies}"


def test_only_pages_set_the_invitation_cookie(server: Server) -> None:
    _, _, index = get(f"{server.url}/")
    asset = next(part.split('"')[0] for part in index.decode().split('src="./')[1:] if part.startswith("static/"))
    for path in ("/_stcore/health", "/_stcore/host-config", f"/{asset}", "/static/nothing-here.js", "/favicon.png",
                 "/app/static/nothing.png", "/media/nothing.png", "/_stcore/metrics"):  # fmt: skip
        status, cookies = set_cookies(f"{server.url}{path}?invite={TOKEN}")
        assert cookies == [], f"{path} ({status}) set {cookies}"
    assert set_cookies(f"{server.url}/{asset}")[0] == 200, f"/{asset} is a real file of the page"

"""The real server, hardened: bound to this machine, no public metrics, not framable, no help links.

The server is started as `make run` starts it: from serve.py (app.py behind the hardening
middleware, see docs/decisions.md) when it is there, else app.py, and without `--server.address`,
so that .streamlit/config.toml alone decides where it listens.
"""

from __future__ import annotations

import fcntl
import ipaddress
import json
import shutil
import socket
import struct
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import ROOT, Server, browser, running, wait_idle, wait_selector

ENTRY = ROOT / "serve.py"
WAIT = 10  # seconds, for one HTTP request


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("hardening")
    with running(ENTRY, f"sqlite:///{folder / 'hardening.db'}", log=folder / "server.log", address=None) as started:
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

"""The deployment files of deploy/ are checked as far as this machine can (no Docker, no cluster here):
each YAML document parses; the app servers are probed on /_stcore/health; affinity is by cookie;
WebSockets get a long timeout; no secret is written in a file — they come from the environment or a
Kubernetes Secret. (The proxy's configuration itself is checked by HAProxy in tests/test_cluster.py.)
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SECRET_WORDS = re.compile(r"(password|secret|cookie_?secret)\s*[:=]\s*(?![\s\"']*\$\{)[\"']?[A-Za-z0-9_\-]{8,}", re.IGNORECASE)


def test_compose_runs_two_app_servers_behind_the_proxy_with_secrets_from_the_environment() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"db", "app1", "app2", "proxy"} <= set(services)
    for name in ("app1", "app2"):
        app = services[name]
        assert "/_stcore/health" in " ".join(app["healthcheck"]["test"])
        assert app["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"].startswith("${AUTODIAG_COOKIE_SECRET")
        assert "${AUTODIAG_DB_PASSWORD}" in app["environment"]["DATABASE_URL"]
    proxy = services["proxy"]
    assert any(volume.startswith("./haproxy.cfg:") for volume in proxy["volumes"])
    assert {proxy["environment"]["AUTODIAG_APP1"], proxy["environment"]["AUTODIAG_APP2"]} == {"app1:8501", "app2:8501"}


def test_kubernetes_has_a_probed_deployment_a_service_and_a_cookie_affinity_ingress() -> None:
    documents = {d["kind"]: d for d in yaml.safe_load_all((DEPLOY / "k8s" / "autodiag.yaml").read_text(encoding="utf-8"))}
    assert set(documents) == {"Deployment", "Service", "Ingress"}
    (container,) = documents["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/_stcore/health"
    assert container["envFrom"] == [{"secretRef": {"name": "autodiag"}}]
    assert documents["Deployment"]["spec"]["replicas"] >= 2
    annotations = documents["Ingress"]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    backend = documents["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == documents["Service"]["metadata"]["name"]


def test_the_proxy_pins_by_cookie_checks_health_and_keeps_websockets_open() -> None:
    config = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
    assert re.search(r"^\s*cookie AUTODIAG_SERVER insert", config, re.MULTILINE)
    assert re.search(r"^\s*option httpchk GET /_stcore/health", config, re.MULTILINE)
    assert re.search(r"^\s*option redispatch", config, re.MULTILINE)
    assert re.search(r"^\s*timeout tunnel 1h", config, re.MULTILINE)


def test_no_secret_is_written_in_a_deployment_file() -> None:
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file()):
        found = SECRET_WORDS.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.name}: {found}"

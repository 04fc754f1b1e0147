"""How this installation runs, from the environment: local mode (default) or shared mode.

Local mode: one implicit owner, no login, the server bound to 127.0.0.1 (nobody else on the
network reaches an app without a login). Shared mode: sign-in with OpenID Connect (`st.login`,
`[auth]` in the secrets), roles and memberships in the database.
"""

from __future__ import annotations

import os

LOCAL, SHARED = "local", "shared"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def mode() -> str:
    value = os.environ.get("AUTODIAG_MODE", LOCAL).strip().lower()
    if value not in (LOCAL, SHARED):
        raise SystemExit(f"AUTODIAG_MODE must be '{LOCAL}' or '{SHARED}', not {value!r}")
    return value


def public_url(seen: str | None = None) -> str:
    """The address people open, for invitation links: AUTODIAG_PUBLIC_URL, else the address this page
    was opened at (`seen`: scheme, host and port of st.context.url), else http://localhost:8501."""
    configured = os.environ.get("AUTODIAG_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    if seen:
        from urllib.parse import urlsplit

        parts = urlsplit(seen)
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return "http://localhost:8501"


def binding_problem(address: str | None) -> str | None:
    """Why the server must not listen on `address` in this mode (None: it may)."""
    if mode() == LOCAL and (address or "") not in LOOPBACK:
        return (
            f"Local mode has no login: the server listens on 127.0.0.1 only, not on {address or 'every address'!r}. "
            "Set AUTODIAG_MODE=shared (with [auth] in secrets.toml) to serve other machines."
        )
    return None

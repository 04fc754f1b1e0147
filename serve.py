"""Entry point of the server: `streamlit run serve.py` serves app.py with the hardening below.

Streamlit 1.67 has no option to turn off /_stcore/metrics or to add response headers; `st.App`
(its documented ASGI entry point, which `streamlit run` detects in this file) takes Starlette
middleware, which runs before Streamlit's own on every HTTP request. The WebSocket is left alone.
"""

from __future__ import annotations

import streamlit as st
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


app = st.App("app.py", middleware=[Middleware(Hardening)])

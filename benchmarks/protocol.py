"""A simulated person speaking Streamlit's own WebSocket protocol, for the load benchmark.

A Chromium page costs the machine far more CPU than the app server it talks to: a hundred of them
on the machine under test measure the browsers, not the servers. This client does what the page
does on the wire, with the protobuf messages of the pinned Streamlit (`streamlit.proto`): it opens
`/_stcore/stream` with the page's cookies and subprotocols, asks for the first run with the page's
query string, keeps the elements the server draws (resolving the cached ones it refers to by hash),
and answers a question the way the page does when a radio is clicked: a rerun request carrying the
radio's new widget state, and the id of the fragment that holds it. A click's time runs from the
request to the `script_finished` of the run it triggered. It checks nothing the browser would not:
the benchmark counts the answers in the database afterwards, which proves the clicks were real.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# ScriptFinishedStatus: 0 finished, 1 compile error, 2 stopped early for another rerun, 3 fragment finished
_DONE = {0, 1, 3}


@dataclass
class Radio:
    widget_id: str
    label: str
    options: list[str]  # as shown: the radio's widget state is the shown text of the chosen option
    fragment_id: str


@dataclass
class Person:
    """One browser tab's worth of protocol: `await open()`, then `await answer(radios()[i], option)`."""

    url: str  # the page's address, e.g. http://127.0.0.1:8501/?repondre=TOKEN
    timeout: float = 30.0  # seconds: the bound of every wait
    errors: list[str] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)  # what loading the page set (the proxy's affinity)
    _socket: Any = None
    _reader: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)  # a message arrived
    _query: str = ""  # the page's query string, sent with every rerun as the page does
    _page_name: str = ""  # the page of the address, for the first run
    _page_hash: str = ""  # the page the server ran, from its new_session message
    _cache: dict[str, ForwardMsg] = field(default_factory=dict)  # messages by hash, for ref_hash
    _elements: dict[tuple[int, ...], tuple[Any, str]] = field(default_factory=dict)  # path -> (element, fragment id)
    _drawn: set[tuple[int, ...]] = field(default_factory=set)  # what the current whole run drew
    _states: dict[str, WidgetState] = field(default_factory=dict)  # the widget states sent with each rerun
    _shown: dict[str, str | None] = field(default_factory=dict)  # widget id -> the option the page shows
    _finished: list[int] = field(default_factory=list)  # each run's end status

    async def open(self) -> float:
        """Loads the page as a browser does (its HTML sets the proxy's and the XSRF cookies), opens the
        socket and waits for the first run's end: its ms."""
        parts = urlsplit(self.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            page = await http.get(self.url)
            page.raise_for_status()
            self.cookies = dict(http.cookies.items())
        header = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        xsrf = self.cookies.get("_streamlit_xsrf", "")
        ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}/_stcore/stream"
        self._socket = await asyncio.wait_for(
            websockets.connect(
                ws_url,
                subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],  # type: ignore[list-item]
                origin=origin,  # type: ignore[arg-type]
                additional_headers={"Cookie": header} if header else None,
                max_size=None,
            ),
            self.timeout,
        )
        self._reader = asyncio.create_task(self._read())
        self._page_name = parts.path.strip("/")  # the page of the address (st.navigation's url path)
        return await self._rerun(query=parts.query)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._socket is not None:
            await self._socket.close()

    @property
    def server(self) -> str | None:
        """The app server the proxy pinned this person to (HAProxy's cookie; None without the proxy)."""
        return self.cookies.get("AUTODIAG_SERVER")

    def checked(self, radio: Radio) -> str | None:
        """The option the page shows as chosen (the person's own click, or the value the app set)."""
        return self._shown.get(radio.widget_id)

    @property
    def finished(self) -> list[int]:
        """The end status of each run so far (0 whole run, 2 stopped for another, 3 fragment run)."""
        return list(self._finished)

    def radios(self) -> list[Radio]:
        """The radios of the page's main area, in the order they are drawn."""
        found = []
        for path in sorted(self._elements):
            element, fragment = self._elements[path]
            if path[0] == 0 and element.WhichOneof("type") == "radio":
                radio = element.radio
                found.append(Radio(radio.id, radio.label, list(radio.options), fragment))
        return found

    def alerts(self) -> list[str]:
        """The texts of the messages (st.error, st.warning, st.info, st.success) drawn in the main area."""
        return [
            element.alert.body
            for path, (element, _) in sorted(self._elements.items())
            if path[0] == 0 and element.WhichOneof("type") == "alert"
        ]

    async def answer(self, radio: Radio, option: int) -> float:
        """Clicks `option` of `radio`: the ms from the request to its run's end."""
        state = WidgetState(id=radio.widget_id, string_value=radio.options[option])
        self._states[radio.widget_id] = state
        self._shown[radio.widget_id] = radio.options[option]
        return await self._rerun(fragment_id=radio.fragment_id)

    async def _rerun(self, query: str | None = None, fragment_id: str = "") -> float:
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = query if query is not None else self._query
        self._query = rerun.query_string
        rerun.page_script_hash = self._page_hash
        if not self._page_hash:
            rerun.page_name = self._page_name
        rerun.widget_states.widgets.extend(self._states.values())
        if fragment_id:
            rerun.fragment_id = fragment_id
        seen = len(self._finished)
        start = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        deadline = start + self.timeout
        while not any(status in _DONE for status in self._finished[seen:]):
            if self._reader is not None and self._reader.done():
                raise RuntimeError(f"the connection closed: {self.errors or self._reader.exception()}")
            self._changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no end of run within {self.timeout:.0f} s after a rerun request")
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass
        return 1000 * (time.perf_counter() - start)

    def _set(self, widget_id: str, value: str | None) -> None:
        """The app set a widget's value (st.session_state): the page shows it and sends it from now on."""
        self._shown[widget_id] = value
        if value is None:
            self._states.pop(widget_id, None)
        else:
            self._states[widget_id] = WidgetState(id=widget_id, string_value=value)

    async def _read(self) -> None:
        async for data in self._socket:
            message = ForwardMsg()
            message.ParseFromString(data)
            self._take(message)
            self._changed.set()

    def _take(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(message.ref_hash)
            if cached is None:
                self.errors.append(f"a reference to a message never received: {message.ref_hash}")
                return
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(message.metadata)
            message, kind = resolved, "delta"
        if message.hash:
            self._cache[message.hash] = message
        if kind == "new_session":
            self._page_hash = message.new_session.page_script_hash or self._page_hash
            if not message.metadata.run.fragment_ids:  # a whole run, not a fragment's
                self._drawn = set()
        elif kind == "page_info_changed":  # the app set st.query_params: the page's address follows
            self._query = message.page_info_changed.query_string
        elif kind == "delta":
            delta = message.delta
            if delta.WhichOneof("type") == "new_element":
                path = tuple(message.metadata.delta_path)
                self._elements[path] = (delta.new_element, delta.fragment_id)
                self._drawn.add(path)
                element = delta.new_element
                if element.WhichOneof("type") == "radio" and element.radio.set_value:
                    self._set(element.radio.id, element.radio.raw_value or None)
        elif kind == "script_finished":
            if message.script_finished == 0:  # as the page does: what a whole run did not draw is gone
                self._elements = {path: drawn for path, drawn in self._elements.items() if path in self._drawn}
            self._finished.append(int(message.script_finished))
        elif kind == "session_event" and message.session_event.WhichOneof("type") == "script_compilation_exception":
            self.errors.append("the script did not compile")

"""Live updates in one app process: a thread listens to the catalog's changes (data.live) and
wakes the process's open event streams, each of which tells its browser (Server-Sent Events).

Each stream holds one of gunicorn's threads while open, so a process serves at most
CATALOG_LIVE_STREAMS of them; beyond that, and wherever a stream cannot open (a proxy that
buffers, a network that cuts it), the browser polls instead (assets/live.js).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict

from data.live import Change, listen

log = logging.getLogger(__name__)

STREAM_SECONDS = 300.0  # then the browser reconnects: no stream outlives a deploy by long
KEEPALIVE_SECONDS = 15  # a comment line: proxies keep an idle stream, a gone browser is noticed
COALESCE_SECONDS = 1.0  # a burst of batches is told at most once a second per stream
RECONNECT_MILLISECONDS = 3000  # what the browser waits before reconnecting (SSE `retry:`)
HELLO, CHANGE = "hello", "change"  # the catalog as a stream opens; each change after
EVENTS = (HELLO, CHANGE)


class LiveHub:
    """The latest change and a counter of changes, for the streams of this process to wait on."""

    def __init__(self, conninfo: str | None, read_current: Callable[[], Change], max_streams: int):
        """`conninfo`: where to listen (the primary). None: a catalog that is one connection
        inside a transaction (a test's), which commits nothing to be told of; its streams say
        hello and end."""
        self._conninfo, self._read_current, self.max_streams = conninfo, read_current, max_streams
        self._changed = threading.Condition()
        self._latest: Change | None = None
        self._count = 0
        self._streams = 0
        self._listener: threading.Thread | None = None
        self.closing = threading.Event()  # the process is stopping: streams end, the listener too

    def _listen_once_started(self) -> None:
        with self._changed:
            if self._listener is None and self._conninfo:  # lazily: in the worker, after gunicorn's fork
                self._listener = threading.Thread(
                    target=listen,
                    args=(self._conninfo, self._told, self.closing, self._read_current),
                    name="live-listener",
                    daemon=True,
                )
                self._listener.start()

    def _told(self, change: Change) -> None:
        with self._changed:
            self._latest, self._count = change, self._count + 1
            self._changed.notify_all()

    def close(self) -> None:
        self.closing.set()
        with self._changed:
            self._changed.notify_all()

    def open_stream(self, first: Change) -> Stream | None:
        """A stream starting from `first`, or None when this process serves its most already."""
        with self._changed:
            if self.closing.is_set() or self._streams >= self.max_streams:
                return None
            self._streams += 1
        return Stream(self, first)

    def stream_closed(self) -> None:
        with self._changed:
            self._streams -= 1

    def wait(self, seen: int, timeout: float) -> tuple[int, Change | None]:
        """(the change counter, the latest change) once a change after `seen` is told, or
        (`seen`, None) after `timeout` or when closing."""
        with self._changed:
            self._changed.wait_for(lambda: self._count > seen or self.closing.is_set(), timeout)
            if self._count > seen and not self.closing.is_set():
                return self._count, self._latest
            return seen, None

    def events(self, first: Change) -> Generator[bytes]:
        """The text of one stream: the catalog as it is, then each change as it is told."""
        self._listen_once_started()
        with self._changed:
            seen = self._count
        yield f"retry: {RECONNECT_MILLISECONDS}\n\n".encode() + event(HELLO, first)
        ends, told = time.monotonic() + (STREAM_SECONDS if self._conninfo else 0), first
        while not self.closing.is_set() and (left := ends - time.monotonic()) > 0:
            seen, change = self.wait(seen, min(KEEPALIVE_SECONDS, left))
            if change is None:
                yield b": keepalive\n\n"
            elif change != told:  # the listener's first reading is often what hello said
                yield event(CHANGE, change)
                told = change
                self.closing.wait(COALESCE_SECONDS)


class Stream:
    """The events of one open stream, as a response body; closing it (the server does, when the
    browser goes or the response ends) frees its place, even if it never started."""

    def __init__(self, hub: LiveHub, first: Change):
        self._hub, self._events, self._closed = hub, hub.events(first), False

    def __iter__(self) -> Iterator[bytes]:
        return self._events

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._events.close()
            self._hub.stream_closed()


def event(kind: str, change: Change) -> bytes:
    return f"event: {kind}\nid: {change.data_version}\ndata: {json.dumps(asdict(change))}\n\n".encode()

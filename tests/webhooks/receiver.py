"""A real HTTP receiver on 127.0.0.1 (a random port), in its own threads, recording every request.

`answer` decides each response from the request and how many times its webhook-id was seen before;
by default every request gets 204.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


@dataclass
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


AnswerFn = Callable[[Received, int], Answer]


class Receiver:
    def __init__(self, answer: AnswerFn | None = None, delay: float = 0.0) -> None:
        self.answer: AnswerFn = answer or (lambda _r, _n: Answer())
        self.delay = delay
        self.requests: list[Received] = []
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def ids(self) -> set[str]:
        with self._lock:
            return {r.webhook_id for r in self.requests}

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.requests)

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender was killed mid-request: a real receiver's framework fails the read and
                    # never sees it, so it is not a delivery (the sender did not get an answer either).
                    self.close_connection = True
                    return
                got = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time())
                with receiver._lock:
                    receiver.requests.append(got)
                    seen = receiver._seen[got.webhook_id]
                    receiver._seen[got.webhook_id] += 1
                if receiver.delay:
                    time.sleep(receiver.delay)
                answer = receiver.answer(got, seen)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

"""The test receiver counts what a real receiver would: a request cut off by a killed sender (headers
sent, body short of its Content-Length) is not a delivery. The no-loss test kills workers mid-request
and once failed on such a half request (an empty body that cannot verify)."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx

from tests.webhooks.receiver import Receiver


def _send_raw(url: str, raw: bytes) -> None:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)  # the sender dies here: nothing more will come
        sock.settimeout(5)
        try:
            while sock.recv(1024):
                pass
        except OSError:
            pass


def test_a_request_cut_off_before_its_body_ends_is_not_recorded() -> None:
    receiver = Receiver()
    receiver.start()
    try:
        head = b"POST /hook HTTP/1.1\r\nHost: x\r\nwebhook-id: msg_cut\r\nContent-Length: 194\r\n\r\n"
        _send_raw(receiver.url, head + b'{"partial":')
        # A whole request afterwards is recorded: the receiver is alive and the cut one was dropped.
        assert httpx.post(receiver.url, content=b"{}", headers={"webhook-id": "msg_whole"}).status_code == 204
        deadline = time.monotonic() + 5  # a bound on a failing test, not a timed assertion
        while "msg_whole" not in receiver.ids() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert receiver.ids() == {"msg_whole"}
    finally:
        receiver.stop()

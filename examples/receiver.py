"""A tiny local webhook receiver for trying Verity out (docs/webhooks.md, "Local quick start").

Verifies each delivery's Standard Webhooks signature and prints the event. Not for production.

    WEBHOOK_SECRET=whsec_... uv run python examples/receiver.py 9000
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

verifier = Webhook(os.environ["WEBHOOK_SECRET"])


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            event = verifier.verify(body, dict(self.headers.items()))
        except WebhookVerificationError as exc:
            print(f"REJECTED: {exc}", flush=True)
            self.send_response(400)
            self.end_headers()
            return
        print(f"verified {self.headers['webhook-id']}: {json.dumps(event)}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:  # the verified line above is the log
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    print(f"listening on http://127.0.0.1:{port}/", flush=True)
    HTTPServer(("127.0.0.1", port), Receiver).serve_forever()

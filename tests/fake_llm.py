"""A real HTTP server on 127.0.0.1 speaking the Chat Completions protocol, for tests of code that calls an LLM.

Tests talk to it through the real openai client (no client mocks), so retries, JSON mode, caching and key handling
are exercised as they run against a provider. What the "model" says is up to the test: ``FakeChatServer`` takes a
function from the request body to ``(status, content)``; ``ScriptedChatServer`` plays a list of planned replies.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = Callable[[dict], "tuple[int, str]"]


class FakeChatServer:
    """An OpenAI-compatible endpoint whose answer to each request is ``reply(body)`` → ``(status, content)``.

    Every request body and Authorization header is recorded (``requests``, ``auth``) so tests can check what the
    client sent. A non-200 status answers with an OpenAI-style error body. Use as a context manager.
    """

    def __init__(self, reply: Reply, echo_auth: bool = False, raw: bool = False):
        self.reply = reply
        self.echo_auth = echo_auth  # error bodies quote the Authorization header, as some proxies do
        self.raw = raw  # the content is sent verbatim as the body (not JSON, half a JSON document...)
        self.requests: list[dict] = []
        self.auth: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:  # the handler runs on one thread per request; plans pop in arrival order
                    server.requests.append(body)
                    server.auth.append(self.headers.get("Authorization", ""))
                    n = len(server.requests)
                    status, content = server.reply(body)
                if server.raw:
                    return self._send_bytes(status, content.encode())
                message = f"invalid credentials: {self.headers.get('Authorization')}" if server.echo_auth else "boom"
                self._send(status, completion(body, content, n) if status == 200 else
                           {"error": {"message": message, "type": "server_error"}})

            def _send(self, status: int, obj: dict):
                self._send_bytes(status, json.dumps(obj).encode())

            def _send_bytes(self, status: int, payload: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("retry-after-ms", "5")  # keep the openai client's backoff short in tests
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class ScriptedChatServer(FakeChatServer):
    """Each request pops the next planned ``(status, content)``; once the plan is spent the answer is ``default``.

    ``default`` may be changed mid-test to script a later batch of requests.
    """

    def __init__(self, plan: Iterable[tuple[int, str]] = (), default: str = '{"ok": true}'):
        self.plan = list(plan)
        self.default = default
        super().__init__(lambda body: self.plan.pop(0) if self.plan else (200, self.default))


def completion(body: dict, content: str, n: int = 1) -> dict:
    """A Chat Completions response carrying ``content`` as the assistant's message."""
    return {
        "id": f"cmpl-{n}", "object": "chat.completion", "created": 0, "model": body["model"],
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }

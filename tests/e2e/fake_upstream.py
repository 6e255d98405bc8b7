"""The fake OpenAI-compatible upstream every e2e piece points LiteLLM at (e2e.py,
sync_harness.py, drill.py, boot_check.py, verify_check.py): on 127.0.0.1, a port of its own.

- `GET` anything (LiteLLM's `/models` refresh at start): an empty model list;
- `POST .../chat/completions`: a completion whose text is `reply`, or with `stream: true`
  the `pieces` as SSE chunks, `stream_seconds` spread over them, then `[DONE]` (the
  connection closes after a stream: it has no length);
- any other `POST`: 404.

Each request is recorded (`requests`: method, path, Authorization, the POST body) unless
`record=False` (the drill sends thousands); `chats()` is the chat completions among them.
"""

import http.server
import json
import threading
import time


class FakeUpstream:
    def __init__(self, name="e2e", reply="hello from upstream", pieces=("hello", " from", " upstream"),
                 stream_seconds=0.0, record=True):
        self.requests = []
        self.url = None
        upstream = self
        completion_id = f"chatcmpl-{name}"

        def chunk(model, delta, finish=None):
            return {"id": completion_id, "object": "chat.completion.chunk", "created": 0, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _json(self, code, body):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, method, body=None):
                if record:
                    entry = {"method": method, "path": self.path, "auth": self.headers.get("Authorization")}
                    if method == "POST":
                        entry["body"] = body
                    upstream.requests.append(entry)

            def do_GET(self):
                self._record("GET")
                self._json(200, {"object": "list", "data": []})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                self._record("POST", body)
                if not self.path.endswith("/chat/completions"):
                    return self._json(404, {"error": "not found"})
                model = body.get("model", "")
                if not body.get("stream"):
                    return self._json(200, {
                        "id": completion_id, "object": "chat.completion", "created": 0, "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for piece in pieces:
                    delta = {"role": "assistant", "content": piece}
                    self.wfile.write(f"data: {json.dumps(chunk(model, delta))}\n\n".encode())
                    self.wfile.flush()
                    if stream_seconds:
                        time.sleep(stream_seconds / len(pieces))
                done = chunk(model, {}, "stop")
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def chats(self):
        return [r for r in self.requests if r["method"] == "POST" and r["path"].endswith("/chat/completions")]

    def close(self):
        self.server.shutdown()
        self.server.server_close()

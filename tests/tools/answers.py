#!/usr/bin/python3
"""Records every answer the mock gives to a client, and compares two such records.

    answers.py proxy --upstream http://127.0.0.1:PORT --out FILE.jsonl [--listen 127.0.0.1:0]
        A logging HTTP/1.1 proxy on loopback: forwards every request (SOAP, WSDL, /__admin/)
        with its Host header unchanged, so the URLs the mock hands out name the proxy and the
        client stays on it. Prints "listening on http://HOST:PORT" when ready; each exchange is
        one JSON line (request and answer) appended to FILE.jsonl. Stops on SIGTERM/SIGINT.

    answers.py compare A.jsonl B.jsonl [--show N]
        Normalises both records (timestamps, dates, ids, generated tokens, elapsed times,
        the proxy's port) and compares them as multisets of (request, answer) pairs, so that
        calls made in parallel may arrive in either order. Exit 0 when equal, 1 with the first
        N differences otherwise.

Used by scripts/compare-answers (issue 13: no API answer changes across a refactoring).
"""
import argparse
import base64
import collections
import http.client
import http.server
import json
import re
import signal
import socketserver
import sys
import threading
import urllib.parse

HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
               "trailer", "upgrade", "content-length"}


def run_proxy(args):
    up = urllib.parse.urlsplit(args.upstream)
    lock = threading.Lock()
    out = open(args.out, "a", encoding="utf-8")
    local = threading.local()
    seq = [0]

    def upstream_conn():
        c = getattr(local, "conn", None)
        if c is None:
            c = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=300)
            local.conn = c
        return c

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def forward(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            for attempt in range(2):
                c = upstream_conn()
                try:
                    c.request(self.command, self.path, body=body if body or
                              self.command in ("POST", "PUT") else None, headers=headers)
                    r = c.getresponse()
                    data = r.read()
                    break
                except (http.client.HTTPException, OSError):
                    c.close()
                    local.conn = None
                    if attempt == 1:
                        self.send_error(502)
                        return
            self.send_response(r.status)
            kept = []
            for k, v in r.getheaders():
                if k.lower() in HOP_HEADERS:
                    continue
                self.send_header(k, v)
                kept.append([k.lower(), v])
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            path, _, query = self.path.partition("?")
            rec = {
                "method": self.command, "path": path, "query": query,
                "soapaction": self.headers.get("SOAPAction", ""),
                "user": self.headers.get("Authorization", ""),
                "request": body.decode("utf-8", "replace"),
                "status": r.status,
                "headers": sorted(h for h in kept if h[0] in ("content-type", "www-authenticate",
                                                               "retry-after", "location")),
                "answer": data.decode("utf-8", "replace"),
            }
            with lock:
                seq[0] += 1
                rec["seq"] = seq[0]
                out.write(json.dumps(rec) + "\n")
                out.flush()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = forward

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    host, _, port = args.listen.rpartition(":")
    srv = Server((host or "127.0.0.1", int(port)), Handler)
    print(f"listening on http://{srv.server_address[0]}:{srv.server_address[1]}", flush=True)

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.serve_forever()
    out.close()


# Values that differ from run to run by design: clock readings, generated ids and tokens.
NORMALISERS = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "<TIME>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), "<DATE>"),
    (re.compile(r"\bT\d{8}\.\d{4,}\b"), "<TICKETNUMBER>"),
    (re.compile(r"atc-[0-9a-f]{6,}"), "<RUNTOKEN>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<PORT>"),
    (re.compile(r'"(elapsed_ms|latency_added_ms|ms|uptime_s|seq|id|time|at|started)": ?[0-9.]+'),
     r'"\1": <N>'),
    # (ids are compared as they are: the default data and the ids given to new rows are fixed)
    (re.compile(r'"seed": ?\d+'), '"seed": <N>'),
    # Calls counted in the window: scenarios that call in parallel see one more or one fewer.
    (re.compile(r"numberOfExternalRequest: \d+"), "numberOfExternalRequest: <N>"),
]


def normalise(text):
    for rx, rep in NORMALISERS:
        text = rx.sub(rep, text)
    return text


def user_of(authorization):
    """The Basic user name (the run's generated users carry its token), never the password."""
    if authorization[:6].lower() != "basic ":
        return authorization
    try:
        return "user " + base64.b64decode(authorization[6:].strip()).decode().split(":", 1)[0]
    except (ValueError, UnicodeDecodeError):
        return authorization


def load(path):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            req = normalise(f"{r['method']} {r['path'].lower()}?{r['query']} "
                            f"{r['soapaction']} {user_of(r['user'])}\n{r['request']}")
            ans = normalise(f"{r['status']} {r['headers']}\n{r['answer']}")
            pairs.append((req, ans, r["seq"]))
    return pairs


def run_compare(args):
    a, b = load(args.a), load(args.b)
    ca = collections.Counter((q, s) for q, s, _ in a)
    cb = collections.Counter((q, s) for q, s, _ in b)
    only_a, only_b = ca - cb, cb - ca
    print(f"{args.a}: {len(a)} exchanges; {args.b}: {len(b)} exchanges; "
          f"{sum(only_a.values())} only in the first, {sum(only_b.values())} only in the second")
    if not only_a and not only_b:
        print("answers identical (after normalising times, ids and tokens)")
        return 0
    answers_b = collections.defaultdict(list)
    for q, s in only_b.elements():
        answers_b[q].append(s)
    shown = 0
    for q, s in only_a.elements():
        if shown >= args.show:
            break
        shown += 1
        print("-" * 78)
        print("request:", q[:600])
        print("first: ", s[:1500])
        other = answers_b.get(q)
        print("second:", other[0][:1500] if other else "(request not made)")
    return 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("proxy")
    pp.add_argument("--upstream", required=True)
    pp.add_argument("--out", required=True)
    pp.add_argument("--listen", default="127.0.0.1:0")
    pc = sub.add_parser("compare")
    pc.add_argument("a")
    pc.add_argument("b")
    pc.add_argument("--show", type=int, default=5)
    args = p.parse_args()
    return run_proxy(args) if args.cmd == "proxy" else run_compare(args)


if __name__ == "__main__":
    sys.exit(main() or 0)

#!/usr/bin/python3
"""Load and soak test of atws-mock (scripts/soak runs it; docs/reliability.md has the figures).

    /usr/bin/python3 tests/e2e/soak.py BUILD/atws-mock [--seconds 300] [--clients 64]

Starts the mock with --data in a temporary directory (tenants in SQLite files, so that RSS
measures the server and not the rows it is given), then for the given time:
  - CLIENTS threads of tenant 29683500 (zone 5) mix queries (pages of tickets by id, their own
    tickets by title), creates (1-2 tickets with unique titles) and updates of their own tickets
    (a new version number in the title each time), each on a keep-alive connection;
  - a probe of the Spanish tenant (zone 12) times a small query every 200 ms: it must stay
    responsive while the others load the server;
  - a client of the German tenant (zone 18), whose usage is set past its threshold, keeps
    calling and must be refused with the threshold error every time;
  - a client sends the small inputs of the hostile corpus (tests/data/hostile) all along;
  - the server's RSS is sampled every second.
At the end every client reads its tickets back. The run fails on any error of the main tenant,
a lost or duplicated create, a lost update (a title that is not the last acknowledged version),
a count that does not match, RSS growth after the warm-up, or a slow probe.
"""
import argparse
import base64
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from xml.sax.saxutils import escape

NS = "http://autotask.net/ATWS/v1_6/"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAIN, THROTTLED, PROBED = 29683500, 29684100, 29684700
USERS = {MAIN: ("api@contoso.example", 5), THROTTLED: ("api@beispiel.example", 18),
         PROBED: ("api@ejemplo.example", 12)}
MAX_CREATES = 400  # per client: its tickets then fit one 500-row page


def envelope(inner):
    return ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
            'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header>'
            '<AutotaskIntegrations xmlns="' + NS + '"><IntegrationCode>SANDBOX-INTEGRATION'
            '</IntegrationCode></AutotaskIntegrations></soap:Header><soap:Body>' + inner +
            '</soap:Body></soap:Envelope>').encode()


def query(entity, criteria):
    q = "<queryxml><entity>%s</entity><query>%s</query></queryxml>" % (entity, criteria)
    return envelope('<query xmlns="' + NS + '"><sXML>' + escape(q) + '</sXML></query>')


def field(name, op, value):
    return '<field>%s<expression op="%s">%s</expression></field>' % (name, op, escape(value))


def tickets(titles, ids=None):
    out = ""
    for k, t in enumerate(titles):
        idpart = "<id>%d</id>" % ids[k] if ids else ""
        rest = ("" if ids else "<AccountID>0</AccountID><Status>1</Status><Priority>2</Priority>"
                "<DueDateTime>2026-12-01T10:00:00</DueDateTime>")
        out += '<Entity xsi:type="Ticket">%s<Title>%s</Title>%s</Entity>' % (idpart, escape(t), rest)
    return out


class Client:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, port, tenant):
        user, zone = USERS[tenant]
        self.port = port
        self.path = "/webservices%d/atservices/1.6/atws.asmx" % zone
        self.auth = "Basic " + base64.b64encode((user + ":sandbox").encode()).decode()
        self.conn = None

    def post(self, body, path=None, auth=True):
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                h = {"Content-Type": "text/xml; charset=utf-8"}
                if auth:
                    h["Authorization"] = self.auth
                self.conn.request("POST", path or self.path, body, h)
                r = self.conn.getresponse()
                data = r.read().decode("utf-8", "replace")
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed between two calls: once more.
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = {}
        self.latency = []
        self.errors = []

    def add(self, kind, seconds):
        with self.lock:
            self.calls[kind] = self.calls.get(kind, 0) + 1
            self.latency.append(seconds)

    def error(self, msg):
        with self.lock:
            self.errors.append(msg)


def main_client(port, idx, prefix, stop, stats, results):
    c = Client(port, MAIN)
    rng = random.Random(idx)
    mine = {}  # id -> last acknowledged title
    n = 0
    mine_prefix = "%s-c%02d-" % (prefix, idx)
    try:
        while not stop.is_set():
            r = rng.random()
            t0 = time.monotonic()
            if r < 0.25 and len(mine) < MAX_CREATES:
                titles = [mine_prefix + "t%d-v0" % (n + k) for k in range(rng.randint(1, 2))]
                n += len(titles)
                status, body = c.post(envelope('<create xmlns="' + NS + '"><Entities>' +
                                               tickets(titles) + '</Entities></create>'))
                kind = "create"
                if status == 200 and "<ReturnCode>1</ReturnCode>" in body:
                    ids = [int(i) for i in re.findall(r"<EntityId>(\d+)</EntityId>", body)]
                    if len(ids) != len(titles):
                        stats.error("create: %d ids for %d tickets" % (len(ids), len(titles)))
                    for i, t in zip(ids, titles):
                        if i in mine:
                            stats.error("create returned an id twice: %d" % i)
                        mine[i] = t
            elif r < 0.55 and mine:
                tid = rng.choice(list(mine))
                base, ver = mine[tid].rsplit("-v", 1)
                title = "%s-v%d" % (base, int(ver) + 1)
                status, body = c.post(envelope('<update xmlns="' + NS + '"><Entities>' +
                                               tickets([title], [tid]) + '</Entities></update>'))
                kind = "update"
                if status == 200 and "<ReturnCode>1</ReturnCode>" in body:
                    mine[tid] = title
            elif r < 0.75:
                status, body = c.post(query("Ticket", field("id", "GreaterThan",
                                                            str(rng.randint(0, 12000)))))
                kind = "query page"
            else:
                status, body = c.post(query("Ticket", field("Title", "BeginsWith", mine_prefix)))
                kind = "query own"
                if status == 200 and "<ReturnCode>1</ReturnCode>" in body:
                    got = len(re.findall(r'<Entity xsi:type="Ticket">', body))
                    # Creates of this client acknowledged so far are all visible (counts match).
                    if got != len(mine):
                        stats.error("client %d sees %d of its %d tickets" % (idx, got, len(mine)))
            stats.add(kind, time.monotonic() - t0)
            if status != 200 or "<ReturnCode>1</ReturnCode>" not in body:
                stats.error("%s: HTTP %d %s" % (kind, status, body[-400:]))
        # Read back: every acknowledged create is there once, with its last acknowledged title.
        status, body = c.post(query("Ticket", field("Title", "BeginsWith", mine_prefix)))
        rows = re.findall(r'<Entity xsi:type="Ticket"><id>(\d+)</id>.*?<Title xsi:type="xsd:string">'
                          r'([^<]*)</Title>', body)
        seen = {}
        for i, t in rows:
            if int(i) in seen:
                stats.error("ticket %s read back twice" % i)
            seen[int(i)] = t
        for i, t in mine.items():
            if seen.get(i) != t:
                stats.error("lost update or create: ticket %d is %r, last acknowledged %r" %
                            (i, seen.get(i), t))
        for i in seen:
            if i not in mine:
                stats.error("ticket %d was never acknowledged" % i)
        results[idx] = mine
    except Exception as e:  # noqa: BLE001 - any failure of a client is an error of the run
        stats.error("client %d: %r" % (idx, e))


def probe(port, stop, latencies, stats):
    c = Client(port, PROBED)
    body = query("Account", field("id", "GreaterThan", "0"))
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            status, data = c.post(body)
        except Exception as e:  # noqa: BLE001
            stats.error("probe: %r" % e)
            status, data = 0, ""
        latencies.append(time.monotonic() - t0)
        if status != 200 or "<ReturnCode>1</ReturnCode>" not in data:
            stats.error("probe: HTTP %d %s" % (status, data[-300:]))
        stop.wait(0.2)


def throttled(port, stop, counts, stats):
    c = Client(port, THROTTLED)
    body = query("Ticket", field("id", "GreaterThan", "0"))
    while not stop.is_set():
        try:
            status, data = c.post(body)
        except Exception as e:  # noqa: BLE001
            stats.error("throttled client: %r" % e)
            continue
        counts["calls"] += 1
        if status == 200 and "<ReturnCode>-1</ReturnCode>" in data and "threshold" in data.lower():
            counts["refused"] += 1
        else:
            stats.error("throttled tenant was not refused: HTTP %d %s" % (status, data[-300:]))
        stop.wait(0.05)


def garbage(port, stop, counts, stats):
    manifest = json.load(open(os.path.join(ROOT, "tests/data/hostile/manifest.json")))
    inputs = []
    for e in manifest["inputs"]:
        if "repeat" in e:
            continue
        with open(os.path.join(ROOT, "tests/data/hostile", e["file"]), "rb") as f:
            inputs.append((e, f.read()))
    rng = random.Random(7)
    c = Client(port, THROTTLED)
    while not stop.is_set():
        e, body = rng.choice(inputs)
        path = e.get("path", "/atservices/1.6/atws.asmx")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(e.get("method", "POST"), path, body,
                         {"Content-Type": "text/xml", "Authorization": c.auth})
            r = conn.getresponse()
            r.read()
            conn.close()
            counts["sent"] += 1
            if r.status not in (200, 401, 404, 405, 500):
                stats.error("garbage %s: HTTP %d" % (e["file"], r.status))
        except Exception as ex:  # noqa: BLE001
            stats.error("garbage %s: %r" % (e["file"], ex))
        stop.wait(0.02)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def admin(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, json.dumps(body) if body is not None else None,
              {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read().decode()
    if r.status != 200:
        raise RuntimeError("%s %s: %d %s" % (method, path, r.status, data))
    return json.loads(data)


def pct(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p / 100))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--probe-p99-ms", type=float, default=2000,
                    help="largest acceptable 99th percentile of the probe's latency")
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args()

    data_dir = tempfile.mkdtemp(prefix="atws-soak-")
    log = open(os.path.join(data_dir, "mock.log"), "w")
    proc = subprocess.Popen([a.binary, "--listen", "127.0.0.1:0", "--data", data_dir,
                             "--log-level", "warn"], stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    m = re.match(r"listening on http://[^ ]+:(\d+)", line)
    if not m:
        print("atws-mock did not start:", line)
        return 1
    port = int(m.group(1))
    # The main tenant: no threshold or thread limit in the way of 64 clients. The probed
    # tenant: no threshold latency. The throttled one: far past its threshold for the hour.
    admin(port, "PUT", "/__admin/tenants/%d/settings" % MAIN,
          {"threshold": 1000000000, "thread_limit": 0})
    admin(port, "PUT", "/__admin/tenants/%d/settings" % PROBED, {"threshold": 1000000000})
    admin(port, "PUT", "/__admin/tenants/%d/settings" % THROTTLED, {"threshold": 1000})
    admin(port, "PUT", "/__admin/tenants/%d/usage" % THROTTLED, {"calls": 1000000})

    stats = Stats()
    stop = threading.Event()
    results = {}
    probe_lat = []
    thr = {"calls": 0, "refused": 0}
    junk = {"sent": 0}
    prefix = "soak%d" % int(time.time())
    threads = [threading.Thread(target=main_client, args=(port, i, prefix, stop, stats, results))
               for i in range(a.clients)]
    threads += [threading.Thread(target=probe, args=(port, stop, probe_lat, stats)),
                threading.Thread(target=throttled, args=(port, stop, thr, stats)),
                threading.Thread(target=garbage, args=(port, stop, junk, stats))]
    start = time.monotonic()
    for t in threads:
        t.start()
    rss = []
    while time.monotonic() - start < a.seconds:
        time.sleep(1)
        if proc.poll() is not None:
            stats.error("atws-mock exited with %s during the soak" % proc.returncode)
            break
        rss.append((time.monotonic() - start, rss_kb(proc.pid)))
        if len(rss) % 30 == 0:
            with stats.lock:
                n = sum(stats.calls.values())
            print("  %4.0f s: %d calls, RSS %.1f MB, %d errors" %
                  (rss[-1][0], n, rss[-1][1] / 1024, len(stats.errors)), flush=True)
    stop.set()
    elapsed = time.monotonic() - start
    for t in threads:
        t.join(timeout=120)

    # Counts: every id unique across clients, and tenant-wide the soak's tickets are exactly the
    # acknowledged creates.
    all_ids = [i for mine in results.values() for i in mine]
    if len(all_ids) != len(set(all_ids)):
        stats.error("ids handed out twice across clients")
    c = Client(port, MAIN)
    total, last = 0, 0
    while proc.poll() is None:
        status, body = c.post(query("Ticket", field("Title", "BeginsWith", prefix) +
                                    field("id", "GreaterThan", str(last))))
        ids = [int(i) for i in re.findall(r'<Entity xsi:type="Ticket"><id>(\d+)</id>', body)]
        total += len(ids)
        if len(ids) < 500:
            break
        last = ids[-1]
    if total != len(all_ids):
        stats.error("the tenant holds %d soak tickets, %d creates were acknowledged" %
                    (total, len(all_ids)))
    if len(results) != a.clients:
        stats.error("%d of %d clients finished" % (len(results), a.clients))
    if thr["refused"] == 0 or junk["sent"] == 0:
        stats.error("the throttled tenant or the garbage sender did not run")

    # Memory: after the warm-up (a quarter of the run, at least 10 s: the journal fills its
    # 10,000 entries, SQLite its page caches) RSS must level off: the last quarter's peak may
    # exceed the second quarter's by 10 % + 16 MB at most.
    warm = max(10.0, elapsed / 4)
    q2 = [kb for t, kb in rss if warm <= t < warm + (elapsed - warm) / 3]
    q4 = [kb for t, kb in rss if t >= elapsed - (elapsed - warm) / 3]
    if q2 and q4 and max(q4) > max(q2) * 1.10 + 16 * 1024:
        stats.error("RSS grew after the warm-up: %.1f MB -> %.1f MB" %
                    (max(q2) / 1024, max(q4) / 1024))
    p99 = pct(probe_lat, 99) * 1000
    if p99 > a.probe_p99_ms:
        stats.error("the probed tenant waited %.0f ms (p99) under load" % p99)

    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        stats.error("atws-mock did not stop on SIGTERM")
    if proc.returncode not in (0, None):
        stats.error("atws-mock exited with %s" % proc.returncode)
    log.close()

    n = sum(stats.calls.values())
    figures = {
        "seconds": round(elapsed, 1), "clients": a.clients, "calls": n,
        "calls_per_second": round(n / elapsed, 1), "by_kind": stats.calls,
        "latency_ms_p50": round(pct(stats.latency, 50) * 1000, 1),
        "latency_ms_p99": round(pct(stats.latency, 99) * 1000, 1),
        "tickets_created": len(all_ids),
        "updates_acknowledged": sum(int(t.rsplit("-v", 1)[1]) for mine in results.values()
                                    for t in mine.values()),
        "probe_calls": len(probe_lat), "probe_ms_p50": round(pct(probe_lat, 50) * 1000, 1),
        "probe_ms_p99": round(p99, 1), "probe_ms_max": round(max(probe_lat or [0]) * 1000, 1),
        "throttled_calls": thr["calls"], "throttled_refused": thr["refused"],
        "garbage_sent": junk["sent"],
        "rss_mb_start": round(rss[0][1] / 1024, 1) if rss else 0,
        "rss_mb_after_warmup": round(max(q2) / 1024, 1) if q2 else 0,
        "rss_mb_end": round(max(q4) / 1024, 1) if q4 else 0,
        "errors": len(stats.errors),
    }
    print(json.dumps(figures, indent=1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(figures, f, indent=1)
    for e in stats.errors[:30]:
        print("ERROR", e)
    if stats.errors:
        print("soak: FAILED (%d errors); mock log in %s" % (len(stats.errors), data_dir))
        return 1
    shutil.rmtree(data_dir, ignore_errors=True)
    print("soak: passed: %d calls in %.0f s (%.0f/s), %d tickets created, nothing lost" %
          (n, elapsed, n / elapsed, len(all_ids)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

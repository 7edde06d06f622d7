#!/usr/bin/python3
"""Crash safety: kill -9 atws-mock in the middle of a stream of creates, restart it on the same
--data directory, and check that every create the client saw acknowledged is there, whole, and
that no call is half written (docs/reliability.md).

    /usr/bin/python3 tests/e2e/crash_safety.py BUILD/atws-mock [--rounds 3] [--clients 4]

Each round starts the mock on a free port with --data DIR (the same DIR every round), runs
CLIENTS threads that send create calls of 1 to 3 Tickets with unique titles, kills the mock
with SIGKILL after a random 0.5-2.5 s, and restarts it. After the restart all titles of the run
are read back (paging by id) and compared with what the clients saw:
  - every Ticket of an acknowledged call (ReturnCode 1) is there with its id and title;
  - the Tickets of one call are all there or none (calls without an answer may go either way);
  - no other Ticket with the run's prefix exists, and no title appears twice;
  - SQLite's integrity_check of every tenant file passes.
Exit status 0 when all of that holds.
"""
import argparse
import base64
import http.client
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from xml.sax.saxutils import escape

NS = "http://autotask.net/ATWS/v1_6/"
ZONE5 = "/webservices5/atservices/1.6/atws.asmx"
AUTH = "Basic " + base64.b64encode(b"api@contoso.example:sandbox").decode()


def envelope(inner):
    return ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
            'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header>'
            '<AutotaskIntegrations xmlns="' + NS + '"><IntegrationCode>SANDBOX-INTEGRATION'
            '</IntegrationCode></AutotaskIntegrations></soap:Header><soap:Body>' + inner +
            '</soap:Body></soap:Envelope>').encode()


def create_call(titles):
    ents = "".join(
        '<Entity xsi:type="Ticket"><AccountID>0</AccountID><Title>' + escape(t) +
        '</Title><Status>1</Status><Priority>2</Priority><DueDateTime>2026-12-01T10:00:00'
        '</DueDateTime></Entity>' for t in titles)
    return envelope('<create xmlns="' + NS + '"><Entities>' + ents + '</Entities></create>')


def query_call(prefix, last_id):
    q = ('<queryxml><entity>Ticket</entity><query><field>Title<expression op="BeginsWith">' +
         escape(prefix) + '</expression></field><field>id<expression op="GreaterThan">' +
         str(last_id) + '</expression></field></query></queryxml>')
    return envelope('<query xmlns="' + NS + '"><sXML>' + escape(q) + '</sXML></query>')


class Mock:
    def __init__(self, binary, data_dir, log):
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--data", data_dir, "--thread-limit", "0",
             "--log-level", "warn"], stdout=subprocess.PIPE, stderr=log, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on http://([^ ]+):(\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("atws-mock did not start: %r" % line)
        self.port = int(m.group(2))

    def post(self, body, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        c.request("POST", ZONE5, body, {"Content-Type": "text/xml; charset=utf-8",
                                        "Authorization": AUTH})
        r = c.getresponse()
        data = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, data


def fold(ch):
    """Unicode simple case folding of one character (what ATWS_NOCASE compares)."""
    f = ch.casefold()
    if len(f) == 1:
        return f
    low = ch.lower()
    return low if len(low) == 1 else ch


def nocase(a, b):
    """The ATWS_NOCASE collation of atws-mock (FoldCompare), for integrity_check's index check."""
    x, y = [fold(c) for c in a], [fold(c) for c in b]
    return (x > y) - (x < y)


def writer(mock, prefix, worker, stop, calls, lock):
    conn = None
    n = 0
    rng = random.Random(worker)
    while not stop.is_set():
        titles = ["%s-w%d-c%d-e%d" % (prefix, worker, n, k) for k in range(rng.randint(1, 3))]
        n += 1
        call = {"titles": titles, "acked": False, "ids": []}
        with lock:
            calls.append(call)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
            conn.request("POST", ZONE5, create_call(titles),
                         {"Content-Type": "text/xml; charset=utf-8", "Authorization": AUTH})
            r = conn.getresponse()
            body = r.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            return  # the server is gone: this call has no answer
        if r.status == 200 and "<ReturnCode>1</ReturnCode>" in body:
            ids = re.findall(r"<EntityId>(\d+)</EntityId>", body)
            if len(ids) != len(titles):
                call["error"] = "acknowledged with %d ids for %d entities" % (len(ids), len(titles))
            call["ids"] = [int(i) for i in ids]
            call["acked"] = True
        else:
            call["error"] = "refused: %d %s" % (r.status, body[:300])


def read_back(mock, prefix):
    rows, last = {}, 0
    while True:
        status, body = mock.post(query_call(prefix, last))
        if status != 200 or "<ReturnCode>1</ReturnCode>" not in body:
            raise RuntimeError("query failed: %d %s" % (status, body[:400]))
        found = re.findall(r'<Entity xsi:type="Ticket"><id>(\d+)</id>.*?<Title xsi:type="xsd:string">'
                           r'([^<]*)</Title>', body)
        for i, t in found:
            rows.setdefault(t, []).append(int(i))
        if len(found) < 500:
            return rows
        last = int(found[-1][0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    a = ap.parse_args()
    rng = random.Random(a.seed)
    data_dir = tempfile.mkdtemp(prefix="atws-crash-")
    log = open(os.path.join(data_dir, "mock.log"), "w")
    failures = []
    totals = {"calls": 0, "acked_calls": 0, "acked_rows": 0, "unanswered": 0, "unanswered_written": 0}
    try:
        for rnd in range(a.rounds):
            prefix = "crash-%d-r%d" % (a.seed, rnd)
            mock = Mock(a.binary, data_dir, log)
            stop = threading.Event()
            calls, lock = [], threading.Lock()
            threads = [threading.Thread(target=writer, args=(mock, prefix, w, stop, calls, lock))
                       for w in range(a.clients)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.5, 2.5))
            mock.proc.send_signal(signal.SIGKILL)
            mock.proc.wait()
            stop.set()
            for t in threads:
                t.join()
            mock = Mock(a.binary, data_dir, log)
            rows = read_back(mock, prefix)
            acked = [c for c in calls if c["acked"]]
            unanswered = [c for c in calls if not c["acked"] and "error" not in c]
            for c in calls:
                if "error" in c:
                    failures.append("round %d: %s: %s" % (rnd, c["titles"][0], c["error"]))
            for c in acked:
                for t, i in zip(c["titles"], c["ids"]):
                    if rows.get(t) != [i]:
                        failures.append("round %d: acknowledged %s (id %d) reads back as %r" %
                                        (rnd, t, i, rows.get(t)))
            written_unanswered = 0
            for c in unanswered:
                present = [t for t in c["titles"] if t in rows]
                if present and len(present) != len(c["titles"]):
                    failures.append("round %d: call half written: %r of %r" %
                                    (rnd, present, c["titles"]))
                written_unanswered += bool(present)
            sent = {t for c in calls for t in c["titles"]}
            for t, ids in rows.items():
                if t not in sent:
                    failures.append("round %d: unknown row %s" % (rnd, t))
                if len(ids) != 1:
                    failures.append("round %d: %s written %d times" % (rnd, t, len(ids)))
            n_rows = sum(len(c["titles"]) for c in acked)
            print("round %d: %d calls, %d acknowledged (%d tickets) all present; %d without an "
                  "answer (%d of them written whole, none half); %d rows read back" %
                  (rnd, len(calls), len(acked), n_rows, len(unanswered), written_unanswered,
                   len(rows)), flush=True)
            totals["calls"] += len(calls)
            totals["acked_calls"] += len(acked)
            totals["acked_rows"] += n_rows
            totals["unanswered"] += len(unanswered)
            totals["unanswered_written"] += written_unanswered
            if not acked:
                failures.append("round %d: no create was acknowledged before the kill" % rnd)
            mock.proc.send_signal(signal.SIGTERM)
            mock.proc.wait(timeout=20)
        for f in sorted(os.listdir(data_dir)):
            if f.endswith(".sqlite"):
                db = sqlite3.connect(os.path.join(data_dir, f))
                db.create_collation("ATWS_NOCASE", nocase)
                res = db.execute("PRAGMA integrity_check").fetchone()[0]
                mode = db.execute("PRAGMA journal_mode").fetchone()[0]
                db.close()
                if res != "ok" or mode != "wal":
                    failures.append("%s: integrity_check %s, journal_mode %s" % (f, res, mode))
    finally:
        log.close()
        if failures:
            print("mock log and data kept in", data_dir)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    print("total: %(calls)d create calls, %(acked_calls)d acknowledged (%(acked_rows)d tickets), "
          "%(unanswered)d cut by SIGKILL (%(unanswered_written)d of them committed whole)" % totals)
    for f in failures[:50]:
        print("FAIL", f)
    print("crash safety: %s (seed %d)" % ("FAILED" if failures else "passed", a.seed))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

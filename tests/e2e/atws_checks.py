"""The end-to-end scenario shared by zeep_e2e.py and suds_e2e.py.

Each of those files wraps one SOAP client library in a small adapter (see `ClientAdapter`
below) and hands it to `run()`, which drives the mock like an integrator would: zone discovery,
metadata, one query per QueryXML operator, paging through every ticket, and the error paths.
Every step prints `ok <step>`; the first failed check raises `CheckFailed`, and `main()` turns
that into exit status 1.

Queries are judged by what a client can verify on its own. A "sample" (the first 500 tickets,
`id > 0`) is fetched once; for a filtered query, every returned row must satisfy the operator's
predicate, and the returned rows with `id <= max(sample ids)` must be exactly the sample rows
that satisfy it (rows come back in id order, so those are always on the first page).
"""

import datetime
import json
import re
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape

ZONE5_USER = "api@contoso.example"
ZONE5_CI = 29683500
ZONE18_USER = "api@beispiel.example"
ZONE18_CI = 29684100
PASSWORD = "sandbox"
INTEGRATION_CODE = "SANDBOX-INTEGRATION"
PAGE = 500
MIN_TICKETS = 1200
THRESHOLD_RE = re.compile(
    r"^ThresholdOfExternalRequest: (\d+); TimeframeOfLimitation: 60; numberOfExternalRequest: (\d+);$")


class CheckFailed(Exception):
    pass


class SoapFault(Exception):
    """Raised by adapters for a soap:Fault (HTTP 500) answer; str() is the faultstring."""


class HttpStatus(Exception):
    """Raised by adapters for a non-SOAP HTTP error answer (e.g. 401)."""

    def __init__(self, status, message=""):
        super().__init__(f"HTTP {status} {message}".strip())
        self.status = status


def check(cond, message):
    if not cond:
        raise CheckFailed(message)


def ok(step):
    print(f"ok {step}", flush=True)


class AdminApi:
    """The mock's admin API (JSON over HTTP) at `origin` (scheme://host:port)."""

    def __init__(self, origin):
        self.origin = origin

    def call(self, method, path, body=None):
        """Returns (HTTP status, decoded JSON body or None)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.origin + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


# --- QueryXML ---------------------------------------------------------------------------------

def field(name, op, value=None, udf=False):
    attr = ' udf="true"' if udf else ""
    text = "" if value is None else escape(str(value), {'"': "&quot;"})
    return f'<field{attr}>{escape(name)}<expression op="{op}">{text}</expression></field>'


def condition(*criteria, operator=None):
    attr = f' operator="{operator}"' if operator else ""
    return f"<condition{attr}>{''.join(criteria)}</condition>"


def queryxml(entity, *criteria):
    return f"<queryxml><entity>{entity}</entity><query>{''.join(criteria)}</query></queryxml>"


# --- values -----------------------------------------------------------------------------------

_DT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?$")


def as_datetime(v):
    if isinstance(v, datetime.datetime):
        return v.replace(tzinfo=None)
    m = _DT_RE.match(str(v).strip())
    check(m, f"not a date-time value: {v!r}")
    frac = (m.group(3) or ".0")[1:7].ljust(6, "0")
    return datetime.datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}.{frac}")


def coerce(field_type, v):
    """A value as the client library returned it -> a Python value by the GetFieldInfo type."""
    if v is None:
        return None
    t = (field_type or "string").lower()
    if t in ("integer", "long", "short"):
        return int(v)
    if t == "datetime":
        return as_datetime(v)
    if t == "boolean":
        return v if isinstance(v, bool) else str(v).strip().lower() in ("true", "1")
    if t in ("double", "decimal", "float"):
        return float(v)
    return str(v)


def query_date(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S")


class ClientAdapter:
    """What run() needs from a SOAP client library (values as that library returns them).

    zone_info(url, user) -> {"URL", "ErrorCode", "CI", "WebUrl"}   (no credentials)
    connect(zone_url, user, password, integration_code or None) -> a session with:
        address()                 the soap:address of the WSDL the session loaded
        entity_info()             [{"Name", "CanQuery", ...}]
        field_info(entity)        [{"Name", "Type", "IsQueryable", "IsPickList",
                                    "PicklistValues": [{"Value", "Label"}]}]
        udf_info(entity)          [{"Name", "Type"}]
        threshold()               the EntityReturnInfo Message of getThresholdAndUsageInfo
        wsdl_version()            str
        query(sxml)               (ReturnCode, [row], [error message]);
                                  row = {"id": ..., field: value, ..., "UDF": {name: value}}
    Adapters raise SoapFault for a soap:Fault and HttpStatus for an HTTP error answer.
    """


# --- the scenario -----------------------------------------------------------------------------

class Scenario:
    def __init__(self, adapter, neutral_url):
        self.adapter = adapter
        self.neutral_url = neutral_url
        parts = urllib.parse.urlsplit(neutral_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.session = None
        self.types = {}
        self.fields = {}
        self.sample = []

    # rows -----------------------------------------------------------------------------------
    def rows(self, sxml, what):
        rc, raw, errors = self.session.query(sxml)
        check(rc == 1, f"{what}: ReturnCode {rc}, errors {errors}")
        check(len(raw) <= PAGE, f"{what}: {len(raw)} rows, more than {PAGE}")
        rows = []
        for r in raw:
            row = {"UDF": dict(r.get("UDF") or {})}
            for name, v in r.items():
                if name != "UDF":
                    row[name] = coerce(self.types.get(name, "long" if name == "id" else None), v)
            rows.append(row)
        ids = [r["id"] for r in rows]
        check(ids == sorted(set(ids)), f"{what}: ids not strictly ascending: {ids[:20]}...")
        return rows

    def ticket_query(self, what, criteria, pred, nonempty=True):
        rows = self.rows(queryxml("Ticket", *criteria), what)
        check(not nonempty or rows, f"{what}: no rows returned")
        for r in rows:
            check(pred(r), f"{what}: ticket {r['id']} does not match: {short(r)}")
        top = max(s["id"] for s in self.sample)
        expected = {s["id"] for s in self.sample if pred(s)}
        got = {r["id"] for r in rows if r["id"] <= top}
        check(got == expected,
              f"{what}: among ids <= {top}, missing {sorted(expected - got)[:10]}, "
              f"unexpected {sorted(got - expected)[:10]}")
        ok(f"{what} ({len(rows)} rows)")
        return rows

    def page_all(self, what, criteria=()):
        """Pages with id > last, 500 a page; returns every id, checking the paging rules."""
        seen, last, pages = [], 0, 0
        while True:
            rows = self.rows(queryxml("Ticket", *criteria, field("id", "GreaterThan", last)),
                             f"{what} page {pages + 1}")
            pages += 1
            if rows:
                check(rows[0]["id"] > last, f"{what}: page starts at {rows[0]['id']} <= {last}")
                seen.extend(r["id"] for r in rows)
                last = rows[-1]["id"]
            if len(rows) < PAGE:
                break
            check(pages < 1000, f"{what}: paging does not end")
        check(len(seen) == len(set(seen)), f"{what}: a row came back twice")
        return seen, pages

    # steps ----------------------------------------------------------------------------------
    def zone_discovery(self):
        zi = self.adapter.zone_info(self.neutral_url, ZONE5_USER)
        want = f"{self.origin}/webservices5/ATServices/1.6/atws.asmx"
        check(zi["URL"] == want, f"getZoneInfo URL {zi['URL']!r}, expected {want!r}")
        check(int(zi["ErrorCode"]) == 0, f"getZoneInfo ErrorCode {zi['ErrorCode']}")
        check(int(zi["CI"]) == ZONE5_CI, f"getZoneInfo CI {zi['CI']}, expected {ZONE5_CI}")
        check(zi.get("WebUrl") == f"{self.origin}/ww5/",
              f"getZoneInfo WebUrl {zi.get('WebUrl')!r}, expected {self.origin}/ww5/")
        ok(f"getZoneInfo {ZONE5_USER} -> {zi['URL']} CI {zi['CI']}")
        unknown = self.adapter.zone_info(self.neutral_url, "nobody@nowhere.example")
        check(int(unknown["ErrorCode"]) < 0,
              f"getZoneInfo for an unknown user: ErrorCode {unknown['ErrorCode']}")
        ok("getZoneInfo for an unknown user has a negative ErrorCode")
        self.zone_url = zi["URL"]
        self.session = self.adapter.connect(self.zone_url, ZONE5_USER, PASSWORD, INTEGRATION_CODE)
        addr = self.session.address()
        check(addr and addr.lower() == self.zone_url.lower(),
              f"zone WSDL soap:address {addr!r}, expected {self.zone_url!r}")
        ok("zone WSDL loaded; its soap:address is the zone URL")

    def metadata(self):
        infos = {e["Name"]: e for e in self.session.entity_info()}
        check("Ticket" in infos, "GetEntityInfo: no Ticket")
        check(bool(infos["Ticket"]["CanQuery"]), "GetEntityInfo: Ticket CanQuery is not true")
        ok(f"GetEntityInfo ({len(infos)} entities; Ticket CanQuery)")

        fields = self.session.field_info("Ticket")
        self.fields = {f["Name"]: f for f in fields}
        self.types = {f["Name"]: f["Type"] for f in fields}
        status = self.fields.get("Status")
        check(status is not None, "GetFieldInfo(Ticket): no Status field")
        check(bool(status["IsPickList"]), "GetFieldInfo(Ticket): Status is not a picklist")
        labels = {str(p["Value"]): p["Label"] for p in status["PicklistValues"]}
        check(labels.get("1") == "New", f"Ticket Status 1 is labelled {labels.get('1')!r}, not 'New'")
        self.statuses = sorted(labels, key=int)
        ok(f"GetFieldInfo(Ticket) ({len(fields)} fields; Status 1 = New)")

        udfs = self.session.udf_info("Ticket")
        check(len(udfs) > 0, "getUDFInfo(Ticket) is empty")
        self.udfs = {u["Name"]: u for u in udfs}
        ok(f"getUDFInfo(Ticket) ({len(udfs)} UDFs)")

        counts = []
        for _ in range(2):
            msg = self.session.threshold()
            m = THRESHOLD_RE.match(msg or "")
            check(m, f"getThresholdAndUsageInfo Message {msg!r} has the wrong format")
            counts.append(int(m.group(2)))
            if len(counts) == 1:  # a counted call in between
                version = self.session.wsdl_version()
                check(isinstance(version, str) and version.strip(), f"GetWsdlVersion {version!r}")
                ok(f"GetWsdlVersion {version}")
        check(counts[1] > counts[0], f"numberOfExternalRequest did not grow: {counts}")
        ok(f"getThresholdAndUsageInfo ({counts[0]} -> {counts[1]} calls)")

    def operators(self):
        self.sample = self.rows(queryxml("Ticket", field("id", "GreaterThan", 0)), "sample page")
        check(len(self.sample) == PAGE, f"sample page has {len(self.sample)} rows, expected {PAGE}")
        ok("first 500 tickets (id GreaterThan 0)")
        s = self.sample
        ids = [r["id"] for r in s]
        by_status = {}
        for r in s:
            by_status.setdefault(r.get("Status"), []).append(r)
        check(len(by_status) >= 2, f"the sample has only statuses {list(by_status)}")
        common = sorted(by_status, key=lambda k: -len(by_status[k]))
        st_a, st_b = common[0], common[1]

        self.ticket_query("Equals (Status)", [field("Status", "Equals", st_a)],
                          lambda r: r.get("Status") == st_a)
        self.ticket_query("NotEqual (Status)", [field("Status", "NotEqual", st_a)],
                          lambda r: r.get("Status") is not None and r.get("Status") != st_a)
        x = ids[100]
        self.ticket_query("GreaterThan (id)", [field("id", "GreaterThan", x)], lambda r: r["id"] > x)
        self.ticket_query("LessThan (id)", [field("id", "LessThan", x)], lambda r: r["id"] < x)
        rows = self.ticket_query("LessThanOrEquals (id)", [field("id", "LessThanOrEquals", x)],
                                 lambda r: r["id"] <= x)
        check(rows[-1]["id"] == x, "LessThanOrEquals (id): the bound itself is missing")
        created = sorted(r["CreateDate"] for r in s if r.get("CreateDate"))
        check(created, "the sample has no CreateDate values")
        # Not in the 01:00-02:59 hours, where a DST change makes a local time ambiguous/missing.
        plain = [c for c in created if c.hour not in (1, 2)]
        check(plain, "every sample CreateDate is between 01:00 and 03:00")
        d = plain[len(plain) // 2].replace(microsecond=0)
        self.ticket_query("GreaterThanorEquals (CreateDate)",
                          [field("CreateDate", "GreaterThanorEquals", query_date(d))],
                          lambda r: r.get("CreateDate") is not None and r["CreateDate"] >= d)
        day = d.replace(hour=0, minute=0, second=0)
        self.ticket_query("IsThisDay (CreateDate)", [field("CreateDate", "IsThisDay", query_date(day))],
                          lambda r: r.get("CreateDate") is not None
                          and r["CreateDate"].date() == day.date())

        words = [w for r in s for w in r.get("Title", "").split() if re.fullmatch(r"[A-Za-z]{4,}", w)]
        check(words, "no sample Title has a plain word of 4+ letters")
        titled = [r for r in s if re.match(r"[A-Za-z]{3}", r.get("Title", ""))]
        t = titled[len(titled) // 2]["Title"]
        first, last_word = t[:3], t.split()[-1]
        word = max(set(words), key=words.count)
        lo = lambda r: r.get("Title", "").lower()  # noqa: E731
        self.ticket_query("BeginsWith (Title)", [field("Title", "BeginsWith", first)],
                          lambda r: lo(r).startswith(first.lower()))
        self.ticket_query("EndsWith (Title)", [field("Title", "EndsWith", last_word)],
                          lambda r: lo(r).endswith(last_word.lower()))
        self.ticket_query("Contains (Title, other case)", [field("Title", "Contains", word.upper())],
                          lambda r: word.lower() in lo(r))
        self.ticket_query("Equals (Title, other case)", [field("Title", "Equals", t.swapcase())],
                          lambda r: lo(r) == t.lower())
        self.ticket_query("Like (Title, prefix%)", [field("Title", "Like", first + "%")],
                          lambda r: lo(r).startswith(first.lower()))
        self.ticket_query("NotLike (Title, %word%)", [field("Title", "NotLike", f"%{word}%")],
                          lambda r: "Title" in r and word.lower() not in lo(r))
        rows = self.rows(queryxml("Ticket", field("Title", "SoundsLike", t)), "SoundsLike (Title)")
        check(titled[len(titled) // 2]["id"] in {r["id"] for r in rows},
              "SoundsLike (Title): the ticket whose Title was given is not returned")
        check(len({r["id"] for r in rows if r["id"] <= ids[-1]}) < len(s),
              "SoundsLike (Title): matched every sample ticket")
        ok(f"SoundsLike (Title) ({len(rows)} rows)")

        nf = self.nullable_field()
        self.ticket_query(f"IsNull ({nf})", [field(nf, "IsNull")], lambda r: r.get(nf) is None)
        self.ticket_query(f"IsNotNull ({nf})", [field(nf, "IsNotNull")],
                          lambda r: r.get(nf) is not None)

        self.ticket_query("OR condition (Status)",
                          [condition(field("Status", "Equals", st_a)),
                           condition(field("Status", "Equals", st_b), operator="OR")],
                          lambda r: r.get("Status") in (st_a, st_b))
        pr = next(r["Priority"] for r in s if r.get("Priority") is not None)
        self.ticket_query("nested AND/OR (id, Status, Priority)",
                          [field("id", "GreaterThan", x),
                           condition(condition(field("Status", "Equals", st_b)),
                                     condition(field("Priority", "Equals", pr), operator="OR"))],
                          lambda r: r["id"] > x and (r.get("Status") == st_b or r.get("Priority") == pr))
        a = self.rows(queryxml("Ticket", field("id", "greaterthan", x),
                               condition(field("Status", "equals", st_a), operator="and")),
                      "lower-case operator names")
        b = self.rows(queryxml("Ticket", field("id", "GreaterThan", x), field("Status", "Equals", st_a)),
                      "canonical operator names")
        check([r["id"] for r in a] == [r["id"] for r in b], "lower-case operator names give other rows")
        ok("operator names and condition operators are case-insensitive")

        name, value = self.udf_with_value()
        self.ticket_query(f"UDF Equals ({name})", [field(name, "Equals", value, udf=True)],
                          lambda r: str(r["UDF"].get(name) or "").lower() == str(value).lower())

    def nullable_field(self):
        """A queryable, non-string Ticket field that is null on some sample rows, set on others."""
        for name, f in sorted(self.fields.items()):
            if name == "id" or not f.get("IsQueryable") or f["Type"].lower() == "string":
                continue
            nulls = sum(1 for r in self.sample if r.get(name) is None)
            if 0 < nulls < len(self.sample):
                return name
        raise CheckFailed("no queryable Ticket field is null on some sample tickets and set on others")

    def udf_with_value(self):
        counts = {}
        for r in self.sample:
            for name, v in r["UDF"].items():
                if v not in (None, "") and name in self.udfs:
                    counts[(name, str(v))] = counts.get((name, str(v)), 0) + 1
        check(counts, "no sample ticket has a UDF value")
        return max(counts, key=counts.get)

    def paging(self):
        all_ids, pages = self.page_all("all tickets")
        check(len(all_ids) >= MIN_TICKETS, f"only {len(all_ids)} tickets, expected >= {MIN_TICKETS}")
        ok(f"paged through all {len(all_ids)} tickets in {pages} pages (id > last), none lost or repeated")
        union = set()
        for st in self.statuses:
            ids, _ = self.page_all(f"Status {st}", [field("Status", "Equals", st)])
            check(not (union & set(ids)), f"Status {st}: tickets also seen under another status")
            union |= set(ids)
        check(union == set(all_ids),
              f"per-Status paging: {len(union)} tickets vs {len(all_ids)} "
              f"(missing {sorted(set(all_ids) - union)[:10]}, extra {sorted(union - set(all_ids))[:10]})")
        ok(f"per-Status paging ({len(self.statuses)} statuses) finds the same {len(union)} tickets")

    def errors(self):
        try:
            s = self.adapter.connect(self.zone_url, ZONE5_USER, PASSWORD + "-wrong", INTEGRATION_CODE)
            s.query(queryxml("Ticket", field("id", "Equals", 0)))
            raise CheckFailed("a wrong password was accepted")
        except HttpStatus as e:
            check(e.status == 401, f"a wrong password got HTTP {e.status}, expected 401")
        ok("a wrong password gets HTTP 401")

        for label, code in (("missing", None), ("unknown", "NOT-A-CODE")):
            s = self.adapter.connect(self.zone_url, ZONE5_USER, PASSWORD, code)
            rc, rows, errors = s.query(queryxml("Ticket", field("id", "GreaterThan", 0)))
            check(rc == -1, f"{label} IntegrationCode: query ReturnCode {rc}, expected -1")
            check("IntegrationCode is invalid." in errors,
                  f"{label} IntegrationCode: query errors {errors}")
            check(not rows, f"{label} IntegrationCode: query returned rows")
            ok(f"{label} IntegrationCode: query answers ReturnCode -1 'IntegrationCode is invalid.'")
        try:
            s.field_info("Ticket")
            raise CheckFailed("unknown IntegrationCode: GetFieldInfo answered without a fault")
        except SoapFault as e:
            check("IntegrationCode is invalid." in str(e), f"GetFieldInfo fault {str(e)!r}")
        ok("unknown IntegrationCode: GetFieldInfo answers a soap:Fault 'IntegrationCode is invalid.'")

    def german(self):
        zi = self.adapter.zone_info(self.neutral_url, ZONE18_USER)
        want = f"{self.origin}/webservices18/ATServices/1.6/atws.asmx"
        check(zi["URL"] == want, f"getZoneInfo({ZONE18_USER}) URL {zi['URL']!r}, expected {want!r}")
        check(int(zi["CI"]) == ZONE18_CI, f"getZoneInfo({ZONE18_USER}) CI {zi['CI']}")
        s = self.adapter.connect(zi["URL"], ZONE18_USER, PASSWORD, INTEGRATION_CODE)
        status = {f["Name"]: f for f in s.field_info("Ticket")}["Status"]
        labels = {str(p["Value"]): p["Label"] for p in status["PicklistValues"]}
        check(labels.get("1") == "Neu", f"German Ticket Status 1 is labelled {labels.get('1')!r}")
        ok(f"German tenant (zone 18, CI {zi['CI']}): Ticket Status 1 = Neu")

    def run(self):
        self.zone_discovery()
        self.metadata()
        self.operators()
        self.paging()
        self.errors()
        self.german()


def short(row):
    keep = ("id", "Status", "Priority", "Title", "CreateDate")
    return {k: row.get(k) for k in keep if k in row}


def main(adapter_factory, name):
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} http://HOST:PORT/atservices/1.6/atws.asmx", file=sys.stderr)
        return 2
    url = sys.argv[1]
    try:
        Scenario(adapter_factory(), url).run()
    except CheckFailed as e:
        print(f"FAIL {name}: {e}", file=sys.stderr, flush=True)
        return 1
    except Exception:  # a client library error: show where it happened
        traceback.print_exc()
        print(f"FAIL {name}: unexpected error (traceback above)", file=sys.stderr, flush=True)
        return 1
    print(f"{name}: all checks passed", flush=True)
    return 0

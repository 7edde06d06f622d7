#!/usr/bin/python3
"""End-to-end test of the write path with python zeep (docs/writes.md, docs/change-tracking.md).

    /usr/bin/python3 tests/e2e/writes_e2e.py http://127.0.0.1:PORT/atservices/1.6/atws.asmx

What a real client sees:
  - create returns the new id but not the fields that settle later (TicketNumber, SLA due
    dates); a query shows them only after the tenant's settle delay, moved on the mock's clock
    through the admin API (no sleeping);
  - a ticket created without Source gets the tenant default (Client Portal, 4); a source the
    tenant added through the admin API is accepted;
  - an incremental sync by LastActivityDate, with creates, notes, time entries and deletes
    between its polls, across the autumn DST hour, misses nothing;
  - a call with one refused entity writes nothing.
It moves the mock's clock and adds data: it resets the mock (POST /__admin/reset) when done.
"""

import sys
import traceback
import urllib.parse

import requests
import zeep
from requests.auth import HTTPBasicAuth
from zeep import xsd
from zeep.transports import Transport

from atws_checks import AdminApi, CheckFailed, check, ok

NS = "http://autotask.net/ATWS/v1_6/"
USER, PASSWORD, CODE = "api@contoso.example", "sandbox", "SANDBOX-INTEGRATION"


class Admin(AdminApi):
    def clock_set(self, local):
        status, _ = self.call("POST", "/__admin/clock", {"set": local})
        check(status == 200, f"POST /__admin/clock set {local}: HTTP {status}")

    def clock_advance(self, seconds):
        status, _ = self.call("POST", "/__admin/clock", {"advance_seconds": seconds})
        check(status == 200, f"POST /__admin/clock advance: HTTP {status}")


class Client:
    def __init__(self, zone_url):
        session = requests.Session()
        session.auth = HTTPBasicAuth(USER, PASSWORD)
        self.client = zeep.Client(zone_url + "?WSDL", transport=Transport(session=session))
        header = self.client.get_element(f"{{{NS}}}AutotaskIntegrations")
        self.client.set_default_soapheaders([header(IntegrationCode=CODE)])
        self.array = self.client.get_type(f"{{{NS}}}ArrayOfEntity")

    def entity(self, type_name, **fields):
        """An entity whose anyType fields carry xsi:type as the API's own answers do."""
        t = self.client.get_type(f"{{{NS}}}{type_name}")
        values = {"id": fields.pop("id", 0)}  # typed long in the WSDL; 0 on create
        for k, v in fields.items():
            if isinstance(v, bool):
                values[k] = xsd.AnyObject(xsd.Boolean(), v)
            elif isinstance(v, int):
                values[k] = xsd.AnyObject(xsd.Int(), v)
            elif isinstance(v, float):
                values[k] = xsd.AnyObject(xsd.Double(), v)
            else:
                values[k] = xsd.AnyObject(xsd.String(), v)
        return t(**values)

    def write(self, op, *entities):
        result = getattr(self.client.service, op)(Entities=self.array(Entity=list(entities)))
        errors = [e.Message for e in (result.Errors.ATWSError if result.Errors else [])]
        rows = [self.row(e) for e in (result.EntityResults.Entity if result.EntityResults else [])]
        ids = [i.EntityId for i in (result.EntityReturnInfoResults.EntityReturnInfo
                                    if result.EntityReturnInfoResults else [])]
        return result.ReturnCode, rows, ids, errors

    @staticmethod
    def row(e):
        out = {}
        for name, value in e.__values__.items():
            if name in ("Fields", "UserDefinedFields") or value is None:
                continue
            if hasattr(value, "_value_1"):
                value = value._value_1
            if hasattr(value, "text") and hasattr(value, "tag"):
                value = value.text
            out[name] = value
        return out

    def query(self, entity, *conditions):
        sxml = f"<queryxml><entity>{entity}</entity><query>{''.join(conditions)}</query></queryxml>"
        result = self.client.service.query(sXML=sxml)
        check(result.ReturnCode == 1, f"query {entity}: ReturnCode {result.ReturnCode}")
        return [self.row(e) for e in (result.EntityResults.Entity if result.EntityResults else [])]

    def poll(self, entity, date_field, after, *extra):
        """Rows with date_field > after, paged by id (500 a page)."""
        rows, last = [], 0
        while True:
            page = self.query(entity, cond(date_field, "GreaterThan", after),
                              cond("id", "GreaterThan", last), *extra)
            rows.extend(page)
            if len(page) < 500:
                return rows
            last = page[-1]["id"]


def cond(name, op, value):
    return f"<field>{name}<expression op=\"{op}\">{value}</expression></field>"


def text(dt):
    """A date-time as the client got it (zeep gives datetime objects) -> API text."""
    if hasattr(dt, "strftime"):
        s = dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        return s
    return str(dt)


def run(neutral_url):
    parts = urllib.parse.urlsplit(neutral_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    admin = Admin(origin)
    zone_url = zeep.Client(neutral_url + "?WSDL").service.getZoneInfo(UserName=USER).URL
    c = Client(zone_url)
    status, tenants = admin.call("GET", "/__admin/tenants")
    tenant = next(t["id"] for t in tenants if USER in t["users"])

    # 1. Settle: the create answer leaves computed fields out; a query shows them after 2 s.
    admin.clock_set("2026-11-28T10:00:00")
    rc, rows, ids, errors = c.write("create", c.entity(
        "Ticket", AccountID=0, Title="e2e settle", Status=1, Priority=4,
        ServiceLevelAgreementID=1))
    check(rc == 1 and ids, f"create: {rc} {errors}")
    tid = ids[0]
    check(rows[0]["id"] == tid, "create answer: id")
    check("TicketNumber" not in rows[0], f"create answer has TicketNumber {rows[0]}")
    check(rows[0].get("Source") == 4, f"Source default: {rows[0].get('Source')}")
    me = rows[0]["CreatorResourceID"]  # the API user's resource
    q = c.query("Ticket", cond("id", "Equals", tid))[0]
    check("TicketNumber" not in q and "FirstResponseDueDateTime" not in q,
          f"query before the delay shows computed fields: {q}")
    admin.clock_advance(2)
    q = c.query("Ticket", cond("id", "Equals", tid))[0]
    check(q.get("TicketNumber", "").startswith("T20261128."), f"TicketNumber after 2 s: {q}")
    check(text(q.get("FirstResponseDueDateTime")).startswith("2026-11-28T11:00:00"),
          f"first response due: {q.get('FirstResponseDueDateTime')}")
    ok(f"create -> {tid}: TicketNumber {q['TicketNumber']} only after the settle delay")

    # 2. Sources: the tenant adds one; the integration names it.
    status, added = admin.call("POST", f"/__admin/tenants/{tenant}/sources",
                                       {"label": "E2E Integration"})
    check(status == 201, f"POST sources: {status} {added}")
    rc, rows, ids, errors = c.write("create", c.entity(
        "Ticket", AccountID=0, Title="e2e source", Status=1, Priority=2, Source=added["value"]))
    check(rc == 1 and rows[0].get("Source") == added["value"], f"create with Source: {errors}")
    ok(f"added source {added['value']} accepted on create")

    # 3. A call with one refused entity writes nothing.
    rc, rows, ids, errors = c.write(
        "create",
        c.entity("Ticket", AccountID=0, Title="e2e atomic", Status=1, Priority=2),
        c.entity("Ticket", AccountID=0, Title="e2e atomic", Status=999, Priority=2))
    check(rc == -1 and any("record number [1]" in e for e in errors), f"mixed call: {errors}")
    check(not c.query("Ticket", cond("Title", "Equals", "e2e atomic")), "mixed call wrote rows")
    ok("a call with a refused entity writes nothing")

    # 4. Incremental sync across the autumn hour (02:00 EDT -> 01:00 EST on 2026-11-01).
    mine = cond("Title", "BeginsWith", "e2e-sync")
    admin.clock_set("2026-11-01T01:20:00")  # first pass (EDT)
    rc, _, ids, _ = c.write("create", c.entity("Ticket", AccountID=0, Title="e2e-sync a",
                                               Status=1, Priority=2))
    a = ids[0]
    rc, _, ids, _ = c.write("create", c.entity("Ticket", AccountID=0, Title="e2e-sync b",
                                               Status=1, Priority=2))
    b = ids[0]
    rows = c.poll("Ticket", "LastActivityDate", "2026-11-01T00:00:00", mine)
    check({r["id"] for r in rows} == {a, b}, f"first sync: {[r['id'] for r in rows]}")
    hwm = max(text(r["LastActivityDate"]) for r in rows)
    admin.clock_advance(40 * 60)  # 02:00 EDT = 01:00 EST: the naive clock goes back an hour
    admin.clock_advance(10 * 60)  # 01:10 EST
    rc, _, ids, errors = c.write("create", c.entity(
        "TicketNote", TicketID=a, Description="called back", NoteType=1, Publish=1))
    check(rc == 1, f"note: {errors}")
    rc, _, ids, errors = c.write("create", c.entity(
        "TimeEntry", TicketID=b, ResourceID=me, HoursWorked=0.5))
    check(rc == 1, f"time entry: {errors}")
    entry = ids[0]
    rows = c.poll("Ticket", "LastActivityDate", hwm, mine)
    check({r["id"] for r in rows} == {a, b},
          f"sync in the repeated hour after {hwm}: {[(r['id'], r['LastActivityDate']) for r in rows]}")
    hwm = max(text(r["LastActivityDate"]) for r in rows)
    admin.clock_advance(1)
    rc, _, _, errors = c.write("delete", c.entity("TimeEntry", id=entry))
    check(rc == 1, f"delete time entry: {errors}")
    rows = c.poll("Ticket", "LastActivityDate", hwm, mine)
    check([r["id"] for r in rows] == [b], f"sync after the delete: {[r['id'] for r in rows]}")
    logs = c.poll("DeletedTicketActivityLog", "DeletedDateTime", "2026-11-01T00:00:00",
                  cond("TicketID", "Equals", b))
    check(len(logs) == 1, f"DeletedTicketActivityLog rows for ticket {b}: {len(logs)}")
    ok("incremental sync by LastActivityDate across the autumn hour missed nothing")


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} http://HOST:PORT/atservices/1.6/atws.asmx", file=sys.stderr)
        return 2
    url = sys.argv[1]
    parts = urllib.parse.urlsplit(url)
    admin = Admin(f"{parts.scheme}://{parts.netloc}")
    try:
        run(url)
    except CheckFailed as e:
        print(f"FAIL writes (zeep): {e}", file=sys.stderr, flush=True)
        return 1
    except Exception:
        traceback.print_exc()
        print("FAIL writes (zeep): unexpected error (traceback above)", file=sys.stderr, flush=True)
        return 1
    finally:
        admin.call("POST", "/__admin/reset")  # default data, real time
    print("writes (zeep): all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

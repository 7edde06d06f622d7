#!/usr/bin/python3
"""End-to-end test of the platform behaviours with python zeep (issue 3, "Done when").

    /usr/bin/python3 tests/e2e/behaviours_e2e.py http://127.0.0.1:PORT/atservices/1.6/atws.asmx

What a real client sees (docs/threshold.md, docs/zones-and-users.md):
  - the call threshold: no added latency under 50 %, the tier-1 latency from 50 %, the tier-2
    latency from 75 %, the suspension error at 100 %; getThresholdAndUsageInfo agrees with the
    admin API's usage figure at every stage; moving the clock an hour ends the suspension;
  - a restricted user gets no rows, and no error, where the full user gets rows;
  - an expired password is refused like a wrong one (HTTP 401, A-AUTH-EXPIRED), both for the
    default expired user and for a user whose expiry the clock passes;
  - the German tenant answers German labels with the same picklist values as the English one;
  - two zones serve different WSDLs (current, localized, and 2018 set on an empty zone);
  - the 1.5 endpoint answers getZoneInfo with 1.5 URLs, its own namespace and entity set, and
    requires the IntegrationCode on 1.5 only from users that have one activated.
Latencies are real wall time (a client has to observe them) but short: the test sets them.
It moves the mock's clock, changes settings and adds a user: it resets the mock
(POST /__admin/reset) and restores the zone flavour it changed when done, also on failure.
"""

import re
import sys
import time
import traceback
import urllib.parse

import requests
import zeep
from requests.auth import HTTPBasicAuth
from zeep import xsd
from zeep.exceptions import Fault
from zeep.transports import Transport

from atws_checks import AdminApi, CheckFailed, check, ok

NS16 = "http://autotask.net/ATWS/v1_6/"
NS15 = "http://autotask.net/ATWS/v1_5/"
PASSWORD, CODE = "sandbox", "SANDBOX-INTEGRATION"
FULL, RESTRICTED, EXPIRED = "api@contoso.example", "restricted@contoso.example", \
    "expired@contoso.example"
GERMAN, LEGACY = "api@beispiel.example", "legacy@exemple.example"
THRESHOLD_RE = re.compile(r"^ThresholdOfExternalRequest: (\d+); TimeframeOfLimitation: 60; "
                          r"numberOfExternalRequest: (\d+);$")
SUSPENDED = ("Your request could not be processed because the API call threshold of {} calls "
             "per 60 minutes has been exceeded. Try again later.")  # A-THRESHOLD-TEXT
# The test's latency tiers: short, distinct, far enough apart to tell one from the other.
TIER1_MS, TIER2_MS = 400, 1200
EMPTY_ZONE = 3  # a zone without tenants whose flavour the test sets to 2018 and restores


class Admin(AdminApi):
    def ok(self, method, path, body=None, status=200):
        got, answer = self.call(method, path, body)
        check(got == status, f"{method} {path} {body}: HTTP {got} {answer}")
        return answer


class Client:
    """One zeep client with HTTP Basic credentials; remembers the last HTTP answer."""

    def __init__(self, url, user, password=PASSWORD, code=CODE, ns=NS16):
        self.http = requests.Session()
        self.http.auth = HTTPBasicAuth(user, password)
        self.last = None
        self.http.hooks["response"].append(self._remember)
        self.client = zeep.Client(url + "?WSDL", transport=Transport(session=self.http))
        self.ns = ns
        if code is not None:
            header = self.client.get_element(f"{{{ns}}}AutotaskIntegrations")
            self.client.set_default_soapheaders([header(IntegrationCode=code)])

    def _remember(self, response, *args, **kwargs):
        self.last = response

    @property
    def service(self):
        return self.client.service

    def has_type(self, name):
        try:
            self.client.get_type(f"{{{self.ns}}}{name}")
            return True
        except zeep.exceptions.LookupError:
            return False

    def operations(self):
        binding = self.service._binding
        return set(binding._operations)

    def entity(self, type_name, **fields):
        """An entity whose anyType fields carry xsi:type, as the API's own answers do."""
        values = {"id": fields.pop("id", 0)}
        for k, v in fields.items():
            if isinstance(v, bool):
                values[k] = xsd.AnyObject(xsd.Boolean(), v)
            elif isinstance(v, int):
                values[k] = xsd.AnyObject(xsd.Int(), v)
            elif isinstance(v, float):
                values[k] = xsd.AnyObject(xsd.Double(), v)
            else:
                values[k] = xsd.AnyObject(xsd.String(), v)
        return self.client.get_type(f"{{{self.ns}}}{type_name}")(**values)

    def write(self, op, *entities):
        """(ReturnCode, ids, error messages)."""
        array = self.client.get_type(f"{{{self.ns}}}ArrayOfEntity")
        r = getattr(self.service, op)(Entities=array(Entity=list(entities)))
        ids = [i.EntityId for i in (r.EntityReturnInfoResults.EntityReturnInfo
                                    if r.EntityReturnInfoResults else [])]
        errors = [e.Message for e in r.Errors.ATWSError] if r.Errors else []
        return r.ReturnCode, ids, errors

    def query(self, sxml):
        """(ReturnCode, rows as zeep objects, error messages)."""
        r = self.service.query(sXML=sxml)
        rows = list(r.EntityResults.Entity) if r.EntityResults else []
        errors = [e.Message for e in r.Errors.ATWSError] if r.Errors else []
        return r.ReturnCode, rows, errors

    def threshold(self):
        """(threshold, calls) as getThresholdAndUsageInfo reports them."""
        r = self.service.getThresholdAndUsageInfo()
        check(r.ReturnCode == 1, f"getThresholdAndUsageInfo: ReturnCode {r.ReturnCode}")
        message = r.EntityReturnInfoResults.EntityReturnInfo[0].Message
        m = THRESHOLD_RE.match(message or "")
        check(m, f"getThresholdAndUsageInfo message: {message!r}")
        return int(m.group(1)), int(m.group(2))

    def field_info(self, entity):
        return {f.Name: f for f in (self.service.GetFieldInfo(psObjectType=entity) or [])}

    def entity_names(self):
        return {e.Name for e in (self.service.getEntityInfo() or [])}


def queryxml(entity, *conditions):
    return f"<queryxml><entity>{entity}</entity><query>{''.join(conditions)}</query></queryxml>"


def cond(name, op, value):
    return f"<field>{name}<expression op=\"{op}\">{value}</expression></field>"


def picklist(field):
    return {p.Value: p.Label for p in (field.PicklistValues.PickListValue
                                       if field.PicklistValues else [])}


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000.0


def zone_info(url, user):
    return zeep.Client(url + "?WSDL").service.getZoneInfo(UserName=user)


# --- the steps --------------------------------------------------------------------------------

def threshold_tiers(admin, full, tenant):
    """Tier latencies, suspension and getThresholdAndUsageInfo, driven by the admin API."""
    usage_path = f"/__admin/tenants/{tenant}/usage"
    admin.ok("POST", "/__admin/clock", {"set": "2026-03-02T10:00:00"})  # frozen: the window stays
    settings = admin.ok("PUT", f"/__admin/tenants/{tenant}/settings",
                        {"latency_tier1_ms": TIER1_MS, "latency_tier2_ms": TIER2_MS})
    threshold = settings["threshold"]
    check(settings["latency_tier1_pct"] == 50 and settings["latency_tier2_pct"] == 75,
          f"default tier percentages: {settings}")
    probe = queryxml("Account", cond("id", "Equals", 0))

    def stage(calls, expect_tier, expect_ms):
        admin.ok("PUT", usage_path, {"calls": calls})
        t, n = full.threshold()
        check((t, n) == (threshold, calls),
              f"getThresholdAndUsageInfo after PUT usage {calls}: {t}/{n}")
        (rc, rows, errors), ms = timed(lambda: full.query(probe))
        check(rc == 1 and len(rows) == 1, f"query at {calls} calls: {rc} {errors}")
        if expect_ms:
            check(ms >= expect_ms, f"at {calls} calls the answer took {ms:.0f} ms, expected at "
                                   f"least the tier-{expect_tier} latency {expect_ms} ms")
        # Not the next tier's latency (and, under 50 %, no latency at all).
        limit = TIER1_MS if expect_tier == 0 else TIER2_MS if expect_tier == 1 else None
        if limit:
            check(ms < limit, f"at {calls} calls the answer took {ms:.0f} ms, less than "
                              f"{limit} ms expected (tier {expect_tier})")
        # The call counted; the tenant's usage and getThresholdAndUsageInfo agree.
        usage = admin.ok("GET", usage_path)
        t, n = full.threshold()
        check(usage["calls"] == calls + 1 and n == calls + 1,
              f"after one call at {calls}: admin {usage['calls']}, getThresholdAndUsageInfo {n}")
        check(usage["tier"] == expect_tier, f"admin usage tier at {calls + 1}: {usage}")
        return ms

    under = stage(threshold * 50 // 100 - 100, 0, 0)
    ok(f"{threshold * 50 // 100 - 100} calls (under 50 %): answered in {under:.0f} ms")
    t1 = stage(threshold * 50 // 100 + 1, 1, TIER1_MS)
    ok(f"just over 50 %: answered after {t1:.0f} ms (tier 1 = {TIER1_MS} ms)")
    t2 = stage(threshold * 75 // 100 + 1, 2, TIER2_MS)
    ok(f"just over 75 %: answered after {t2:.0f} ms (tier 2 = {TIER2_MS} ms)")
    # The journal records the latency it added.
    journal = admin.ok("GET", f"/__admin/journal?tenant={tenant}&operation=query&limit=3")
    added = [e.get("latency_added_ms", 0) for e in journal]  # the newest three, oldest first
    check(added == [0, TIER1_MS, TIER2_MS],
          f"journal latency_added_ms of the three queries: {added}")

    # At the threshold: suspended, in each operation's error shape, at once.
    admin.ok("PUT", usage_path, {"calls": threshold})
    text = SUSPENDED.format(threshold)
    (rc, rows, errors), ms = timed(lambda: full.query(probe))
    check(rc == -1 and errors == [text] and not rows, f"query while suspended: {rc} {errors}")
    check(ms < TIER1_MS, f"the suspension error took {ms:.0f} ms; refusals are not held back")
    try:
        full.field_info("Account")
        raise CheckFailed("GetFieldInfo while suspended was answered")
    except Fault as e:
        check(e.message == text, f"GetFieldInfo fault while suspended: {e.message!r}")
        check(full.last.status_code == 500, f"GetFieldInfo fault: HTTP {full.last.status_code}")
    t, n = full.threshold()  # refused calls do not count (A-THRESHOLD-REJECTED)
    usage = admin.ok("GET", usage_path)
    check(n == threshold and usage["calls"] == threshold and usage["suspended"],
          f"while suspended: getThresholdAndUsageInfo {n}, admin {usage}")
    ok(f"at {threshold} calls: suspended ({text!r}); getThresholdAndUsageInfo says {n}")

    # An hour later the window is empty again: no suspension, no latency.
    admin.ok("POST", "/__admin/clock", {"advance_seconds": 3600})
    t, n = full.threshold()
    check(n == 0, f"an hour later getThresholdAndUsageInfo says {n} calls")
    (rc, rows, errors), ms = timed(lambda: full.query(probe))
    check(rc == 1 and len(rows) == 1 and ms < TIER1_MS,
          f"an hour later: {rc} {errors} in {ms:.0f} ms")
    t, n = full.threshold()
    check(n == 1 and admin.ok("GET", usage_path)["calls"] == 1, f"after the hour: {n} calls")
    ok("POST /__admin/clock advance 3600 s releases the suspension")


def restricted_user(admin, zone_url, full):
    """A line-of-business / entity-restricted user sees no rows where the full user does."""
    restricted = Client(zone_url, RESTRICTED)
    everything = queryxml("Invoice", cond("id", "GreaterThan", 0))
    rc, all_invoices, errors = full.query(everything)
    check(rc == 1 and all_invoices, f"full user, invoices: {rc} {errors}")
    rc, seen, errors = restricted.query(everything)
    check(rc == 1 and not errors, f"restricted user, invoices: {rc} {errors}")
    seen_ids = {e.id for e in seen}
    hidden = [e.id for e in all_invoices if e.id not in seen_ids]
    check(hidden and seen_ids < {e.id for e in all_invoices},
          f"restricted user sees {len(seen_ids)} of {len(all_invoices)} invoices")
    one = queryxml("Invoice", cond("id", "Equals", hidden[0]))
    rc, rows, errors = full.query(one)
    check(rc == 1 and len(rows) == 1, f"full user, invoice {hidden[0]}: {rc} {errors}")
    rc, rows, errors = restricted.query(one)
    check((rc, rows, errors) == (1, [], []),
          f"restricted user, invoice {hidden[0]}: ReturnCode {rc}, {len(rows)} rows, {errors}")
    ok(f"invoice {hidden[0]} (another line of business): full user 1 row, restricted user "
       f"0 rows, no error ({len(seen_ids)} of {len(all_invoices)} invoices visible)")
    # The default data has no opportunities: the full user creates one.
    me = admin.ok("GET", f"/__admin/users/{FULL}")["resource_id"]
    opportunity = full.entity(
        "Opportunity", AccountID=0, Amount=1200.0, Cost=400.0, CreateDate="2026-03-02T09:00:00",
        OwnerResourceID=me, Probability=50, ProjectedCloseDate="2026-04-30T00:00:00", Stage=1,
        Status=1, Title="e2e restricted", UseQuoteTotals=False)
    rc, ids, errors = full.write("create", opportunity)
    check(rc == 1 and len(ids) == 1, f"full user creates an Opportunity: {rc} {errors}")
    rc, ids_r, errors = restricted.write("create", opportunity)
    check(rc == -1 and errors == [
        f"Error creating entity for record number [0]. The security level of {RESTRICTED} does "
        f"not allow you to create Opportunity entities."], f"restricted create: {rc} {errors}")
    opportunities = queryxml("Opportunity", cond("id", "GreaterThan", 0))
    rc, rows, errors = full.query(opportunities)
    check(rc == 1 and [e.id for e in rows] == ids, f"full user, opportunities: {rc} {errors}")
    rc, rows_r, errors = restricted.query(opportunities)
    check((rc, rows_r, errors) == (1, [], []),
          f"restricted user, opportunities: ReturnCode {rc}, {len(rows_r)} rows, {errors}")
    info = {e.Name: e for e in restricted.service.getEntityInfo()}
    check(info["Opportunity"].UserAccessForQuery == "None",
          f"restricted user's Opportunity query access: {info['Opportunity'].UserAccessForQuery}")
    ok(f"Opportunity (access None): full user {len(rows)} rows, restricted user 0 rows, no error")


def expired_password(admin, zone_url, tenant):
    """An expired password gets what a wrong password gets: HTTP 401 (A-AUTH-EXPIRED)."""
    probe = queryxml("Account", cond("id", "Equals", 0))

    def refused(user, password=PASSWORD):
        c = Client(zone_url, user, password)  # the WSDL needs no credentials
        try:
            c.query(probe)
        except Exception:  # zeep cannot read the 401 page as a SOAP answer
            pass
        check(c.last is not None and c.last.status_code == 401,
              f"{user}: HTTP {c.last.status_code if c.last is not None else None}, expected 401")
        return c.last.status_code, c.last.headers.get("WWW-Authenticate"), c.last.text

    admin.ok("POST", "/__admin/clock", {"set": "2026-03-02T10:00:00"})
    check(admin.ok("GET", f"/__admin/users/{EXPIRED}")["password_expired"],
          f"{EXPIRED} is not expired by the admin API")
    wrong = refused(FULL, "not-the-password")
    expired = refused(EXPIRED)
    check(expired == wrong, f"expired password answer {expired[:2]} differs from a wrong "
                            f"password's {wrong[:2]}")
    check((expired[1] or "").startswith("Basic "), f"WWW-Authenticate: {expired[1]!r}")
    ok(f"{EXPIRED}: HTTP 401, {expired[1]}, the same answer as a wrong password")

    # A user whose expiry the clock passes.
    user = "e2e-expiry@contoso.example"
    admin.ok("POST", f"/__admin/tenants/{tenant}/users",
             {"username": user, "password": PASSWORD, "integration_codes": [CODE],
              "password_expires": "2026-03-02T12:00:00"}, status=201)
    c = Client(zone_url, user)
    rc, rows, errors = c.query(probe)
    check(rc == 1 and len(rows) == 1, f"{user} before its expiry: {rc} {errors}")
    admin.ok("POST", "/__admin/clock", {"advance_seconds": 2 * 3600})
    check(refused(user) == wrong, f"{user} after its expiry: not the wrong-password answer")
    admin.ok("PUT", f"/__admin/users/{user}", {"password_expires": None})
    rc, rows, errors = c.query(probe)
    check(rc == 1 and len(rows) == 1, f"{user} without expiry again: {rc} {errors}")
    ok("a user works until the clock passes its password_expires, then gets HTTP 401")


def german_labels(neutral_url, full):
    """Same picklist values in both tenants; labels in the tenant's language."""
    url = zone_info(neutral_url, GERMAN).URL
    check("/webservices18/" in url, f"getZoneInfo for {GERMAN}: {url}")
    german = Client(url, GERMAN)
    en, de = full.field_info("Ticket"), german.field_info("Ticket")
    compared, differing = 0, 0
    for name in sorted(set(en) & set(de)):
        if not en[name].IsPickList:
            continue
        pe, pd = picklist(en[name]), picklist(de[name])
        if name == "Source":  # tenants add their own sources (docs/writes.md)
            check({"4", "6"} <= set(pe) and {"4", "6"} <= set(pd), f"Source values {pe} {pd}")
            continue
        check(set(pe) == set(pd), f"Ticket.{name} values: English {sorted(pe)}, "
                                  f"German {sorted(pd)}")
        compared += 1
        differing += sum(1 for v in pe if pe[v] != pd[v])
    check(compared >= 5 and differing > 0,
          f"{compared} picklists compared, {differing} labels differ")
    check(picklist(en["Status"])["1"] == "New" and picklist(de["Status"])["1"] == "Neu",
          f"Status 1: {picklist(en['Status'])['1']!r} / {picklist(de['Status'])['1']!r}")
    check(en["Status"].Label == "Ticket Status" and de["Status"].Label == "Ticketstatus",
          f"Status field label: {en['Status'].Label!r} / {de['Status'].Label!r}")
    # Rows hold the values, whatever the language.
    rc, rows, errors = german.query(queryxml("Ticket", cond("Status", "Equals", 1)))
    check(rc == 1 and rows, f"German tenant, tickets with Status 1: {rc} {errors}")
    ok(f"German tenant: {compared} Ticket picklists with the same values, {differing} labels "
       f"in German (Status 1 = Neu, field label Ticketstatus)")


def zone_wsdls(admin, neutral_url, full, zone5_url):
    """Zones of different flavours serve different WSDLs and entity sets."""
    zone18_url = zone_info(neutral_url, GERMAN).URL
    german = Client(zone18_url, GERMAN)
    # Through zeep's view of each WSDL: entity types and Ticket elements.
    lagging = ["Tag", "TagAlias", "TagGroup", "TicketTagAssociation", "TicketRmaCredit"]
    check(all(full.has_type(n) for n in lagging), "zone 5 WSDL lacks an entity of 'current'")
    check(not any(german.has_type(n) for n in lagging),
          f"zone 18 WSDL has {[n for n in lagging if german.has_type(n)]}")
    t5 = full.client.get_type(f"{{{NS16}}}Ticket")
    t18 = german.client.get_type(f"{{{NS16}}}Ticket")
    e5 = {name for name, _ in t5.elements}
    e18 = {name for name, _ in t18.elements}
    check({"RmaStatus", "RmaType"} <= e5 - e18, f"Ticket elements only in zone 5: {e5 - e18}")
    check(e18 <= e5, f"Ticket elements only in zone 18: {e18 - e5}")
    # The operations agree with the WSDL each zone served.
    v5, v18 = full.service.GetWsdlVersion(), german.service.GetWsdlVersion()
    check((v5, v18) == ("1.6.8", "1.6.7"), f"GetWsdlVersion zone 5 {v5}, zone 18 {v18}")
    n5, n18 = full.entity_names(), german.entity_names()
    check(n5 - n18 == set(lagging) and not n18 - n5,
          f"getEntityInfo difference: {sorted(n5 - n18)} / {sorted(n18 - n5)}")
    rc, rows, errors = german.query(queryxml("Tag", cond("id", "GreaterThan", 0)))
    check(rc == -1 and errors == ["Unable to find the entity Tag in this version of the API."],
          f"query Tag in zone 18: {rc} {errors}")
    ok(f"zone 5 ({v5}, {len(n5)} entities) and zone 18 ({v18}, {len(n18)} entities): "
       f"zone 18 lacks {', '.join(lagging)} and Ticket.RmaStatus/RmaType")

    # The 2018 contract, set on a zone without tenants: no IntegrationCodeCheck.
    admin.ok("PUT", f"/__admin/zones/{EMPTY_ZONE}", {"flavour": "2018"})
    base = zone5_url.split("/webservices5/")[0]
    old = zeep.Client(f"{base}/webservices{EMPTY_ZONE}/atservices/1.6/atws.asmx?WSDL")
    ops_old = set(old.service._binding._operations)
    ops_new = full.operations()
    check("IntegrationCodeCheck" in ops_new and "IntegrationCodeCheck" not in ops_old,
          f"IntegrationCodeCheck in zone 5: {'IntegrationCodeCheck' in ops_new}, "
          f"in the 2018 zone: {'IntegrationCodeCheck' in ops_old}")
    info_old = old.get_type(f"{{{NS16}}}EntityInfo")
    check(not any(n.startswith("UserAccessFor") for n, _ in info_old.elements),
          "the 2018 EntityInfo has UserAccessFor* elements")
    check(not any(name == "Tag" for name in _types(old)), "the 2018 WSDL has Tag")
    ok(f"zone {EMPTY_ZONE} set to 2018: its WSDL has no IntegrationCodeCheck, no UserAccessFor*")


def _types(client):
    return {t.name for t in client.wsdl.types.types if getattr(t, "name", None)}


def api_15(neutral_url, tenant):
    """API 1.5: getZoneInfo answers 1.5 URLs; the 1.5 contract; the IntegrationCode rule."""
    neutral15 = neutral_url.replace("/1.6/", "/1.5/")
    z16, z15 = zone_info(neutral_url, FULL), zone_info(neutral15, FULL)
    check(z15.URL.endswith("/webservices5/ATServices/1.5/atws.asmx"),
          f"1.5 getZoneInfo URL: {z15.URL}")
    check(z16.URL.endswith("/webservices5/ATServices/1.6/atws.asmx"),
          f"1.6 getZoneInfo URL: {z16.URL}")
    check(z15.CI == z16.CI == tenant and z15.ErrorCode == 0 and z15.WebUrl == z16.WebUrl,
          f"1.5 getZoneInfo: CI {z15.CI}, ErrorCode {z15.ErrorCode}, WebUrl {z15.WebUrl}")
    c15 = Client(z15.URL, FULL, ns=NS15)
    check(c15.has_type("ATWSZoneInfo") and not c15.has_type("Tag"),
          "the 1.5 WSDL's namespace v1_5 / entity set")
    check("IntegrationCodeCheck" not in c15.operations(), "1.5 has IntegrationCodeCheck")
    version = c15.service.GetWsdlVersion()
    check(version == "1.5.16", f"1.5 GetWsdlVersion: {version}")
    names = c15.entity_names()
    check(len(names) == 124 and "Ticket" in names, f"1.5 getEntityInfo: {len(names)} entities")
    probe = queryxml("Account", cond("id", "Equals", 0))
    rc, rows, errors = c15.query(probe)
    check(rc == 1 and len(rows) == 1, f"1.5 query: {rc} {errors}")
    ok(f"1.5: getZoneInfo {z15.URL}, GetWsdlVersion {version}, {len(names)} entities")
    # The IntegrationCode: required on 1.5 only from users that have one activated.
    rc, rows, errors = Client(z15.URL, FULL, code=None, ns=NS15).query(probe)
    check(rc == -1 and errors == ["IntegrationCode is invalid."],
          f"1.5 without the header, user with a code: {rc} {errors}")
    legacy_zone = zone_info(neutral_url, LEGACY)
    legacy_15 = Client(legacy_zone.URL.replace("/1.6/", "/1.5/"), LEGACY, code=None, ns=NS15)
    rc, rows, errors = legacy_15.query(queryxml("Account", cond("id", "GreaterThan", 0)))
    check(rc == 1 and rows and not errors, f"1.5, {LEGACY} without a code: {rc} {errors}")
    rc, rows, errors = Client(legacy_zone.URL, LEGACY, code=None).query(probe)
    check(rc == -1 and errors == ["IntegrationCode is invalid."],
          f"1.6, {LEGACY} without a code: {rc} {errors}")
    ok(f"IntegrationCode on 1.5: required from {FULL} (activated), not from {LEGACY} "
       f"(refused on 1.6)")


def run(neutral_url, admin, restore):
    z = zone_info(neutral_url, FULL)
    check(z.ErrorCode == 0 and z.URL, f"getZoneInfo {FULL}: {z}")
    tenant = z.CI
    full = Client(z.URL, FULL)
    status, tenants = admin.call("GET", "/__admin/tenants")
    check(status == 200 and any(t["id"] == tenant for t in tenants), f"tenant {tenant} unknown")
    zone = admin.ok("GET", f"/__admin/zones/{EMPTY_ZONE}")
    check(not zone["tenants"], f"zone {EMPTY_ZONE} is not empty: {zone}")
    restore.append((f"/__admin/zones/{EMPTY_ZONE}", {"flavour": zone["flavour"]}))

    print("threshold tiers", flush=True)
    threshold_tiers(admin, full, tenant)
    print("restricted user", flush=True)
    restricted_user(admin, z.URL, full)
    print("expired password", flush=True)
    expired_password(admin, z.URL, tenant)
    print("languages", flush=True)
    german_labels(neutral_url, full)
    print("zones", flush=True)
    zone_wsdls(admin, neutral_url, full, z.URL)
    print("API 1.5", flush=True)
    api_15(neutral_url, tenant)


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} http://HOST:PORT/atservices/1.6/atws.asmx", file=sys.stderr)
        return 2
    url = sys.argv[1]
    parts = urllib.parse.urlsplit(url)
    admin = Admin(f"{parts.scheme}://{parts.netloc}")
    restore = []  # (admin path, body) to PUT back; zone flavours survive a reset
    try:
        run(url, admin, restore)
    except CheckFailed as e:
        print(f"FAIL behaviours (zeep): {e}", file=sys.stderr, flush=True)
        return 1
    except Exception:
        traceback.print_exc()
        print("FAIL behaviours (zeep): unexpected error (traceback above)", file=sys.stderr,
              flush=True)
        return 1
    finally:
        for path, body in restore:
            admin.call("PUT", path, body)
        admin.call("POST", "/__admin/reset")  # default data, settings, users, real time
    print("behaviours (zeep): all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A well-behaved Autotask ticket sync job, in Python with zeep (Debian's python3-zeep).

    ATWS_URL=... ATWS_USERNAME=... ATWS_PASSWORD=... ATWS_INTEGRATION_CODE=... \\
        /usr/bin/python3 conformance/examples/python/good_sync.py

or under the conformance suite, which sets those variables and judges what the job did:

    build/atws-conformance check-client -- /usr/bin/python3 conformance/examples/python/good_sync.py

The job: find the user's zone, check the usage, read the Ticket field metadata, read every
ticket once (paging by id), create a ticket, read it back, update it, then fetch only what
changed since the full read. It follows every rule of `atws-conformance check-client
--list-rules`; conformance/examples/README.md explains each choice.
"""

import datetime
import os
import re
import sys
import time

import requests
import zeep
from requests.auth import HTTPBasicAuth
from zeep import xsd
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport

NS = "http://autotask.net/ATWS/v1_6/"
BINDING = "{%s}ATWSSoap" % NS
PAGE = 500
# Picklist values, not labels: the same in every language (Status 1 is "New", "Neu", "Nuevo").
STATUS_NEW, STATUS_IN_PROGRESS = 1, 8
PRIORITY_MEDIUM = 2
# The Source that marks our tickets. In production the customer adds a Source for the
# integration and configures its value here; Insource (6) exists in every Autotask database.
TICKET_SOURCE = int(os.environ.get("EXAMPLE_TICKET_SOURCE", "6"))
THRESHOLD_RE = re.compile(r"ThresholdOfExternalRequest: (\d+); TimeframeOfLimitation: \d+; "
                          r"numberOfExternalRequest: (\d+);")


class Fatal(Exception):
    """Stops the job: retrying cannot help (expired password, missing picklist value ...)."""


def log(msg):
    print(f"[good-python] {msg}", flush=True)


def cond(field, op, value):
    return f"<field>{field}<expression op=\"{op}\">{value}</expression></field>"


def api_time(value):
    """A date-time as zeep returns it -> the API's text form."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return str(value)


class Autotask:
    def __init__(self, neutral_url, user, password, code):
        self.neutral_url, self.user = neutral_url, user
        # getZoneInfo needs no credentials: a plain client on the zone-neutral endpoint.
        self.locator = zeep.Client(neutral_url + "?WSDL")
        session = requests.Session()
        session.auth = HTTPBasicAuth(user, password)
        self.last_status = None
        session.hooks["response"].append(self._remember_status)
        self.zone_url = self.discover_zone()
        self.client = zeep.Client(self.zone_url + "?WSDL", transport=Transport(session=session))
        header = self.client.get_element("{%s}AutotaskIntegrations" % NS)
        self.client.set_default_soapheaders([header(IntegrationCode=code)])
        self.service = self.client.create_service(BINDING, self.zone_url)
        self.entity_array = self.client.get_type("{%s}ArrayOfEntity" % NS)

    def _remember_status(self, response, *args, **kwargs):
        self.last_status = response.status_code

    def _refused(self):
        """zeep reports a 401 as a TransportError or an unparsable fault: look at the status."""
        return Fatal(f"API user {self.user}: password refused or expired (HTTP 401); ask the "
                     "Autotask administrator to reset it")

    def discover_zone(self):
        info = self.locator.service.getZoneInfo(UserName=self.user)
        if info.ErrorCode != 0 or not info.URL:
            raise Fatal(f"getZoneInfo does not know the user {self.user}")
        log(f"zone URL for {self.user}: {info.URL}")
        return info.URL

    def usage(self):
        """(calls in the last hour, threshold); getThresholdAndUsageInfo does not count."""
        self.last_status = None
        try:
            result = self.service.getThresholdAndUsageInfo()
        except (TransportError, Fault):
            if self.last_status == 401:
                raise self._refused()
            raise
        info = result.EntityReturnInfoResults.EntityReturnInfo[0].Message
        m = THRESHOLD_RE.search(info or "")
        return (int(m.group(2)), int(m.group(1))) if m else (0, 1)

    def call(self, what, fn):
        """Runs one API call with the back-off and recovery the API asks for."""
        pause = 5.0
        for attempt in range(8):
            self.last_status = None
            try:
                result = fn()
            except TransportError:
                if self.last_status == 401:
                    raise self._refused()
                raise
            except Fault as e:  # operations without an ATWSResponse report errors as faults
                if self.last_status == 401:
                    raise self._refused()
                errors = [str(e.message)]
                result = None
            else:
                wrapper = getattr(result, "Errors", None)  # only ATWSResponse operations have it
                errors = [e.Message for e in (wrapper.ATWSError if wrapper else [])]
            if not errors:
                return result
            text = " ".join(errors)
            if "API call threshold" in text:
                used, limit = self.usage()
                log(f"{what}: suspended ({used} of {limit} calls this hour); waiting {pause:.0f} s")
                time.sleep(pause)
                pause *= 2
            elif "Thread Threshold Exceeded" in text:
                time.sleep(1)
            elif "belongs to zone" in text:
                log(f"{what}: the database moved to another zone; asking getZoneInfo again")
                self.zone_url = self.discover_zone()
                self.service = self.client.create_service(BINDING, self.zone_url)
            else:
                raise Fatal(f"{what}: {text}")
        raise Fatal(f"{what}: still failing after retries")

    def query(self, entity, *conditions):
        sxml = f"<queryxml><entity>{entity}</entity><query>{''.join(conditions)}</query></queryxml>"
        result = self.call(f"query {entity}", lambda: self.service.query(sXML=sxml))
        return list(result.EntityResults.Entity) if result.EntityResults else []

    def query_all(self, entity, *conditions):
        """Every matching row: 500 at a time, each page continuing after the largest id."""
        rows, last = [], 0
        while True:
            page = self.query(entity, *conditions, cond("id", "GreaterThan", last))
            rows.extend(page)
            if len(page) < PAGE:
                return rows
            last = max(r.id for r in page)

    def entity(self, type_name, **fields):
        t = self.client.get_type("{%s}%s" % (NS, type_name))
        values = {"id": fields.pop("id", 0)}
        for k, v in fields.items():
            values[k] = xsd.AnyObject(xsd.Int() if isinstance(v, int) else xsd.String(), v)
        return t(**values)

    def write(self, op, entity):
        fn = getattr(self.service, op)
        result = self.call(f"{op} {entity._xsd_type.name}",
                           lambda: fn(Entities=self.entity_array(Entity=[entity])))
        return result.EntityReturnInfoResults.EntityReturnInfo[0].EntityId


def field_value(entity, name):
    value = getattr(entity, name, None)
    return getattr(value, "_value_1", value)


def main():
    env = {k: os.environ.get(k) for k in
           ("ATWS_URL", "ATWS_USERNAME", "ATWS_PASSWORD", "ATWS_INTEGRATION_CODE")}
    missing = [k for k, v in env.items() if not v]
    if missing:
        print(f"set {', '.join(missing)}", file=sys.stderr)
        return 2
    at = Autotask(env["ATWS_URL"], env["ATWS_USERNAME"], env["ATWS_PASSWORD"],
                  env["ATWS_INTEGRATION_CODE"])

    used, limit = at.usage()
    log(f"threshold usage: {used} of {limit} calls in the last hour")
    if used * 2 >= limit:
        log("above 50 %: every answer is slowed down; this job keeps to one call at a time")

    # The picklist values we use must exist in this database (checked by value, never by label).
    fields = at.call("GetFieldInfo Ticket", lambda: at.service.GetFieldInfo(psObjectType="Ticket"))
    fields = fields if isinstance(fields, list) else fields.Field
    picklists = {f.Name: {int(p.Value) for p in (f.PicklistValues.PickListValue
                                                 if f.PicklistValues else [])}
                 for f in fields if f.IsPickList}
    for name, value in (("Status", STATUS_NEW), ("Status", STATUS_IN_PROGRESS),
                        ("Priority", PRIORITY_MEDIUM), ("Source", TICKET_SOURCE)):
        if value not in picklists.get(name, set()):
            raise Fatal(f"Ticket.{name} has no value {value} in this database")

    # 1. Full read, once.
    tickets = at.query_all("Ticket")
    since = max(api_time(field_value(t, "LastActivityDate")) for t in tickets)
    log(f"full read: {len(tickets)} tickets, newest activity {since}")

    # 2. Create: only the id of the answer is trusted; computed fields come from a re-read.
    due = (datetime.datetime.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    ticket_id = at.write("create", at.entity(
        "Ticket", AccountID=0, Title="[example] Printer offline on floor 2", Status=STATUS_NEW,
        Priority=PRIORITY_MEDIUM, Source=TICKET_SOURCE, DueDateTime=due))
    number = None
    for _ in range(6):
        rows = at.query("Ticket", cond("id", "Equals", ticket_id))
        number = field_value(rows[0], "TicketNumber") if rows else None
        if number:
            break
        time.sleep(1)  # computed fields settle shortly after the create
    log(f"created ticket {ticket_id}, number {number}")

    # 3. Update: only the fields we mean to set (plus the required ones, with our own values).
    at.write("update", at.entity("Ticket", id=ticket_id, AccountID=0,
                                 Title="[example] Printer offline on floor 2 (on site)",
                                 Status=STATUS_IN_PROGRESS, Priority=PRIORITY_MEDIUM,
                                 DueDateTime=due))

    # 4. Incremental sync: only what changed since the full read.
    changed = at.query_all("Ticket", cond("LastActivityDate", "GreaterThan", since))
    ids = {t.id for t in changed}
    log(f"incremental sync: {len(changed)} changed ticket(s)")
    if ticket_id not in ids:
        raise Fatal(f"the changed tickets do not include {ticket_id}")
    log("done")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Fatal as e:
        print(f"[good-python] stopped: {e}", file=sys.stderr, flush=True)
        sys.exit(1)

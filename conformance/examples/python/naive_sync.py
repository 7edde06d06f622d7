#!/usr/bin/python3
"""A NAIVE Autotask ticket sync job in Python (zeep): what check-client flags, on purpose.

    build/atws-conformance check-client -- /usr/bin/python3 conformance/examples/python/naive_sync.py

It does the same job as good_sync.py and gets it done against the sandbox, but:

  * it never calls getZoneInfo and sends every call to ATWS_URL, the zone-neutral endpoint
    (CC-ZONE-FIRST, CC-ZONE-URL): fine until the customer's zone is not the default one, or the
    real server refuses off-zone calls;
  * it finds changes by reading every ticket again and comparing (CC-INCREMENTAL-SYNC): three
    pages of 500 per poll instead of one small query by LastActivityDate.

Everything else (IntegrationCode, paging, Source, picklist values, re-reads) is done right, so
that check-client flags exactly these rules (conformance/examples/expected.json).
"""

import datetime
import os
import sys

import requests
import zeep
from requests.auth import HTTPBasicAuth
from zeep import xsd
from zeep.transports import Transport

NS = "http://autotask.net/ATWS/v1_6/"


def log(msg):
    print(f"[naive-python] {msg}", flush=True)


def main():
    url = os.environ["ATWS_URL"]
    session = requests.Session()
    session.auth = HTTPBasicAuth(os.environ["ATWS_USERNAME"], os.environ["ATWS_PASSWORD"])
    # Flaw: the zone-neutral URL is used for everything, no getZoneInfo.
    client = zeep.Client(url + "?WSDL", transport=Transport(session=session))
    header = client.get_element("{%s}AutotaskIntegrations" % NS)
    client.set_default_soapheaders([header(IntegrationCode=os.environ["ATWS_INTEGRATION_CODE"])])
    svc = client.service

    def read_all_tickets():
        rows, last = [], 0
        while True:
            sxml = ("<queryxml><entity>Ticket</entity><query><field>id<expression "
                    f"op=\"GreaterThan\">{last}</expression></field></query></queryxml>")
            result = svc.query(sXML=sxml)
            page = list(result.EntityResults.Entity) if result.EntityResults else []
            rows.extend(page)
            if len(page) < 500:
                return {r.id: r for r in rows}
            last = max(r.id for r in page)

    def value(v):
        return getattr(v, "_value_1", v)

    before = read_all_tickets()
    log(f"full read: {len(before)} tickets")

    t = client.get_type("{%s}Ticket" % NS)
    due = (datetime.datetime.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    ticket = t(id=0, AccountID=xsd.AnyObject(xsd.Int(), 0),
               Title=xsd.AnyObject(xsd.String(), "[example] Printer offline (naive python)"),
               Status=xsd.AnyObject(xsd.Int(), 1), Priority=xsd.AnyObject(xsd.Int(), 2),
               Source=xsd.AnyObject(xsd.Int(), 6), DueDateTime=xsd.AnyObject(xsd.String(), due))
    array = client.get_type("{%s}ArrayOfEntity" % NS)
    result = svc.create(Entities=array(Entity=[ticket]))
    if result.ReturnCode != 1:
        log(f"create failed: {[e.Message for e in result.Errors.ATWSError]}")
        return 1
    ticket_id = result.EntityReturnInfoResults.EntityReturnInfo[0].EntityId
    log(f"created ticket {ticket_id}")

    # Flaw: "what changed?" answered by reading everything again and comparing.
    after = read_all_tickets()
    changed = [i for i, r in after.items()
               if i not in before or value(r.LastActivityDate) != value(before[i].LastActivityDate)]
    log(f"changed since the last poll: {len(changed)} ticket(s)")
    return 0 if ticket_id in changed else 1


if __name__ == "__main__":
    sys.exit(main())

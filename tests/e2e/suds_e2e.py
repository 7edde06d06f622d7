#!/usr/bin/python3
"""End-to-end test of the mock with suds (Debian's python3-suds, suds-community).

    /usr/bin/python3 tests/e2e/suds_e2e.py http://127.0.0.1:PORT/atservices/1.6/atws.asmx

The scenario is in atws_checks.py; this file only adapts suds to it. suds's default
authenticated transport sends credentials only after a 401 challenge (WWW-Authenticate: Basic
Realm=...), so this also checks the mock's challenge.
"""

import os
import sys

from suds import WebFault
from suds.cache import NoCache
from suds.client import Client
from suds.transport import TransportError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atws_checks  # noqa: E402
from atws_checks import HttpStatus, SoapFault  # noqa: E402


def items(value, name):
    """The list inside an ArrayOfX wrapper (suds gives "" or None for an empty one)."""
    if value is None or isinstance(value, str):
        return []
    inner = getattr(value, name, None) if not isinstance(value, list) else value
    if inner is None:
        return []
    return list(inner) if isinstance(inner, list) else [inner]


def entity_row(entity):
    row = {}
    for name, value in entity:
        if name == "UserDefinedFields":
            row["UDF"] = {u.Name: getattr(u, "Value", None) for u in items(value, "UserDefinedField")}
        elif name != "Fields" and value is not None:
            row[name] = value
    return row


def call(fn):
    """Runs one client call, mapping suds errors to the scenario's exceptions."""
    try:
        return fn()
    except WebFault as e:
        raise SoapFault(str(e.fault.faultstring)) from e
    except TransportError as e:
        raise HttpStatus(e.httpcode, str(e)) from e
    except Exception as e:
        # suds reports an HTTP error answer that is not a SOAP fault as Exception((status, text)).
        if e.args and isinstance(e.args[0], tuple) and isinstance(e.args[0][0], int):
            raise HttpStatus(*e.args[0]) from e
        raise


class SudsSession:
    def __init__(self, zone_url, user, password, integration_code):
        self.client = call(lambda: Client(zone_url + "?WSDL", username=user, password=password,
                                          cache=NoCache(), timeout=120))
        if integration_code is not None:
            header = self.client.factory.create("AutotaskIntegrations")
            header.IntegrationCode = integration_code
            self.client.set_options(soapheaders=header)

    def address(self):
        return self.client.wsdl.services[0].ports[0].location

    def entity_info(self):
        result = call(lambda: self.client.service.getEntityInfo())
        return [{"Name": e.Name, "CanQuery": e.CanQuery} for e in items(result, "EntityInfo")]

    def field_info(self, entity):
        result = call(lambda: self.client.service.GetFieldInfo(entity))
        return [self._field(f) for f in items(result, "Field")]

    def udf_info(self, entity):
        result = call(lambda: self.client.service.getUDFInfo(entity))
        return [self._field(f) for f in items(result, "Field")]

    @staticmethod
    def _field(f):
        return {"Name": f.Name, "Type": f.Type, "IsQueryable": f.IsQueryable,
                "IsPickList": f.IsPickList,
                "PicklistValues": [{"Value": p.Value, "Label": p.Label}
                                   for p in items(getattr(f, "PicklistValues", None), "PickListValue")]}

    def threshold(self):
        result = call(lambda: self.client.service.getThresholdAndUsageInfo())
        infos = items(result.EntityReturnInfoResults, "EntityReturnInfo")
        return str(infos[0].Message) if infos else None

    def wsdl_version(self):
        return str(call(lambda: self.client.service.GetWsdlVersion()))

    def query(self, sxml):
        result = call(lambda: self.client.service.query(sxml))
        rows = [entity_row(e) for e in items(getattr(result, "EntityResults", None), "Entity")]
        errors = [str(e.Message) for e in items(getattr(result, "Errors", None), "ATWSError")]
        return int(result.ReturnCode), rows, errors


class SudsAdapter:
    def __init__(self):
        self.neutral = {}

    def zone_info(self, url, user):
        if url not in self.neutral:  # getZoneInfo needs no credentials
            self.neutral[url] = Client(url + "?WSDL", cache=NoCache(), timeout=60)
        zi = self.neutral[url].service.getZoneInfo(user)
        return {"URL": getattr(zi, "URL", None), "ErrorCode": zi.ErrorCode, "CI": zi.CI,
                "WebUrl": getattr(zi, "WebUrl", None)}

    def connect(self, zone_url, user, password, integration_code):
        return SudsSession(zone_url, user, password, integration_code)


if __name__ == "__main__":
    sys.exit(atws_checks.main(SudsAdapter, "suds"))

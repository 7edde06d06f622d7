#!/usr/bin/python3
"""End-to-end test of the mock with python zeep (Debian's python3-zeep).

    /usr/bin/python3 tests/e2e/zeep_e2e.py http://127.0.0.1:PORT/atservices/1.6/atws.asmx

The scenario is in atws_checks.py; this file only adapts zeep to it. zeep loads the WSDL from
the mock (`?WSDL`, credentials sent with every request through the requests session), returns
entity field values (declared anyType) as Python values decoded from their xsi:type.
"""

import os
import sys

import requests
import zeep
from requests.auth import HTTPBasicAuth
from zeep.exceptions import Fault
from zeep.transports import Transport

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atws_checks  # noqa: E402
from atws_checks import HttpStatus, SoapFault  # noqa: E402

NS = "http://autotask.net/ATWS/v1_6/"


def items(value, name):
    """The list inside an ArrayOfX wrapper (zeep gives None for an empty one)."""
    if value is None:
        return []
    inner = getattr(value, name, value) if not isinstance(value, list) else value
    return list(inner or [])


def plain(value):
    """An anyType field value as zeep returns it -> a Python scalar."""
    if hasattr(value, "_value_1"):
        value = value._value_1
    if hasattr(value, "value") and type(value).__name__ == "AnyObject":
        value = value.value
    if hasattr(value, "text") and hasattr(value, "tag"):  # an lxml element (no xsi:type)
        value = value.text
    if isinstance(value, list):
        value = "".join(plain(v) or "" for v in value)
    return value


def entity_row(entity):
    row = {}
    for name, value in entity.__values__.items():
        if name == "UserDefinedFields":
            row["UDF"] = {u.Name: u.Value for u in items(value, "UserDefinedField")}
        elif name != "Fields" and value is not None:
            row[name] = plain(value)
    return row


class ZeepSession:
    def __init__(self, zone_url, user, password, integration_code):
        self.http = requests.Session()
        self.http.auth = HTTPBasicAuth(user, password)
        self.last_status = None
        self.http.hooks["response"].append(self._remember_status)
        self.client = self._call(lambda: zeep.Client(zone_url + "?WSDL",
                                                     transport=Transport(session=self.http)))
        if integration_code is not None:
            header = self.client.get_element(f"{{{NS}}}AutotaskIntegrations")
            self.client.set_default_soapheaders([header(IntegrationCode=integration_code)])

    def _remember_status(self, response, *args, **kwargs):
        self.last_status = response.status_code

    def _call(self, fn):
        """Runs one client call, mapping zeep/requests errors to the scenario's exceptions."""
        self.last_status = None
        try:
            return fn()
        except Exception as e:
            # A soap:Fault comes with HTTP 500; any other error status is the HTTP error itself
            # (zeep may also try to read e.g. a 401's HTML body as a fault).
            if self.last_status is not None and self.last_status not in (200, 500):
                raise HttpStatus(self.last_status, str(e)[:200]) from e
            if isinstance(e, Fault):
                raise SoapFault(e.message) from e
            raise

    def address(self):
        return self.client.service._binding_options["address"]

    def entity_info(self):
        result = self._call(lambda: self.client.service.getEntityInfo())
        return [{"Name": e.Name, "CanQuery": e.CanQuery} for e in items(result, "EntityInfo")]

    def field_info(self, entity):
        result = self._call(lambda: self.client.service.GetFieldInfo(psObjectType=entity))
        return [self._field(f) for f in items(result, "Field")]

    def udf_info(self, entity):
        result = self._call(lambda: self.client.service.getUDFInfo(psTable=entity))
        return [self._field(f) for f in items(result, "Field")]

    @staticmethod
    def _field(f):
        return {"Name": f.Name, "Type": f.Type, "IsQueryable": f.IsQueryable,
                "IsPickList": f.IsPickList,
                "PicklistValues": [{"Value": p.Value, "Label": p.Label}
                                   for p in items(f.PicklistValues, "PickListValue")]}

    def threshold(self):
        result = self._call(lambda: self.client.service.getThresholdAndUsageInfo())
        infos = items(result.EntityReturnInfoResults, "EntityReturnInfo")
        return infos[0].Message if infos else None

    def wsdl_version(self):
        return self._call(lambda: self.client.service.GetWsdlVersion())

    def query(self, sxml):
        result = self._call(lambda: self.client.service.query(sXML=sxml))
        rows = [entity_row(e) for e in items(result.EntityResults, "Entity")]
        errors = [e.Message for e in items(result.Errors, "ATWSError")]
        return result.ReturnCode, rows, errors


class ZeepAdapter:
    def __init__(self):
        self.neutral = {}

    def zone_info(self, url, user):
        if url not in self.neutral:  # getZoneInfo needs no credentials
            self.neutral[url] = zeep.Client(url + "?WSDL", transport=Transport(session=requests.Session()))
        zi = self.neutral[url].service.getZoneInfo(UserName=user)
        return {"URL": zi.URL, "ErrorCode": zi.ErrorCode, "CI": zi.CI, "WebUrl": zi.WebUrl}

    def connect(self, zone_url, user, password, integration_code):
        return ZeepSession(zone_url, user, password, integration_code)


if __name__ == "__main__":
    sys.exit(atws_checks.main(ZeepAdapter, "zeep"))

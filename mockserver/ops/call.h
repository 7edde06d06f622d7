// Internal to the service module: the per-call context shared by the operation files.
#pragma once

#include <string>
#include <vector>

#include "auth/access.h"
#include "service/service.h"
#include "soap/soap.h"

namespace atws::service {

// Operations of the contract: body element name, whether the response is an ATWSResponse
// (errors as ReturnCode -1) or not (errors as soap:Fault), and whether it needs credentials.
struct OpInfo {
  const char* name;
  bool atws_response;
  bool needs_auth;
  bool current_only;
};

// The operation named `name` (exact case, or ASCII case-insensitive); nullptr when none.
const OpInfo* FindOperation(std::string_view name, bool any_case = false);

// Adds a fired latency or slow-body fault to an answer and its journal entry (faults.cc);
// nothing for other faults or none.
void ApplyFaultToAnswer(const FiredFault& f, JournalEntry* j, HttpResponse* r);

struct Service::CallContext {
  CallContext(const HttpRequest& h, const Endpoint& e) : http(h), ep(e) {}
  const HttpRequest& http;
  const Endpoint& ep;
  soap::Request req;
  const OpInfo* op = nullptr;
  Tenant* tenant = nullptr;
  const fixtures::ApiUser* user = nullptr;
  std::shared_ptr<const fixtures::ApiUser> user_ref;  // keeps *user alive (admin API replaces)
  catalog::Flavour flavour = catalog::Flavour::kCurrent;
  catalog::Language lang = catalog::Language::kEnglish;
  std::string out;
  int status = 200;
  JournalEntry j;

  // Writes the operation's error shape: ReturnCode -1 + ATWSError for ATWSResponse
  // operations, a soap:Fault (HTTP 500) for the others.
  void Error(const std::vector<std::string>& messages, std::string_view entity_lower = {}) {
    j.errors.insert(j.errors.end(), messages.begin(), messages.end());
    out.clear();
    if (op && op->atws_response) {
      status = 200;
      soap::BeginResponse(&out, op->name, ep.version);
      out += "<";
      out += op->name;
      out += "Result><ReturnCode>-1</ReturnCode>";
      if (std::string_view(op->name) == "IntegrationCodeCheck") {
        out += "<Errors>";
      } else {
        out += "<EntityResults/>";
        soap::Element(&out, "EntityResultType", entity_lower);
        out += "<Errors>";
      }
      for (const auto& m : messages) {
        out += "<ATWSError>";
        soap::Element(&out, "Message", m);
        out += "</ATWSError>";
      }
      out += "</Errors>";
      if (std::string_view(op->name) == "IntegrationCodeCheck")
        out +=
            "<IsApiUser>false</IsApiUser><IsIntegrationCodeAssociated>false</"
            "IsIntegrationCodeAssociated>";
      else
        out += "<EntityReturnInfoResults/>";
      out += "</";
      out += op->name;
      out += "Result>";
      soap::EndResponse(&out, op->name);
    } else {
      status = 500;
      std::string msg;
      for (const auto& m : messages) msg += (msg.empty() ? "" : " ") + m;
      out = soap::Fault("soap:Server", msg);
    }
  }
};

}  // namespace atws::service

// The operations of the API as plain functions over one call object (CallContext), and what
// they read besides the call (OpsEnv: the sandbox's long-lived parts, owned by the service and
// living longer than every call). A CallContext belongs to one call on one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/access.h"
#include "auth/directory.h"
#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/http_message.h"
#include "common/timeutil.h"
#include "faults/faults.h"
#include "journal/journal.h"
#include "soap/soap.h"
#include "tenant/tenant.h"
#include "zones/zones.h"

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

// What the operations read besides the call.
struct OpsEnv {
  const catalog::Catalog& cat;
  ControlledClock& clock;
  Directory& directory;  // users, zones, languages (auth/directory.h)
  Journal& journal;      // ExecuteCommand pages are journaled by the page handler itself
  const std::vector<std::unique_ptr<Tenant>>& tenants;
  ApiTimeZone time_zone;
  std::string public_url;  // --public-url ("" = from the request)
};

struct CallContext {
  CallContext(const OpsEnv& environment, const HttpRequest& h, const Endpoint& e)
      : env(environment), http(h), ep(e) {}
  const OpsEnv& env;
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

// ---- The operations. Each writes its complete answer envelope into ctx.out (or ctx.Error's
// shape) and notes what the journal needs in ctx.j. The caller (the service's pipeline) has
// authenticated the call, checked its zone and IntegrationCode, counted it against the
// threshold and holds the tenant's store mutex (except for getZoneInfo, which has no tenant).
void OpGetZoneInfo(CallContext& ctx);  // ops/info.cc
void OpGetEntityInfo(CallContext& ctx);
void OpGetFieldInfo(CallContext& ctx);
void OpGetUdfInfo(CallContext& ctx);
void OpThreshold(CallContext& ctx);
void OpWsdlVersion(CallContext& ctx);
void OpIntegrationCodeCheck(CallContext& ctx);
void OpNotImplemented(CallContext& ctx);
void OpQuery(CallContext& ctx);             // ops/query.cc
void OpWrite(CallContext& ctx);             // create, update, delete: ops/write.cc
void OpCreateAttachment(CallContext& ctx);  // ops/attachments.cc
void OpGetAttachment(CallContext& ctx);
void OpDeleteAttachment(CallContext& ctx);
void OpGetInvoiceMarkup(CallContext& ctx);  // ops/invoice_markup.cc

// Access checks of a call (ops/access.cc); false: ctx carries the error.
bool CheckWriteAccess(CallContext& ctx);    // restricted users' create/update/delete
bool CheckImpersonation(CallContext& ctx);  // ImpersonateAsResourceID

// ExecuteCommand pages on a zone's web URL (ops/execute_command.cc): false when `req` is not
// one (/wwN/Autotask/AutotaskExtend/ExecuteCommand.aspx, or that path on Host wwN…). Takes the
// tenant's store mutex itself.
bool HandleExecuteCommand(const OpsEnv& env, const HttpRequest& req, HttpResponse* out);

// The version GetWsdlVersion reports for a flavour.
std::string WsdlVersionString(catalog::Flavour f);

}  // namespace atws::service

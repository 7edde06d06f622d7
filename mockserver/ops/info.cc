// The metadata and account operations: getZoneInfo, GetEntityInfo, GetFieldInfo, getUDFInfo,
// getThresholdAndUsageInfo, GetWsdlVersion, IntegrationCodeCheck (and the answer for an
// operation the sandbox does not implement).
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "behaviours/behaviours.h"
#include "common/text.h"
#include "ops/call.h"

namespace atws::service {

using catalog::Entity;
using catalog::Field;

void OpNotImplemented(CallContext& ctx) {
  ctx.Error({fmt::format("{} is not available in this version of the sandbox.", ctx.op->name)});
}

void OpGetZoneInfo(CallContext& ctx) {
  const std::string* name = ctx.req.Arg("UserName");
  std::string user = name ? std::string(Trim(*name)) : "";
  UserRef uref;
  bool found = ctx.env.directory.FindUser(user, &uref);
  std::string& out = ctx.out;
  soap::BeginResponse(&out, "getZoneInfo", ctx.ep.version);
  out += "<getZoneInfoResult>";
  if (!found) {
    // Unknown user: negative ErrorCode, no URLs, CI 0 (A-ZONE-UNKNOWN-USER).
    out += "<ErrorCode>-1</ErrorCode><DataBaseType/><CI>0</CI>";
    ctx.j.errors.push_back("unknown user");
  } else {
    Tenant* t = uref.tenant;
    ctx.j.tenant = t->spec.id;
    ctx.j.user = uref.user->username;
    soap::Element(&out, "URL", ZoneUrl(ctx.http, ctx.ep, uref.zone, ctx.env.public_url));
    out += "<ErrorCode>0</ErrorCode><DataBaseType/>";
    soap::IntElement(&out, "CI", t->spec.id);
    soap::Element(&out, "WebUrl", WebUrl(ctx.http, ctx.ep, uref.zone, ctx.env.public_url));
  }
  out += "</getZoneInfoResult>";
  soap::EndResponse(&out, "getZoneInfo");
}

void OpWsdlVersion(CallContext& ctx) {
  soap::BeginResponse(&ctx.out, "GetWsdlVersion", ctx.ep.version);
  soap::Element(&ctx.out, "GetWsdlVersionResult", WsdlVersionString(ctx.flavour));
  soap::EndResponse(&ctx.out, "GetWsdlVersion");
}

void OpGetEntityInfo(CallContext& ctx) {
  std::string& out = ctx.out;
  bool current = catalog::NewerContract(ctx.flavour);
  soap::BeginResponse(&out, "GetEntityInfo", ctx.ep.version);
  out += "<GetEntityInfoResult>";
  for (const Entity& e : ctx.env.cat.entities()) {
    if (!e.InFlavour(ctx.flavour)) continue;
    out += "<EntityInfo>";
    soap::Element(&out, "Name", e.name);
    soap::BoolElement(&out, "CanUpdate", e.can_update);
    soap::BoolElement(&out, "CanDelete", e.can_delete);
    soap::BoolElement(&out, "CanCreate", e.can_create);
    soap::BoolElement(&out, "CanQuery", e.can_query);
    if (current) {  // per user: restricted copies differ (users.cc)
      soap::Element(&out, "UserAccessForCreate", UserAccess(*ctx.user, e, "create"));
      soap::Element(&out, "UserAccessForQuery", UserAccess(*ctx.user, e, "query"));
      soap::Element(&out, "UserAccessForUpdate", UserAccess(*ctx.user, e, "update"));
      soap::Element(&out, "UserAccessForDelete", UserAccess(*ctx.user, e, "delete"));
    }
    soap::BoolElement(&out, "HasUserDefinedFields", e.has_udf);
    if (current) soap::BoolElement(&out, "SupportsWebhookCallouts", e.webhook_callouts);
    out += "</EntityInfo>";
  }
  out += "</GetEntityInfoResult>";
  soap::EndResponse(&out, "GetEntityInfo");
}

namespace {

void AppendPicklist(std::string* out, const std::vector<catalog::PicklistValue>& values,
                    catalog::Language lang) {
  *out += "<PicklistValues>";
  for (const auto& v : values) {
    *out += "<PickListValue>";
    soap::Element(out, "Value", v.value);
    soap::Element(out, "Label", v.Label(lang));
    soap::BoolElement(out, "IsDefaultValue", v.is_default);
    soap::IntElement(out, "SortOrder", v.sort_order);
    if (!v.parent_value.empty()) soap::Element(out, "parentValue", v.parent_value);
    soap::BoolElement(out, "IsActive", v.is_active);
    soap::BoolElement(out, "IsSystem", v.is_system);
    *out += "</PickListValue>";
  }
  *out += "</PicklistValues>";
}

// The entity the call names in `arg` (psObjectType, psTable), noted in the journal; nullptr,
// with the "Invalid entity type" error written, when the call's flavour has no such entity.
const Entity* EntityArgument(CallContext& ctx, std::string_view arg) {
  const std::string* name = ctx.req.Arg(arg);
  std::string ename = name ? std::string(Trim(*name)) : "";
  const Entity* e = ctx.env.cat.Find(ename);
  ctx.j.entity = ename;
  if (!e || !e->InFlavour(ctx.flavour)) {
    ctx.Error({fmt::format("Invalid entity type: '{}'.", Truncated(ename, 100))});
    return nullptr;
  }
  return e;
}

}  // namespace

void OpGetFieldInfo(CallContext& ctx) {
  const Entity* e = EntityArgument(ctx, "psObjectType");
  if (!e) return;
  std::string& out = ctx.out;
  bool current = catalog::NewerContract(ctx.flavour);
  soap::BeginResponse(&out, "GetFieldInfo", ctx.ep.version);
  out += "<GetFieldInfoResult>";
  auto emit = [&](const Field& f) {
    out += "<Field>";
    soap::Element(&out, "Name", f.name);
    soap::Element(&out, "Label", f.Label(ctx.lang));
    soap::Element(&out, "Type", catalog::FieldTypeName(f.type));
    soap::IntElement(&out, "Length", f.length);
    if (!f.description.empty()) soap::Element(&out, "Description", f.description);
    soap::BoolElement(&out, "IsRequired", f.required);
    soap::BoolElement(&out, "IsReadOnly", f.read_only);
    soap::BoolElement(&out, "IsQueryable", f.queryable);
    soap::BoolElement(&out, "IsReference", f.is_reference);
    if (!f.reference_entity.empty()) soap::Element(&out, "ReferenceEntityType", f.reference_entity);
    soap::BoolElement(&out, "IsPickList", f.is_picklist);
    if (f.is_picklist) AppendPicklist(&out, TenantPicklist(*ctx.tenant, *e, f), ctx.lang);
    if (!f.picklist_parent.empty())
      soap::Element(&out, "PicklistParentValueField", f.picklist_parent);
    if (current) soap::BoolElement(&out, "IsSupportedWebhookField", f.webhook);
    out += "</Field>";
  };
  emit(e->fields[0]);
  for (int idx : e->order[static_cast<int>(ctx.flavour)]) emit(e->fields[idx]);
  out += "</GetFieldInfoResult>";
  soap::EndResponse(&out, "GetFieldInfo");
}

void OpGetUdfInfo(CallContext& ctx) {
  const Entity* e = EntityArgument(ctx, "psTable");
  if (!e) return;
  std::string& out = ctx.out;
  bool current = catalog::NewerContract(ctx.flavour);
  soap::BeginResponse(&out, "getUDFInfo", ctx.ep.version);
  out += "<getUDFInfoResult>";
  for (const auto& u : ctx.tenant->db->Udfs(ctx.env.cat.EntityIndex(e))) {
    if (!u.is_active) continue;
    out += "<Field>";
    soap::Element(&out, "Name", u.name);
    soap::Element(&out, "Label", u.name);
    soap::Element(&out, "Type", catalog::FieldTypeName(u.field_type()));
    soap::IntElement(&out, "Length", u.data_type == store::UdfDataType::kString ? 8000 : 0);
    if (!u.description.empty()) soap::Element(&out, "Description", u.description);
    soap::BoolElement(&out, "IsRequired", u.is_required);
    soap::BoolElement(&out, "IsReadOnly", false);
    soap::BoolElement(&out, "IsQueryable", true);
    soap::BoolElement(&out, "IsReference", false);
    bool list = u.data_type == store::UdfDataType::kList;
    soap::BoolElement(&out, "IsPickList", list);
    if (list) AppendPicklist(&out, u.list, ctx.lang);
    if (!u.default_value.empty()) soap::Element(&out, "DefaultValue", u.default_value);
    if (current) soap::BoolElement(&out, "IsSupportedWebhookField", false);
    out += "</Field>";
  }
  out += "</getUDFInfoResult>";
  soap::EndResponse(&out, "getUDFInfo");
}

void OpThreshold(CallContext& ctx) {
  long long used = ctx.tenant->usage.Count(ctx.env.clock.Now());
  std::string& out = ctx.out;
  soap::BeginResponse(&out, "getThresholdAndUsageInfo", ctx.ep.version);
  out +=
      "<getThresholdAndUsageInfoResult><ReturnCode>1</ReturnCode><EntityResults/>"
      "<EntityResultType/><Errors/><EntityReturnInfoResults><EntityReturnInfo>"
      "<EntityId>0</EntityId><DatabaseAction>None</DatabaseAction><DuplicateStatus>"
      "<Found>false</Found><Ignored>false</Ignored></DuplicateStatus>";
  soap::Element(
      &out, "Message",
      fmt::format("ThresholdOfExternalRequest: {}; TimeframeOfLimitation: {}; "
                  "numberOfExternalRequest: {};",
                  ctx.tenant->settings.threshold, ctx.tenant->usage.window_seconds() / 60, used));
  out += "</EntityReturnInfo></EntityReturnInfoResults></getThresholdAndUsageInfoResult>";
  soap::EndResponse(&out, "getThresholdAndUsageInfo");
}

void OpIntegrationCodeCheck(CallContext& ctx) {
  const std::string* name = ctx.req.Arg("userName");
  std::string uname = name ? std::string(Trim(*name)) : "";
  bool api_user = false, associated = false;
  UserRef uref;
  if (ctx.env.directory.FindUser(uname, &uref) && uref.tenant == ctx.tenant) {
    const auto& u = *uref.user;
    api_user = u.level != fixtures::SecurityLevel::kFullAccess;
    for (const auto& c : u.integration_codes)
      if (c == ctx.req.integration_code) associated = true;
  }
  std::string& out = ctx.out;
  soap::BeginResponse(&out, "IntegrationCodeCheck", ctx.ep.version);
  out += "<IntegrationCodeCheckResult><ReturnCode>1</ReturnCode><Errors/>";
  soap::BoolElement(&out, "IsApiUser", api_user);
  soap::BoolElement(&out, "IsIntegrationCodeAssociated", associated);
  out += "</IntegrationCodeCheckResult>";
  soap::EndResponse(&out, "IntegrationCodeCheck");
}

}  // namespace atws::service

// Catalog data (mockserver/catalog/data/*.json) and its loader.
#include "catalog/catalog.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace atws::catalog;
using Catch::Matchers::Contains;

namespace {

const Catalog& Cat() { return Catalog::Default(); }

const Entity& Ent(const char* name) {
  const Entity* e = Cat().Find(name);
  REQUIRE(e != nullptr);
  return *e;
}

const Field& Fld(const char* entity, const char* field) {
  const Field* f = Ent(entity).FindField(field);
  REQUIRE(f != nullptr);
  return *f;
}

std::vector<std::string> OrderNames(const Entity& e, Flavour f) {
  std::vector<std::string> out;
  for (int i : e.order[static_cast<int>(f)]) out.push_back(e.fields[i].name);
  return out;
}

// complexTypes extending tns:Entity in the real 2018 v1.6 WSDL (tests/data/wsdl/atws-1.6.wsdl).
const std::set<std::string> kWsdl2018Entities = {"Account",
                                                 "AccountAlert",
                                                 "AccountLocation",
                                                 "AccountNote",
                                                 "AccountPhysicalLocation",
                                                 "AccountTeam",
                                                 "AccountToDo",
                                                 "ActionType",
                                                 "AdditionalInvoiceFieldValue",
                                                 "AllocationCode",
                                                 "Appointment",
                                                 "AttachmentInfo",
                                                 "BillingItem",
                                                 "BillingItemApprovalLevel",
                                                 "BusinessDivision",
                                                 "BusinessDivisionSubdivision",
                                                 "BusinessDivisionSubdivisionResource",
                                                 "BusinessLocation",
                                                 "BusinessSubdivision",
                                                 "ChangeRequestLink",
                                                 "ClassificationIcon",
                                                 "ClientPortalUser",
                                                 "Contact",
                                                 "ContactGroup",
                                                 "ContactGroupContact",
                                                 "Contract",
                                                 "ContractBlock",
                                                 "ContractCost",
                                                 "ContractExclusionAllocationCode",
                                                 "ContractExclusionRole",
                                                 "ContractFactor",
                                                 "ContractMilestone",
                                                 "ContractNote",
                                                 "ContractRate",
                                                 "ContractRetainer",
                                                 "ContractRoleCost",
                                                 "ContractService",
                                                 "ContractServiceAdjustment",
                                                 "ContractServiceBundle",
                                                 "ContractServiceBundleAdjustment",
                                                 "ContractServiceBundleUnit",
                                                 "ContractServiceUnit",
                                                 "ContractTicketPurchase",
                                                 "Country",
                                                 "Currency",
                                                 "Department",
                                                 "ExpenseItem",
                                                 "ExpenseReport",
                                                 "Holiday",
                                                 "HolidaySet",
                                                 "InstalledProduct",
                                                 "InstalledProductType",
                                                 "InstalledProductTypeUdfAssociation",
                                                 "InternalLocation",
                                                 "InventoryItem",
                                                 "InventoryItemSerialNumber",
                                                 "InventoryLocation",
                                                 "InventoryTransfer",
                                                 "Invoice",
                                                 "InvoiceTemplate",
                                                 "NotificationHistory",
                                                 "Opportunity",
                                                 "PaymentTerm",
                                                 "Phase",
                                                 "PriceListMaterialCode",
                                                 "PriceListProduct",
                                                 "PriceListRole",
                                                 "PriceListService",
                                                 "PriceListServiceBundle",
                                                 "PriceListWorkTypeModifier",
                                                 "Product",
                                                 "ProductVendor",
                                                 "Project",
                                                 "ProjectCost",
                                                 "ProjectNote",
                                                 "PurchaseApproval",
                                                 "PurchaseOrder",
                                                 "PurchaseOrderItem",
                                                 "PurchaseOrderReceive",
                                                 "Quote",
                                                 "QuoteItem",
                                                 "QuoteLocation",
                                                 "QuoteTemplate",
                                                 "Resource",
                                                 "ResourceRole",
                                                 "ResourceRoleDepartment",
                                                 "ResourceRoleQueue",
                                                 "ResourceServiceDeskRole",
                                                 "ResourceSkill",
                                                 "Role",
                                                 "SalesOrder",
                                                 "Service",
                                                 "ServiceBundle",
                                                 "ServiceBundleService",
                                                 "ServiceCall",
                                                 "ServiceCallTask",
                                                 "ServiceCallTaskResource",
                                                 "ServiceCallTicket",
                                                 "ServiceCallTicketResource",
                                                 "ServiceLevelAgreementResults",
                                                 "ShippingType",
                                                 "Skill",
                                                 "Subscription",
                                                 "SubscriptionPeriod",
                                                 "Survey",
                                                 "SurveyResults",
                                                 "Task",
                                                 "TaskNote",
                                                 "TaskPredecessor",
                                                 "TaskSecondaryResource",
                                                 "Tax",
                                                 "TaxCategory",
                                                 "TaxRegion",
                                                 "Ticket",
                                                 "TicketAdditionalContact",
                                                 "TicketAdditionalInstalledProduct",
                                                 "TicketCategory",
                                                 "TicketCategoryFieldDefaults",
                                                 "TicketChangeRequestApproval",
                                                 "TicketChecklistItem",
                                                 "TicketCost",
                                                 "TicketHistory",
                                                 "TicketNote",
                                                 "TicketSecondaryResource",
                                                 "TimeEntry",
                                                 "UserDefinedFieldDefinition",
                                                 "UserDefinedFieldListItem",
                                                 "WorkTypeModifier"};

// Minimal valid data for FromJson tests.
const char kMiniEntities[] = R"({"entities":[
 {"name":"Widget","in_2018":true,"order_current":["Colour","Size"],"order_2018":["Size"],
  "fields":[{"name":"id","type":"long"},
            {"name":"Size","type":"integer","picklist":true},
            {"name":"Colour","type":"string","length":20}]}]})";
const char kMiniPicklists[] = R"({"picklists":{"Widget.Size":[
  {"value":"3","labels":{"en":"Large","de":"Groß"},"sort":3},
  {"value":"1","labels":{"en":"Small"},"sort":1,"default":true},
  {"value":"2","labels":{"en":"Medium","fr":"Moyen"},"sort":2}]}})";

}  // namespace

TEST_CASE("catalog: entity and field counts match the reference capture", "[catalog]") {
  const auto& entities = Cat().entities();
  REQUIRE(entities.size() == 167);
  size_t with_metadata = 0, inferred = 0;
  for (const Entity& e : entities) {
    for (const Field& f : e.fields) (f.inferred ? inferred : with_metadata)++;
  }
  CHECK(with_metadata == 2049);  // GetFieldInfo capture, id fields included
  // 28 fields_without_metadata + 27 InstalledProduct AEM* (1.5 only) + BillingItem.ApprovedTime
  CHECK(inferred == 56);
}

TEST_CASE("catalog: structural invariants hold for every entity", "[catalog]") {
  for (const Entity& e : Cat().entities()) {
    INFO(e.name);
    REQUIRE(!e.fields.empty());
    CHECK(e.fields[0].name == "id");
    CHECK_FALSE(e.fields[0].inferred);
    CHECK(e.InFlavour(Flavour::kCurrent));
    CHECK(e.lower_name == [&] {
      std::string s = e.name;
      std::transform(s.begin(), s.end(), s.begin(), ::tolower);
      return s;
    }());
    CHECK(Cat().EntityIndex(&e) >= 0);
    CHECK(Cat().Find(e.name) == &e);
    for (size_t i = 0; i < e.fields.size(); ++i) {
      CHECK(e.fields[i].index == static_cast<int>(i));
      CHECK(e.FieldIndex(e.fields[i].name) == static_cast<int>(i));
    }
    for (int fl = 0; fl < kFlavourCount; ++fl) {
      std::set<int> seen;
      for (int idx : e.order[fl]) {
        CHECK(idx > 0);
        CHECK(idx < static_cast<int>(e.fields.size()));
        CHECK(seen.insert(idx).second);
      }
      if (!e.InFlavour(static_cast<Flavour>(fl))) CHECK(e.order[fl].empty());
    }
    for (const Field& f : e.fields) {
      if (f.is_reference) CHECK(Cat().Find(f.reference_entity) != nullptr);
      if (f.is_picklist) {
        INFO(f.name);
        CHECK(!f.picklist.empty());
        CHECK(std::count_if(f.picklist.begin(), f.picklist.end(),
                            [](const PicklistValue& v) { return v.is_default; }) <= 1);
      } else {
        CHECK(f.picklist.empty());
      }
    }
  }
}

TEST_CASE("catalog: Ticket fields and current element order", "[catalog]") {
  const Entity& t = Ent("Ticket");
  REQUIRE(t.fields.size() == 73);
  CHECK(t.fields[0].name == "id");
  CHECK(t.fields[0].type == FieldType::kLong);
  CHECK(t.fields[0].read_only);
  auto cur = OrderNames(t, Flavour::kCurrent);
  REQUIRE(cur.size() == 72);
  CHECK(std::vector<std::string>(cur.begin(), cur.begin() + 6) ==
        std::vector<std::string>{"AccountID", "AllocationCodeID", "CompletedDate", "ContactID",
                                 "ContractID", "CreateDate"});
  CHECK(cur.back() == "CreatedByContactID");
  // fields (after id) follow the current order
  for (size_t i = 0; i < cur.size(); ++i) CHECK(t.fields[i + 1].name == cur[i]);

  auto v2018 = OrderNames(t, Flavour::kV2018);
  CHECK(v2018.size() == 66);
  CHECK(v2018[0] == "AccountID");
  CHECK(std::find(v2018.begin(), v2018.end(), "RmaStatus") == v2018.end());
  CHECK(OrderNames(t, Flavour::kV15).size() == 63);

  const Field& account = Fld("Ticket", "AccountID");
  CHECK(account.label == "Client");
  CHECK(account.type == FieldType::kInteger);
  CHECK(account.required);
  CHECK(account.is_reference);
  CHECK(account.reference_entity == "Account");
  CHECK_FALSE(Fld("Ticket", "CreatorType").queryable);
  CHECK(Fld("Ticket", "SubIssueType").picklist_parent == "IssueType");
  CHECK(Fld("Ticket", "Title").type == FieldType::kString);
  CHECK(Fld("Ticket", "Title").length > 0);
}

TEST_CASE("catalog: 2018 and 1.5 flavours have the real WSDLs' entity sets", "[catalog]") {
  REQUIRE(kWsdl2018Entities.size() == 128);
  std::set<std::string> in2018, in15;
  for (const Entity& e : Cat().entities()) {
    if (e.InFlavour(Flavour::kV2018)) in2018.insert(e.name);
    if (e.InFlavour(Flavour::kV15)) in15.insert(e.name);
  }
  CHECK(in2018 == kWsdl2018Entities);
  std::set<std::string> expected15 = kWsdl2018Entities;
  for (const char* n : {"ContactGroup", "ContactGroupContact", "TicketHistory",
                        "TicketAdditionalInstalledProduct"}) {
    expected15.erase(n);
  }
  CHECK(in15 == expected15);
  CHECK(in15.size() == 124);

  CHECK_FALSE(Ent("Tag").InFlavour(Flavour::kV2018));
  CHECK(Ent("Tag").order[static_cast<int>(Flavour::kV2018)].empty());
  CHECK(Ent("ContactGroup").InFlavour(Flavour::kV2018));
  CHECK_FALSE(Ent("ContactGroup").InFlavour(Flavour::kV15));
}

TEST_CASE("catalog: fields without metadata are inferred and placed", "[catalog]") {
  const Field& ticket_id = Fld("AttachmentInfo", "TicketID");
  CHECK(ticket_id.inferred);
  CHECK(ticket_id.type == FieldType::kInteger);
  CHECK(ticket_id.label == "TicketID");
  CHECK(ticket_id.queryable);
  CHECK_FALSE(ticket_id.required);

  const Field& approved = Fld("BillingItem", "ApprovedTime");  // only in the 1.5 WSDL
  CHECK(approved.inferred);
  CHECK(approved.type == FieldType::kDateTime);
  const Entity& bi = Ent("BillingItem");
  auto cur = bi.order[static_cast<int>(Flavour::kCurrent)];
  auto v15 = bi.order[static_cast<int>(Flavour::kV15)];
  CHECK(std::find(cur.begin(), cur.end(), approved.index) == cur.end());
  CHECK(std::find(v15.begin(), v15.end(), approved.index) != v15.end());

  const Field& rate = Fld("ContractRetainer", "OverrideHourlyRate");
  CHECK(rate.inferred);
  CHECK(rate.type == FieldType::kString);
  CHECK(rate.length == 100);

  // 1.5's AEM* fields take their type from the renamed RMM* twin.
  CHECK(Fld("InstalledProduct", "AEMDeviceAuditMemoryBytes").type == FieldType::kLong);
  CHECK(Fld("InstalledProduct", "AEMDeviceUID").type == FieldType::kString);
  CHECK(Fld("InstalledProduct", "AEMDeviceUID").length == 255);

  // A metadata field that has no element in the current WSDL still exists (after the ordered ones).
  const Entity& log = Ent("WebhookEventErrorLog");
  const Field& ci = Fld("WebhookEventErrorLog", "ConfigurationItemWebhookID");
  CHECK_FALSE(ci.inferred);
  CHECK(ci.index == static_cast<int>(log.order[static_cast<int>(Flavour::kCurrent)].size()) + 1);
}

TEST_CASE("catalog: picklist values and labels", "[catalog]") {
  const Field& status = Fld("Ticket", "Status");
  const PicklistValue* n = status.FindPicklistValue("1");
  REQUIRE(n != nullptr);
  CHECK(n->Label(Language::kEnglish) == "New");
  CHECK(n->Label(Language::kGerman) == "Neu");
  CHECK(n->Label(Language::kSpanish) == "Nuevo");
  CHECK(n->Label(Language::kFrench) == "Nouveau");
  CHECK(n->is_system);
  CHECK(n->is_default);
  REQUIRE(status.FindPicklistValue("5") != nullptr);
  CHECK(status.FindPicklistValue("5")->Label(Language::kEnglish) == "Complete");
  CHECK(status.FindPicklistValue("0") == nullptr);
  CHECK(status.FindPicklistValue("New") == nullptr);  // by value, not by label

  const Field& priority = Fld("Ticket", "Priority");
  CHECK(priority.FindPicklistValue("4")->Label(Language::kEnglish) == "Critical");
  CHECK(priority.FindPicklistValue("2")->Label(Language::kGerman) == "Mittel");

  const Field& source = Fld("Ticket", "Source");
  const PicklistValue* portal = source.FindPicklistValue("4");
  REQUIRE(portal != nullptr);
  CHECK(portal->Label(Language::kEnglish) == "Client Portal");
  CHECK(portal->is_system);
  const PicklistValue* insource = source.FindPicklistValue("6");
  REQUIRE(insource != nullptr);
  CHECK(insource->is_system);

  // Dependent picklist: every sub-issue type names an existing issue type.
  const Field& issue = Fld("Ticket", "IssueType");
  const Field& sub = Fld("Ticket", "SubIssueType");
  REQUIRE(issue.picklist.size() >= 5);
  REQUIRE(sub.picklist.size() >= 15);
  std::set<std::string> parents_used;
  for (const PicklistValue& v : sub.picklist) {
    INFO(v.value);
    REQUIRE(!v.parent_value.empty());
    CHECK(issue.FindPicklistValue(v.parent_value) != nullptr);
    parents_used.insert(v.parent_value);
  }
  CHECK(parents_used.size() == issue.picklist.size());

  // Values from captured samples resolve.
  CHECK(Fld("Ticket", "QueueID").FindPicklistValue("29683972") != nullptr);
  CHECK(Fld("Account", "AccountType").FindPicklistValue("1")->Label(Language::kEnglish) ==
        "Customer");
  CHECK(Fld("Resource", "ResourceType").FindPicklistValue("Employee") != nullptr);

  // Generated values for fields without authored ones.
  const Field& rma = Fld("Ticket", "RmaType");
  REQUIRE(rma.picklist.size() == 3);
  CHECK(rma.picklist[0].value == "1");
  CHECK(rma.picklist[0].is_default);
  CHECK_FALSE(rma.picklist[0].is_system);
  CHECK(rma.picklist[0].Label(Language::kEnglish) == "RMA Type 1");

  // Localized field labels, with English fallback.
  CHECK(status.Label(Language::kEnglish) == "Ticket Status");
  CHECK(status.Label(Language::kGerman) == "Ticketstatus");
  CHECK(Fld("Ticket", "Resolution").Label(Language::kFrench) == "Resolution");
}

TEST_CASE("catalog: lookups are case-insensitive", "[catalog]") {
  const Entity* t = Cat().Find("Ticket");
  REQUIRE(t != nullptr);
  CHECK(Cat().Find("ticket") == t);
  CHECK(Cat().Find("TICKET") == t);
  CHECK(Cat().Find("tIcKeT") == t);
  CHECK(Cat().Find("Tickets") == nullptr);
  CHECK(Cat().Find("Ticke") == nullptr);
  CHECK(Cat().Find("") == nullptr);
  CHECK(Cat().Find("ticketnote") == Cat().Find("TicketNote"));
  CHECK(Cat().Find("ticketnote") != t);
  CHECK(t->lower_name == "ticket");

  CHECK(t->FindField("accountid") == t->FindField("AccountID"));
  CHECK(t->FindField("ACCOUNTID") != nullptr);
  CHECK(t->FindField("ID") == &t->fields[0]);
  CHECK(t->FindField("NoSuchField") == nullptr);
  CHECK(t->FieldIndex("NoSuchField") == -1);
  CHECK(t->FieldIndex("status") == t->FindField("Status")->index);
}

TEST_CASE("catalog: type names", "[catalog]") {
  CHECK(XsdTypeName(FieldType::kInteger) == "xsd:int");
  CHECK(XsdTypeName(FieldType::kLong) == "xsd:int");
  CHECK(XsdTypeName(FieldType::kShort) == "xsd:int");
  CHECK(XsdTypeName(FieldType::kBoolean) == "xsd:boolean");
  CHECK(XsdTypeName(FieldType::kDateTime) == "xsd:dateTime");
  CHECK(XsdTypeName(FieldType::kDecimal) == "xsd:decimal");
  CHECK(XsdTypeName(FieldType::kDouble) == "xsd:double");
  CHECK(XsdTypeName(FieldType::kFloat) == "xsd:double");
  CHECK(XsdTypeName(FieldType::kString) == "xsd:string");

  CHECK(FieldTypeName(FieldType::kBoolean) == "boolean");
  CHECK(FieldTypeName(FieldType::kDateTime) == "datetime");
  CHECK(FieldTypeName(FieldType::kDecimal) == "decimal");
  CHECK(FieldTypeName(FieldType::kDouble) == "double");
  CHECK(FieldTypeName(FieldType::kFloat) == "float");
  CHECK(FieldTypeName(FieldType::kInteger) == "integer");
  CHECK(FieldTypeName(FieldType::kLong) == "long");
  CHECK(FieldTypeName(FieldType::kShort) == "short");
  CHECK(FieldTypeName(FieldType::kString) == "string");

  CHECK(IsNumeric(FieldType::kInteger));
  CHECK(IsNumeric(FieldType::kDecimal));
  CHECK_FALSE(IsNumeric(FieldType::kString));
  CHECK_FALSE(IsNumeric(FieldType::kDateTime));
  CHECK_FALSE(IsNumeric(FieldType::kBoolean));

  // All nine types occur in the data.
  std::set<FieldType> seen;
  for (const Entity& e : Cat().entities())
    for (const Field& f : e.fields) seen.insert(f.type);
  CHECK(seen.size() == 9);
}

TEST_CASE("catalog: flavour and language names round-trip", "[catalog]") {
  for (Flavour f : {Flavour::kV15, Flavour::kV2018, Flavour::kCurrent}) {
    Flavour out = Flavour::kCurrent;
    REQUIRE(ParseFlavour(FlavourName(f), &out));
    CHECK(out == f);
  }
  CHECK(FlavourName(Flavour::kV15) == "1.5");
  CHECK(FlavourName(Flavour::kV2018) == "2018");
  Flavour fl;
  CHECK_FALSE(ParseFlavour("2019", &fl));

  for (Language l :
       {Language::kEnglish, Language::kGerman, Language::kSpanish, Language::kFrench}) {
    Language out = Language::kEnglish;
    REQUIRE(ParseLanguage(LanguageCode(l), &out));
    CHECK(out == l);
  }
  Language lang = Language::kEnglish;
  CHECK(ParseLanguage("DE", &lang));
  CHECK(lang == Language::kGerman);
  CHECK(ParseLanguage("fr-CA", &lang));
  CHECK(lang == Language::kFrench);
  CHECK_FALSE(ParseLanguage("it", &lang));
}

TEST_CASE("catalog: FromJson builds indexes from hand-written data", "[catalog]") {
  auto cat = Catalog::FromJson(kMiniEntities, kMiniPicklists);
  REQUIRE(cat->entities().size() == 1);
  const Entity* w = cat->Find("WIDGET");
  REQUIRE(w != nullptr);
  CHECK(w->InFlavour(Flavour::kCurrent));
  CHECK(w->InFlavour(Flavour::kV2018));
  CHECK_FALSE(w->InFlavour(Flavour::kV15));
  CHECK(w->order[static_cast<int>(Flavour::kCurrent)] == std::vector<int>{2, 1});
  CHECK(w->order[static_cast<int>(Flavour::kV2018)] == std::vector<int>{1});
  const Field* size = w->FindField("size");
  REQUIRE(size != nullptr);
  CHECK(size->index == 1);
  REQUIRE(size->picklist.size() == 3);
  CHECK(size->picklist[0].value == "3");  // file order kept
  CHECK(size->FindPicklistValue("1")->is_default);
  CHECK(size->FindPicklistValue("3")->Label(Language::kGerman) == "Groß");
  CHECK(size->FindPicklistValue("3")->Label(Language::kFrench) == "Large");  // fallback
  CHECK(size->FindPicklistValue("2")->Label(Language::kFrench) == "Moyen");
  CHECK(size->FindPicklistValue("4") == nullptr);
  CHECK(w->FindField("Colour")->length == 20);
}

TEST_CASE("catalog: hand-built entities work without BuildIndex", "[catalog]") {
  Entity e;
  e.name = "Thing";
  e.fields.resize(2);
  e.fields[0].name = "id";
  e.fields[1].name = "Name";
  e.fields[1].picklist.resize(1);
  e.fields[1].picklist[0].value = "x";
  CHECK(e.FieldIndex("name") == 1);
  CHECK(e.fields[1].FindPicklistValue("x") != nullptr);
  e.BuildIndex();
  CHECK(e.fields[1].index == 1);
  CHECK(e.FieldIndex("NAME") == 1);
  CHECK(e.fields[1].FindPicklistValue("x") != nullptr);
  CHECK(e.fields[1].FindPicklistValue("y") == nullptr);
}

TEST_CASE("catalog: malformed data throws with a message", "[catalog]") {
  const char* ok_pl = "{}";
  CHECK_THROWS_WITH(Catalog::FromJson("{\"entities\":[", ok_pl),
                    Contains("entities data") && Contains("malformed JSON"));
  CHECK_THROWS_WITH(Catalog::FromJson(kMiniEntities, "{\"picklists\":"),
                    Contains("picklists data") && Contains("malformed JSON"));
  CHECK_THROWS_AS(Catalog::FromJson("", ok_pl), std::runtime_error);
  CHECK_THROWS_WITH(Catalog::FromJson("[]", ok_pl), Contains("top level must be an object"));
  CHECK_THROWS_WITH(Catalog::FromJson("{}", ok_pl), Contains("missing \"entities\""));
  CHECK_THROWS_WITH(
      Catalog::FromJson(R"({"entities":[{"name":"A","fields":[{"name":"id","type":"uuid"}]}]})",
                        ok_pl),
      Contains("A.id") && Contains("unknown type \"uuid\""));
  CHECK_THROWS_WITH(
      Catalog::FromJson(R"({"entities":[{"name":"A","fields":[{"name":"X","type":"long"}]}]})",
                        ok_pl),
      Contains("first field must be \"id\""));
  CHECK_THROWS_WITH(Catalog::FromJson(R"({"entities":[{"name":"A","fields":[
      {"name":"id","type":"long"},{"name":"X","type":"long"},{"name":"x","type":"long"}]}]})",
                                      ok_pl),
                    Contains("unique"));
  CHECK_THROWS_WITH(Catalog::FromJson(R"({"entities":[{"name":"A","order_current":["Y"],
      "fields":[{"name":"id","type":"long"}]}]})",
                                      ok_pl),
                    Contains("unknown field \"Y\""));
  CHECK_THROWS_WITH(Catalog::FromJson(R"({"entities":[
      {"name":"A","fields":[{"name":"id","type":"long"}]},
      {"name":"a","fields":[{"name":"id","type":"long"}]}]})",
                                      ok_pl),
                    Contains("twice"));
  CHECK_THROWS_WITH(Catalog::FromJson(R"({"entities":[{"name":"A","fields":[
      {"name":"id","type":"long"},{"name":"B","type":"integer","reference":"Nope"}]}]})",
                                      ok_pl),
                    Contains("unknown entity \"Nope\""));
  CHECK_THROWS_WITH(Catalog::FromJson(R"({"entities":[{"name":"A","fields":[
      {"name":"id","type":"long","required":"yes"}]}]})",
                                      ok_pl),
                    Contains("\"required\" must be a boolean"));
  CHECK_THROWS_WITH(Catalog::FromJson(kMiniEntities, R"({"picklists":{"Widget.Colour":[]}})"),
                    Contains("Widget.Colour") && Contains("not a picklist"));
  CHECK_THROWS_WITH(Catalog::FromJson(kMiniEntities, R"({"picklists":{"Gadget.Size":[]}})"),
                    Contains("unknown entity"));
  CHECK_THROWS_WITH(
      Catalog::FromJson(kMiniEntities,
                        R"({"picklists":{"Widget.Size":[{"value":"1","labels":{"xx":"?"}}]}})"),
      Contains("unknown language \"xx\""));
  CHECK_THROWS_WITH(
      Catalog::FromJson(kMiniEntities,
                        R"({"picklists":{"Widget.Size":[{"value":"1","labels":{"en":"a"}},
                                                         {"value":"1","labels":{"en":"b"}}]}})"),
      Contains("listed twice"));
}

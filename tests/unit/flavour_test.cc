// The localized contract flavour (catalog + WSDL) and the default tenants' users and zones.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "catalog/catalog.h"
#include "fixtures/fixtures.h"
#include "wsdl/wsdl.h"
#include "xml/xml.h"

using atws::catalog::Catalog;
using atws::catalog::Entity;
using atws::catalog::Flavour;

namespace {

const Catalog& Cat() { return Catalog::Default(); }

bool InOrder(const Entity& e, Flavour f, const std::string& field) {
  for (int idx : e.order[static_cast<int>(f)])
    if (e.fields[idx].name == field) return true;
  return false;
}

}  // namespace

TEST_CASE("the localized flavour is the current contract one release behind", "[unit][flavour]") {
  std::set<std::string> absent;
  size_t localized = 0;
  for (const Entity& e : Cat().entities()) {
    if (e.InFlavour(Flavour::kLocalized)) {
      ++localized;
      CHECK(e.InFlavour(Flavour::kCurrent));
    } else if (e.InFlavour(Flavour::kCurrent)) {
      absent.insert(e.name);
    }
  }
  CHECK(localized == 162);
  CHECK(absent == std::set<std::string>{"Tag", "TagAlias", "TagGroup", "TicketRmaCredit",
                                        "TicketTagAssociation"});
  const Entity& ticket = *Cat().Find("Ticket");
  CHECK(InOrder(ticket, Flavour::kCurrent, "RmaStatus"));
  CHECK_FALSE(InOrder(ticket, Flavour::kLocalized, "RmaStatus"));
  CHECK_FALSE(InOrder(ticket, Flavour::kLocalized, "RmaType"));
  CHECK(ticket.order[static_cast<int>(Flavour::kLocalized)].size() + 2 ==
        ticket.order[static_cast<int>(Flavour::kCurrent)].size());
  // Other entities keep the current element order exactly.
  const Entity& account = *Cat().Find("Account");
  CHECK(account.order[static_cast<int>(Flavour::kLocalized)] ==
        account.order[static_cast<int>(Flavour::kCurrent)]);
  CHECK(Cat().Find("Tag")->order[static_cast<int>(Flavour::kLocalized)].empty());

  Flavour f;
  REQUIRE(atws::catalog::ParseFlavour("Localized", &f));
  CHECK(f == Flavour::kLocalized);
  CHECK(atws::catalog::FlavourName(Flavour::kLocalized) == "localized");
  CHECK(atws::catalog::NewerContract(Flavour::kLocalized));
  CHECK(atws::catalog::NewerContract(Flavour::kCurrent));
  CHECK_FALSE(atws::catalog::NewerContract(Flavour::kV2018));
  CHECK_FALSE(atws::catalog::NewerContract(Flavour::kV15));
}

TEST_CASE("the localized WSDL is the newer contract without the lagging release",
          "[unit][flavour][wsdl]") {
  atws::xml::InitParser();
  const std::string address = "http://127.0.0.1:8080/webservices18/ATServices/1.6/atws.asmx";
  std::string loc = atws::wsdl::GenerateWsdl(Cat(), Flavour::kLocalized, address);
  std::string cur = atws::wsdl::GenerateWsdl(Cat(), Flavour::kCurrent, address);
  CHECK(loc != cur);
  CHECK(loc.find("wsdl:operation name=\"IntegrationCodeCheck\"") != std::string::npos);
  CHECK(loc.find("name=\"UserAccessForQuery\"") != std::string::npos);
  CHECK(loc.find("<s:complexType name=\"TagGroup\">") == std::string::npos);
  CHECK(cur.find("<s:complexType name=\"TagGroup\">") != std::string::npos);
  CHECK(loc.find("name=\"RmaType\"") == std::string::npos);
  CHECK(loc.find("targetNamespace=\"http://autotask.net/ATWS/v1_6/\"") != std::string::npos);
  atws::xml::ParseOptions limits;
  limits.max_bytes = 16 << 20;
  auto doc = atws::xml::Document::Parse(loc, limits);
  CHECK(doc.ok());
}

TEST_CASE("the default tenants speak four languages and have a user without a code",
          "[unit][fixtures][users]") {
  auto tenants = atws::fixtures::DefaultTenants();
  REQUIRE(tenants.size() == 4);
  CHECK(tenants[2].id == 29684700);
  CHECK(tenants[2].zone == 12);
  CHECK(tenants[2].language == atws::catalog::Language::kSpanish);
  CHECK(tenants[2].users.at(0).username == "api@ejemplo.example");
  CHECK(tenants[3].id == 29685300);
  CHECK(tenants[3].zone == 19);
  CHECK(tenants[3].language == atws::catalog::Language::kFrench);
  CHECK(tenants[3].users.at(0).username == "api@exemple.example");
  CHECK(tenants[3].users.at(1).username == "legacy@exemple.example");
  CHECK(tenants[3].users.at(1).integration_codes.empty());
  const auto& restricted = tenants[0].users.at(1);
  REQUIRE(restricted.entity_access.size() == 2);
  CHECK(restricted.entity_access[0].entity == "Opportunity");
  CHECK(restricted.entity_access[1].query == "Restricted");
  for (const auto& t : tenants)
    for (const auto& u : t.users) CHECK(u.password == "sandbox");
}

// WSDL generation: the contract a client downloads, rendered from the catalog for one flavour.
//
// The fixed part (operations, messages, bindings, the non-entity types) comes from the template
// wsdl/templates/atws.wsdl.in, embedded at build time; the entity complexTypes are generated from
// the catalog, each with that flavour's element order. The result reproduces the structure of the
// real Autotask WSDLs: kV15 that of the 1.5 WSDL, kV2018 that of the 2018 1.6 WSDL, and kCurrent
// the 2018 1.6 WSDL plus what the newer 1.6 contract adds (IntegrationCodeCheck, EntityInfo's
// UserAccessFor* and SupportsWebhookCallouts, Field's IsSupportedWebhookField, all entities);
// kLocalized is kCurrent without the entities and elements of the newest release.
//
// Thread-safe; takes well under a millisecond per call for the default catalog, but callers serve
// the same text many times and should cache it per (flavour, address).
#pragma once

#include <string>
#include <string_view>

#include "catalog/catalog.h"

namespace atws::wsdl {

// The flavour's target namespace, also the prefix of every SOAPAction:
// "http://autotask.net/ATWS/v1_5/" for kV15, "http://autotask.net/ATWS/v1_6/" otherwise.
std::string_view TargetNamespace(catalog::Flavour flavour);

// The complete WSDL document (UTF-8, LF line ends) for `flavour`, with `soap_address` as the
// soap:address location. The address is written XML-escaped; it is not otherwise checked.
std::string GenerateWsdl(const catalog::Catalog& catalog, catalog::Flavour flavour,
                         std::string_view soap_address);

}  // namespace atws::wsdl

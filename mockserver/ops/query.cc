// query: QueryXML compiled to SQL (query/query.h), restricted to what the user may see
// (auth/access.h), answered from the tenant's query cache or written row by row by the entity
// writer (soap/entity_writer.h).
#include "query/query.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "behaviours/behaviours.h"
#include "common/text.h"
#include "ops/call.h"
#include "soap/entity_writer.h"

namespace atws::service {

using catalog::Entity;

void OpQuery(CallContext& ctx) {
  const std::string* sxml = ctx.req.Arg("sXML");
  if (!sxml || Trim(*sxml).empty()) {
    ctx.Error({"The query is empty: sXML must hold a queryxml document."});
    return;
  }
  store::TenantDb& db = *ctx.tenant->db;
  query::Options qo;
  qo.time_zone = ctx.env.time_zone;
  query::Compiled c;
  std::string err;
  if (!query::Compile(*sxml, ctx.env.cat, db, qo, &c, &err)) {
    ctx.Error({err});
    return;
  }
  const Entity& e = *c.entity;
  ctx.j.entity = e.name;
  // The journal keeps the first 100 conditions, values cut at 256 bytes: it holds 10,000 calls,
  // and a 1 MiB query of 18,000 criteria would otherwise keep megabytes in each of them.
  constexpr size_t kJournalConditions = 100, kJournalValueBytes = 256;
  nlohmann::json conds = nlohmann::json::array();
  for (size_t k = 0; k < c.conditions.size() && k < kJournalConditions; ++k) {
    const auto& q = c.conditions[k];
    std::string value = q.value;
    if (value.size() > kJournalValueBytes) {
      size_t cut = kJournalValueBytes;
      while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
      value.resize(cut);
      value += "…";
    }
    conds.push_back({{"field", q.field},
                     {"udf", q.udf},
                     {"op", q.op},
                     {"value", std::move(value)},
                     {"depth", q.depth},
                     {"in_or", q.in_or}});
  }
  ctx.j.query = {{"entity", e.name}, {"conditions", conds}, {"or_conditions", c.or_conditions}};
  if (c.conditions.size() > kJournalConditions)
    ctx.j.query["conditions_total"] = c.conditions.size();
  if (c.id_greater_than >= 0) ctx.j.query["id_greater_than"] = c.id_greater_than;
  if (!e.InFlavour(ctx.flavour)) {
    ctx.Error({fmt::format("Unable to find the entity {} in this version of the API.", e.name)});
    return;
  }
  if (!e.can_query) {
    ctx.Error({fmt::format("The {} entity cannot be queried.", e.name)}, e.lower_name);
    return;
  }
  std::string& out = ctx.out;
  out.reserve(64 * 1024);
  soap::BeginResponse(&out, "query", ctx.ep.version);
  out += "<queryResult><ReturnCode>1</ReturnCode><EntityResults>";
  long long rows = 0, last_id = 0;
  // Restricted users see no rows of entities they have no access to and, where rows carry a
  // line of business, only those of their own (users.cc; no error either way).
  bool visible = RestrictQuery(*ctx.user, e, &c.where, &c.params);
  if (visible) {
    // Rows serialised earlier from the same data are reused (query_cache.h): any write since
    // makes them stale.
    std::string key = QueryCache::MakeKey(ctx.env.cat.EntityIndex(&e),
                                          static_cast<int>(ctx.flavour), c.where, c.params);
    QueryCache::Result cached;
    if (ctx.tenant->query_cache.Find(db, key, &cached)) {
      out.reserve(out.size() + cached.xml->size() + 512);
      out += *cached.xml;
      rows = cached.rows;
      last_id = cached.last_id;
    } else {
      // Room for a page like the last one answered on this thread: no regrowth on the way.
      static thread_local size_t last_size = 0;
      out.reserve(std::max(out.capacity(), last_size + last_size / 8));
      size_t start = out.size();
      auto page = soap::AppendEntities(&out, db, e, ctx.flavour, c.where, c.params);
      if (!page.ok()) {
        ctx.Error({"The query could not be run: " + page.status().message()});
        return;
      }
      rows = page->rows;
      last_id = page->last_id;
      last_size = out.size();
      if (ctx.tenant->query_cache.Admit(key)) {
        cached.xml = std::make_shared<const std::string>(out, start);
        cached.rows = rows;
        cached.last_id = last_id;
        ctx.tenant->query_cache.Put(db, std::move(key), std::move(cached));
      }
    }
  }
  out += "</EntityResults>";
  soap::Element(&out, "EntityResultType", e.lower_name);
  out += "<Errors/><EntityReturnInfoResults/></queryResult>";
  soap::EndResponse(&out, "query");
  ctx.j.rows = rows;
  ctx.j.last_id = last_id;
}

}  // namespace atws::service

// Replay: serve a recording; requests that match no exchange become near misses.
#include <fmt/format.h>

#include <cstdio>

#include "common/text.h"
#include "record/http_util.h"
#include "record/record.h"

namespace atws::record {

namespace {

constexpr size_t kNearMissBodyLimit = 16 << 10;

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

nlohmann::json ToJson(const NearMiss& m) {
  nlohmann::json j = {{"seq", m.seq},
                      {"time", m.time},
                      {"request",
                       {{"method", m.method},
                        {"path", m.path},
                        {"query", m.query},
                        {"operation", m.operation},
                        {"user", m.user},
                        {"body", m.body}}},
                      {"difference", m.difference}};
  if (m.nearest > 0)
    j["nearest"] = {
        {"exchange", m.nearest},
        {"operation", m.nearest_operation},
        {"path", m.nearest_path},
        {"score", static_cast<double>(static_cast<long long>(m.score * 1000 + 0.5)) / 1000.0}};
  else
    j["nearest"] = nullptr;
  return j;
}

std::string RequestSummary(const std::string& method, const std::string& path,
                           const std::string& query, const std::string& operation,
                           const std::string& user) {
  std::string s = method + " " + path;
  if (!query.empty()) s += "?" + query;
  if (!operation.empty()) s += " " + operation;
  if (!user.empty()) s += " (" + user + ")";
  return s;
}

}  // namespace

std::unique_ptr<Replayer> Replayer::Create(ReplayerOptions opt, std::string* error) {
  std::vector<Exchange> exchanges;
  std::string warning;
  if (!LoadRecording(opt.file, &exchanges, error, &warning)) return nullptr;
  if (!warning.empty() && opt.log)
    std::fprintf(stderr, "replay: %s: %s\n", opt.file.c_str(), warning.c_str());
  return FromExchanges(std::move(opt), std::move(exchanges));
}

std::unique_ptr<Replayer> Replayer::FromExchanges(ReplayerOptions opt,
                                                  std::vector<Exchange> exchanges) {
  std::unique_ptr<Replayer> r(new Replayer(std::move(opt)));
  r->recorded_.reserve(exchanges.size());
  for (auto& e : exchanges) {
    Recorded rec;
    rec.norm = Normalise(e.request_body);
    rec.path_key = AsciiLower(e.path);
    rec.query_key = QueryKey(e.query);
    e.method = Upper(e.method);
    rec.ex = std::move(e);
    r->recorded_.push_back(std::move(rec));
  }
  return r;
}

service::HttpResponse Replayer::Handle(const service::HttpRequest& req) {
  if (http_util::IsAdminPath(req.path)) return HandleAdmin(req);
  Normalised norm = Normalise(req.body);
  std::string method = Upper(req.method);
  std::string path_key = AsciiLower(req.path);
  std::string query_key = QueryKey(req.query);

  NearMiss miss;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++requests_;
    // The first matching exchange not served yet, in recorded order; when all have been
    // served, the last of them again.
    Recorded* pick = nullptr;
    Recorded* last = nullptr;
    for (auto& r : recorded_) {
      if (r.ex.method != method || r.path_key != path_key || r.query_key != query_key ||
          r.norm.operation != norm.operation || r.norm.xml != norm.xml ||
          r.norm.items != norm.items)
        continue;
      if (!pick && r.served == 0) pick = &r;
      last = &r;
    }
    if (!pick) pick = last;
    if (pick) {
      ++pick->served;
      ++matched_;
      service::HttpResponse resp;
      resp.status = pick->ex.status;
      resp.content_type = http_util::SendableContentType(pick->ex.response_content_type);
      resp.body = pick->ex.response_body;
      if (opt_.rewrite_urls) {
        UrlRewriter rw;
        rw.mock_base = MockBase(opt_.public_url, req);
        rw.any_origin = true;
        rw.Rewrite(&resp.body, nullptr);
      }
      if (!pick->ex.www_authenticate.empty())
        resp.headers.emplace_back("WWW-Authenticate", pick->ex.www_authenticate);
      resp.headers.emplace_back("X-Replayed-Exchange", std::to_string(pick->ex.seq));
      return resp;
    }

    // A near miss: the nearest exchange by a similarity score, and the first difference.
    ++missed_;
    miss.seq = static_cast<long long>(missed_);
    miss.time = http_util::NowIso();
    miss.method = method;
    miss.path = req.path;
    miss.query = CleanQuery(req.query);
    miss.operation = norm.operation;
    miss.user = BasicAuthUser(req.authorization);
    miss.body = ScrubIntegrationCodes(req.body);
    if (miss.body.size() > kNearMissBodyLimit) {
      size_t cut = kNearMissBodyLimit;  // not inside a UTF-8 sequence
      while (cut > 0 && (static_cast<unsigned char>(miss.body[cut]) & 0xC0) == 0x80) --cut;
      miss.body.resize(cut);
      miss.body += "…";
    }
    const Recorded* best = nullptr;
    double best_score = -1;
    for (const auto& r : recorded_) {
      double s = 0.10 * (r.ex.method == method) + 0.15 * (r.path_key == path_key) +
                 0.05 * (r.query_key == query_key) + 0.20 * (r.norm.operation == norm.operation) +
                 0.50 * Similarity(norm, r.norm);
      if (s > best_score) best_score = s, best = &r;
    }
    if (best) {
      miss.nearest = best->ex.seq;
      miss.nearest_operation = best->norm.operation;
      miss.nearest_path = best->ex.path;
      miss.score = best_score;
      const Exchange& e = best->ex;
      if (e.method != method)
        miss.difference = fmt::format("method {} where the recording has {}", method, e.method);
      else if (best->path_key != path_key)
        miss.difference = fmt::format("path {} where the recording has {}", req.path, e.path);
      else if (best->query_key != query_key)
        miss.difference =
            fmt::format("query string \"{}\" where the recording has \"{}\"", miss.query, e.query);
      else if (best->norm.xml != norm.xml)
        miss.difference = FirstDifference(norm, best->norm);
      else if (best->norm.operation != norm.operation)
        miss.difference =
            fmt::format("operation {} where the recording has {}",
                        norm.operation.empty() ? "(none)" : norm.operation,
                        best->norm.operation.empty() ? "(none)" : best->norm.operation);
      else
        miss.difference = FirstDifference(norm, best->norm);
    } else {
      miss.difference = "the recording is empty";
    }
    near_.push_back(miss);
    if (near_.size() > opt_.max_near_misses) near_.erase(near_.begin());
  }

  std::string where = miss.nearest > 0
                          ? fmt::format("nearest: exchange {} ({})", miss.nearest, miss.difference)
                          : miss.difference;
  if (opt_.log)
    std::fprintf(
        stderr, "replay: near miss %lld: %s: %s\n", miss.seq,
        RequestSummary(miss.method, miss.path, miss.query, miss.operation, miss.user).c_str(),
        where.c_str());
  return http_util::SoapFault(500, "No recorded exchange matches this request; " + where);
}

service::HttpResponse Replayer::HandleAdmin(const service::HttpRequest& req) {
  std::string path = http_util::AdminPath(req.path);
  if (path != "/__admin/replay" && path.rfind("/__admin/replay/", 0) != 0) {
    if (opt_.admin_fallback) return opt_.admin_fallback(req);
    return http_util::JsonError(404, "not served while replaying");
  }
  service::HttpResponse refusal;
  if (!http_util::AdminAllowed(opt_.admin, req, &refusal)) return refusal;
  std::string method = Upper(req.method);
  if (path == "/__admin/replay") {
    if (method != "GET") return http_util::JsonError(405, "GET only");
    std::lock_guard<std::mutex> lock(mu_);
    nlohmann::json ex = nlohmann::json::array();
    size_t unused = 0;
    for (const auto& r : recorded_) {
      if (r.served == 0) ++unused;
      ex.push_back({{"seq", r.ex.seq},
                    {"method", r.ex.method},
                    {"path", r.ex.path},
                    {"operation", r.norm.operation},
                    {"status", r.ex.status},
                    {"served", r.served}});
    }
    return http_util::Json(200, {{"mode", "replay"},
                                 {"file", opt_.file},
                                 {"requests", requests_},
                                 {"matched", matched_},
                                 {"near_misses", missed_},
                                 {"unused_exchanges", unused},
                                 {"exchanges", ex}});
  }
  if (path == "/__admin/replay/near-misses") {
    if (method == "DELETE") {
      std::lock_guard<std::mutex> lock(mu_);
      near_.clear();
      return http_util::Json(200, {{"cleared", true}});
    }
    if (method != "GET") return http_util::JsonError(405, "GET or DELETE");
    std::lock_guard<std::mutex> lock(mu_);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : near_) list.push_back(ToJson(m));
    return http_util::Json(200,
                           {{"count", near_.size()}, {"total", missed_}, {"near_misses", list}});
  }
  if (path == "/__admin/replay/reset") {
    if (method != "POST") return http_util::JsonError(405, "POST only");
    Rewind();
    return http_util::Json(200, {{"reset", true}});
  }
  return http_util::JsonError(404,
                              "no such replay endpoint (GET /__admin/replay, GET|DELETE "
                              "/__admin/replay/near-misses, POST /__admin/replay/reset)");
}

std::vector<NearMiss> Replayer::NearMisses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return near_;
}

size_t Replayer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t Replayer::matched() const {
  std::lock_guard<std::mutex> lock(mu_);
  return matched_;
}

size_t Replayer::near_misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return missed_;
}

void Replayer::Rewind() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& r : recorded_) r.served = 0;
  requests_ = matched_ = missed_ = 0;
  near_.clear();
}

std::string Replayer::Summary() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fmt::format("replay: {} requests, {} matched, {} near misses", requests_, matched_,
                     missed_);
}

}  // namespace atws::record

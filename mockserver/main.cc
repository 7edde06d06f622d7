// atws-mock: the ATWS Sandbox server.
#include <malloc.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "common/text.h"
#include "control/admin.h"
#include "control/config.h"
#include "http/server.h"
#include "record/record.h"
#include "service/service.h"
#include "xml/xml.h"

namespace {

bool SplitListen(const std::string& s, std::string* host, uint16_t* port) {
  size_t c = s.rfind(':');
  if (c == std::string::npos) return false;
  *host = s.substr(0, c);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  long long p;
  if (!atws::ParseInt64(s.substr(c + 1), &p) || p < 0 || p > 65535) return false;
  *port = static_cast<uint16_t>(p);
  return !host->empty();
}

}  // namespace

int main(int argc, char** argv) {
  // Answers of a megabyte (a 500-row page) are built and copied on every call. glibc would
  // mmap() each such buffer afresh and give it back on free, so every call faulted in and
  // zeroed new pages, and trimmed the heaps again with madvise(): half of a page's cost under
  // perf. Buffers up to 4 MiB come from the heap instead and freed heap tops are kept (up to
  // 8 MiB). Larger blocks, chiefly the in-memory tenants' databases (3 MB images that SQLite
  // grows by doubling with realloc), are mapped: mremap grows them without a copy, and their
  // old space is not left behind in the heap.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
  // glibc gives each thread that allocates its own arena (up to 8 per core): the tenant loaders,
  // the workers, the timer and journal threads each kept their own free memory and kept tops.
  // Two arenas (one per core here) cut peak RSS under load by about 7 MB at the same speed
  // (docs/performance.md).
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{
      "atws-mock: a local Autotask SOAP Web Services API (atws.asmx 1.6 and 1.5) for tests.\n"
      "Serves the zone-neutral endpoint /atservices/1.6/atws.asmx, zone endpoints\n"
      "/webservicesN/atservices/1.6/atws.asmx, WSDLs at atws.asmx?WSDL, and the admin API\n"
      "under /__admin/. See README.md and docs/."};
  std::string listen = "127.0.0.1:8080";
  std::string data_dir, log_level = "info", public_url, dump_wsdl, time_zone = "eastern",
                        admin_token;
  bool strict_zones = false, admin_remote = false;
  int threads = 0;
  size_t max_request_mb = 16;
  long long threshold = 10000;
  int thread_limit = 3;
  app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--data", data_dir,
                 "directory holding the tenants' SQLite files (created from the default data "
                 "when missing) and, optionally, the start-up configuration atws-sandbox.json "
                 "(docs/configuration.md); without it the default data lives in memory");
  std::string config_file, journal_db;
  app.add_option("--journal-db", journal_db,
                 "persist the request journal in this SQLite file (created when missing); it "
                 "survives restarts and GET /__admin/journal reads it (default: memory only, the "
                 "newest 10,000 calls)");
  app.add_option("--config", config_file,
                 "start-up configuration file (docs/configuration.md); default: "
                 "DIR/atws-sandbox.json when --data DIR holds one")
      ->check(CLI::ExistingFile);
  app.add_option("--log-level", log_level, "error, warn, info or debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
      ->capture_default_str();
  app.add_option("--public-url", public_url,
                 "scheme://host:port used in the URLs handed out (getZoneInfo, WSDL address) "
                 "instead of the request's Host");
  app.add_flag("--strict-zones", strict_zones,
               "reject calls other than getZoneInfo on the zone-neutral endpoint");
  app.add_option("--time-zone", time_zone, "API time zone of date-times: eastern or utc")
      ->check(CLI::IsMember({"eastern", "utc"}))
      ->capture_default_str();
  app.add_option("--threads", threads, "HTTP worker threads (0 = one per core)")
      ->capture_default_str();
  std::string held_calls = "low";
  app.add_option("--held-calls", held_calls,
                 "where the calls of a tenant that the threshold holds back or suspends run: "
                 "'low' (a thread of their own at nice 19, so that they give way to other "
                 "tenants' calls), 'idle' (the same at SCHED_IDLE: only on an otherwise idle "
                 "core) or 'reactor' (with every other call); the answers are the same "
                 "(docs/threshold.md)")
      ->check(CLI::IsMember({"low", "idle", "reactor"}))
      ->capture_default_str();
  app.add_option("--max-request-mb", max_request_mb, "largest request accepted, in MiB")
      ->capture_default_str();
  app.add_option("--threshold", threshold, "hourly call threshold per tenant")
      ->capture_default_str();
  app.add_option("--thread-limit", thread_limit,
                 "concurrent calls per IntegrationCode and entity (0 = no limit)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("--admin-token", admin_token,
                 "require 'Authorization: Bearer TOKEN' on /__admin/ requests");
  app.add_flag("--admin-remote", admin_remote,
               "answer /__admin/ requests from non-loopback clients too");
  app.add_option("--dump-wsdl", dump_wsdl,
                 "write the generated WSDLs (1.5, 1.6 2018, 1.6 current) into DIR and exit");
  // Record and replay (docs/record-replay.md).
  std::string record_to, upstream, replay_file;
  auto* record_opt = app.add_option(
      "--record-to", record_to,
      "forward every request to --upstream and append the exchanges to FILE (a readable XML "
      "recording; passwords and integration codes are not recorded)");
  auto* upstream_opt = app.add_option("--upstream", upstream,
                                      "base URL the recorder forwards to (http:// or https://)");
  auto* replay_opt = app.add_option(
      "--replay", replay_file,
      "serve the recording FILE; requests it does not hold get a SOAP fault and are listed at "
      "/__admin/replay/near-misses");
  bool rewrite_urls = false;
  app.add_flag(
      "--rewrite-urls", rewrite_urls,
      "with --record-to or --replay: URLs in the answers (getZoneInfo URL and WebUrl, the WSDL's "
      "soap:address) point at this server instead of the upstream (--public-url overrides the "
      "address), so a client that follows getZoneInfo stays on the recorder or replayer");
  record_opt->needs(upstream_opt);
  upstream_opt->needs(record_opt);
  replay_opt->excludes(record_opt)->excludes(upstream_opt);
  CLI11_PARSE(app, argc, argv);
  if (rewrite_urls && record_to.empty() && replay_file.empty()) {
    std::cerr << "atws-mock: --rewrite-urls applies to --record-to or --replay\n";
    return 2;
  }

  int level = log_level == "error" ? 0 : log_level == "warn" ? 1 : log_level == "info" ? 2 : 3;
  atws::xml::InitParser();

  atws::service::Options opt;
  opt.data_dir = data_dir;
  opt.journal_db = journal_db;
  opt.public_url = public_url;
  opt.strict_zones = strict_zones;
  opt.admin_token = admin_token;
  opt.admin_remote = admin_remote;
  opt.threshold = threshold;
  opt.thread_limit = thread_limit;
  // The tenants' data is filled while the server starts: getZoneInfo and the WSDLs are answered
  // at once, calls on a tenant's data wait until it is there (time to ready, docs/performance.md).
  opt.background_load = true;
  atws::ParseApiTimeZone(time_zone, &opt.time_zone);

  atws::http::ServerOptions sopt;
  if (!SplitListen(listen, &sopt.host, &sopt.port)) {
    std::cerr << "atws-mock: --listen wants HOST:PORT, got '" << listen << "'\n";
    return 2;
  }
  sopt.threads = threads;
  sopt.held_calls = held_calls == "low"    ? atws::http::HeldCalls::kLow
                    : held_calls == "idle" ? atws::http::HeldCalls::kIdle
                                           : atws::http::HeldCalls::kReactor;
  sopt.max_request_bytes = max_request_mb << 20;

  std::shared_ptr<atws::service::Service> svc;
  try {
    svc = std::make_shared<atws::service::Service>(opt);
  } catch (const std::exception& e) {
    std::cerr << "atws-mock: cannot load the tenants: " << e.what() << "\n";
    return 1;
  }
  // The admin API, and the start-up configuration applied through it before anything is served.
  auto admin = std::make_shared<atws::control::Admin>(*svc);
  sopt.admin = admin;
  if (config_file.empty() && !data_dir.empty()) {
    std::string candidate = data_dir + "/" + atws::control::kConfigFileName;
    if (FILE* f = std::fopen(candidate.c_str(), "rb")) {
      std::fclose(f);
      config_file = candidate;
    }
  }
  if (!config_file.empty()) {
    auto cfg = std::make_shared<atws::control::StartupConfig>();
    std::string err;
    if (!atws::control::LoadStartupConfig(config_file, cfg.get(), &err) ||
        !atws::control::ApplyStartupConfig(*admin, *cfg, atws::control::ConfigScope{}, &err)) {
      std::cerr << "atws-mock: " << err << "\n";
      return 2;
    }
    admin->SetStartupConfig(cfg);
    if (level >= 2)
      std::fprintf(stderr, "atws-mock: configuration %s applied\n", config_file.c_str());
  }
  if (!dump_wsdl.empty()) {
    std::string err;
    std::string base = public_url.empty() ? "http://" + listen : public_url;
    if (!svc->DumpWsdl(dump_wsdl, base, &err)) {
      std::cerr << "atws-mock: " << err << "\n";
      return 1;
    }
    return 0;
  }

  // Block the signals before the worker threads start so that they inherit the mask and only
  // sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<atws::record::Recorder> recorder;
  std::unique_ptr<atws::record::Replayer> replayer;
  if (!record_to.empty() || !replay_file.empty()) {
    // Other /__admin/ requests (health …) are answered by the local mock's admin API.
    auto admin_api = [admin](const atws::service::HttpRequest& r) { return admin->Handle(r); };
    std::string rerr;
    if (!record_to.empty()) {
      atws::record::RecorderOptions ro;
      ro.file = record_to;
      ro.upstream = upstream;
      ro.admin = {admin_token, admin_remote};
      ro.admin_fallback = admin_api;
      ro.rewrite_urls = rewrite_urls;
      ro.public_url = public_url;
      recorder = atws::record::Recorder::Create(ro, &rerr);
      if (recorder)
        sopt.handler = [r = recorder.get()](const atws::service::HttpRequest& q) {
          return r->Handle(q);
        };
    } else {
      atws::record::ReplayerOptions ro;
      ro.file = replay_file;
      ro.admin = {admin_token, admin_remote};
      ro.admin_fallback = admin_api;
      ro.rewrite_urls = rewrite_urls;
      ro.public_url = public_url;
      replayer = atws::record::Replayer::Create(ro, &rerr);
      if (replayer)
        sopt.handler = [r = replayer.get()](const atws::service::HttpRequest& q) {
          return r->Handle(q);
        };
    }
    if (!sopt.handler) {
      std::cerr << "atws-mock: " << rerr << "\n";
      return 1;
    }
  }

  atws::http::Server server(svc, sopt);
  std::string err;
  if (!server.Start(&err)) {
    std::cerr << "atws-mock: cannot listen on " << listen << ": " << err << "\n";
    return 1;
  }
  std::string shown = sopt.host.find(':') != std::string::npos ? "[" + sopt.host + "]" : sopt.host;
  std::printf("listening on http://%s:%u\n", shown.c_str(), server.port());
  std::fflush(stdout);
  try {
    svc->WaitLoaded();  // a tenant that cannot be filled ends the server, as at start-up
  } catch (const std::exception& e) {
    std::cerr << "atws-mock: cannot load the tenants: " << e.what() << "\n";
    server.Stop();
    return 1;
  }
  if (level >= 2)
    std::fprintf(stderr, "atws-mock: %zu tenants loaded; admin API at /__admin/\n",
                 svc->tenants().size());

  int sig = 0;
  sigwait(&signals, &sig);
  if (level >= 2) std::fprintf(stderr, "atws-mock: signal %d, shutting down\n", sig);
  server.Stop();
  if (recorder) std::fprintf(stderr, "%s\n", recorder->Summary().c_str());
  if (replayer) std::fprintf(stderr, "%s\n", replayer->Summary().c_str());
  return 0;
}

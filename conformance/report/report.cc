#include "conformance/report/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace atws::conformance::report {
namespace {

// Replaces invalid UTF-8 sequences by U+FFFD so every writer (and nlohmann::json) accepts it.
std::string ValidUtf8(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    size_t len = 0;
    if (c < 0x80) {
      len = 1;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      len = 4;
    }
    bool ok = len > 0 && i + len <= in.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {  // overlong or surrogate
      auto c1 = static_cast<unsigned char>(in[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) ok = false;
    }
    if (ok && len == 4) {
      auto c1 = static_cast<unsigned char>(in[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) ok = false;
    }
    if (ok) {
      out.append(in, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// XML/HTML text and attribute escaping; control characters XML 1.0 forbids become U+FFFD.
// Not common/text.h's AppendXmlEscaped: that one writes what the API writes (apostrophes kept,
// CR as &#xD;, other control characters passed through), while a report must be well-formed
// whatever a client sent, escapes apostrophes (&#39;) and keeps line breaks in text.
std::string Escape(const std::string& raw, bool attribute) {
  std::string in = ValidUtf8(raw);
  std::string out;
  out.reserve(in.size() + 16);
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += attribute ? "&#13;" : "\r";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F)
          out += "\xEF\xBF\xBD";
        else
          out += ch;
    }
  }
  return out;
}

std::string Text(const std::string& s) { return Escape(s, false); }
std::string Attr(const std::string& s) { return Escape(s, true); }

std::string Seconds(double s) { return fmt::format("{:.3f}", std::max(0.0, s)); }

double SuiteSeconds(const Suite& suite) {
  if (suite.seconds > 0) return suite.seconds;
  double sum = 0;
  for (const auto& c : suite.cases) sum += c.seconds;
  return sum;
}

std::string CaseName(const Case& c) {
  if (!c.id.empty()) return c.id;
  return c.name;
}

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += prefix + line + "\n";
  return out;
}

const char* kCss = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.5em 0 .3em}
.counts span{display:inline-block;padding:.15em .6em;border-radius:.8em;margin-right:.4em;font-weight:600}
.pass{background:#dff3e0;color:#1b5e20}.fail{background:#fde0dc;color:#b71c1c}.skip{background:#eee;color:#555}
table{border-collapse:collapse;width:100%;margin-top:.5em}
th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.st{width:4em;text-align:center;font-weight:600}
pre{white-space:pre-wrap;word-break:break-word;background:#f8f8f8;padding:.5em;margin:.3em 0;font-size:12px}
.props{color:#555;font-size:12px}.props b{color:#222}
.tags span{font-size:11px;background:#e8eef8;color:#234;padding:0 .4em;border-radius:.5em;margin-right:.2em}
.controls{margin:.6em 0}.controls input[type=text]{width:18em}
svg{background:#fcfcfc;border:1px solid #ddd;max-width:100%}
svg text{font-size:11px;fill:#444}.desc{color:#444;max-width:60em}
)";

const char* kScript = R"(
function atwsFilter(){
  var q=document.getElementById('q').value.toLowerCase();
  var f=document.getElementById('onlyfail').checked;
  document.querySelectorAll('tr.case').forEach(function(r){
    var show=(!f||r.dataset.status==='fail')&&(q===''||r.textContent.toLowerCase().indexOf(q)>=0);
    r.style.display=show?'':'none';
  });
}
)";

// An inline SVG chart: one dot per call (x = time, y = latency, log-ish scale via sqrt), red
// when failed; a stepped line for threshold usage on a 0–100 % right axis when known.
std::string TimelineSvg(const std::vector<TimelineEvent>& events) {
  const double width = 900, height = 260, left = 55, right = 50, top = 15, bottom = 35;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  double t_max = 0, l_max = 0;
  bool any_usage = false;
  double u_max = 100;
  for (const auto& e : events) {
    t_max = std::max(t_max, e.time);
    l_max = std::max(l_max, e.latency_ms);
    if (e.usage_percent >= 0) {
      any_usage = true;
      u_max = std::max(u_max, e.usage_percent);
    }
  }
  if (t_max <= 0) t_max = 1;
  if (l_max <= 0) l_max = 1;
  auto x_of = [&](double t) { return left + plot_w * (t / t_max); };
  auto y_of = [&](double ms) { return top + plot_h * (1 - std::sqrt(ms / l_max)); };
  auto yu_of = [&](double u) { return top + plot_h * (1 - u / u_max); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" role=\"img\" aria-label=\"timeline of calls\">\n",
      width, height);
  // Axes.
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#999\"/>"
      "<line x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\" stroke=\"#999\"/>\n",
      left, top, top + plot_h, left + plot_w);
  for (int i = 0; i <= 4; ++i) {
    double ms = l_max * (i / 4.0) * (i / 4.0);
    double y = y_of(ms);
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#eee\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:.0f} ms</text>\n",
        left, y, left + plot_w, left - 4, y + 4, ms);
    double t = t_max * i / 4.0;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{:.1f} s</text>\n",
                       x_of(t), top + plot_h + 16, t);
  }
  svg += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">time since start</text>\n",
      left + plot_w / 2, height - 3);
  if (any_usage) {
    for (int i = 0; i <= 4; ++i) {
      double u = u_max * i / 4.0;
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#e65100\">{:.0f} %</text>\n",
                         left + plot_w + 4, yu_of(u) + 4, u);
    }
    std::string points;
    double last_y = -1;
    for (const auto& e : events) {
      if (e.usage_percent < 0) continue;
      double x = x_of(e.time), y = yu_of(e.usage_percent);
      if (last_y >= 0) points += fmt::format("{:.1f},{:.1f} ", x, last_y);
      points += fmt::format("{:.1f},{:.1f} ", x, y);
      last_y = y;
    }
    svg += "<polyline fill=\"none\" stroke=\"#e65100\" stroke-width=\"1.5\" points=\"" + points +
           "\"><title>threshold usage (%)</title></polyline>\n";
  }
  for (const auto& e : events) {
    std::string tip = e.label + fmt::format(" — {:.0f} ms at {:.2f} s", e.latency_ms, e.time);
    if (e.usage_percent >= 0) tip += fmt::format(", usage {:.0f} %", e.usage_percent);
    if (!e.detail.empty()) tip += "\n" + e.detail;
    svg += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\" fill-opacity=\"0.8\"><title>{}"
        "</title></circle>\n",
        x_of(e.time), y_of(e.latency_ms), e.failed ? "#c62828" : "#1565c0", Text(tip));
  }
  svg += "</svg>\n";
  return svg;
}

nlohmann::json CaseJson(const Case& c) {
  nlohmann::json j;
  j["id"] = ValidUtf8(c.id);
  j["name"] = ValidUtf8(c.name);
  if (!c.classname.empty()) j["classname"] = ValidUtf8(c.classname);
  j["status"] = StatusName(c.status);
  j["message"] = ValidUtf8(c.message);
  j["details"] = ValidUtf8(c.details);
  if (!c.severity.empty()) j["severity"] = ValidUtf8(c.severity);
  j["tags"] = nlohmann::json::array();
  for (const auto& t : c.tags) j["tags"].push_back(ValidUtf8(t));
  j["properties"] = nlohmann::json::object();
  for (const auto& [k, v] : c.properties) j["properties"][ValidUtf8(k)] = ValidUtf8(v);
  j["seconds"] = c.seconds;
  return j;
}

nlohmann::json CountsJson(const Counts& c) {
  return {{"passed", c.passed}, {"failed", c.failed}, {"skipped", c.skipped}, {"total", c.Total()}};
}

}  // namespace

const char* StatusName(Status status) {
  switch (status) {
    case Status::kPass:
      return "pass";
    case Status::kFail:
      return "fail";
    case Status::kSkip:
      return "skip";
  }
  return "fail";
}

Counts Count(const Suite& suite) {
  Counts out;
  for (const auto& c : suite.cases) {
    if (c.status == Status::kPass) ++out.passed;
    if (c.status == Status::kFail) ++out.failed;
    if (c.status == Status::kSkip) ++out.skipped;
  }
  return out;
}

Counts Count(const Report& report) {
  Counts out;
  for (const auto& s : report.suites) {
    Counts c = Count(s);
    out.passed += c.passed;
    out.failed += c.failed;
    out.skipped += c.skipped;
  }
  return out;
}

std::string NowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string ToJunitXml(const Report& report) {
  Counts all = Count(report);
  double total_seconds = 0;
  for (const auto& s : report.suites) total_seconds += SuiteSeconds(s);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" "
      "time=\"{}\">\n",
      Attr(report.title), all.Total(), all.failed, all.skipped, Seconds(total_seconds));
  for (const auto& s : report.suites) {
    Counts c = Count(s);
    std::string stamp = s.timestamp.empty() ? NowIso8601() : s.timestamp;
    // JUnit's timestamp has no zone designator.
    if (!stamp.empty() && stamp.back() == 'Z') stamp.pop_back();
    out += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" "
        "time=\"{}\" timestamp=\"{}\" hostname=\"{}\">\n",
        Attr(s.name), c.Total(), c.failed, c.skipped, Seconds(SuiteSeconds(s)), Attr(stamp),
        Attr(s.hostname.empty() ? "localhost" : s.hostname));
    if (!s.properties.empty() || !s.description.empty()) {
      out += "    <properties>\n";
      if (!s.description.empty())
        out += fmt::format("      <property name=\"description\" value=\"{}\"/>\n",
                           Attr(s.description));
      for (const auto& [k, v] : s.properties)
        out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", Attr(k), Attr(v));
      out += "    </properties>\n";
    }
    for (const auto& tc : s.cases) {
      std::string name = CaseName(tc);
      if (!tc.id.empty() && !tc.name.empty() && tc.name != tc.id) name += " — " + tc.name;
      out += fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"", Attr(name),
                         Attr(tc.classname.empty() ? s.name : tc.classname), Seconds(tc.seconds));
      bool has_props = !tc.properties.empty() || !tc.tags.empty() || !tc.severity.empty();
      if (tc.status == Status::kPass && !has_props) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      if (has_props) {
        out += "      <properties>\n";
        if (!tc.severity.empty())
          out += fmt::format("        <property name=\"severity\" value=\"{}\"/>\n",
                             Attr(tc.severity));
        if (!tc.tags.empty()) {
          std::string joined;
          for (const auto& t : tc.tags) joined += (joined.empty() ? "" : ",") + t;
          out += fmt::format("        <property name=\"tags\" value=\"{}\"/>\n", Attr(joined));
        }
        for (const auto& [k, v] : tc.properties)
          out += fmt::format("        <property name=\"{}\" value=\"{}\"/>\n", Attr(k), Attr(v));
        out += "      </properties>\n";
      }
      if (tc.status == Status::kFail) {
        out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                           Attr(tc.message), Attr(tc.severity.empty() ? "failure" : tc.severity),
                           Text(tc.details));
      } else if (tc.status == Status::kSkip) {
        out += fmt::format("      <skipped message=\"{}\"/>\n", Attr(tc.message));
      } else if (!tc.details.empty()) {
        out += fmt::format("      <system-out>{}</system-out>\n", Text(tc.details));
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

nlohmann::json ToJson(const Report& report) {
  nlohmann::json j;
  j["title"] = ValidUtf8(report.title);
  j["counts"] = CountsJson(Count(report));
  j["suites"] = nlohmann::json::array();
  for (const auto& s : report.suites) {
    nlohmann::json js;
    js["name"] = ValidUtf8(s.name);
    js["description"] = ValidUtf8(s.description);
    js["timestamp"] = s.timestamp.empty() ? NowIso8601() : s.timestamp;
    js["hostname"] = ValidUtf8(s.hostname);
    js["seconds"] = SuiteSeconds(s);
    js["counts"] = CountsJson(Count(s));
    js["properties"] = nlohmann::json::object();
    for (const auto& [k, v] : s.properties) js["properties"][ValidUtf8(k)] = ValidUtf8(v);
    js["cases"] = nlohmann::json::array();
    for (const auto& c : s.cases) js["cases"].push_back(CaseJson(c));
    js["timeline"] = nlohmann::json::array();
    for (const auto& e : s.timeline) {
      nlohmann::json je = {{"time", e.time},
                           {"latency_ms", e.latency_ms},
                           {"label", ValidUtf8(e.label)},
                           {"detail", ValidUtf8(e.detail)},
                           {"failed", e.failed}};
      if (e.usage_percent >= 0) je["usage_percent"] = e.usage_percent;
      js["timeline"].push_back(std::move(je));
    }
    j["suites"].push_back(std::move(js));
  }
  return j;
}

std::string ToHtml(const Report& report) {
  Counts all = Count(report);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n";
  out += "<title>" + Text(report.title) + "</title>\n<style>" + kCss + "</style>\n";
  out += std::string("<script>") + kScript + "</script>\n</head><body>\n";
  out += "<h1>" + Text(report.title) + "</h1>\n";
  out += fmt::format(
      "<p class=\"counts\"><span class=\"pass\">{} passed</span><span class=\"fail\">{} "
      "failed</span><span class=\"skip\">{} skipped</span> generated {}</p>\n",
      all.passed, all.failed, all.skipped, Text(NowIso8601()));
  out +=
      "<div class=\"controls\"><label><input type=\"checkbox\" id=\"onlyfail\" "
      "onchange=\"atwsFilter()\"> failures only</label> &nbsp; <input type=\"text\" id=\"q\" "
      "placeholder=\"filter …\" oninput=\"atwsFilter()\"></div>\n";
  for (const auto& s : report.suites) {
    Counts c = Count(s);
    out += "<h2>" + Text(s.name) +
           fmt::format(" <small>({} passed, {} failed, {} skipped, {:.1f} s)</small></h2>\n",
                       c.passed, c.failed, c.skipped, SuiteSeconds(s));
    if (!s.description.empty()) out += "<p class=\"desc\">" + Text(s.description) + "</p>\n";
    if (!s.properties.empty()) {
      out += "<p class=\"props\">";
      for (const auto& [k, v] : s.properties)
        out += "<b>" + Text(k) + "</b>: " + Text(v) + " &nbsp; ";
      out += "</p>\n";
    }
    if (!s.timeline.empty()) {
      out += fmt::format(
          "<p class=\"props\">Timeline: {} calls; dots = call latency (blue ok, red failed), "
          "orange line = threshold usage where known. Hover for details.</p>\n",
          s.timeline.size());
      out += TimelineSvg(s.timeline);
    }
    out +=
        "<table><thead><tr><th>status</th><th>case</th><th>message</th><th>time</th></tr>"
        "</thead><tbody>\n";
    for (const auto& tc : s.cases) {
      const char* st = StatusName(tc.status);
      out += fmt::format("<tr class=\"case\" data-status=\"{}\"><td class=\"st {}\">{}</td><td>",
                         st, st, st);
      out += "<b>" + Text(CaseName(tc)) + "</b>";
      if (!tc.id.empty() && !tc.name.empty() && tc.name != tc.id) out += "<br>" + Text(tc.name);
      if (!tc.severity.empty()) out += " <i>(" + Text(tc.severity) + ")</i>";
      if (!tc.tags.empty()) {
        out += "<div class=\"tags\">";
        for (const auto& t : tc.tags) out += "<span>" + Text(t) + "</span>";
        out += "</div>";
      }
      out += "</td><td>" + Text(tc.message);
      if (!tc.details.empty() || !tc.properties.empty()) {
        out += "<details><summary>details</summary>";
        if (!tc.properties.empty()) {
          out += "<div class=\"props\">";
          for (const auto& [k, v] : tc.properties)
            out += "<b>" + Text(k) + "</b>: " + Text(v) + "<br>";
          out += "</div>";
        }
        if (!tc.details.empty()) out += "<pre>" + Text(tc.details) + "</pre>";
        out += "</details>";
      }
      out += fmt::format("</td><td>{:.2f} s</td></tr>\n", tc.seconds);
    }
    out += "</tbody></table>\n";
  }
  out += "</body></html>\n";
  return out;
}

std::string ToText(const Report& report, bool verbose) {
  std::string out;
  for (const auto& s : report.suites) {
    Counts c = Count(s);
    out += fmt::format("== {} ({} passed, {} failed, {} skipped, {:.1f} s)\n", s.name, c.passed,
                       c.failed, c.skipped, SuiteSeconds(s));
    for (const auto& tc : s.cases) {
      if (tc.status == Status::kPass && !verbose) continue;
      if (tc.status == Status::kSkip && !verbose) continue;
      std::string label = tc.status == Status::kFail   ? "FAIL"
                          : tc.status == Status::kSkip ? "SKIP"
                                                       : "PASS";
      out += fmt::format("{} {}", label, CaseName(tc));
      if (!tc.id.empty() && !tc.name.empty() && tc.name != tc.id) out += " — " + tc.name;
      if (!tc.severity.empty()) out += " [" + tc.severity + "]";
      out += "\n";
      if (!tc.message.empty()) out += Indent(tc.message, "    ");
      if (tc.status == Status::kFail && !tc.details.empty()) {
        // Long evidence (whole answers) belongs in the JUnit/HTML/JSON reports.
        std::string details = Indent(tc.details, "      ");
        size_t lines = 0, pos = 0;
        while (pos < details.size() && lines < 60) {
          pos = details.find('\n', pos);
          if (pos == std::string::npos) break;
          ++pos;
          ++lines;
        }
        if (pos != std::string::npos && pos < details.size()) {
          size_t total = static_cast<size_t>(std::count(details.begin(), details.end(), '\n'));
          details = details.substr(0, pos) +
                    fmt::format("      … ({} more lines in the JUnit, JSON or HTML report)\n",
                                total - lines);
        }
        out += details;
      }
    }
    if (!verbose && c.skipped > 0) {
      // Group skip reasons so a long list stays readable.
      std::vector<std::pair<std::string, int>> reasons;
      for (const auto& tc : s.cases) {
        if (tc.status != Status::kSkip) continue;
        auto it = std::find_if(reasons.begin(), reasons.end(),
                               [&](const auto& r) { return r.first == tc.message; });
        if (it == reasons.end())
          reasons.emplace_back(tc.message, 1);
        else
          ++it->second;
      }
      for (const auto& [reason, n] : reasons)
        out += fmt::format("skipped {}: {}\n", n, reason.empty() ? "(no reason given)" : reason);
    }
  }
  Counts all = Count(report);
  out += fmt::format("{} passed, {} failed, {} skipped\n", all.passed, all.failed, all.skipped);
  return out;
}

atws::Status WriteFile(const std::string& path, const std::string& content) {
  std::error_code ec;
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f)
    return atws::Status::IoError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  f << content;
  f.close();
  if (!f) return atws::Status::IoError(fmt::format("cannot write {}: write failed", path));
  return atws::Status::OK();
}

}  // namespace atws::conformance::report

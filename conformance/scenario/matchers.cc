#include "conformance/scenario/matchers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "xml/xml.h"

namespace atws::conformance::scenario {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Quote(const std::string& s) {
  std::string cut = s.size() > 200 ? s.substr(0, 200) + "…" : s;
  return "'" + cut + "'";
}

std::string ShowValues(const std::vector<std::string>& values) {
  if (values.empty()) return "nothing";
  std::string out;
  size_t n = std::min<size_t>(values.size(), 5);
  for (size_t i = 0; i < n; ++i) out += (i ? ", " : "") + Quote(values[i]);
  if (values.size() > n) out += fmt::format(" … ({} values)", values.size());
  return out;
}

// Sortable text of a date-time: "2026-01-02T03:04:05.120" (fraction padded to 7 digits).
std::string DateKey(const std::string& s) {
  std::string t = s;
  if (t.size() > 10 && t[10] == ' ') t[10] = 'T';
  if (t.size() == 10) t += "T00:00:00";
  if (t.size() == 16) t += ":00";
  // Drop a zone designator: values of one API compare in its one time zone.
  if (!t.empty() && t.back() == 'Z') t.pop_back();
  if (t.size() > 19) {
    size_t z = t.find_first_of("+-", 19);
    if (z != std::string::npos) t = t.substr(0, z);
  }
  std::string frac = t.size() > 20 ? t.substr(20) : "";
  frac.resize(7, '0');
  return t.substr(0, 19) + "." + frac;
}

bool OneMatcher(const Matcher& m, const std::string& v, bool ignore_case, std::string* why) {
  std::string a = ignore_case ? Lower(v) : v;
  std::string b = ignore_case ? Lower(m.value) : m.value;
  if (m.op == "equals") {
    if (a == b) return true;
    *why = fmt::format("expected {} but found {}", Quote(m.value), Quote(v));
    return false;
  }
  if (m.op == "not-equals") {
    if (a != b) return true;
    *why = fmt::format("expected anything but {}", Quote(m.value));
    return false;
  }
  if (m.op == "contains") {
    if (a.find(b) != std::string::npos) return true;
    *why = fmt::format("expected text containing {} but found {}", Quote(m.value), Quote(v));
    return false;
  }
  if (m.op == "not-contains") {
    if (a.find(b) == std::string::npos) return true;
    *why = fmt::format("expected text without {} but found {}", Quote(m.value), Quote(v));
    return false;
  }
  if (m.op == "matches") {
    try {
      auto flags = std::regex::ECMAScript;
      if (ignore_case) flags |= std::regex::icase;
      std::regex re(m.value, flags);
      if (std::regex_match(v, re)) return true;
    } catch (const std::regex_error& e) {
      *why = fmt::format("invalid regular expression {}: {}", Quote(m.value), e.what());
      return false;
    }
    *why = fmt::format("expected a value matching /{}/ but found {}", m.value, Quote(v));
    return false;
  }
  if (m.op == "type") {
    bool ok = false;
    if (m.value == "integer") ok = IsInteger(v);
    if (m.value == "number") ok = IsNumber(v);
    if (m.value == "datetime") ok = IsDateTime(v);
    if (m.value == "boolean") ok = Lower(v) == "true" || Lower(v) == "false";
    if (m.value == "empty") ok = v.empty();
    if (m.value == "non-empty") ok = !v.empty();
    if (ok) return true;
    *why = fmt::format("expected a value of type {} but found {}", m.value, Quote(v));
    return false;
  }
  if (m.op == "gt" || m.op == "ge" || m.op == "lt" || m.op == "le") {
    int r = 0;
    if (!CompareValues(v, m.value, &r)) {
      *why = fmt::format("cannot compare {} with {} (numbers or date-times only)", Quote(v),
                         Quote(m.value));
      return false;
    }
    bool ok = (m.op == "gt" && r > 0) || (m.op == "ge" && r >= 0) || (m.op == "lt" && r < 0) ||
              (m.op == "le" && r <= 0);
    if (ok) return true;
    const char* sym = m.op == "gt" ? ">" : m.op == "ge" ? "≥" : m.op == "lt" ? "<" : "≤";
    *why = fmt::format("expected a value {} {} but found {}", sym, m.value, Quote(v));
    return false;
  }
  *why = "unknown matcher " + m.op;
  return false;
}

}  // namespace

bool IsInteger(const std::string& s) {
  static const std::regex kInt(R"(-?[0-9]+)");
  return std::regex_match(s, kInt);
}

bool IsNumber(const std::string& s, double* value) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return false;
  if (value) *value = v;
  return true;
}

bool IsDateTime(const std::string& s) {
  static const std::regex kDate(
      R"([0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)");
  return std::regex_match(s, kDate);
}

bool CompareValues(const std::string& a, const std::string& b, int* result) {
  double x = 0, y = 0;
  if (IsNumber(a, &x) && IsNumber(b, &y)) {
    *result = x < y ? -1 : x > y ? 1 : 0;
    return true;
  }
  if (IsDateTime(a) && IsDateTime(b)) {
    std::string ka = DateKey(a), kb = DateKey(b);
    *result = ka < kb ? -1 : ka > kb ? 1 : 0;
    return true;
  }
  return false;
}

std::string DefaultSelect(const std::string& kind) { return kind == "error" ? "any" : "first"; }

bool ApplyMatchers(const Check& check, const std::vector<std::string>& values, std::string* why) {
  std::string select = check.select.empty() ? DefaultSelect(check.kind) : check.select;
  std::vector<const Matcher*> per_value;
  for (const auto& m : check.matchers) {
    if (m.op == "absent") {
      if (values.empty()) continue;
      *why = fmt::format("expected nothing but found {}", ShowValues(values));
      return false;
    }
    if (m.op == "present") {
      if (!values.empty()) continue;
      *why = "expected a value but found nothing";
      return false;
    }
    if (m.op == "ascending") {
      for (size_t i = 1; i < values.size(); ++i) {
        int r = 0;
        if (!CompareValues(values[i - 1], values[i], &r) || r >= 0) {
          *why = fmt::format("expected strictly ascending values, but {} is followed by {}",
                             Quote(values[i - 1]), Quote(values[i]));
          return false;
        }
      }
      if (values.empty()) {
        *why = "expected ascending values but found nothing";
        return false;
      }
      continue;
    }
    per_value.push_back(&m);
  }
  if (per_value.empty()) {
    if (check.matchers.empty() && values.empty()) {
      *why = "expected a value but found nothing";
      return false;
    }
    return true;
  }
  if (values.empty()) {
    *why = "found nothing to compare";
    return false;
  }
  auto holds = [&](const std::string& v, std::string* reason) {
    for (const Matcher* m : per_value)
      if (!OneMatcher(*m, v, check.ignore_case, reason)) return false;
    return true;
  };
  if (select == "first" || select == "last") {
    const std::string& v = select == "first" ? values.front() : values.back();
    return holds(v, why);
  }
  if (select == "all") {
    for (size_t i = 0; i < values.size(); ++i) {
      std::string reason;
      if (!holds(values[i], &reason)) {
        *why = fmt::format("value {} of {}: {}", i + 1, values.size(), reason);
        return false;
      }
    }
    return true;
  }
  // any
  std::string first_reason;
  for (const auto& v : values) {
    std::string reason;
    if (holds(v, &reason)) return true;
    if (first_reason.empty()) first_reason = reason;
  }
  *why = values.size() == 1
             ? first_reason
             : fmt::format("no value matched ({}); found {}", first_reason, ShowValues(values));
  return false;
}

bool Substitute(const std::string& text, const Vars& vars, bool escape_xml, std::string* out,
                std::string* missing, std::time_t now) {
  out->clear();
  size_t pos = 0;
  while (true) {
    size_t start = text.find("${", pos);
    if (start == std::string::npos) {
      out->append(text, pos, std::string::npos);
      return true;
    }
    size_t end = text.find('}', start + 2);
    if (end == std::string::npos) {
      out->append(text, pos, std::string::npos);
      return true;
    }
    out->append(text, pos, start - pos);
    std::string name = text.substr(start + 2, end - start - 2);
    std::string value;
    static const std::regex kFunction(R"((datetime|date):([+-][0-9]{1,4})([dhm]))");
    std::smatch m;
    if (std::regex_match(name, m, kFunction)) {
      std::time_t t = now ? now : std::time(nullptr);
      long n = std::stol(m[2].str());
      char unit = m[3].str()[0];
      t += n * (unit == 'd' ? 86400 : unit == 'h' ? 3600 : 60);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, m[1].str() == "date" ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%S", &tm);
      value = buf;
    } else {
      auto it = vars.find(name);
      if (it == vars.end()) {
        if (missing) *missing = name;
        return false;
      }
      value = it->second;
    }
    *out += escape_xml ? xml::EscapeAll(value) : value;
    pos = end + 1;
  }
}

bool IsIdElement(const std::string& name) {
  if (name == "id" || name == "EntityId" || name == "CI" || name == "CreateAttachmentResult")
    return true;
  if (name.size() > 2) {
    std::string tail = name.substr(name.size() - 2);
    if (tail == "ID" || tail == "Id") return true;
  }
  return false;
}

std::string MaskText(const std::string& text) {
  static const std::vector<std::pair<std::regex, std::string>> kRules = {
      // scheme://host[:port] of URLs (getZoneInfo URL/WebUrl, soap:address, links)
      {std::regex(R"(https?://[A-Za-z0-9.\-\[\]:]+)"), "<origin>"},
      // the run's token in titles and names
      {std::regex(R"(atc-[0-9a-f]{8})"), "<run>"},
      // date-times (with T or a space, optional fraction and zone) and dates
      {std::regex(
           R"([0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)"),
       "<datetime>"},
      // ticket, task, project numbers
      {std::regex(R"(\b[TP][0-9]{4,8}\.[0-9]{1,4}\b)"), "<number>"},
      // usage figures of getThresholdAndUsageInfo, and the calls in a window
      {std::regex(R"(numberOfExternalRequest: [0-9]+)"), "numberOfExternalRequest: <n>"},
      {std::regex(R"(([0-9,]+) bytes were attached)"), "<n> bytes were attached"},
      // ids inside messages
      {std::regex(R"(\b(id|ID|Id|number) [0-9]+)"), "$1 <id>"},
      // large numbers (ids, tenant ids, sizes)
      {std::regex(R"(\b[0-9]{6,}\b)"), "<n>"},
  };
  std::string out = text;
  for (const auto& [re, replacement] : kRules) out = std::regex_replace(out, re, replacement);
  return out;
}

}  // namespace atws::conformance::scenario

#include "conformance/runner/normalise.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

#include "conformance/scenario/matchers.h"

namespace atws::conformance::scenario {
namespace {

std::string Cut(const std::string& s, size_t max = 2000) {
  return s.size() <= max ? s : s.substr(0, max) + fmt::format("… ({} chars)", s.size());
}

std::string MaskValue(const std::string& element, const std::string& text) {
  if (IsIdElement(element) && IsInteger(text)) return "<id>";
  return MaskText(text);
}

std::string CountClass(size_t n) {
  if (n == 0) return "0";
  if (n == 1) return "1";
  if (n == 500) return "500";
  return n < 500 ? "2-499" : "more than 500";
}

// The document as a list of elements in document order.
struct FlatNode {
  int depth = 0;
  std::string name;                                        // local name
  std::vector<std::pair<std::string, std::string>> attrs;  // sorted by name
  std::string text;  // the element's own text (trimmed); for leaves only
  bool leaf = true;
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

void FlattenInto(xml::Node first, int depth, std::vector<FlatNode>* out) {
  for (xml::Node n = first; n; n = n.NextElement()) {
    FlatNode f;
    f.depth = depth;
    f.name = std::string(n.LocalName());
    for (xml::Attribute a = n.FirstAttribute(); a; a = a.Next())
      f.attrs.emplace_back(std::string(a.LocalName()), a.Value());
    std::sort(f.attrs.begin(), f.attrs.end());
    f.leaf = !n.FirstElement();
    if (f.leaf) f.text = Trim(n.DeepText());
    out->push_back(std::move(f));
    if (!out->back().leaf) FlattenInto(n.FirstElement(), depth + 1, out);
  }
}

std::vector<FlatNode> Flatten(const xml::Document& doc) {
  std::vector<FlatNode> out;
  FlattenInto(doc.Root(), 0, &out);
  return out;
}

std::string AttrText(const FlatNode& n) {
  std::string out;
  for (const auto& [k, v] : n.attrs) out += fmt::format(" @{}={}", k, MaskText(v));
  return out;
}

// Elements whose content is tenant data in shape mode.
bool IsDataElement(const std::string& name) {
  return name == "Entity" || name == "Field" || name == "EntityInfo" || name == "PickListValue" ||
         name == "UserDefinedField" || name == "Info";
}

}  // namespace

std::vector<std::string> NormaliseAnswer(const StepResult& r, NormaliseLevel level) {
  std::vector<std::string> out;
  if (!r.ran) {
    out.push_back("not sent");
    return out;
  }
  if (!r.transport_error.empty()) {
    out.push_back("no answer");
    return out;
  }
  if (r.kind == StepKind::kWait) return out;
  out.push_back(fmt::format("HTTP {}", r.http_status));
  for (const auto& [name, value] : r.response_headers) {
    if (name == "www-authenticate") {
      static const std::regex kRealm(R"rx(([Rr]ealm=)"[^"]*")rx");
      out.push_back("WWW-Authenticate: " + std::regex_replace(value, kRealm, "$1\"<host>\""));
    }
  }
  Result<xml::Document> doc = ParseAnswer(r.response_body);
  if (!doc.ok()) {
    if (r.response_body.empty()) return out;
    if (level == NormaliseLevel::kShape) {
      std::string type;
      for (const auto& [name, value] : r.response_headers)
        if (name == "content-type") type = value.substr(0, value.find(';'));
      out.push_back("body: " + (type.empty() ? std::string("(no content type)") : type));
      return out;
    }
    std::string masked = MaskText(r.response_body);
    size_t start = 0;
    while (start < masked.size()) {
      size_t nl = masked.find('\n', start);
      if (nl == std::string::npos) nl = masked.size();
      std::string line = masked.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      out.push_back(Cut(line));
      start = nl + 1;
    }
    return out;
  }
  std::vector<FlatNode> nodes = Flatten(*doc);
  if (level == NormaliseLevel::kStrict) {
    for (const auto& n : nodes) {
      std::string line = std::string(static_cast<size_t>(n.depth) * 2, ' ') + n.name + AttrText(n);
      if (n.leaf && !n.text.empty()) line += " = " + Cut(MaskValue(n.name, n.text));
      out.push_back(std::move(line));
    }
    return out;
  }
  // Shape: the API's own texts in order, then the set of element paths.
  std::vector<std::string> path;
  std::vector<bool> data_stack;
  std::set<std::string> shapes;
  std::vector<size_t> entity_counts;  // per EntityResults
  size_t current_entities = 0;
  int results_depth = -1;
  for (const auto& n : nodes) {
    path.resize(static_cast<size_t>(n.depth));
    data_stack.resize(static_cast<size_t>(n.depth));
    bool in_data = !data_stack.empty() && data_stack.back();
    if (results_depth >= 0 && n.depth <= results_depth) {
      entity_counts.push_back(current_entities);
      results_depth = -1;
    }
    if (n.name == "EntityResults") {
      results_depth = n.depth;
      current_entities = 0;
    }
    if (results_depth >= 0 && n.depth == results_depth + 1 && n.name == "Entity")
      ++current_entities;
    std::string type;
    for (const auto& [k, v] : n.attrs)
      if (k == "type") type = "@" + v;
    std::string p;
    for (const auto& seg : path) p += seg + "/";
    p += n.name + type;
    shapes.insert(p);
    if (n.leaf && !in_data && !n.text.empty())
      out.push_back(p + " = " + Cut(MaskValue(n.name, n.text), 300));
    path.push_back(n.name + (IsDataElement(n.name) ? type : ""));
    data_stack.push_back(in_data || IsDataElement(n.name));
  }
  if (results_depth >= 0) entity_counts.push_back(current_entities);
  for (size_t c : entity_counts) out.push_back("entities: " + CountClass(c));
  for (const auto& s : shapes) out.push_back("has " + s);
  return out;
}

std::vector<std::string> DiffLines(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b, size_t max_lines) {
  std::vector<std::string> out;
  if (a == b) return out;
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  size_t na = a.size() - pre - suf, nb = b.size() - pre - suf;
  const size_t context = 2;
  for (size_t i = pre > context ? pre - context : 0; i < pre; ++i) out.push_back("  " + a[i]);
  if (na * nb <= 250000) {
    // LCS of the middle parts.
    std::vector<std::vector<unsigned>> l(na + 1, std::vector<unsigned>(nb + 1, 0));
    for (size_t i = na; i-- > 0;)
      for (size_t j = nb; j-- > 0;)
        l[i][j] =
            a[pre + i] == b[pre + j] ? l[i + 1][j + 1] + 1 : std::max(l[i + 1][j], l[i][j + 1]);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
      if (i < na && j < nb && a[pre + i] == b[pre + j]) {
        out.push_back("  " + a[pre + i]);
        ++i;
        ++j;
      } else if (i < na && (j == nb || l[i + 1][j] >= l[i][j + 1])) {
        out.push_back("- " + a[pre + i]);
        ++i;
      } else {
        out.push_back("+ " + b[pre + j]);
        ++j;
      }
    }
  } else {
    for (size_t i = 0; i < na; ++i) out.push_back("- " + a[pre + i]);
    for (size_t j = 0; j < nb; ++j) out.push_back("+ " + b[pre + j]);
  }
  for (size_t i = 0; i < std::min(suf, context); ++i) out.push_back("  " + a[a.size() - suf + i]);
  // Drop long runs of equal lines inside (keep context around changes).
  std::vector<std::string> compact;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].rfind("  ", 0) == 0) {
      bool near = false;
      for (size_t k = (i > context ? i - context : 0); k <= std::min(out.size() - 1, i + context);
           ++k)
        if (out[k].rfind("  ", 0) != 0) near = true;
      if (!near) {
        if (compact.empty() || compact.back() != "  …") compact.push_back("  …");
        continue;
      }
    }
    compact.push_back(out[i]);
  }
  if (compact.size() > max_lines) {
    size_t more = compact.size() - max_lines;
    compact.resize(max_lines);
    compact.push_back(fmt::format("… ({} more lines)", more));
  }
  return compact;
}

}  // namespace atws::conformance::scenario

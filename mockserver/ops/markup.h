// Escaping for the HTML and XML documents the service writes itself (invoice markup,
// ExecuteCommand pages). Internal to the service module.
#pragma once

#include <string>
#include <string_view>

namespace atws::service {

// Appends `s` as text content or a double- or single-quoted attribute value of HTML or XML:
// & < > " ' are escaped, and control characters that XML 1.0 forbids are dropped (tab, line
// feed and carriage return are kept).
inline void AppendEscaped(std::string* out, std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#39;");
        break;
      default:
        if (c < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') break;
        if (c == 0x7F) break;
        out->push_back(ch);
    }
  }
}

inline std::string Escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  AppendEscaped(&out, s);
  return out;
}

}  // namespace atws::service

// Text and file helpers of the unit and integration tests, with no dependency on the mock.
// Header-only; every function is pure (ReadFile reads the file system) and thread-safe.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace atws::testing {

// The text between the first `open` at or after `from` and the next `close` after it; "" when
// either is missing.
inline std::string Between(const std::string& s, const std::string& open, const std::string& close,
                           size_t from = 0) {
  size_t a = s.find(open, from);
  if (a == std::string::npos) return "";
  a += open.size();
  size_t b = s.find(close, a);
  return b == std::string::npos ? "" : s.substr(a, b - a);
}

// How often `what` occurs in `s` (overlapping occurrences counted).
inline size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// The whole file as bytes; std::runtime_error when it cannot be opened.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace atws::testing

#include "store/sql_functions.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "common/text.h"

namespace atws::store {

namespace {

std::string_view ArgStr(sqlite3_value* v) {
  const unsigned char* p = sqlite3_value_text(v);
  if (!p) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_value_bytes(v)));
}

int NoCaseCollate(void*, int n1, const void* p1, int n2, const void* p2) {
  return FoldCompare(std::string_view(static_cast<const char*>(p1), n1),
                     std::string_view(static_cast<const char*>(p2), n2));
}

void FoldFunc(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  std::string r = FoldCase(ArgStr(argv[0]));
  sqlite3_result_text(ctx, r.data(), static_cast<int>(r.size()), SQLITE_TRANSIENT);
}

// LIKE over already-folded (or case-sensitive) texts: % any run, _ one code point,
// backslash escapes the next character.
bool LikeMatch(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  auto cp_len = [](std::string_view t, size_t i) -> size_t {
    unsigned char c = static_cast<unsigned char>(t[i]);
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    return std::min(n, t.size() - i);
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
      continue;
    }
    if (pi < p.size()) {
      if (p[pi] == '_') {
        si += cp_len(s, si);
        ++pi;
        continue;
      }
      size_t lit = pi;
      if (p[pi] == '\\' && pi + 1 < p.size()) lit = pi + 1;
      size_t n = cp_len(p, lit);
      if (s.compare(si, n, p.substr(lit, n)) == 0) {
        si += n;
        pi = lit + n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    star_s += cp_len(s, star_s);
    si = star_s;
    pi = star_p;
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

void LikeFunc(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  bool cs = sqlite3_user_data(ctx) != nullptr;
  if (cs) {
    sqlite3_result_int(ctx, LikeMatch(ArgStr(argv[0]), ArgStr(argv[1])) ? 1 : 0);
  } else {
    sqlite3_result_int(ctx,
                       LikeMatch(FoldCase(ArgStr(argv[0])), FoldCase(ArgStr(argv[1]))) ? 1 : 0);
  }
}

std::string Soundex(std::string_view s) {
  static const char kCodes[] = "01230120022455012623010202";  // a..z
  std::string out;
  char last = 0;
  for (char c : s) {
    char l = AsciiLower(c);
    if (l < 'a' || l > 'z') continue;
    char code = kCodes[l - 'a'];
    if (out.empty()) {
      out.push_back(static_cast<char>(l - 32));
      last = code;
      continue;
    }
    if (code != '0' && code != last) out.push_back(code);
    if (l != 'h' && l != 'w') last = code;
    if (out.size() == 4) break;
  }
  if (out.empty()) return "";
  while (out.size() < 4) out.push_back('0');
  return out;
}

void SoundexFunc(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  std::string r = Soundex(ArgStr(argv[0]));
  sqlite3_result_text(ctx, r.data(), static_cast<int>(r.size()), SQLITE_TRANSIENT);
}

}  // namespace

void RegisterFunctions(sqlite3* db) {
  sqlite3_create_collation(db, "ATWS_NOCASE", SQLITE_UTF8, nullptr, NoCaseCollate);
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  sqlite3_create_function(db, "atws_fold", 1, flags, nullptr, FoldFunc, nullptr, nullptr);
  sqlite3_create_function(db, "atws_like", 2, flags, nullptr, LikeFunc, nullptr, nullptr);
  static int cs_marker = 1;
  sqlite3_create_function(db, "atws_like_cs", 2, flags, &cs_marker, LikeFunc, nullptr, nullptr);
  sqlite3_create_function(db, "atws_soundex", 1, flags, nullptr, SoundexFunc, nullptr, nullptr);
}

}  // namespace atws::store

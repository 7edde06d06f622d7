// Values that travel between the store and its callers.
//
// Value owns its text: a bound parameter or a row read into memory, safe to keep. Cell is a
// view of one column of the current row, filled by Statement::ReadCells for readers of many
// rows (the query page writer): its text points into SQLite's row buffer and is valid only
// until the statement steps, resets or is destroyed. Plain data; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace atws::store {

// A value to bind or read. Text for strings and stored date-times.
struct Value {
  enum class Kind : uint8_t { kNull, kInt, kReal, kText };
  Kind kind = Kind::kNull;
  long long i = 0;
  double d = 0;
  std::string s;
  static Value Null() { return Value(); }
  static Value Int(long long v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Real(double v) {
    Value x;
    x.kind = Kind::kReal;
    x.d = v;
    return x;
  }
  static Value Text(std::string v) {
    Value x;
    x.kind = Kind::kText;
    x.s = std::move(v);
    return x;
  }
  bool is_null() const { return kind == Kind::kNull; }
};

// How Statement::ReadCells reads a column: not at all, or converted to one C type the way
// SQLite converts (an integer column read as text gives its decimal digits, and so on).
enum class CellRead : uint8_t { kSkip, kInt, kReal, kText };

// One column of the current row as ReadCells read it. A NULL column (and a skipped one) has
// is_null set and zeros elsewhere; otherwise the member its CellRead names holds the value.
struct Cell {
  bool is_null = true;
  long long i = 0;             // kInt
  double d = 0;                // kReal
  const char* text = nullptr;  // kText: `size` bytes, valid until the statement moves on
  size_t size = 0;
  std::string_view view() const { return std::string_view(text, size); }
};

}  // namespace atws::store

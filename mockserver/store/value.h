// Values that travel between the store and its callers.
//
// Value owns its text: a bound parameter or a row read into memory, safe to keep. Cell is a
// view of one column of the current row, filled by Statement::ReadCells (as a CellPlan says) for
// readers of many rows (the query page writer): its text points into SQLite's row buffer and is
// valid only until the statement steps, resets or is destroyed. DataVersion names a state of a
// tenant's data. Plain data; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// Which columns ReadCells reads, and as what (how[c] for column c): made once for a statement,
// used for every row. The columns are grouped by kind, so reading a row tests no kind.
class CellPlan {
 public:
  explicit CellPlan(const std::vector<CellRead>& how) : size_(static_cast<int>(how.size())) {
    for (int c = 0; c < size_; ++c) {
      switch (how[static_cast<size_t>(c)]) {
        case CellRead::kSkip:
          skip_.push_back(c);
          break;
        case CellRead::kInt:
          ints_.push_back(c);
          break;
        case CellRead::kReal:
          reals_.push_back(c);
          break;
        case CellRead::kText:
          texts_.push_back(c);
          break;
      }
    }
  }
  int size() const { return size_; }  // columns 0 .. size() - 1

 private:
  friend class Statement;
  int size_;
  std::vector<int> skip_, ints_, reals_, texts_;
};

// One column of the current row as ReadCells read it: is_null for NULL (and for a column not
// read), and then nothing else is set; otherwise the member its CellRead names holds the
// value. 16 bytes: a row of a page is read into an array of them and written out from there.
struct Cell {
  union {
    long long i;       // kInt
    double d;          // kReal
    const char* text;  // kText: `size` bytes, valid until the statement moves on
  };
  uint32_t size;  // kText
  bool is_null;
  std::string_view view() const { return std::string_view(text, size); }
};

// What the tenant's data is at one moment: equal versions hold the same rows. Response caches
// compare it (every write changes it: API writes, admin changes, a reset, even raw SQL).
struct DataVersion {
  const void* connection = nullptr;  // changes when SwapContents exchanges the connection
  uint64_t generation = 0;           // TenantDb::generation()
  int64_t changes = 0;               // rows changed on the connection since it was opened
  bool operator==(const DataVersion& o) const {
    return connection == o.connection && generation == o.generation && changes == o.changes;
  }
};

}  // namespace atws::store

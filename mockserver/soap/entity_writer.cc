#include "soap/entity_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/text.h"
#include "common/timeutil.h"

namespace atws::soap {

using catalog::Field;
using catalog::FieldType;
using store::Cell;
using store::CellRead;

namespace {

// Decimal digits of an integer, without a temporary string.
void AppendInt(std::string* out, long long v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

// PutEscaped's sixteen-byte scan tests these five bytes: the ones AppendXmlEscaped escapes.
constexpr bool EscapesAreTheFive() {
  for (int c = 0; c < 256; ++c) {
    const bool five = c == '&' || c == '<' || c == '>' || c == '"' || c == '\r';
    if (detail::kXmlSpecial[static_cast<size_t>(c)] != five) return false;
  }
  return true;
}
static_assert(EscapesAreTheFive(), "PutEscaped's SSE2 scan must test AppendXmlEscaped's bytes");

// How a field type's values are read from their column.
CellRead ReadAs(FieldType t) {
  switch (t) {
    case FieldType::kBoolean:
    case FieldType::kInteger:
    case FieldType::kLong:
    case FieldType::kShort:
      return CellRead::kInt;
    case FieldType::kDouble:
    case FieldType::kFloat:
    case FieldType::kDecimal:
      return CellRead::kReal;
    case FieldType::kDateTime:
    case FieldType::kString:
      return CellRead::kText;
  }
  return CellRead::kText;
}

// A value that is not NULL, read as ReadAs(t), as the answer writes it.
void AppendValue(std::string* out, const Cell& v, FieldType t) {
  switch (t) {
    case FieldType::kBoolean:
      out->append(v.i ? "true" : "false");
      return;
    case FieldType::kInteger:
    case FieldType::kLong:
    case FieldType::kShort:
      AppendInt(out, v.i);
      return;
    case FieldType::kDouble:
    case FieldType::kFloat:
    case FieldType::kDecimal: {
      // As FormatDouble (shortest form that reads back the same), without a temporary string.
      char buf[40];
      auto end = fmt::format_to_n(buf, sizeof buf, "{}", v.d);
      out->append(buf, std::min(end.size, sizeof buf));
      return;
    }
    case FieldType::kDateTime:
      AppendApiFromStorage(out, v.view());
      return;
    case FieldType::kString:
      AppendXmlEscaped(out, v.view());
      return;
  }
}

// Appends to a string through a plain pointer: the caller makes room with Need() (the string
// grows by doubling when it must) and then writes with Put*, which do not check; Done() cuts the
// string to what was written. A 500-row page is 40,000 values, each with its markup: the checks
// and calls of std::string::append on every piece were a tenth of a page's cost under perf.
// Writes the same text as the std::string functions (AppendXmlEscaped, AppendApiFromStorage,
// AppendInt, FormatDouble's shortest form).
class RawWriter {
 public:
  explicit RawWriter(std::string* s) : s_(s), used_(s->size()) {
    // Room is made (and zero-filled by resize) in doubling steps, not up to the capacity at
    // once: a small answer after a large one on the same thread would clear a megabyte.
    s_->resize(used_ + 64 * 1024);
    Reset();
  }
  ~RawWriter() { Done(); }
  void Need(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) Grow(n);
  }
  void Put(std::string_view v) {
    std::memcpy(p_, v.data(), v.size());
    p_ += v.size();
  }
  void PutInt(long long v) {
    // Most integers of a page are one digit (codes, flags, counts): no call for those.
    if (v >= 0 && v < 10) {
      *p_++ = static_cast<char>('0' + v);
      return;
    }
    p_ = std::to_chars(p_, p_ + 24, v).ptr;
  }
  void PutDouble(double v) {
    auto r = fmt::format_to_n(p_, 40, "{}", v);
    p_ += std::min<size_t>(r.size, 40);
  }
  // As AppendApiFromStorage.
  void PutDateTime(std::string_view stored) { Put(ApiFromStorage(stored)); }
  // As AppendXmlEscaped (the same escapes, XmlEscapeOf).
  void PutEscaped(std::string_view v) {
    const char* q = v.data();
    const char* end = q + v.size();
#if defined(__SSE2__)
    // Sixteen bytes at a time while none of them is to be escaped (most text): the page's
    // strings are a third of its bytes, and a byte at a time was most of the writer's own cost.
    const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'),
                  quot = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
    while (end - q >= 16) {
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      const __m128i hit =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, amp), _mm_cmpeq_epi8(b, lt)),
                       _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, gt), _mm_cmpeq_epi8(b, quot)),
                                    _mm_cmpeq_epi8(b, cr)));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
      const size_t plain = mask ? static_cast<size_t>(__builtin_ctz(mask)) : 16;
      std::memcpy(p_, q, 16);  // room for it: Need() counted the escapes' bytes
      p_ += plain;
      q += plain;
      if (mask) Put(XmlEscapeOf(static_cast<unsigned char>(*q++)));
    }
#endif
    while (q < end) {
      const char* run = q;
      while (q < end && !NeedsXmlEscape(static_cast<unsigned char>(*q))) ++q;
      std::memcpy(p_, run, static_cast<size_t>(q - run));
      p_ += q - run;
      if (q == end) break;
      Put(XmlEscapeOf(static_cast<unsigned char>(*q++)));
    }
  }
  void Done() {
    if (!s_) return;
    s_->resize(static_cast<size_t>(p_ - s_->data()));
    s_ = nullptr;
  }

 private:
  void Reset() {
    p_ = s_->data() + used_;
    end_ = s_->data() + s_->size();
  }
  void Grow(size_t n) {
    used_ = static_cast<size_t>(p_ - s_->data());
    size_t want = s_->size() * 2;
    // Within the reserved capacity first (no reallocation), doubling beyond it.
    if (want > s_->capacity() && used_ + n <= s_->capacity()) want = s_->capacity();
    s_->resize(std::max(want, used_ + n));
    Reset();
  }
  std::string* s_;
  size_t used_;
  char* p_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace

Result<EntityPage> AppendEntities(std::string* out_ptr, store::TenantDb& db,
                                  const catalog::Entity& e, catalog::Flavour flavour,
                                  const std::string& where, const std::vector<store::Value>& params,
                                  const std::vector<int>* hidden) {
  std::string& out = *out_ptr;
  const auto& order = e.order[static_cast<int>(flavour)];
  const auto& udfs = db.Udfs(db.catalog().EntityIndex(&e));
  std::string sql = "SELECT id";
  for (int idx : order) sql += ", " + store::TenantDb::Quote(e.fields[idx].name);
  for (const auto& u : udfs) sql += ", " + store::TenantDb::Quote(u.column);
  sql += " FROM " + store::TenantDb::Quote(e.name) + " WHERE (" + where + ") ORDER BY id LIMIT 500";
  // A long WHERE clause (many criteria) gets a statement for this call only: cached, every
  // distinct shape would keep megabytes in the tenant's statement cache (up to 512 entries),
  // and a client varying the number of criteria would grow it without end (docs/reliability.md).
  constexpr size_t kMaxCachedWhere = 2048;
  auto st = where.size() > kMaxCachedWhere ? db.PrepareOnce(sql) : db.Prepare(sql);
  if (!st.ok()) return st.status();
  st->BindAll(params);

  // The markup around each column's value, made once per call rather than once per row and
  // column: `<Name xsi:type="xsd:int">`, `</Name>` and, for strings, the empty element.
  struct Column {
    std::string open, close, empty;
    FieldType type;
    bool hidden;
  };
  std::vector<Column> columns;
  columns.reserve(order.size());
  for (int idx : order) {
    const Field& f = e.fields[idx];
    Column c;
    std::string_view xsd = catalog::XsdTypeName(f.type);
    c.open.reserve(f.name.size() + xsd.size() + 14);
    c.open.append("<").append(f.name).append(" xsi:type=\"").append(xsd);
    c.empty = c.open + "\"/>";
    c.open += "\">";
    c.close.append("</").append(f.name).append(">");
    c.type = f.type;
    c.hidden = hidden && std::find(hidden->begin(), hidden->end(), idx) != hidden->end();
    columns.push_back(std::move(c));
  }
  std::vector<std::string> udf_open;  // <UserDefinedField><Name>escaped name</Name>
  udf_open.reserve(udfs.size());
  for (const auto& u : udfs) {
    std::string o = "<UserDefinedField><Name>";
    AppendXmlEscaped(&o, u.name);
    o += "</Name>";
    udf_open.push_back(std::move(o));
  }
  std::string entity_open = "<Entity xsi:type=\"" + e.name + "\"><id>";

  // Each row is read in one call into `cells`: [0] the id, [1, 1 + ncols) the fields in
  // order (hidden ones skipped), then the UDFs.
  const int ncols = static_cast<int>(order.size());
  const int ncells = 1 + ncols + static_cast<int>(udfs.size());
  std::vector<CellRead> how(static_cast<size_t>(ncells));
  how[0] = CellRead::kInt;
  for (int k = 0; k < ncols; ++k)
    how[1 + k] = columns[k].hidden ? CellRead::kSkip : ReadAs(columns[k].type);
  for (size_t u = 0; u < udfs.size(); ++u) how[1 + ncols + u] = ReadAs(udfs[u].field_type());
  const store::CellPlan plan(how);
  std::vector<Cell> cells(static_cast<size_t>(ncells));
  const Cell* udf_cells = cells.data() + 1 + ncols;

  EntityPage page;
  store::StepResult step;
  RawWriter w(&out);
  std::string udf_value;
  while ((step = st->Step()) == store::StepResult::kRow) {
    st->ReadCells(plan, cells.data());
    ++page.rows;
    page.last_id = cells[0].is_null ? 0 : cells[0].i;
    w.Need(entity_open.size() + 24 + 64);
    w.Put(entity_open);
    w.PutInt(page.last_id);
    w.Put("</id>");
    // UDFs: every UDF listed with its value; none at all when every value is null.
    bool any = false;
    for (size_t u = 0; u < udfs.size() && !any; ++u) any = !udf_cells[u].is_null;
    if (!any) {
      w.Put("<UserDefinedFields/>");
    } else {
      w.Put("<UserDefinedFields>");
      for (size_t u = 0; u < udfs.size(); ++u) {
        udf_value.clear();
        if (!udf_cells[u].is_null) {
          udf_value += "<Value>";
          AppendValue(&udf_value, udf_cells[u], udfs[u].field_type());
          udf_value += "</Value>";
        }
        w.Need(udf_open[u].size() + udf_value.size() + 64);
        w.Put(udf_open[u]);
        w.Put(udf_value);
        w.Put("</UserDefinedField>");
      }
      w.Need(64);
      w.Put("</UserDefinedFields>");
    }
    for (int k = 0; k < ncols; ++k) {
      const Column& c = columns[k];
      const Cell& v = cells[1 + k];
      if (v.is_null) continue;  // NULL, or hidden (never read)
      if (c.type == FieldType::kString || c.type == FieldType::kDateTime) {
        const size_t n = v.size;
        if (c.type == FieldType::kString) {
          if (n == 0) {
            w.Need(c.empty.size());
            w.Put(c.empty);
            continue;
          }
          w.Need(c.open.size() + c.close.size() + kMaxXmlEscapeBytes * n);
          w.Put(c.open);
          w.PutEscaped(v.view());
        } else {
          w.Need(c.open.size() + c.close.size() + n);
          w.Put(c.open);
          w.PutDateTime(v.view());
        }
        w.Put(c.close);
        continue;
      }
      w.Need(c.open.size() + c.close.size() + 48);
      w.Put(c.open);
      switch (c.type) {
        case FieldType::kBoolean:
          w.Put(v.i ? std::string_view("true") : std::string_view("false"));
          break;
        case FieldType::kDouble:
        case FieldType::kFloat:
        case FieldType::kDecimal:
          w.PutDouble(v.d);
          break;
        default:
          w.PutInt(v.i);
          break;
      }
      w.Put(c.close);
    }
    w.Need(16);
    w.Put("</Entity>");
  }
  w.Done();
  if (step == store::StepResult::kError) return st->error();
  return page;
}

}  // namespace atws::soap

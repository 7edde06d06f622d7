#include "query/query.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <memory>

#include "common/text.h"
#include "xml/xml.h"

namespace atws::query {

using catalog::Entity;
using catalog::Field;
using catalog::FieldType;
using store::TenantDb;
using store::UdfDef;
using store::Value;

namespace {

enum class Op {
  kEquals,
  kNotEqual,
  kGreaterThan,
  kLessThan,
  kGreaterThanOrEquals,
  kLessThanOrEquals,
  kBeginsWith,
  kEndsWith,
  kContains,
  kIsNull,
  kIsNotNull,
  kIsThisDay,
  kLike,
  kNotLike,
  kSoundsLike
};

// Canonical spellings as the help page writes them (note "GreaterThanorEquals").
constexpr struct {
  std::string_view name;
  Op op;
} kOps[] = {
    {"Equals", Op::kEquals},
    {"NotEqual", Op::kNotEqual},
    {"GreaterThan", Op::kGreaterThan},
    {"LessThan", Op::kLessThan},
    {"GreaterThanorEquals", Op::kGreaterThanOrEquals},
    {"LessThanOrEquals", Op::kLessThanOrEquals},
    {"BeginsWith", Op::kBeginsWith},
    {"EndsWith", Op::kEndsWith},
    {"Contains", Op::kContains},
    {"IsNull", Op::kIsNull},
    {"IsNotNull", Op::kIsNotNull},
    {"IsThisDay", Op::kIsThisDay},
    {"Like", Op::kLike},
    {"NotLike", Op::kNotLike},
    {"SoundsLike", Op::kSoundsLike},
};

// Value categories of the type-support matrix.
enum class Kind { kString, kInteger, kReal, kDateTime, kBoolean };

Kind KindOf(FieldType t) {
  switch (t) {
    case FieldType::kBoolean:
      return Kind::kBoolean;
    case FieldType::kDateTime:
      return Kind::kDateTime;
    case FieldType::kInteger:
    case FieldType::kLong:
    case FieldType::kShort:
      return Kind::kInteger;
    case FieldType::kDecimal:
    case FieldType::kDouble:
    case FieldType::kFloat:
      return Kind::kReal;
    case FieldType::kString:
      return Kind::kString;
  }
  return Kind::kString;
}

// The help page's data-type support matrix (SoundsLike, absent there, is treated like the
// other pattern operators: strings only).
bool Supports(Op op, Kind k) {
  switch (op) {
    case Op::kEquals:
    case Op::kNotEqual:
    case Op::kIsNull:
    case Op::kIsNotNull:
      return true;
    case Op::kGreaterThan:
    case Op::kLessThan:
    case Op::kGreaterThanOrEquals:
    case Op::kLessThanOrEquals:
      return k != Kind::kBoolean;
    case Op::kBeginsWith:
    case Op::kEndsWith:
    case Op::kContains:
    case Op::kLike:
    case Op::kNotLike:
    case Op::kSoundsLike:
      return k == Kind::kString;
    case Op::kIsThisDay:
      return k == Kind::kDateTime;
  }
  return false;
}

// User text echoed in an error message is cut to this many bytes (on a UTF-8 boundary).
constexpr size_t kMaxEcho = 200;

std::string Clip(std::string_view s) {
  if (s.size() <= kMaxEcho) return std::string(s);
  size_t n = kMaxEcho;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  std::string r(s.substr(0, n));
  r += "…";
  return r;
}

using xml::Node;

bool IsElement(Node n, std::string_view name) {
  return n.IsElement() && AsciiIEquals(n.LocalName(), name);
}

// Hardened parse (xml::Document::Parse): no network, no DTD loading, no entity substitution,
// errors not printed; a DOCTYPE stops the parse at once and is refused.
Result<xml::Document> ParseSxml(std::string_view sxml, const Options& opt) {
  if (sxml.size() > opt.max_sxml_bytes || sxml.size() > static_cast<size_t>(INT_MAX))
    return Status::InvalidArgument(fmt::format(
        "The query is too large ({} bytes; the limit is {}).", sxml.size(), opt.max_sxml_bytes));
  // Clients wrap the document in CDATA with surrounding whitespace; an XML declaration is
  // only allowed at the very start.
  sxml = Trim(sxml);
  xml::ParseOptions po;
  po.max_bytes = static_cast<size_t>(INT_MAX);
  po.max_depth = 0;  // <condition> nesting is limited while compiling (Options::max_depth)
  po.max_attributes = 256;
  // The text is already decoded (it came out of the SOAP envelope as UTF-8): forced UTF-8, so
  // an encoding="…" declaration inside cannot change how the bytes are read.
  po.force_utf8 = true;
  po.stop_at_doctype = true;
  xml::ParseError why;
  Result<xml::Document> doc = xml::Document::Parse(sxml, po, &why);
  if (doc.ok()) return doc;
  switch (why.kind) {
    case xml::ParseError::Kind::kAttributes:
      return Status::InvalidArgument("Invalid query XML: an element has more than 256 attributes.");
    case xml::ParseError::Kind::kSyntax:
      return Status::InvalidArgument(fmt::format("Invalid query XML: {} (line {}).",
                                                 Clip(why.reason.value_or("unknown error")),
                                                 why.line));
    case xml::ParseError::Kind::kNoRoot:
      return Status::InvalidArgument("Invalid query XML: the root element must be <queryxml>.");
    default:  // "DTD is not allowed.", "out of memory"
      return doc.status();
  }
}

// A compiled boolean expression (empty sql = no criteria).
struct Expr {
  std::string sql;
  int parens = 0;        // nesting depth of parentheses in `sql`
  long long id_gt = -1;  // lower bound on id that every matching row satisfies (-1: none)
};

// SQLite's parser overflows at about 100 nested parentheses and refuses expression trees
// deeper than 1000; queries whose SQL would nest deeper than this are refused.
constexpr int kMaxParens = 64;
// SQLITE_MAX_VARIABLE_NUMBER of SQLite >= 3.32.
constexpr size_t kMaxParams = 32766;

// Joins `terms[lo, hi)` with one operator, as a balanced tree of parenthesised pairs: AND and
// OR are associative, and a balanced tree keeps SQLite's parser stack and expression depth
// logarithmic in the number of terms (a flat "a AND b AND c …" is a left-deep tree of depth
// n for SQLite). Text order, and so parameter order, stays the document order.
Expr Balanced(std::vector<Expr>& terms, size_t lo, size_t hi, bool is_or) {
  if (hi - lo == 1) return std::move(terms[lo]);
  size_t mid = lo + (hi - lo) / 2;
  Expr l = Balanced(terms, lo, mid, is_or);
  Expr r = Balanced(terms, mid, hi, is_or);
  Expr e;
  e.sql.reserve(l.sql.size() + r.sql.size() + 7);
  e.sql += "(";
  e.sql += l.sql;
  e.sql += is_or ? " OR " : " AND ";
  e.sql += r.sql;
  e.sql += ")";
  e.parens = 1 + std::max(l.parens, r.parens);
  if (is_or)
    e.id_gt = (l.id_gt >= 0 && r.id_gt >= 0) ? std::min(l.id_gt, r.id_gt) : -1;
  else
    e.id_gt = std::max(l.id_gt, r.id_gt);
  return e;
}

// Left-to-right combination of siblings (see Compiler::Group): runs of the same operator are
// collected and closed into one term when the operator changes.
class Chain {
 public:
  void Add(Expr t, bool is_or) {
    if (t.sql.empty()) return;  // a condition without criteria
    if (run_.size() >= 2 && is_or != run_or_) {
      Expr closed = Balanced(run_, 0, run_.size(), run_or_);
      run_.clear();
      run_.push_back(std::move(closed));
    }
    if (run_.size() == 1) run_or_ = is_or;
    run_.push_back(std::move(t));
  }
  Expr Finish() {
    if (run_.empty()) return Expr();
    Expr e = Balanced(run_, 0, run_.size(), run_or_);
    run_.clear();
    return e;
  }

 private:
  std::vector<Expr> run_;
  bool run_or_ = false;
};

// Escapes a literal for atws_like / atws_like_cs: backslash, % and _ get a backslash.
std::string LikeEscape(std::string_view s) {
  std::string r;
  r.reserve(s.size() + 8);
  for (char c : s) {
    if (c == '\\' || c == '%' || c == '_') r.push_back('\\');
    r.push_back(c);
  }
  return r;
}

// A Like / NotLike pattern: % and _ stay wildcards; a backslash is a literal character (SQL
// Server's LIKE has no escape character unless ESCAPE is given).
std::string LikePattern(std::string_view s) {
  std::string r;
  r.reserve(s.size() + 8);
  for (char c : s) {
    if (c == '\\') r.push_back('\\');
    r.push_back(c);
  }
  return r;
}

CivilTime DayStart(const CivilTime& t, int add_days) {
  CivilTime d;
  long long z = DaysFromCivil(t.year, t.month, t.day) + add_days;
  CivilFromDays(z, &d.year, &d.month, &d.day);
  return d;
}

class Compiler {
 public:
  Compiler(const catalog::Catalog& cat, const TenantDb& db, const Options& opt, Compiled* out,
           std::string* error)
      : cat_(cat), db_(db), opt_(opt), out_(out), error_(error) {}

  bool Run(std::string_view sxml) {
    Result<xml::Document> doc = ParseSxml(sxml, opt_);
    if (!doc.ok()) return doc.status().Into(error_);
    const Node root = doc->Root();
    if (!root || !IsElement(root, "queryxml"))
      return Fail("Invalid query XML: the root element must be <queryxml>.");
    Node entity_el;
    Node query_el;
    for (Node c = root.FirstElement(); c; c = c.NextElement()) {
      if (IsElement(c, "entity")) {
        if (entity_el) return Fail("Invalid query XML: more than one <entity> element.");
        entity_el = c;
      } else if (IsElement(c, "query")) {
        if (query_el) return Fail("Invalid query XML: more than one <query> element.");
        query_el = c;
      } else {
        return Fail(fmt::format("Invalid query XML: unexpected element <{}> in <queryxml>.",
                                Clip(c.LocalName())));
      }
    }
    std::string entity_name = entity_el ? std::string(Trim(entity_el.DeepText())) : "";
    if (entity_name.empty())
      return Fail("Invalid query XML: the query does not name an entity (<entity> is missing).");
    entity_ = cat_.Find(entity_name);
    if (!entity_) return Fail(fmt::format("Unable to find the entity {}.", Clip(entity_name)));
    entity_index_ = cat_.EntityIndex(entity_);
    udf_limit_ = IsVbEntity(entity_->name) ? opt_.max_udfs_vb : opt_.max_udfs_csharp;

    Expr where;
    if (query_el && !Group(query_el, 0, false, &where)) return false;
    if (where.parens > kMaxParens || out_->params.size() > kMaxParams)
      return Fail(
          "Invalid query syntax. The query is too complex (too many alternations of AND and OR "
          "or too many criteria).");
    out_->entity = entity_;
    out_->where = where.sql.empty() ? "1" : std::move(where.sql);
    out_->id_greater_than = where.id_gt;
    out_->or_conditions = or_count_;
    out_->distinct_udfs = static_cast<int>(udfs_.size());
    return true;
  }

 private:
  bool Fail(std::string msg) {
    *error_ = std::move(msg);
    return false;
  }

  bool CountOr() {
    if (++or_count_ > opt_.max_or_conditions)
      return Fail(
          fmt::format("Invalid query syntax. Queries are limited to {} or fewer 'OR' conditions.",
                      opt_.max_or_conditions));
    return true;
  }

  // Compiles the children of <query> or of a <condition> at nesting `depth` (0 = <query>).
  //
  // Siblings combine strictly left to right: a <field> or an AND <condition> is AND-ed with
  // everything before it, an OR <condition> is OR-ed with everything before it. So
  //   a, b, <condition operator="OR">c</condition>, d
  // is (((a AND b) OR c) AND d). This is how python-atws builds "WHERE a AND b OR (c)" (each
  // OR'ed part wrapped in <condition operator="OR">); the real server's precedence is not
  // documented. Inside a condition its own children combine by the same rule. A condition
  // without criteria contributes nothing.
  bool Group(Node parent, int depth, bool in_or, Expr* out) {
    Chain chain;
    for (Node c = parent.FirstElement(); c; c = c.NextElement()) {  // not whitespace, comments
      if (IsElement(c, "field")) {
        Expr t;
        if (!FieldTerm(c, depth, in_or, &t)) return false;
        chain.Add(std::move(t), false);
      } else if (IsElement(c, "condition")) {
        bool is_or = false;
        std::string op;
        if (c.AttributeValue("operator", &op)) {
          std::string_view o = Trim(op);
          if (AsciiIEquals(o, "OR")) {
            is_or = true;
          } else if (!o.empty() && !AsciiIEquals(o, "AND")) {
            return Fail(fmt::format(
                "Invalid query XML: invalid condition operator '{}' (expected AND or OR).",
                Clip(o)));
          }
        }
        if (depth + 1 > opt_.max_depth)
          return Fail(
              fmt::format("Invalid query XML: conditions are nested more than {} levels deep.",
                          opt_.max_depth));
        if (is_or && !CountOr()) return false;
        Expr sub;
        if (!Group(c, depth + 1, in_or || is_or, &sub)) return false;
        chain.Add(std::move(sub), is_or);
      } else {
        return Fail(fmt::format("Invalid query XML: unexpected element <{}> in <{}>.",
                                Clip(c.LocalName()), parent.LocalName()));
      }
    }
    *out = chain.Finish();
    return true;
  }

  bool FieldTerm(Node el, int depth, bool in_or, Expr* out) {
    std::string udf_attr;
    bool udf = false;
    if (el.AttributeValue("udf", &udf_attr)) {
      std::string_view u = Trim(udf_attr);
      udf = AsciiIEquals(u, "true") || u == "1";
    }
    std::string name(Trim(el.DirectText()));
    Node expr;
    int nexpr = 0;
    for (Node c = el.FirstElement(); c; c = c.NextElement()) {
      if (!IsElement(c, "expression"))
        return Fail(fmt::format("Invalid query XML: unexpected element <{}> in <field>.",
                                Clip(c.LocalName())));
      if (!expr) expr = c;
      ++nexpr;
    }
    if (name.empty()) return Fail("Invalid query XML: a <field> element has no field name.");
    if (nexpr == 0)
      return Fail(fmt::format(
          "Invalid query XML: field {} has no expression (each <field> needs exactly one "
          "<expression op=\"…\">).",
          Clip(name)));
    if (nexpr > 1)
      return Fail(
          fmt::format("Invalid query XML: field {} has more than one <expression>.", Clip(name)));
    std::string op_attr;
    if (!expr.AttributeValue("op", &op_attr))
      return Fail(fmt::format("Invalid query XML: the expression of field {} has no op attribute.",
                              Clip(name)));
    std::string raw = expr.DeepText();
    if (in_or && !CountOr()) return false;

    // Resolve the field: catalog field or UDF.
    std::string canonical;
    std::string col;
    FieldType type;
    bool is_protected = false;
    bool is_id = false;
    if (udf) {
      const UdfDef* d = db_.FindUdf(entity_index_, name);
      if (!d)
        return Fail(fmt::format("Unable to find user-defined field {} in the {} entity.",
                                Clip(name), entity_->name));
      if (std::find(udfs_.begin(), udfs_.end(), d->id) == udfs_.end()) {
        udfs_.push_back(d->id);
        if (static_cast<int>(udfs_.size()) > udf_limit_)
          return Fail(
              fmt::format("Queries on the {} entity are limited to {} user-defined field(s).",
                          entity_->name, udf_limit_));
      }
      canonical = d->name;
      col = TenantDb::Quote(d->column);
      type = d->field_type();
      is_protected = d->is_protected;
    } else {
      const Field* f = entity_->FindField(name);
      if (!f)
        return Fail(
            fmt::format("Unable to find field {} in the {} entity.", Clip(name), entity_->name));
      if (!f->queryable) return Fail(fmt::format("Field {} is not queryable.", f->name));
      canonical = f->name;
      col = TenantDb::Quote(f->name);
      type = f->type;
      is_id = f->name == "id";
    }

    std::string_view op_name = CanonicalOperator(Trim(op_attr));
    if (op_name.empty())
      return Fail(fmt::format("Invalid operator '{}' for field {}.", Clip(op_attr), canonical));
    Op op = Op::kEquals;
    for (const auto& o : kOps)
      if (o.name == op_name) op = o.op;
    Kind kind = KindOf(type);
    if (!Supports(op, kind))
      return Fail(fmt::format("Operator {} is not supported for field {} of type {}.", op_name,
                              canonical, catalog::FieldTypeName(type)));

    Condition cond;
    cond.field = canonical;
    cond.udf = udf;
    cond.op = std::string(op_name);
    cond.value = raw;
    cond.depth = depth;
    cond.in_or = in_or;
    out_->conditions.push_back(std::move(cond));

    out->parens = 2;  // "(… f(…) …)"
    if (op == Op::kIsNull) {
      out->sql = "(" + col + " IS NULL)";
      return true;
    }
    if (op == Op::kIsNotNull) {
      out->sql = "(" + col + " IS NOT NULL)";
      return true;
    }

    auto invalid = [&]() {
      return Fail(fmt::format("Value '{}' is not valid for field {} of type {}.", Clip(raw),
                              canonical, catalog::FieldTypeName(type)));
    };
    // The bound value, converted to the column's storage form.
    Value v;
    CivilTime when;
    switch (kind) {
      case Kind::kString:
        // Strings are taken as written, except that a value of only whitespace is empty.
        v = Value::Text(Trim(raw).empty() ? std::string() : raw);
        break;
      case Kind::kInteger: {
        long long n;
        if (!ParseInt64(Trim(raw), &n)) return invalid();
        v = Value::Int(n);
        break;
      }
      case Kind::kReal: {
        double d;
        if (!ParseDouble(Trim(raw), &d)) return invalid();
        v = Value::Real(d);
        break;
      }
      case Kind::kBoolean: {
        std::string_view b = Trim(raw);
        if (AsciiIEquals(b, "true") || b == "1")
          v = Value::Int(1);
        else if (AsciiIEquals(b, "false") || b == "0")
          v = Value::Int(0);
        else
          return invalid();
        break;
      }
      case Kind::kDateTime: {
        if (!ParseApiDateTime(Trim(raw), &when)) return invalid();
        if (InSpringForwardGap(when, opt_.time_zone))
          return Fail(fmt::format(
              "The date-time '{}' does not exist in the API time zone (daylight saving time "
              "gap).",
              Clip(Trim(raw))));
        v = Value::Text(StorageDateTime(when));
        break;
      }
    }

    // Strings compare through an explicit collation: Unicode case-insensitive, except
    // protected UDFs, which the API compares case-sensitively.
    std::string lhs = col;
    if (kind == Kind::kString) lhs += is_protected ? " COLLATE BINARY" : " COLLATE ATWS_NOCASE";
    const char* like = is_protected ? "atws_like_cs" : "atws_like";
    auto like_sql = [&](std::string pattern, bool negate) {
      out->sql = std::string(negate ? "(NOT " : "(") + like + "(" + col + ", ?))";
      out_->params.push_back(Value::Text(std::move(pattern)));
    };
    auto cmp = [&](const char* sql_op) {
      out->sql = "(" + lhs + " " + sql_op + " ?)";
      out_->params.push_back(std::move(v));
    };

    switch (op) {
      case Op::kEquals:
        cmp("=");
        break;
      case Op::kNotEqual:
        // SQL semantics: rows whose value is null do not match (see A-QUERY-NULL).
        cmp("<>");
        break;
      case Op::kGreaterThan:
        if (is_id && v.kind == Value::Kind::kInt) out->id_gt = v.i;
        cmp(">");
        break;
      case Op::kLessThan:
        cmp("<");
        break;
      case Op::kGreaterThanOrEquals:
        cmp(">=");
        break;
      case Op::kLessThanOrEquals:
        cmp("<=");
        break;
      case Op::kBeginsWith:
        like_sql(LikeEscape(v.s) + "%", false);
        break;
      case Op::kEndsWith:
        like_sql("%" + LikeEscape(v.s), false);
        break;
      case Op::kContains:
        like_sql("%" + LikeEscape(v.s) + "%", false);
        break;
      case Op::kLike:
        like_sql(LikePattern(v.s), false);
        break;
      case Op::kNotLike:
        like_sql(LikePattern(v.s), true);
        break;
      case Op::kSoundsLike:
        out->sql = "(atws_soundex(" + col + ") = atws_soundex(?))";
        out_->params.push_back(std::move(v));
        break;
      case Op::kIsThisDay:
        out->sql = "(" + col + " >= ? AND " + col + " < ?)";
        out_->params.push_back(Value::Text(StorageDateTime(DayStart(when, 0))));
        out_->params.push_back(Value::Text(StorageDateTime(DayStart(when, 1))));
        break;
      case Op::kIsNull:
      case Op::kIsNotNull:
        break;  // handled above
    }
    return true;
  }

  const catalog::Catalog& cat_;
  const TenantDb& db_;
  const Options& opt_;
  Compiled* out_;
  std::string* error_;
  const Entity* entity_ = nullptr;
  int entity_index_ = -1;
  int udf_limit_ = 0;
  int or_count_ = 0;
  std::vector<long long> udfs_;  // distinct UDF definition ids used
};

}  // namespace

bool IsVbEntity(std::string_view entity) {
  return AsciiIEquals(entity, "Contract") || AsciiIEquals(entity, "AccountLocation");
}

std::string_view CanonicalOperator(std::string_view op) {
  for (const auto& o : kOps)
    if (AsciiIEquals(o.name, op)) return o.name;
  return {};
}

bool Compile(std::string_view sxml, const catalog::Catalog& cat, const store::TenantDb& db,
             const Options& opt, Compiled* out, std::string* error) {
  Compiled result;
  std::string err;
  Compiler c(cat, db, opt, &result, &err);
  if (!c.Run(sxml)) {
    if (error) *error = std::move(err);
    return false;
  }
  *out = std::move(result);
  return true;
}

}  // namespace atws::query

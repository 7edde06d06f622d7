// GetInvoiceMarkup(InvoiceId, Format): the invoice as an HTML page or as the XML document the
// PowerShell module reads (root invoice_batch_generic in namespace
// http://tempuri.org/invoice_batch_generic.xsd), built from the Invoice row, its account, its
// BillingItem rows (or one summary line when it has none) and the tenant. No ATWSResponse:
// errors are soap:Faults (docs/contract.md, A-INVOICE-*).
#include <fmt/format.h>

#include <cmath>

#include "common/text.h"
#include "common/timeutil.h"
#include "ops/call.h"
#include "ops/markup.h"
#include "ops/row_lookup.h"

namespace atws::service {

using catalog::Language;
using store::Value;

namespace {

enum Word {
  kInvoice,
  kNumber,
  kDate,
  kDue,
  kPeriod,
  kTerms,
  kBillTo,
  kFrom,
  kDescription,
  kItemDate,
  kQuantity,
  kRate,
  kAmount,
  kSubtotal,
  kTax,
  kTotal,
  kServices,
  kVoid,
  kOrder,
  kCurrency,
  kAccountNumber,
  kWordCount
};

// [word][language]: en, de, es, fr.
const char* const kWords[kWordCount][4] = {
    {"Invoice", "Rechnung", "Factura", "Facture"},
    {"Invoice number", "Rechnungsnummer", "Número de factura", "Numéro de facture"},
    {"Invoice date", "Rechnungsdatum", "Fecha de factura", "Date de facture"},
    {"Due date", "Fälligkeitsdatum", "Fecha de vencimiento", "Date d'échéance"},
    {"Period", "Zeitraum", "Periodo", "Période"},
    {"Payment terms", "Zahlungsbedingungen", "Condiciones de pago", "Conditions de paiement"},
    {"Bill to", "Rechnungsempfänger", "Facturar a", "Facturer à"},
    {"From", "Von", "De", "De"},
    {"Description", "Beschreibung", "Descripción", "Description"},
    {"Date", "Datum", "Fecha", "Date"},
    {"Quantity", "Menge", "Cantidad", "Quantité"},
    {"Rate", "Preis", "Tarifa", "Tarif"},
    {"Amount", "Betrag", "Importe", "Montant"},
    {"Subtotal", "Zwischensumme", "Subtotal", "Sous-total"},
    {"Tax", "Steuer", "Impuesto", "Taxe"},
    {"Total", "Gesamtbetrag", "Total", "Total"},
    {"Services", "Leistungen", "Servicios", "Services"},
    {"VOID", "STORNIERT", "ANULADA", "ANNULÉE"},
    {"Order number", "Bestellnummer", "Número de pedido", "Numéro de commande"},
    {"Currency", "Währung", "Moneda", "Devise"},
    {"Account number", "Kundennummer", "Número de cliente", "Numéro de client"},
};

const char* W(Word w, Language l) { return kWords[w][static_cast<int>(l)]; }

struct Line {
  long long id = 0;  // BillingItem id; 0 for the summary line
  std::string date;  // storage date-time or empty
  std::string allocation_code;
  std::string name;
  std::string description;
  double quantity = 1, rate = 0, extended = 0, tax = 0, total = 0;
};

// "2026-10-02T10:00:00.000" → date in the tenant language's usual form.
std::string LocalDate(const std::string& stored, Language l) {
  if (stored.size() < 10) return "";
  std::string y = stored.substr(0, 4), m = stored.substr(5, 2), d = stored.substr(8, 2);
  switch (l) {
    case Language::kEnglish:
      return m + "/" + d + "/" + y;
    case Language::kGerman:
      return d + "." + m + "." + y;
    default:
      return d + "/" + m + "/" + y;
  }
}

// Money with two decimals and the language's separators.
std::string Money(double v, Language l) {
  std::string s = fmt::format("{:.2f}", std::fabs(v));
  std::string whole = s.substr(0, s.size() - 3), frac = s.substr(s.size() - 2);
  const char* thousands = l == Language::kEnglish ? "," : l == Language::kFrench ? "\u202f" : ".";
  const char* decimal = l == Language::kEnglish ? "." : ",";
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i && (whole.size() - i) % 3 == 0) grouped += thousands;
    grouped += whole[i];
  }
  return (v < 0 ? "-" : "") + grouped + decimal + frac;
}

std::string Plain(double v, int decimals) {
  if (std::fabs(v) < 0.5 * std::pow(10.0, -decimals)) v = 0;  // no "-0.00"
  return fmt::format("{:.{}f}", v, decimals);
}

// Storage date-time → "2026-10-02T10:00:00-04:00" (the UTC offset of the API time zone then).
std::string XmlDateTime(const std::string& stored, ApiTimeZone tz) {
  CivilTime ct;
  if (!ParseApiDateTime(stored, &ct)) return "";
  Micros utc = 0;
  std::string offset = "+00:00";
  if (FromLocal(ct, tz, &utc)) {
    Micros as_utc = (DaysFromCivil(ct.year, ct.month, ct.day) * 86400LL + ct.hour * 3600LL +
                     ct.minute * 60LL + ct.second) *
                        1000000LL +
                    ct.millis * 1000LL;
    long long minutes = (as_utc - utc) / 60000000LL;
    offset = fmt::format("{}{:02}:{:02}", minutes < 0 ? '-' : '+', std::llabs(minutes) / 60,
                         std::llabs(minutes) % 60);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}", ct.year, ct.month, ct.day, ct.hour,
                     ct.minute, ct.second, offset);
}

void XmlElement(std::string* out, std::string_view name, std::string_view text) {
  *out += '<';
  *out += name;
  *out += '>';
  AppendEscaped(out, text);
  *out += "</";
  *out += name;
  *out += '>';
}

std::string PicklistLabel(const catalog::Catalog& cat, std::string_view entity,
                          std::string_view field, const std::string& value, Language l) {
  const catalog::Entity* e = cat.Find(entity);
  const catalog::Field* f = e ? e->FindField(field) : nullptr;
  const catalog::PicklistValue* pv = f && !value.empty() ? f->FindPicklistValue(value) : nullptr;
  return pv ? pv->Label(l) : value;
}

}  // namespace

void OpGetInvoiceMarkup(CallContext& ctx) {
  store::TenantDb& db = *ctx.tenant->db;
  const Language lang = ctx.lang;
  ctx.j.entity = "Invoice";
  const std::string* id_arg = ctx.req.Arg("InvoiceId");
  const std::string* format_arg = ctx.req.Arg("Format");
  long long id = 0;
  if (!id_arg || Trim(*id_arg).empty()) {
    ctx.Error({"InvoiceId is required."});
    return;
  }
  if (!ParseInt64(*id_arg, &id) || id <= 0 || id > 2147483647LL) {
    ctx.Error({fmt::format("InvoiceId '{}' is not a valid invoice id.",
                           std::string(Trim(*id_arg)).substr(0, 50))});
    return;
  }
  std::string format = format_arg ? std::string(Trim(*format_arg)) : "";
  bool html = AsciiIEquals(format, "HTML"), xml = AsciiIEquals(format, "XML");
  if (!html && !xml) {
    ctx.Error({format.empty() ? std::string("Format is required: HTML or XML.")
                              : fmt::format("Format '{}' is not supported; use HTML or XML.",
                                            format.substr(0, 50))});
    return;
  }
  // The invoice, as the user may see it (restricted users: their lines of business only).
  const catalog::Entity* ie = ctx.env.cat.Find("Invoice");
  std::string where = "id = ?";
  std::vector<Value> params = {Value::Int(id)};
  std::vector<RowValues> found;
  if (ie && RestrictQuery(*ctx.user, *ie, &where, &params))
    found = FetchRows(db, *ie, where, params, 1);
  if (found.empty()) {
    ctx.Error({fmt::format("No invoice with id {} exists.", id)});
    return;
  }
  const RowValues& inv = found[0];
  RowValues account, currency, location;
  FetchRow(db, ctx.env.cat, "Account", inv.Int("AccountID"), &account);
  FetchRow(db, ctx.env.cat, "Currency", account.Int("CurrencyID"), &currency);
  if (const catalog::Entity* be = ctx.env.cat.Find("BusinessLocation")) {
    auto locs = FetchRows(db, *be, "\"Default\" = 1", {}, 1);
    if (locs.empty()) locs = FetchRows(db, *be, "1", {}, 1);
    if (!locs.empty()) location = std::move(locs[0]);
  }
  const double total = inv.Real("InvoiceTotal");
  const double tax = inv.Real("TotalTaxValue");
  const std::string terms =
      PicklistLabel(ctx.env.cat, "Invoice", "PaymentTerm", inv.Text("PaymentTerm"), lang);

  // Lines: the invoice's billing items, else one summary line (A-INVOICE-LINES).
  std::vector<Line> lines;
  if (const catalog::Entity* be = ctx.env.cat.Find("BillingItem")) {
    for (const RowValues& b : FetchRows(db, *be, "InvoiceID = ?", {Value::Int(id)})) {
      Line l;
      l.id = b.Int("id");
      l.date = b.Text("ItemDate");
      RowValues code;
      if (FetchRow(db, ctx.env.cat, "AllocationCode", b.Int("AllocationCodeID"), &code))
        l.allocation_code = code.Text("Name");
      l.name = b.Text("ItemName");
      l.description = b.Text("Description");
      l.quantity = b.Has("Quantity") ? b.Real("Quantity") : 1;
      l.rate = b.Real("Rate");
      l.extended = b.Has("ExtendedPrice") ? b.Real("ExtendedPrice") : l.quantity * l.rate;
      l.tax = b.Real("TaxDollars");
      l.total = b.Has("TotalAmount") ? b.Real("TotalAmount") : l.extended + l.tax;
      lines.push_back(std::move(l));
    }
  }
  if (lines.empty()) {
    Line l;
    l.date = inv.Text("InvoiceDateTime");
    l.name = W(kServices, lang);
    if (inv.Has("FromDate") && inv.Has("ToDate"))
      l.name += " " + LocalDate(inv.Text("FromDate"), lang) + " \u2013 " +
                LocalDate(inv.Text("ToDate"), lang);
    l.rate = l.extended = total - tax;
    l.tax = tax;
    l.total = total;
    lines.push_back(std::move(l));
  }
  double subtotal = 0;
  for (const Line& l : lines) subtotal += l.extended;
  const std::string number =
      inv.Has("InvoiceNumber") ? inv.Text("InvoiceNumber") : std::to_string(id);
  const std::string code = currency.Text("Name");
  const bool voided = inv.Int("IsVoided") != 0;

  std::string doc;
  doc.reserve(4096 + lines.size() * 512);
  if (xml) {
    doc += "<invoice_batch_generic xmlns=\"http://tempuri.org/invoice_batch_generic.xsd\">";
    doc += "<account>";
    XmlElement(&doc, "cust_id", account.Has("id") ? account.Text("id") : inv.Text("AccountID"));
    XmlElement(&doc, "cust_name", account.Text("AccountName"));
    XmlElement(&doc, "cust_number", account.Text("AccountNumber"));
    XmlElement(&doc, "address_1", account.Text("Address1"));
    XmlElement(&doc, "address_2", account.Text("Address2"));
    XmlElement(&doc, "city", account.Text("City"));
    XmlElement(&doc, "state", account.Text("State"));
    XmlElement(&doc, "postal_code", account.Text("PostalCode"));
    XmlElement(&doc, "country", account.Text("Country"));
    XmlElement(&doc, "phone", account.Text("Phone"));
    doc += "<invoice>";
    XmlElement(&doc, "invoice_date", XmlDateTime(inv.Text("InvoiceDateTime"), ctx.env.time_zone));
    XmlElement(&doc, "invoice_number", number);
    XmlElement(&doc, "invoice_total", Plain(total, 2));
    XmlElement(&doc, "total_tax_value", Plain(tax, 2));
    XmlElement(&doc, "payment_due_date", XmlDateTime(inv.Text("DueDate"), ctx.env.time_zone));
    XmlElement(&doc, "invoice_id", std::to_string(id));
    XmlElement(&doc, "invoice_subtotal", Plain(subtotal, 2));
    XmlElement(&doc, "from_date", XmlDateTime(inv.Text("FromDate"), ctx.env.time_zone));
    XmlElement(&doc, "to_date", XmlDateTime(inv.Text("ToDate"), ctx.env.time_zone));
    XmlElement(&doc, "payment_terms", terms);
    XmlElement(&doc, "order_number", inv.Text("OrderNumber"));
    XmlElement(&doc, "currency", code);
    XmlElement(&doc, "comments", inv.Text("Comments"));
    XmlElement(&doc, "is_voided", voided ? "true" : "false");
    XmlElement(&doc, "issuer_name", ctx.tenant->spec.name);
    for (const Line& l : lines) {
      doc += "<invoice_item>";
      XmlElement(&doc, "invoice_id", std::to_string(id));
      XmlElement(&doc, "invoice_item_id", l.id ? std::to_string(l.id) : "");
      XmlElement(&doc, "item_date", XmlDateTime(l.date, ctx.env.time_zone));
      XmlElement(&doc, "allocation_code_name", l.allocation_code);
      XmlElement(&doc, "service_name", l.name);
      XmlElement(&doc, "service_description", l.description);
      XmlElement(&doc, "service_units", Plain(l.quantity, 4));
      XmlElement(&doc, "service_rate", Plain(l.rate, 4));
      XmlElement(&doc, "service_extended_price", Plain(l.extended, 4));
      XmlElement(&doc, "tax_amount", Plain(l.tax, 4));
      XmlElement(&doc, "item_total", Plain(l.total, 4));
      doc += "</invoice_item>";
    }
    doc += "</invoice></account><taxregioncategory>";
    XmlElement(&doc, "tax_region_name", inv.Text("TaxRegionName"));
    double base = total - tax;
    XmlElement(&doc, "total_tax_rate_per_category_and_region",
               Plain(base != 0 ? tax / base * 100.0 : 0.0, 4));
    XmlElement(&doc, "total_tax_amount", Plain(tax, 2));
    doc += "</taxregioncategory></invoice_batch_generic>";
  } else {
    auto cell = [&](const char* tag, std::string_view text, const char* cls = nullptr) {
      doc += '<';
      doc += tag;
      if (cls) {
        doc += " class=\"";
        doc += cls;
        doc += '"';
      }
      doc += '>';
      AppendEscaped(&doc, text);
      doc += "</";
      doc += tag;
      doc += '>';
    };
    auto address = [&](const RowValues& r, std::string_view name) {
      AppendEscaped(&doc, name);
      for (const char* f : {"Address1", "Address2"})
        if (!r.Text(f).empty()) {
          doc += "<br>";
          AppendEscaped(&doc, r.Text(f));
        }
      std::string city = r.Text("PostalCode");
      if (!r.Text("City").empty()) city += (city.empty() ? "" : " ") + r.Text("City");
      if (!r.Text("State").empty()) city += (city.empty() ? "" : ", ") + r.Text("State");
      if (!city.empty()) {
        doc += "<br>";
        AppendEscaped(&doc, city);
      }
    };
    const std::string title = std::string(W(kInvoice, lang)) + " " + number;
    doc += "<!DOCTYPE html><html lang=\"";
    doc += catalog::LanguageCode(lang);
    doc += "\"><head><meta charset=\"utf-8\"><title>";
    AppendEscaped(&doc, title);
    doc +=
        "</title><style>body{font-family:Arial,Helvetica,sans-serif;font-size:13px;margin:24px}"
        "h1{font-size:22px}table{border-collapse:collapse}th{text-align:left;padding:2px 12px 2px "
        "0;"
        "vertical-align:top}td{padding:2px 12px 2px 0;vertical-align:top}.lines{width:100%;"
        "margin-top:16px}.lines thead th{border-bottom:1px solid #000}.num{text-align:right}"
        ".lines tfoot td{border-top:1px solid #ccc}.void{color:#b00;font-weight:bold}</style>"
        "</head><body><div class=\"invoice\" data-invoice-id=\"";
    doc += std::to_string(id);
    doc += "\"><h1>";
    AppendEscaped(&doc, title);
    doc += "</h1>";
    if (voided) cell("p", W(kVoid, lang), "void");
    doc += "<table class=\"parties\"><tr><th>";
    AppendEscaped(&doc, W(kFrom, lang));
    doc += "</th><td class=\"issuer\">";
    address(location, ctx.tenant->spec.name);
    doc += "</td></tr><tr><th>";
    AppendEscaped(&doc, W(kBillTo, lang));
    doc += "</th><td class=\"bill-to\">";
    address(account, account.Text("AccountName"));
    doc += "</td></tr></table><table class=\"facts\">";
    auto fact = [&](Word w, const std::string& value) {
      if (value.empty()) return;
      doc += "<tr><th>";
      AppendEscaped(&doc, W(w, lang));
      doc += "</th><td>";
      AppendEscaped(&doc, value);
      doc += "</td></tr>";
    };
    fact(kNumber, number);
    fact(kDate, LocalDate(inv.Text("InvoiceDateTime"), lang));
    fact(kDue, LocalDate(inv.Text("DueDate"), lang));
    if (inv.Has("FromDate") && inv.Has("ToDate"))
      fact(kPeriod, LocalDate(inv.Text("FromDate"), lang) + " \u2013 " +
                        LocalDate(inv.Text("ToDate"), lang));
    fact(kAccountNumber, account.Text("AccountNumber"));
    fact(kOrder, inv.Text("OrderNumber"));
    fact(kTerms, terms);
    fact(kCurrency, code);
    doc += "</table><table class=\"lines\"><thead><tr>";
    cell("th", W(kItemDate, lang));
    cell("th", W(kDescription, lang));
    cell("th", W(kQuantity, lang), "num");
    cell("th", W(kRate, lang), "num");
    cell("th", W(kAmount, lang), "num");
    doc += "</tr></thead><tbody>";
    for (const Line& l : lines) {
      doc += "<tr>";
      cell("td", LocalDate(l.date, lang));
      doc += "<td>";
      AppendEscaped(&doc, l.name);
      if (!l.description.empty()) {
        doc += "<br><small>";
        AppendEscaped(&doc, l.description);
        doc += "</small>";
      }
      doc += "</td>";
      cell("td", Plain(l.quantity, 2), "num");
      cell("td", Money(l.rate, lang), "num");
      cell("td", Money(l.extended, lang), "num");
      doc += "</tr>";
    }
    doc += "</tbody><tfoot>";
    auto sum = [&](Word w, double v, const char* cls) {
      doc += "<tr class=\"";
      doc += cls;
      doc += "\"><td colspan=\"4\">";
      AppendEscaped(&doc, W(w, lang));
      doc += "</td><td class=\"num\">";
      AppendEscaped(&doc, Money(v, lang));
      doc += "</td></tr>";
    };
    sum(kSubtotal, subtotal, "subtotal");
    sum(kTax, tax, "tax");
    sum(kTotal, total, "total");
    doc += "</tfoot></table>";
    if (!inv.Text("Comments").empty()) cell("p", inv.Text("Comments"), "comments");
    doc += "</div></body></html>";
  }
  ctx.j.rows = 1;
  soap::BeginResponse(&ctx.out, "GetInvoiceMarkup", ctx.ep.version);
  soap::Element(&ctx.out, "GetInvoiceMarkupResult", doc);
  soap::EndResponse(&ctx.out, "GetInvoiceMarkup");
}

}  // namespace atws::service

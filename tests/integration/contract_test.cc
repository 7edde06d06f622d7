// The rest of the contract over HTTP (issue 3 item 8): attachments with their size and rate
// limits, GetInvoiceMarkup, multi-currency twins and ExecuteCommand pages. One in-process
// server of its own, so that moving its clock disturbs no other test.
#include <catch2/catch.hpp>
#include <random>
#include <regex>

#include "common/text.h"
#include "test_env.h"
#include "xml/xml.h"

using namespace atws;
using namespace atws::testing;

namespace {

constexpr long long kMaxFile = 6LL << 20;

struct ContractMock : TestServer {
  ContractMock() : TestServer(service::Options{}, 2) {
    svc->FindTenant(kContoso)->settings.settle_delay_ms = 0;
    svc->FindTenant(kGermanTenant)->settings.settle_delay_ms = 0;
  }
  HttpResult Soap(const std::string& inner, const std::string& user = kUser,
                  const std::string& path = kZone5) {
    return TestServer::Soap(path, Envelope(inner), user);
  }
  HttpResult Query(const std::string& queryxml, const std::string& user = kUser,
                   const std::string& path = kZone5) {
    return TestServer::Soap(path, QueryEnvelope(queryxml), user);
  }
  HttpResult Get(const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return HttpCall(port, "GET", target, "", headers);
  }
  // Moves the service clock past every attachment window.
  void NextWindow() { svc->clock().Advance(301LL * 1000000); }
};

ContractMock& M() {
  static ContractMock m;
  return m;
}

std::string Unescape(std::string s) {
  const std::pair<const char*, const char*> kEnt[] = {{"&lt;", "<"},    {"&gt;", ">"},
                                                      {"&quot;", "\""}, {"&#39;", "'"},
                                                      {"&#xD;", "\r"},  {"&amp;", "&"}};
  for (const auto& [from, to] : kEnt)
    for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += std::strlen(to))
      s.replace(p, std::strlen(from), to);
  return s;
}

std::string Fault(const HttpResult& r) {
  return Unescape(Between(r.body, "<faultstring>", "</faultstring>"));
}

// A field value of the first entity in a response: <Name xsi:type="…">value</Name>.
std::string FieldOf(const std::string& body, const std::string& name) {
  std::regex re("<" + name + " xsi:type=\"[^\"]*\">([^<]*)</" + name + ">");
  std::smatch m;
  return std::regex_search(body, m, re) ? Unescape(m[1].str()) : "";
}

long long FirstId(const std::string& body) {
  std::string id = Between(body, "<id>", "</id>");
  return id.empty() ? 0 : std::stoll(id);
}

std::string Info(const std::string& fields) {
  return "<Info xsi:type=\"AttachmentInfo\">" + fields + "</Info>";
}

std::string CreateAttachment(const std::string& info_fields, const std::string& data,
                             bool with_data = true) {
  return "<CreateAttachment xmlns=\"" + kNs + "\"><attachment>" +
         (with_data ? "<Data>" + data + "</Data>" : std::string()) + Info(info_fields) +
         "</attachment></CreateAttachment>";
}

std::string FileInfo(long long ticket, const std::string& name = "report.pdf") {
  return "<ParentID>" + std::to_string(ticket) +
         "</ParentID><ParentType>4</ParentType><Type>FILE_ATTACHMENT</Type><Title>" + Esc(name) +
         "</Title><FullPath>" + Esc(name) + "</FullPath><Publish>1</Publish>";
}

std::string GetAttachment(long long id) {
  return "<GetAttachment xmlns=\"" + kNs + "\"><attachmentId>" + std::to_string(id) +
         "</attachmentId></GetAttachment>";
}

std::string DeleteAttachment(long long id) {
  return "<DeleteAttachment xmlns=\"" + kNs + "\"><attachmentId>" + std::to_string(id) +
         "</attachmentId></DeleteAttachment>";
}

long long AnyTicket(ContractMock& m, const std::string& user = kUser,
                    const std::string& path = kZone5) {
  auto r = m.Query(
      "<queryxml><entity>Ticket</entity><query><field>id<expression op=\"GreaterThan\">0"
      "</expression></field></query></queryxml>",
      user, path);
  return FirstId(r.body);
}

std::string Update(const std::string& entity, long long id, const std::string& fields) {
  return "<update xmlns=\"" + kNs + "\"><Entities><Entity xsi:type=\"" + entity + "\"><id>" +
         std::to_string(id) + "</id>" + fields + "</Entity></Entities></update>";
}

long long Created(const HttpResult& r) {
  std::string s = Between(r.body, "<CreateAttachmentResult>", "</CreateAttachmentResult>");
  return s.empty() ? 0 : std::stoll(s);
}

std::string Bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

}  // namespace

TEST_CASE("CreateAttachment stores binary data that GetAttachment gives back", "[attachments]") {
  ContractMock& m = M();
  m.NextWindow();
  long long ticket = AnyTicket(m);
  REQUIRE(ticket > 0);
  std::string data;
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<char>(i));
  data += Bytes(70000, 1);  // every byte value, then random bytes
  auto c = m.Soap(CreateAttachment(FileInfo(ticket, "scan <1> & co.pdf"), Base64Encode(data)));
  INFO(c.body.substr(0, 600));
  REQUIRE(c.status == 200);
  long long id = Created(c);
  REQUIRE(id > 0);

  auto g = m.Soap(GetAttachment(id));
  REQUIRE(g.status == 200);
  std::string decoded;
  REQUIRE(Base64Decode(Between(g.body, "<Data>", "</Data>"), &decoded));
  CHECK(decoded == data);
  std::string info = Between(g.body, "<Info xsi:type=\"AttachmentInfo\">", "</Info>");
  REQUIRE_FALSE(info.empty());
  CHECK(FirstId(info) == id);
  CHECK(FieldOf(info, "ParentID") == std::to_string(ticket));
  CHECK(FieldOf(info, "ParentType") == "4");
  CHECK(FieldOf(info, "TicketID") == std::to_string(ticket));
  CHECK(FieldOf(info, "Type") == "FILE_ATTACHMENT");
  CHECK(FieldOf(info, "Title") == "scan <1> & co.pdf");
  CHECK(FieldOf(info, "FileSize") == std::to_string(data.size()));
  CHECK(FieldOf(info, "ContentType") == "application/pdf");
  CHECK(FieldOf(info, "Publish") == "1");
  CHECK_FALSE(FieldOf(info, "AttachDate").empty());
  CHECK_FALSE(FieldOf(info, "AttachedByResourceID").empty());
  // Data comes before Info, as the WSDL's Attachment sequence says.
  CHECK(g.body.find("<Data>") < g.body.find("<Info "));

  // AttachmentInfo rows are queryable like any entity.
  auto q = m.Query(
      "<queryxml><entity>AttachmentInfo</entity><query><field>ParentID<expression "
      "op=\"Equals\">" +
      std::to_string(ticket) +
      "</expression></field><field>ParentType<expression op=\"Equals\">4"
      "</expression></field></query></queryxml>");
  CHECK(q.body.find("<id>" + std::to_string(id) + "</id>") != std::string::npos);
  auto q2 = m.Query(
      "<queryxml><entity>AttachmentInfo</entity><query><field>TicketID<expression "
      "op=\"Equals\">" +
      std::to_string(ticket) + "</expression></field></query></queryxml>");
  CHECK(q2.body.find("<id>" + std::to_string(id) + "</id>") != std::string::npos);
}

TEST_CASE("Attachments: empty files, links, parents by id field, delete", "[attachments]") {
  ContractMock& m = M();
  m.NextWindow();
  long long ticket = AnyTicket(m);

  // A 0-byte file: Data empty, or left out.
  for (bool with_data : {true, false}) {
    auto c = m.Soap(CreateAttachment(FileInfo(ticket, "empty.txt"), "", with_data));
    INFO(c.body.substr(0, 600));
    REQUIRE(c.status == 200);
    long long id = Created(c);
    auto g = m.Soap(GetAttachment(id));
    REQUIRE(g.status == 200);
    CHECK((g.body.find("<Data></Data>") != std::string::npos ||
           g.body.find("<Data/>") != std::string::npos));
    CHECK(FieldOf(g.body, "FileSize") == "0");
    CHECK(FieldOf(g.body, "ContentType") == "text/plain");
  }

  // A URL: no data; GetAttachment answers Info only.
  auto u = m.Soap(CreateAttachment(
      "<TicketID>" + std::to_string(ticket) +
          "</TicketID><Type>url</Type><Title>Vendor KB</Title><FullPath>https://kb.example/"
          "a?b=1&amp;c=2</FullPath><Publish>2</Publish>",
      "", false));
  INFO(u.body.substr(0, 600));
  REQUIRE(u.status == 200);
  long long url_id = Created(u);
  auto gu = m.Soap(GetAttachment(url_id));
  REQUIRE(gu.status == 200);
  CHECK(gu.body.find("<Data") == std::string::npos);
  CHECK(FieldOf(gu.body, "Type") == "URL");
  CHECK(FieldOf(gu.body, "ParentType") == "4");  // derived from TicketID
  CHECK(FieldOf(gu.body, "ParentID") == std::to_string(ticket));
  CHECK(FieldOf(gu.body, "FullPath") == "https://kb.example/a?b=1&c=2");
  CHECK(FieldOf(gu.body, "FileSize").empty());

  // Delete: an empty string, then the attachment is gone everywhere.
  auto d = m.Soap(DeleteAttachment(url_id));
  REQUIRE(d.status == 200);
  CHECK(d.body.find("<DeleteAttachmentResult/>") != std::string::npos);
  auto g2 = m.Soap(GetAttachment(url_id));
  CHECK(g2.status == 500);
  CHECK(Fault(g2) == "No attachment with id " + std::to_string(url_id) + " exists.");
  auto d2 = m.Soap(DeleteAttachment(url_id));
  CHECK(d2.status == 500);
  CHECK(Fault(d2) == "No attachment with id " + std::to_string(url_id) + " exists.");
  auto q = m.Query(
      "<queryxml><entity>AttachmentInfo</entity><query><field>id<expression "
      "op=\"Equals\">" +
      std::to_string(url_id) + "</expression></field></query></queryxml>");
  CHECK(q.body.find("<Entity ") == std::string::npos);

  // An account attachment through ParentType 1.
  auto a = m.Soap(CreateAttachment(
      "<ParentID>" +
          std::to_string(FirstId(m.Query("<queryxml><entity>Account</entity><query>"
                                         "<field>id<expression op=\"GreaterThan\">0"
                                         "</expression></field></query></queryxml>")
                                     .body)) +
          "</ParentID><ParentType>1</ParentType><Type>FILE_LINK</Type><Title>Share</Title>"
          "<FullPath>\\\\server\\share\\doc.docx</FullPath><Publish>1</Publish>",
      "", false));
  CHECK(a.status == 200);
  CHECK(Created(a) > 0);
  // Account 0 is the tenant's own account.
  auto own =
      m.Soap(CreateAttachment("<AccountID>0</AccountID><Type>FILE_ATTACHMENT</Type>"
                              "<Title>Logo</Title><FullPath>logo.png</FullPath>"
                              "<Publish>1</Publish>",
                              Base64Encode("\x89PNG")));
  INFO(own.body.substr(0, 600));
  CHECK(own.status == 200);
  auto go = m.Soap(GetAttachment(Created(own)));
  CHECK(FieldOf(go.body, "ParentType") == "1");
  CHECK(FieldOf(go.body, "ParentID") == "0");
  CHECK(FieldOf(go.body, "ContentType") == "image/png");
}

TEST_CASE("CreateAttachment refuses bad input with clear faults", "[attachments]") {
  ContractMock& m = M();
  m.NextWindow();
  long long ticket = AnyTicket(m);
  auto fault = [&](const std::string& inner) {
    auto r = m.Soap(inner);
    INFO(r.body.substr(0, 800));
    CHECK(r.status == 500);
    CHECK(r.body.find("<faultcode>soap:Server</faultcode>") != std::string::npos);
    return Fault(r);
  };
  CHECK(fault(CreateAttachment(FileInfo(ticket), "not*base64!")) ==
        "The attachment's Data is not valid base64.");
  CHECK(fault(CreateAttachment(FileInfo(ticket), "QUJD=")) ==
        "The attachment's Data is not valid base64.");
  CHECK(fault(CreateAttachment(FileInfo(999999999), "QUJD")) ==
        "The attachment's parent Ticket 999999999 does not exist.");
  CHECK(fault(CreateAttachment("<ParentID>1</ParentID><ParentType>99</ParentType><Type>"
                               "FILE_ATTACHMENT</Type><Title>x</Title><FullPath>x</FullPath>"
                               "<Publish>1</Publish>",
                               "QUJD")) ==
        "Value 99 is not a valid picklist value for field ParentType.");
  CHECK(fault(CreateAttachment("<Type>FILE_ATTACHMENT</Type><Title>x</Title><FullPath>x"
                               "</FullPath><Publish>1</Publish>",
                               "QUJD"))
            .find("The attachment needs a parent") == 0);
  std::string missing = fault(CreateAttachment(
      "<ParentID>" + std::to_string(ticket) + "</ParentID><ParentType>4</ParentType>", "QUJD"));
  CHECK(missing.find("Required field Type is missing.") != std::string::npos);
  CHECK(missing.find("Required field Title is missing.") != std::string::npos);
  CHECK(missing.find("Required field Publish is missing.") != std::string::npos);
  CHECK(fault(CreateAttachment(FileInfo(ticket) + "<Bogus>1</Bogus>", "QUJD")) ==
        "Unable to find field Bogus in the AttachmentInfo entity.");
  CHECK(fault(CreateAttachment(
            "<TicketID>" + std::to_string(ticket) +
                "</TicketID><Type>URL</Type><Title>x</Title><FullPath>https://x.example/"
                "</FullPath><Publish>1</Publish>",
            "QUJD")) ==
        "An attachment of type URL is a link and carries no Data; only FILE_ATTACHMENT does.");
  CHECK(fault(CreateAttachment(FileInfo(ticket, std::string(300, 'n')), "QUJD"))
            .find("Field Title is longer than its maximum of 255 characters") == 0);
  CHECK(fault("<CreateAttachment xmlns=\"" + kNs + "\"/>").find("CreateAttachment needs") == 0);
  CHECK(fault("<GetAttachment xmlns=\"" + kNs +
              "\"><attachmentId>abc</attachmentId>"
              "</GetAttachment>") == "attachmentId 'abc' is not a valid attachment id.");
  CHECK(fault(GetAttachment(987654321)) == "No attachment with id 987654321 exists.");
  // AttachmentInfo itself cannot be created through create.
  auto c = m.Soap("<create xmlns=\"" + kNs +
                  "\"><Entities><Entity xsi:type=\"AttachmentInfo\"><Title>x</Title></Entity>"
                  "</Entities></create>");
  CHECK(Between(c.body, "<ReturnCode>", "</ReturnCode>") == "-1");
}

TEST_CASE("Attachments: files up to 6 MiB pass, one byte more is refused", "[attachments]") {
  ContractMock& m = M();
  m.NextWindow();
  long long ticket = AnyTicket(m);
  std::string big = Bytes(static_cast<size_t>(kMaxFile), 7);
  auto ok = m.Soap(CreateAttachment(FileInfo(ticket, "big.bin"), Base64Encode(big)));
  REQUIRE(ok.status == 200);
  long long id = Created(ok);
  auto g = m.Soap(GetAttachment(id));
  std::string back;
  REQUIRE(Base64Decode(Between(g.body, "<Data>", "</Data>"), &back));
  CHECK(back == big);
  CHECK(FieldOf(g.body, "ContentType") == "application/octet-stream");

  m.NextWindow();
  big.push_back('x');
  auto over = m.Soap(CreateAttachment(FileInfo(ticket, "big.bin"), Base64Encode(big)));
  CHECK(over.status == 500);
  CHECK(Fault(over) ==
        "The attachment is 6,291,457 bytes; the largest file the API accepts is 6,291,456 bytes.");
}

TEST_CASE("Attachments: 10,000,000 bytes per rolling 5 minutes per tenant", "[attachments]") {
  ContractMock& m = M();
  m.NextWindow();
  m.svc->clock().Freeze();  // only Advance moves time: slow builds see the same windows
  long long ticket = AnyTicket(m);
  std::string four = Base64Encode(Bytes(4000000, 3)), two = Base64Encode(Bytes(2000000, 4));
  auto create = [&](const std::string& b64) {
    return m.Soap(CreateAttachment(FileInfo(ticket, "part.bin"), b64));
  };
  // t0: 4 MB + 4 MB.
  REQUIRE(create(four).status == 200);
  REQUIRE(create(four).status == 200);
  // t0 + 100 s: 2 MB fits exactly (10,000,000); one more byte does not.
  m.svc->clock().Advance(100LL * 1000000);
  REQUIRE(create(two).status == 200);
  auto refused = create(Base64Encode("x"));
  CHECK(refused.status == 500);
  CHECK(Fault(refused) ==
        "Attachment upload limit exceeded: at most 10,000,000 bytes may be attached per 5 "
        "minutes and 10,000,000 bytes were attached in the last 5 minutes; this attachment has 1 "
        "bytes. Try again later.");
  // Refused uploads do not count; empty files always pass.
  CHECK(create("").status == 200);
  // Another tenant has its own window.
  long long german_ticket = AnyTicket(m, kGermanUser, kZone18);
  auto de =
      m.Soap(CreateAttachment(FileInfo(german_ticket, "teil.bin"), four), kGermanUser, kZone18);
  CHECK(de.status == 200);
  // t0 + 299 s: the first two are still in the window.
  m.svc->clock().Advance(199LL * 1000000);
  CHECK(create(Base64Encode("x")).status == 500);
  // t0 + 301 s: only the 2 MB of t0 + 100 s remain.
  m.svc->clock().Advance(2LL * 1000000);
  CHECK(create(four).status == 200);
  CHECK(create(four).status == 200);
  CHECK(create(Base64Encode("x")).status == 500);
  // t0 + 401 s: the 2 MB left the window.
  m.svc->clock().Advance(100LL * 1000000);
  CHECK(create(two).status == 200);
  m.svc->clock().Resume();
}

TEST_CASE("GetInvoiceMarkup answers HTML and XML for the default invoices", "[invoice]") {
  ContractMock& m = M();
  auto q = m.Query(
      "<queryxml><entity>Invoice</entity><query><field>id<expression "
      "op=\"GreaterThan\">0</expression></field></query></queryxml>");
  long long invoice = FirstId(q.body);
  REQUIRE(invoice > 0);
  std::string number = FieldOf(q.body, "InvoiceNumber");
  std::string total = FieldOf(q.body, "InvoiceTotal");
  long long account = std::stoll(FieldOf(q.body, "AccountID"));
  // An account name that needs escaping everywhere.
  std::string evil = "Müller & <script>alert('x')</script> \"Ltd\"";
  auto up = m.Soap(Update("Account", account, "<AccountName>" + Esc(evil) + "</AccountName>"));
  REQUIRE(Between(up.body, "<ReturnCode>", "</ReturnCode>") == "1");

  auto markup = [&](const std::string& id, const std::string& format) {
    return m.Soap("<GetInvoiceMarkup xmlns=\"" + kNs + "\"><InvoiceId>" + id +
                  "</InvoiceId><Format>" + format + "</Format></GetInvoiceMarkup>");
  };
  auto h = markup(std::to_string(invoice), "html");
  REQUIRE(h.status == 200);
  std::string html =
      Unescape(Between(h.body, "<GetInvoiceMarkupResult>", "</GetInvoiceMarkupResult>"));
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<title>Invoice " + number + "</title>") != std::string::npos);
  CHECK(html.find("Contoso Managed Services") != std::string::npos);
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("M\xC3\xBCller &amp; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
                  "&quot;Ltd&quot;") != std::string::npos);
  CHECK(html.find("class=\"total\"") != std::string::npos);

  auto x = markup(std::to_string(invoice), "XML");
  REQUIRE(x.status == 200);
  auto env = xml::Document::Parse(x.body);
  REQUIRE(env.ok());
  // The markup travels as text inside GetInvoiceMarkupResult; parse it in turn.
  xml::Node n = env->Root();
  for (const char* name : {"Body", "GetInvoiceMarkupResponse", "GetInvoiceMarkupResult"})
    n = n.FirstElement(name);
  REQUIRE(n);
  std::string text = n.DirectText();
  auto doc = xml::Document::Parse(text);
  INFO(doc.status().message() << "\n" << text.substr(0, 800));
  REQUIRE(doc.ok());
  const xml::Node root = doc->Root();
  CHECK(root.LocalName() == "invoice_batch_generic");
  CHECK(root.NamespaceUri() == "http://tempuri.org/invoice_batch_generic.xsd");
  const xml::Node acc = root.FirstElement("account");
  CHECK(acc.FirstElement("cust_name").DirectText() == evil);
  CHECK(acc.FirstElement("cust_id").DirectText() == std::to_string(account));
  const xml::Node inv = acc.FirstElement("invoice");
  CHECK(inv.FirstElement("invoice_number").DirectText() == number);
  double t = 0;
  REQUIRE(ParseDouble(inv.FirstElement("invoice_total").DirectText(), &t));
  CHECK(t == Approx(std::stod(total)).margin(0.005));
  std::string date = inv.FirstElement("invoice_date").DirectText();
  CHECK(std::regex_match(date, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[45]:00)")));
  CHECK(inv.FirstElement("invoice_item"));
  CHECK(root.FirstElement("taxregioncategory"));

  // Errors: soap:Faults.
  auto bad_format = markup(std::to_string(invoice), "PDF");
  CHECK(bad_format.status == 500);
  CHECK(Fault(bad_format) == "Format 'PDF' is not supported; use HTML or XML.");
  auto unknown = markup("999999", "HTML");
  CHECK(unknown.status == 500);
  CHECK(Fault(unknown) == "No invoice with id 999999 exists.");
  auto no_id = markup("", "HTML");
  CHECK(Fault(no_id) == "InvoiceId is required.");
  auto no_format = markup(std::to_string(invoice), "");
  CHECK(Fault(no_format) == "Format is required: HTML or XML.");

  // The German tenant's invoices come in German.
  auto dq = m.Query(
      "<queryxml><entity>Invoice</entity><query><field>id<expression "
      "op=\"GreaterThan\">0</expression></field></query></queryxml>",
      kGermanUser, kZone18);
  auto de = m.Soap("<GetInvoiceMarkup xmlns=\"" + kNs + "\"><InvoiceId>" +
                       std::to_string(FirstId(dq.body)) +
                       "</InvoiceId><Format>HTML</Format></GetInvoiceMarkup>",
                   kGermanUser, kZone18);
  CHECK(de.status == 200);
  CHECK(Unescape(de.body).find("<title>Rechnung ") != std::string::npos);
  // One tenant cannot read another's invoices.
  auto cross = m.Soap("<GetInvoiceMarkup xmlns=\"" + kNs + "\"><InvoiceId>" +
                      std::to_string(FirstId(dq.body)) +
                      "</InvoiceId><Format>HTML</Format></GetInvoiceMarkup>");
  CHECK(cross.status == 500);
}

TEST_CASE("Multi-currency: InternalCurrency twins follow the account's currency", "[currency]") {
  ContractMock& m = M();
  service::Tenant* t = m.svc->FindTenant(kContoso);
  long long ticket = AnyTicket(m);
  auto tq = m.Query("<queryxml><entity>Ticket</entity><query><field>id<expression op=\"Equals\">" +
                    std::to_string(ticket) + "</expression></field></query></queryxml>");
  long long account = std::stoll(FieldOf(tq.body, "AccountID"));
  auto cq = m.Query(
      "<queryxml><entity>Currency</entity><query><field>Name<expression "
      "op=\"Equals\">EUR</expression></field></query></queryxml>");
  long long eur = FirstId(cq.body);
  double rate = std::stod(FieldOf(cq.body, "ExchangeRate"));
  REQUIRE(eur > 0);
  REQUIRE(rate != Approx(1.0));
  REQUIRE(Between(m.Soap(Update("Account", account,
                                "<CurrencyID>" + std::to_string(eur) + "</CurrencyID>"))
                      .body,
                  "<ReturnCode>", "</ReturnCode>") == "1");
  auto cost = [&](const std::string& unit_price) {
    return m.Soap("<create xmlns=\"" + kNs +
                  "\"><Entities><Entity xsi:type=\"TicketCost\"><TicketID>" +
                  std::to_string(ticket) +
                  "</TicketID><CostType>1</CostType><DatePurchased>2026-10-01</DatePurchased>"
                  "<Name>Toner</Name><UnitQuantity>2</UnitQuantity><UnitPrice>" +
                  unit_price +
                  "</UnitPrice><BillableToAccount>true</BillableToAccount>"
                  "<InternalCurrencyUnitPrice>1</InternalCurrencyUnitPrice>"
                  "</Entity></Entities></create>");
  };
  auto read = [&](long long id, const std::string& field) {
    auto r = m.Query(
        "<queryxml><entity>TicketCost</entity><query><field>id<expression "
        "op=\"Equals\">" +
        std::to_string(id) + "</expression></field></query></queryxml>");
    return FieldOf(r.body, field);
  };

  // Off (the default): the twins equal their base values, whatever the client sends.
  t->settings.multi_currency = false;
  auto off = cost("92");
  INFO(off.body.substr(0, 1200));
  REQUIRE(Between(off.body, "<ReturnCode>", "</ReturnCode>") == "1");
  long long off_id = std::stoll(Between(off.body, "<EntityId>", "</EntityId>"));
  CHECK(read(off_id, "InternalCurrencyUnitPrice") == "92");
  CHECK(read(off_id, "BillableAmount") == "184");
  CHECK(read(off_id, "InternalCurrencyBillableAmount") == "184");

  // On: converted with the EUR rate (internal = amount / rate), on create and on update.
  t->settings.multi_currency = true;
  auto on = cost("92");
  REQUIRE(Between(on.body, "<ReturnCode>", "</ReturnCode>") == "1");
  long long on_id = std::stoll(Between(on.body, "<EntityId>", "</EntityId>"));
  double expect = std::round(92 / rate * 10000) / 10000;
  CHECK(std::stod(read(on_id, "InternalCurrencyUnitPrice")) == Approx(expect));
  CHECK(read(on_id, "BillableAmount") == "184");
  CHECK(std::stod(read(on_id, "InternalCurrencyBillableAmount")) ==
        Approx(std::round(184 / rate * 10000) / 10000));
  auto up = m.Soap(Update("TicketCost", on_id, "<UnitPrice>46</UnitPrice>"));
  REQUIRE(Between(up.body, "<ReturnCode>", "</ReturnCode>") == "1");
  CHECK(std::stod(read(on_id, "InternalCurrencyUnitPrice")) ==
        Approx(std::round(46 / rate * 10000) / 10000));
  // An account in the internal currency: rate 1.
  auto usd = m.Query(
      "<queryxml><entity>Currency</entity><query><field>IsInternalCurrency"
      "<expression op=\"Equals\">true</expression></field></query></queryxml>");
  m.Soap(Update("Account", account,
                "<CurrencyID>" + std::to_string(FirstId(usd.body)) + "</CurrencyID>"));
  auto internal = cost("92");
  long long internal_id = std::stoll(Between(internal.body, "<EntityId>", "</EntityId>"));
  CHECK(read(internal_id, "InternalCurrencyUnitPrice") == "92");
  t->settings.multi_currency = false;
}

TEST_CASE("ExecuteCommand pages name the record on the zone's web URL", "[executecommand]") {
  ContractMock& m = M();
  long long ticket = AnyTicket(m);
  auto tq = m.Query("<queryxml><entity>Ticket</entity><query><field>id<expression op=\"Equals\">" +
                    std::to_string(ticket) + "</expression></field></query></queryxml>");
  std::string number = FieldOf(tq.body, "TicketNumber");
  std::string evil = "Printer <img src=x onerror=alert(1)> on \"fire\" & 'smoke'";
  REQUIRE(Between(m.Soap(Update("Ticket", ticket, "<Title>" + Esc(evil) + "</Title>")).body,
                  "<ReturnCode>", "</ReturnCode>") == "1");
  const std::string page = "/Autotask/AutotaskExtend/ExecuteCommand.aspx";

  auto r = m.Get("/ww5" + page + "?Code=OpenTicketDetail&TicketID=" + std::to_string(ticket));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(r.headers["x-content-type-options"] == "nosniff");
  CHECK(r.body.find("<h1>Ticket " + number +
                    " \xE2\x80\x94 Printer &lt;img src=x onerror=alert(1)&gt; on &quot;fire&quot; "
                    "&amp; &#39;smoke&#39;</h1>") != std::string::npos);
  CHECK(r.body.find("<img") == std::string::npos);
  CHECK(r.body.find("data-id=\"" + std::to_string(ticket) + "\"") != std::string::npos);
  CHECK(r.body.find("(Contoso Managed Services)</title>") != std::string::npos);

  // By ticket number, any case of path and parameters, and by Host name.
  auto byn = m.Get(
      "/WW5/autotask/AUTOTASKEXTEND/executecommand.ASPX?code=openticketdetail&"
      "ticketnumber=" +
      number);
  CHECK(byn.status == 200);
  CHECK(byn.body.find("data-id=\"" + std::to_string(ticket) + "\"") != std::string::npos);
  auto host = m.Get(page + "?Code=OpenTicketDetail&TicketNumber=" + number,
                    {{"Host", "ww5.autotask.net:" + std::to_string(m.port)}});
  CHECK(host.status == 200);
  CHECK(host.body.find("data-id=\"" + std::to_string(ticket) + "\"") != std::string::npos);
  // HEAD: the status and headers only.
  auto head = HttpCall(m.port, "HEAD",
                       "/ww5" + page + "?Code=OpenTicketDetail&TicketID=" + std::to_string(ticket));
  CHECK(head.status == 200);

  // Other commands.
  long long account = FirstId(m.Query("<queryxml><entity>Account</entity><query><field>id"
                                      "<expression op=\"GreaterThan\">0</expression></field>"
                                      "</query></queryxml>")
                                  .body);
  auto acc = m.Get("/ww5" + page + "?Code=OpenAccount&AccountID=" + std::to_string(account));
  CHECK(acc.status == 200);
  CHECK(acc.body.find("<h1>Account ") != std::string::npos);
  auto nt = m.Get("/ww5" + page + "?Code=NewTicket&AccountID=" + std::to_string(account));
  CHECK(nt.status == 200);
  CHECK(nt.body.find("<h1>New Ticket \xE2\x80\x94 ") != std::string::npos);
  CHECK(m.Get("/ww5" + page + "?Code=NewTicket").status == 200);
  long long contact = FirstId(m.Query("<queryxml><entity>Contact</entity><query><field>id"
                                      "<expression op=\"GreaterThan\">0</expression></field>"
                                      "</query></queryxml>")
                                  .body);
  auto ct = m.Get("/ww5" + page + "?Code=OpenContact&ContactID=" + std::to_string(contact));
  CHECK(ct.status == 200);
  CHECK(ct.body.find("<h1>Contact ") != std::string::npos);
  // Phone: digits only, prefix-matched; one match opens the account, several a list.
  auto aq = m.Query(
      "<queryxml><entity>Account</entity><query><field>Phone<expression "
      "op=\"IsNotNull\"></expression></field></query></queryxml>");
  std::string phone = FieldOf(aq.body, "Phone");
  REQUIRE_FALSE(phone.empty());
  std::string digits;
  for (char c : phone)
    if (c >= '0' && c <= '9') digits.push_back(c);
  auto byphone = m.Get("/ww5" + page + "?Code=OpenAccount&Phone=" + digits);
  CHECK(byphone.status == 200);
  CHECK(byphone.body.find("<h1>Account ") != std::string::npos);
  auto several = m.Get("/ww5" + page + "?Code=OpenAccount&Phone=" + digits.substr(0, 1));
  CHECK(several.status == 200);
  CHECK(several.body.find("<ul class=\"matches\">") != std::string::npos);

  // The German tenant in zone 18: picklist labels in German.
  long long de_ticket = AnyTicket(m, kGermanUser, kZone18);
  auto de = m.Get("/ww18" + page + "?Code=OpenTicketDetail&TicketID=" + std::to_string(de_ticket));
  CHECK(de.status == 200);
  CHECK(de.body.find("Beispiel IT-Service GmbH") != std::string::npos);
  // Zones are separate: zone 5's page does not open zone 18's ticket.
  CHECK(m.Get("/ww5" + page + "?Code=OpenTicketDetail&TicketID=" + std::to_string(de_ticket))
            .status == 404);
}

TEST_CASE("ExecuteCommand error pages do not reflect input unescaped", "[executecommand]") {
  ContractMock& m = M();
  const std::string page = "/ww5/Autotask/AutotaskExtend/ExecuteCommand.aspx";
  auto unknown = m.Get(page + "?Code=%3Cscript%3Ealert(1)%3C/script%3E");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("<script>") == std::string::npos);
  CHECK(unknown.body.find("The command &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39; is not "
                          "recognized.") != std::string::npos);
  auto none = m.Get(page);
  CHECK(none.status == 404);
  CHECK(none.body.find("The Code parameter is missing.") != std::string::npos);
  auto missing = m.Get(page + "?Code=OpenTicketDetail");
  CHECK(missing.status == 400);
  CHECK(missing.body.find("The command OpenTicketDetail needs TicketID or TicketNumber.") !=
        std::string::npos);
  auto bad = m.Get(page + "?Code=OpenTicketDetail&TicketID=%22%3E%3Cb%3E");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("<b>") == std::string::npos);
  CHECK(bad.body.find("&quot;&gt;&lt;b&gt;") != std::string::npos);
  auto gone = m.Get(page + "?Code=OpenTicketDetail&TicketID=999999999");
  CHECK(gone.status == 404);
  CHECK(gone.body.find("No Ticket with TicketID 999999999 exists in this database.") !=
        std::string::npos);
  auto gone_number = m.Get(page + "?Code=OpenTicketDetail&TicketNumber=%3Ci%3ET1");
  CHECK(gone_number.status == 404);
  CHECK(gone_number.body.find("<i>") == std::string::npos);
  // A zone without a database, a zone that does not exist, a wrong DB, the wrong method.
  auto empty_zone =
      m.Get("/ww4/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID=1");
  CHECK(empty_zone.status == 404);
  CHECK(empty_zone.body.find("No database lives in zone ww4.") != std::string::npos);
  CHECK(m.Get("/ww998/Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=NewTicket").status == 404);
  auto wrong_db = m.Get(page + "?Code=NewTicket&DB=29684100");
  CHECK(wrong_db.status == 404);
  CHECK(m.Get(page + "?Code=NewTicket&DB=29683500").status == 200);
  CHECK(HttpCall(m.port, "POST", page + "?Code=NewTicket", "x").status == 405);
  // Journal: the pages are recorded as ExecuteCommand.
  service::JournalFilter f;
  f.operation = "ExecuteCommand";
  CHECK_FALSE(m.svc->journal().Query(f).empty());
  // Other paths are not ExecuteCommand pages.
  CHECK(m.Get("/ww5/Autotask/AutotaskExtend/Other.aspx").status == 404);
}

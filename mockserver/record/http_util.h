// Helpers the recorder and the replayer share: JSON and SOAP-fault answers, the admin routes'
// access check, sendable content types, the time. Not part of the module's interface.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "record/record.h"

namespace atws::record::http_util {

service::HttpResponse Json(int status, const nlohmann::json& j);
service::HttpResponse JsonError(int status, const std::string& msg);
// A SOAP 1.1 fault (HTTP `status`) with `message` as its faultstring.
service::HttpResponse SoapFault(int status, const std::string& message);
// True when `req` may use the admin routes; else false and *refusal (403 or 401) to send.
bool AdminAllowed(const AdminAccess& access, const service::HttpRequest& req,
                  service::HttpResponse* refusal);
bool IsAdminPath(const std::string& path);
// A content type the HTTP layer can send (Pistache refuses unknown top-level types): `ct` when
// it is type/subtype with a known type, "text/plain" when empty, else
// "application/octet-stream". The recording keeps the original.
std::string SendableContentType(std::string_view ct);
// `path` without trailing slashes.
std::string AdminPath(const std::string& path);
// ISO 8601 UTC now, with milliseconds.
std::string NowIso();

}  // namespace atws::record::http_util

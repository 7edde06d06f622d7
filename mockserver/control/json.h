// JSON answers of the admin API, shared by the files that implement its endpoints.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/http_message.h"

namespace atws::control {

// `j` serialised as the body of an application/json answer with the given status.
inline HttpResponse Json(int status, const nlohmann::json& j) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = j.dump();
  r.body += '\n';
  return r;
}

// {"error": msg} with the given status.
inline HttpResponse JsonError(int status, const std::string& msg) {
  return Json(status, {{"error", msg}});
}

}  // namespace atws::control

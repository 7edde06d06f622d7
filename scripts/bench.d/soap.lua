-- Shared by the wrk scripts in this folder: POSTs one SOAP envelope (read from a file beside
-- the scripts) over keep-alive connections, with HTTP Basic credentials of the default zone-5
-- user (api@contoso.example / sandbox); the AutotaskIntegrations header is in the envelope.
local soap = {}

function soap.setup(dir, envelope_file, action)
  local f = assert(io.open(dir .. envelope_file, "rb"), "cannot open " .. dir .. envelope_file)
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
  wrk.headers["SOAPAction"] = '"http://autotask.net/ATWS/v1_6/' .. action .. '"'
  -- base64("api@contoso.example:sandbox")
  wrk.headers["Authorization"] = "Basic YXBpQGNvbnRvc28uZXhhbXBsZTpzYW5kYm94"
  wrk.headers["Connection"] = "keep-alive"
end

return soap

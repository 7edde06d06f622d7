-- wrk script used by scripts/bench: every wrk thread sends the requests named in the
-- environment variable ATWS_BENCH_SEQ in turn, over keep-alive connections.
--
--   ATWS_BENCH_SEQ="NAME[@PATH],NAME[@PATH],..."
--
-- NAME is an envelope in requests/ (requests/NAME.xml); PATH, when given, replaces the path of
-- the URL wrk was started with (nginx serves each canned body at its own path). In the
-- envelopes, {{n}} becomes a number unique to the request (thread number and counter),
-- {{id}} one of the default tenant's ticket ids (8751 + n mod 1000) and {{prio}} a priority
-- value (1-3), so that creates and updates write different values each time.
--
-- Requests carry HTTP Basic credentials of api@contoso.example / sandbox, or the Authorization
-- header value in ATWS_BENCH_AUTH; the AutotaskIntegrations header is in the envelopes. The SOAPAction header is
-- "http://autotask.net/ATWS/v1_6/<operation>", the operation read from the envelope.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
  table.insert(threads, thread)
end

local items = {}
local pos = 0
local n = 0

local function load(name)
  local f = assert(io.open(dir .. "requests/" .. name .. ".xml", "rb"), "no requests/" .. name .. ".xml")
  local body = f:read("*a")
  f:close()
  return body
end

function init(args)
  local seq = os.getenv("ATWS_BENCH_SEQ") or "zone"
  for entry in seq:gmatch("[^,]+") do
    local name, path = entry:match("^([^@]+)@?(.*)$")
    local body = load(name)
    local op = body:match("<soap:Body><(%w+)") or name
    local headers = {
      ["Content-Type"] = "text/xml; charset=utf-8",
      ["SOAPAction"] = '"http://autotask.net/ATWS/v1_6/' .. op .. '"',
      -- base64("api@contoso.example:sandbox")
      ["Authorization"] = os.getenv("ATWS_BENCH_AUTH") or "Basic YXBpQGNvbnRvc28uZXhhbXBsZTpzYW5kYm94",
      ["Connection"] = "keep-alive",
    }
    local item = { path = (path ~= "" and path or wrk.path), headers = headers, body = body }
    item.templated = body:find("{{", 1, true) ~= nil
    if not item.templated then
      item.raw = wrk.format("POST", item.path, headers, body)
    end
    table.insert(items, item)
  end
end

function request()
  pos = pos % #items + 1
  local item = items[pos]
  if item.raw then return item.raw end
  n = n + 1
  local u = (thread_no or 0) * 100000000 + n
  local body = item.body:gsub("{{n}}", tostring(u))
                        :gsub("{{id}}", tostring(8751 + u % 1000))
                        :gsub("{{prio}}", tostring(1 + u % 3))
  return wrk.format("POST", item.path, item.headers, body)
end

-- With ATWS_BENCH_CHECK=1, answers that are not HTTP 200 or whose SOAP answer reports an error
-- (ReturnCode -1 or a soap:Fault) are counted and printed at the end as "soap errors: N" (wrk
-- itself counts only non-2xx). Off by default: handing every body to Lua costs wrk time.
if os.getenv("ATWS_BENCH_CHECK") == "1" then
  soap_errors = 0
  function response(status, headers, body)
    if status ~= 200 or body:find("<ReturnCode>-1</ReturnCode>", 1, true) or
       body:find("Fault>", 1, true) then
      soap_errors = soap_errors + 1
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("soap_errors") or 0) end
  io.write(string.format("soap errors: %d\n", total))
end

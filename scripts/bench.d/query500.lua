-- wrk script: a full 500-row Ticket page (query `id GreaterThan 0`) as api@contoso.example
-- (POST to the zone-5 endpoint /webservices5/atservices/1.6/atws.asmx).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "soap.lua").setup(dir, "query500.xml", "query")

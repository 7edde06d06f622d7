-- wrk script: getZoneInfo for api@contoso.example (POST to the zone-neutral endpoint).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "soap.lua").setup(dir, "getZoneInfo.xml", "getZoneInfo")

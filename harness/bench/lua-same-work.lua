-- The benchmark's fair peer: the seed's Lua filter doing version-router's work on all
-- traffic, not only gRPC. A missing or unknown version (repeated headers arrive joined
-- with ",", so they are unknown too) becomes the default.
local known = { v1 = true, v2 = true, v3 = true, v4 = true }

function envoy_on_request(request_handle)
  local headers = request_handle:headers()
  local version = headers:get("grpcsvc")
  if version == nil or not known[version] then
    headers:replace("grpcsvc", "v1")
  end
end

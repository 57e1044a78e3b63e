-- The seed deployment's fallback, as it ran before version-router (rewritten from its
-- description): gRPC requests only, a hand-typed list of versions, default v1.
local known = { v1 = true, v2 = true, v3 = true, v4 = true }

function envoy_on_request(request_handle)
  local headers = request_handle:headers()
  local content_type = headers:get("content-type")
  if content_type == nil or not string.find(content_type, "grpc", 1, true) then
    return
  end
  local version = headers:get("grpcsvc")
  if version == nil or not known[version] then
    headers:replace("grpcsvc", "v1")
  end
end

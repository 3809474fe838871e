-- wrk script: POST /v1/predict with the request bodies of BODIES (one JSON body a line), in turn.
local bodies = {}
local file = assert(io.open(os.getenv("BODIES"), "r"))
for line in file:lines() do bodies[#bodies + 1] = line end
file:close()
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/v1/predict", nil, bodies[i])
end

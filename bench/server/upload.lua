-- upload.lua — wrk script: POST /api/images with signed JPEGs, each request
-- a different file while there are files left.
--
--   wrk ... -s upload.lua URL -- DIR K TOKEN THREADS
--
-- DIR holds up-00000.jpg .. up-(K-1).jpg, distinct signed JPEGs. Thread t
-- of THREADS sends files t, t + THREADS, t + 2 THREADS, ...; past K it
-- starts over (those uploads are duplicates: the server answers 200 instead
-- of 201). Each file is read from DIR (the page cache) when its request is
-- made, so wrk holds one file per thread, not K. done() prints one line:
--   uploads: created=N duplicate=N other=N statuses=CODE:N,...
-- (created: 201, duplicate: 200, other: anything else).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  dir, k, token, nthreads = args[1], tonumber(args[2]), args[3], tonumber(args[4])
  sent = 0
  created, duplicate, other = 0, 0, 0
  statuses = {}
end

function request()
  local i = (id + nthreads * sent) % k
  sent = sent + 1
  local f = assert(io.open(string.format("%s/up-%05d.jpg", dir, i), "rb"))
  local body = f:read("*a")
  f:close()
  return wrk.format("POST", "/api/images", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "image/jpeg",
  }, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 200 then
    duplicate = duplicate + 1
  else
    other = other + 1
  end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local c, d, o, codes = 0, 0, 0, {}
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    d = d + t:get("duplicate")
    o = o + t:get("other")
    for code, n in pairs(t:get("statuses")) do
      codes[code] = (codes[code] or 0) + n
    end
  end
  local list = {}
  for code, n in pairs(codes) do
    table.insert(list, code .. ":" .. n)
  end
  table.sort(list)
  io.write(string.format("uploads: created=%d duplicate=%d other=%d statuses=%s\n", c, d, o,
    table.concat(list, ",")))
end

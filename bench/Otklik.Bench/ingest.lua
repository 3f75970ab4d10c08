-- wrk script for B1: one button press per request, a fresh event id each time, rotating over many devices.
-- Usage: wrk -t1 -c64 -d20s --latency -s ingest.lua http://127.0.0.1:PORT -- devices.txt [redShare]
--        wrk -t1 -c64 -d20s --latency -s ingest.lua http://127.0.0.1:PORT -- hello   (the GET /bench/hello baseline)
-- devices.txt: one "deviceId token" per line.

local devices = {}
local next_device = 1
local counter = 0
local prefix = 0
local red_share = 0.15
local stamp, stamp_second = "", -1
local hello = nil

function init(args)
  if args[1] == "hello" then
    hello = wrk.format("GET", "/bench/hello")
    return
  end
  local file = assert(io.open(args[1], "r"), "cannot open the device file " .. tostring(args[1]))
  for line in file:lines() do
    local id, token = line:match("^(%S+)%s+(%S+)$")
    if id then devices[#devices + 1] = { path = "/api/v1/devices/" .. id .. "/events", auth = "Bearer " .. token } end
  end
  file:close()
  assert(#devices > 0, "no devices in " .. args[1])
  if args[2] then red_share = tonumber(args[2]) end
  -- A random 32-bit prefix per thread plus a counter: ids never repeat within a run.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  prefix = math.random(0, 0x7fffffff)
  next_device = math.random(1, #devices)
end

local function now_iso()
  local t = os.time()
  if t ~= stamp_second then
    stamp_second = t
    stamp = os.date("!%Y-%m-%dT%H:%M:%S", t)
  end
  return stamp .. "+00:00"
end

function request()
  if hello then return hello end
  counter = counter + 1
  local d = devices[next_device]
  next_device = next_device % #devices + 1
  local id = string.format("%08x-%04x-4%03x-8%03x-%012x", prefix, math.floor(counter / 0x1000000) % 0x10000,
    math.floor(counter / 0x1000) % 0x1000, counter % 0x1000, math.random(0, 0xffffffff))
  local kind = math.random() < red_share and "red" or "green"
  local body = '{"id":"' .. id .. '","type":"' .. kind .. '","at":"' .. now_iso() .. '"}'
  return wrk.format("POST", d.path, { ["Authorization"] = d.auth, ["Content-Type"] = "application/json" }, body)
end

-- One machine-readable line for the bench driver (latencies in microseconds).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"durationUs":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end

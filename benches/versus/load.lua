-- wrk script of benches/versus.sh: one careers route, rotating through the seeded users.
--   wrk ... -s load.lua URL -- <route> <users.lua> <follow offset> <threads>
-- route: me | profile | list | follow | login. The users file (written by versus.py seed)
-- defines USERS = {{id=, name=, token=}, ...} and PASSWORD.
local threads_made = 0

function setup(thread)
  thread:set("thread_index", threads_made)
  threads_made = threads_made + 1
end

function init(args)
  route = args[1]
  dofile(args[2])
  offset = tonumber(args[3] or "0")
  threads = tonumber(args[4] or "1")
  count = #USERS
  sent = 0
  host = wrk.headers["Host"]
end

local function user(i)
  return USERS[i % count + 1]
end

function request()
  local i = thread_index + sent * threads
  sent = sent + 1
  if route == "me" then
    return wrk.format("GET", "/careers/users/me/",
      {Host = host, Authorization = "Bearer " .. user(i).token})
  elseif route == "profile" then
    return wrk.format("GET", "/careers/users/" .. user(i).name .. "/", {Host = host})
  elseif route == "list" then
    return wrk.format("GET", "/careers/users/?batch_size=10",
      {Host = host, Authorization = "Bearer " .. user(i).token})
  elseif route == "follow" then
    -- Pair k (k < count * (count - 1)) is a follow no earlier request made: every answer is 201.
    local k = offset + i
    local follower = k % count
    local target = (follower + math.floor(k / count) % (count - 1) + 1) % count
    return wrk.format("POST", "/careers/users/follow/",
      {Host = host, Authorization = "Bearer " .. USERS[follower + 1].token,
       ["Content-Type"] = "application/json"},
      '{"following": ' .. USERS[target + 1].id .. '}')
  elseif route == "login" then
    -- A new connection per sign-in (from a new loopback address with spread.so).
    local u = user(i)
    return wrk.format("POST", "/careers/users/login/",
      {Host = host, ["Content-Type"] = "application/json", Connection = "close"},
      '{"username": "' .. u.name .. '", "password": "' .. PASSWORD .. '"}')
  end
  error("unknown route " .. tostring(route))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'VERSUS {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end

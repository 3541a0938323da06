"""Lua scripts that make the hot session steps atomic inside Redis.

They mirror ``synth_ai.domain.sessions.model`` (``effective``, ``decide_reservation``, ``settle``)
on the JSON documents of ``synth_ai.adapters.wire.session_documents``; the ``SessionStore`` contract
suite holds them to the same behaviour as the Python rules. Reserve returns the session as it
was *before* the step, so the Python side re-derives the exact refusal message and soft-limit
warnings from the pure rule. Keys are built from the prefix inside the scripts (standalone
Redis; a cluster would need hash tags).
"""

COMMON = """
local EPS = 1e-9
local function r10(x) return math.floor(x * 1e10 + 0.5) / 1e10 end
local function present(v) return v ~= nil and v ~= cjson.null end
local function is_current(s) return s.status == 'active' or s.status == 'limit_exceeded' end
local function expire_if_due(s, now)
  if is_current(s) and present(s.expires_at) and now >= s.expires_at then
    s.status = 'expired'
    s.ended_at = s.expires_at
    return true
  end
  return false
end
local function limits_of(s)
  if type(s.limits) ~= 'table' then return {} end
  return s.limits
end
local function mark_if_used_up(s, now)
  if s.status ~= 'active' then return end
  for _, lim in ipairs(limits_of(s)) do
    if lim.kind == 'hard' and (s.used[lim.metric] or 0) >= lim.value - EPS then
      s.status = 'limit_exceeded'
      s.exceeded_metric = lim.metric
      s.exceeded_at = now
      return
    end
  end
end
local function release_lapsed(s, zkey, stale_before, now, prefix)
  local stale = redis.call('ZRANGEBYSCORE', zkey, '-inf', '(' .. stale_before)
  for _, id in ipairs(stale) do
    local held = redis.call('GET', prefix .. 'reservation:' .. id)
    if held then
      local r = cjson.decode(held)
      for m, v in pairs(r.amounts) do
        local left = r10((s.reserved[m] or 0) - v)
        if left < 0 then left = 0 end
        s.reserved[m] = left
      end
      local p = r.progress
      local charged = false
      if type(p) == 'table' then
        for m, v in pairs(p) do
          if v ~= 0 then charged = true end
          s.used[m] = r10((s.used[m] or 0) + v)
        end
      end
      if charged then
        mark_if_used_up(s, now)
        local entry = cjson.encode({
          id = 'lapsed-' .. r.id, org_id = r.org_id, user_id = r.user_id, amounts = p,
          created_at = now, session_id = r.session_id, key_id = r.key_id, model = r.model,
          kind = 'lapsed', reference_type = r.reference_type, reference_id = r.reference_id,
          metadata = {reservation_id = r.id}
        })
        redis.call('LPUSH', prefix .. 'ledger:' .. r.org_id, entry)
        redis.call('LPUSH', prefix .. 'ledger-session:' .. r.org_id .. '/' .. r.session_id, entry)
      end
      redis.call('DEL', prefix .. 'reservation:' .. id)
    end
    redis.call('ZREM', zkey, id)
  end
  return #stale > 0
end
"""

# KEYS[1] session doc, KEYS[2] reservation doc, KEYS[3] the session's reservations (zset,
#         scored by expiry: the lease end)
# ARGV: amounts json, now, reservation json, stale_before ('' = keep all), reservation id,
#       expiry, prefix
# A lapsed reservation is released charging its progress (ledger entry of kind 'lapsed');
# a refusal changes nothing.
RESERVE = (
    COMMON
    + """
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing', ''} end
local s = cjson.decode(raw)
local now = tonumber(ARGV[2])
local amounts = cjson.decode(ARGV[1])
if ARGV[4] ~= '' and release_lapsed(s, KEYS[3], ARGV[4], now, ARGV[7]) then
  raw = cjson.encode(s)
  redis.call('SET', KEYS[1], raw)
end
if expire_if_due(s, now) then
  redis.call('SET', KEYS[1], cjson.encode(s))
  return {'refused', raw}
end
if s.status ~= 'active' then return {'refused', raw} end
for _, lim in ipairs(limits_of(s)) do
  if lim.kind == 'hard' then
    local m = lim.metric
    local used = s.used[m] or 0
    local reserved = s.reserved[m] or 0
    local requested = amounts[m] or 0
    if used + reserved + requested > lim.value + EPS then
      return {'refused', raw}
    end
  end
end
for m, v in pairs(amounts) do s.reserved[m] = r10((s.reserved[m] or 0) + v) end
redis.call('SET', KEYS[1], cjson.encode(s))
redis.call('SET', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
return {'ok', raw}
"""
)

# KEYS[1] reservation doc, KEYS[2] org ledger; ARGV: actual json, now, entry json, prefix
SETTLE = (
    COMMON
    + """
local held = redis.call('GET', KEYS[1])
if not held then return 0 end
redis.call('DEL', KEYS[1])
local r = cjson.decode(held)
local prefix = ARGV[4]
local skey = prefix .. 'session:' .. r.org_id .. '/' .. r.session_id
redis.call('ZREM', prefix .. 'reservations:' .. r.org_id .. '/' .. r.session_id, r.id)
local raw = redis.call('GET', skey)
if raw then
  local s = cjson.decode(raw)
  local actual = cjson.decode(ARGV[1])
  for m, v in pairs(r.amounts) do
    local left = r10((s.reserved[m] or 0) - v)
    if left < 0 then left = 0 end
    s.reserved[m] = left
  end
  for m, v in pairs(actual) do s.used[m] = r10((s.used[m] or 0) + v) end
  mark_if_used_up(s, tonumber(ARGV[2]))
  redis.call('SET', skey, cjson.encode(s))
end
redis.call('LPUSH', KEYS[2], ARGV[3])
redis.call('LPUSH', prefix .. 'ledger-session:' .. r.org_id .. '/' .. r.session_id, ARGV[3])
return 1
"""
)

# KEYS[1] session doc, KEYS[2] the session's reservations (zset); ARGV: now, prefix
# Releases the session's lapsed leases (as RESERVE does first); returns the session doc.
RELEASE = (
    COMMON
    + """
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local s = cjson.decode(raw)
if release_lapsed(s, KEYS[2], ARGV[1], tonumber(ARGV[1]), ARGV[2]) then
  raw = cjson.encode(s)
  redis.call('SET', KEYS[1], raw)
end
return raw
"""
)

# KEYS[1] reservation doc; ARGV: expires_at, progress json, reservation id, prefix
RENEW = """
local held = redis.call('GET', KEYS[1])
if not held then return 0 end
local r = cjson.decode(held)
r.expires_at = tonumber(ARGV[1])
r.progress = cjson.decode(ARGV[2])
redis.call('SET', KEYS[1], cjson.encode(r))
redis.call('ZADD', ARGV[4] .. 'reservations:' .. r.org_id .. '/' .. r.session_id, ARGV[1], ARGV[3])
return 1
"""

# KEYS[1] current pointer, KEYS[2] new session doc, KEYS[3] org index, KEYS[4] user index
# ARGV: new doc json, now, new id, created_at, prefix, mode ('current_or_create' | 'make_active' |
#       'plain'), org id
# Insert-if-absent: a session id its org already holds returns false and changes nothing.
CREATE = (
    COMMON
    + """
local now = tonumber(ARGV[2])
local mode = ARGV[6]
if mode ~= 'current_or_create' and redis.call('EXISTS', KEYS[2]) == 1 then return false end
if mode ~= 'plain' then
  local sid = redis.call('GET', KEYS[1])
  if sid then
    local skey = ARGV[5] .. 'session:' .. ARGV[7] .. '/' .. sid
    local raw = redis.call('GET', skey)
    if raw then
      local s = cjson.decode(raw)
      if expire_if_due(s, now) then
        redis.call('SET', skey, cjson.encode(s))
      elseif is_current(s) then
        if mode == 'current_or_create' then return raw end
        s.status = 'ended'
        s.ended_at = now
        redis.call('SET', skey, cjson.encode(s))
      end
    end
  end
  if mode == 'current_or_create' and redis.call('EXISTS', KEYS[2]) == 1 then return false end
  redis.call('SET', KEYS[1], ARGV[3])
end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
return ARGV[1]
"""
)

package cluster

import (
	"context"
	"github.com/livedesk/gateway/internal/rediserr"
	"time"

	"github.com/redis/go-redis/v9"
)

// The presence scripts. Each runs atomically on the server in one round trip
// (EVALSHA, falling back to EVAL after a restart), so concurrent nodes never see or
// leave half-applied counts. They build key names from the prefix (see the layout in
// doc.go); KEYS[1] is always the nodes set, which routes the call in Redis Cluster
// (where the prefix must be a hash tag).
//
// Every script starts with presLuaLib. Its ARGV[1..3] are common to all of them:
//
//	ARGV[1]  the key prefix
//	ARGV[2]  now, unix ms, from the caller's clock (never Redis TIME)
//	ARGV[3]  the calling node's id
//
// A node is live when the value of its node:<id> key (its "alive until", unix ms)
// is later than now; a missing key counts as alive until 0. Lua numbers are doubles,
// exact for unix ms.
const presLuaLib = `
local P, NOW, SELF = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local cache = {}
local function aliveUntil(n)
  local u = cache[n]
  if u == nil then
    u = tonumber(redis.call('GET', P .. 'node:' .. n) or '0') or 0
    cache[n] = u
  end
  return u
end
-- tally: the agent's sockets on live nodes, and the latest alive-until of the dead
-- nodes that still hold some of its sockets (0: none, or unknown).
local function tally(a)
  local h = redis.call('HGETALL', P .. 'socks:' .. a)
  local live, dead = 0, 0
  for i = 1, #h, 2 do
    local u = aliveUntil(h[i])
    if u > NOW then live = live + tonumber(h[i + 1]) elseif u > dead then dead = u end
  end
  return live, dead
end
-- mark records a change of the agent's live sockets from b to n: 0 -> >0 clears its
-- lost key, >0 -> 0 sets it to at; either appends agent, n, lostAt to out.
local function mark(out, a, b, n, at)
  if b == 0 and n > 0 then
    redis.call('DEL', P .. 'lost:' .. a)
    table.insert(out, a); table.insert(out, n); table.insert(out, 0)
  elseif b > 0 and n == 0 then
    redis.call('SET', P .. 'lost:' .. a, at)
    table.insert(out, a); table.insert(out, 0); table.insert(out, tonumber(at))
  end
end
local function renew(untilMs, gcMs)
  redis.call('SET', P .. 'node:' .. SELF, untilMs, 'PX', gcMs)
  redis.call('SADD', P .. 'nodes', SELF)
  cache[SELF] = tonumber(untilMs)
end
`

// addScript adds delta (+1 or -1) to the node's sockets of an agent. A node found
// dead (it missed its heartbeats) is renewed first and reports stale, so that its
// next heartbeat rewrites all its counts.
//
//	ARGV[4]  agent, ARGV[5] delta, ARGV[6] alive until (ms), ARGV[7] key expiry (ms)
//	returns  {live after, stale 0/1, changed 0/1}
var presAddScript = redis.NewScript(presLuaLib + `
local a = ARGV[4]
local before = tally(a)
local stale = 0
if aliveUntil(SELF) <= NOW then stale = 1; renew(ARGV[6], ARGV[7]) end
local sk = P .. 'socks:' .. a
if redis.call('HINCRBY', sk, SELF, ARGV[5]) <= 0 then redis.call('HDEL', sk, SELF) end
redis.call('SADD', P .. 'socked', a)
local after = tally(a)
local out = {}
mark(out, a, before, after, ARGV[2])
return {after, stale, #out > 0 and 1 or 0}
`)

// heartbeatScript renews the node. When the node had been judged dead (stale) or
// ARGV[6] is '1', it first rewrites the node's counts of every agent to the ones
// given (absolute, so repeating it is harmless). When the node was alive, it then
// reaps every other node in the nodes set that is dead: drops it from the set, drops
// its counts, and records lostAt for each agent it left with 0 live sockets and no
// lost key yet. lostAt is the latest alive-until among the dead nodes that held the
// agent's sockets (now when unknown). A reaped node is gone from the set, so when
// several nodes reap at once, the first does it all and the others find nothing.
//
//	ARGV[4]  alive until (ms), ARGV[5] key expiry (ms), ARGV[6] '1' to force the
//	         rewrite, ARGV[7..] agent, count pairs: this node's sockets
//	returns  {stale 0/1, #reaped, reaped ids..., then agent, live, lostAt ms triples
//	         for each agent whose live count went 0 -> >0 or >0 -> 0}
var presHeartbeatScript = redis.NewScript(presLuaLib + `
local stale = aliveUntil(SELF) <= NOW
local out = {}
if stale or ARGV[6] == '1' then
  local want, seen, agents, before = {}, {}, {}, {}
  for i = 7, #ARGV, 2 do want[ARGV[i]] = tonumber(ARGV[i + 1]) end
  for _, a in ipairs(redis.call('SMEMBERS', P .. 'socked')) do seen[a] = true; table.insert(agents, a) end
  for a in pairs(want) do if not seen[a] then table.insert(agents, a) end end
  for i, a in ipairs(agents) do before[i] = tally(a) end
  renew(ARGV[4], ARGV[5])
  for i, a in ipairs(agents) do
    local sk, n = P .. 'socks:' .. a, want[a]
    if n and n > 0 then
      redis.call('HSET', sk, SELF, n)
      redis.call('SADD', P .. 'socked', a)
    else
      redis.call('HDEL', sk, SELF)
    end
    mark(out, a, before[i], tally(a), ARGV[2])
  end
else
  renew(ARGV[4], ARGV[5])
end
local reaped = {}
if not stale then
  for _, n in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
    local u = aliveUntil(n)
    if n ~= SELF and u <= NOW then
      table.insert(reaped, n)
      redis.call('SREM', P .. 'nodes', n)
      redis.call('DEL', P .. 'node:' .. n)
      for _, a in ipairs(redis.call('SMEMBERS', P .. 'socked')) do
        if redis.call('HDEL', P .. 'socks:' .. a, n) == 1 then
          local live, dead = tally(a)
          if live == 0 and redis.call('EXISTS', P .. 'lost:' .. a) == 0 then
            local at = math.max(u, dead)
            if at == 0 then at = NOW end
            redis.call('SET', P .. 'lost:' .. a, string.format('%d', at))
            table.insert(out, a); table.insert(out, 0); table.insert(out, at)
          end
        end
      end
    end
  end
end
local res = {stale and 1 or 0, #reaped}
for _, n in ipairs(reaped) do table.insert(res, n) end
for _, v in ipairs(out) do table.insert(res, v) end
return res
`)

// leaveScript removes the node: its counts of every agent, its entry in the nodes
// set and its node key. Agents it leaves with 0 live sockets get lostAt = now.
//
//	returns  agent, live, lostAt ms triples, as heartbeatScript
var presLeaveScript = redis.NewScript(presLuaLib + `
local out = {}
for _, a in ipairs(redis.call('SMEMBERS', P .. 'socked')) do
  local sk = P .. 'socks:' .. a
  if redis.call('HEXISTS', sk, SELF) == 1 then
    local before = tally(a)
    redis.call('HDEL', sk, SELF)
    mark(out, a, before, tally(a), ARGV[2])
  end
end
redis.call('SREM', P .. 'nodes', SELF)
redis.call('DEL', P .. 'node:' .. SELF)
return out
`)

// readScript reads agents without writing: ARGV[4..] the agents, or none for every
// agent in the socked set. lostAt is the lost key, or for sockets held only by dead
// nodes not reaped yet the latest of their alive-untils (whichever is later); 0 when
// the agent has live sockets or neither.
//
//	returns  agent, live, lostAt ms triples (with ARGV[4..]: one per agent asked)
var presReadScript = redis.NewScript(presLuaLib + `
local agents = {}
for i = 4, #ARGV do table.insert(agents, ARGV[i]) end
if #agents == 0 then agents = redis.call('SMEMBERS', P .. 'socked') end
local out = {}
for _, a in ipairs(agents) do
  local live, dead = tally(a)
  local lost = 0
  if live == 0 then lost = math.max(tonumber(redis.call('GET', P .. 'lost:' .. a) or '0') or 0, dead) end
  table.insert(out, a); table.insert(out, live); table.insert(out, lost)
end
return out
`)

// presTriples turns a script's agent, live, lostAt triples into a map.
func presTriples(res []any) map[string]AgentLive {
	out := make(map[string]AgentLive, len(res)/3)
	for i := 0; i+2 < len(res); i += 3 {
		a, _ := res[i].(string)
		live, _ := res[i+1].(int64)
		out[a] = AgentLive{Live: int(live), LostAt: presFromMs(res[i+2])}
	}
	return out
}

func presMs(t time.Time) int64 { return t.UnixMilli() }

func presFromMs(v any) time.Time {
	if n, _ := v.(int64); n > 0 {
		return time.UnixMilli(n)
	}
	return time.Time{}
}

// presWrap maps a Redis failure met while doing op (see rediserr.Wrap).
func presWrap(ctx context.Context, op string, err error) error {
	return rediserr.Wrap(ctx, "cluster", op, err)
}

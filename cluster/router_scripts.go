package cluster

import "github.com/redis/go-redis/v9"

// The Router's Lua scripts. Each runs atomically on the server (EVALSHA, falling
// back to EVAL after a restart), so every decision below is made against one
// consistent view of the open counts and the queue, whichever node calls it. Every
// key a script touches is passed in KEYS, as Redis Cluster needs.
//
// Common layout:
//
//	KEYS[1]  open     HASH agent -> open conversations ("0" is never stored)
//	KEYS[2]  lastasg  HASH agent -> last assignment, a 20-digit stamp (rtStamp)
//	KEYS[3]  queue:<site>     ZSET conversation -> turn (lower = earlier)
//	KEYS[4]  queueseq:<site>  STRING counter that hands out turns
//	KEYS[5]  queueat:<site>   HASH conversation -> unix nanoseconds it was queued
//
// Candidates are passed as ARGV: their count, then (agent id, max chats) pairs.

// rtLuaLib is prepended to the scripts that pick an agent or queue a conversation.
//
// rtPick(first) reads the candidate list that starts at ARGV[first] (its count)
// and returns the id of the candidate with room (open < max) that has the fewest
// open conversations, ties to the oldest last assignment (never assigned is oldest:
// the empty string sorts first), then the smallest id; nil when nobody has room. Strings are
// compared byte by byte: Lua's '<' uses the server's locale (strcoll).
//
// rtAssign(id, now) counts a conversation as open for id and records now as its
// last assignment; rtEnqueue(conv, at) queues a conversation at the tail unless it
// is queued already, and returns its 1-based position.
const rtLuaLib = `
local function rtLess(a, b)
  local la, lb = #a, #b
  for i = 1, math.min(la, lb) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return la < lb
end

local function rtHMGet(key, ids)
  local out = {}
  for s = 1, #ids, 500 do
    local part = redis.call('HMGET', key, unpack(ids, s, math.min(s + 499, #ids)))
    for i = 1, #part do out[s + i - 1] = part[i] end
  end
  return out
end

local function rtPick(first)
  local n = tonumber(ARGV[first])
  if n == 0 then return nil end
  local ids, maxs = {}, {}
  for i = 1, n do
    ids[i] = ARGV[first + 2 * i - 1]
    maxs[i] = tonumber(ARGV[first + 2 * i])
  end
  local opens = rtHMGet(KEYS[1], ids)
  local lasts = rtHMGet(KEYS[2], ids)
  local best, bo, bl
  for i = 1, n do
    local o = tonumber(opens[i]) or 0
    if o < maxs[i] then
      local l = lasts[i] or ''
      if best == nil or o < bo or (o == bo and (rtLess(l, bl) or (l == bl and rtLess(ids[i], best)))) then
        best, bo, bl = ids[i], o, l
      end
    end
  end
  return best
end

local function rtAssign(id, now)
  redis.call('HINCRBY', KEYS[1], id, 1)
  redis.call('HSET', KEYS[2], id, now)
end

local function rtEnqueue(conv, at)
  local r = redis.call('ZRANK', KEYS[3], conv)
  if r then return r + 1 end
  redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), conv)
  redis.call('HSET', KEYS[5], conv, at)
  return redis.call('ZRANK', KEYS[3], conv) + 1
end

-- rtEmptied forgets the turn counter once the queue is empty (Redis has already
-- deleted the empty sorted set), so idle sites leave no keys behind.
local function rtEmptied()
  if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('DEL', KEYS[4], KEYS[5]) end
end
`

// rtAssignScript: KEYS[1..2]; ARGV[1] now stamp, ARGV[2..] candidates.
// Returns the chosen agent id, or the empty string when nobody has room.
var rtAssignScript = redis.NewScript(rtLuaLib + `
local id = rtPick(2)
if not id then return '' end
rtAssign(id, ARGV[1])
return id
`)

// rtReleaseScript: KEYS[1] open; ARGV[1] agent. Decrements, never below 0 (a count
// that reaches 0 is deleted). Returns the new count.
var rtReleaseScript = redis.NewScript(`
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
if n <= 1 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 0
end
return redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
`)

// rtEnqueueScript: KEYS[3..5]; ARGV[1] conversation, ARGV[2] queued-at nanoseconds.
// Returns the 1-based position (the existing one when queued already).
var rtEnqueueScript = redis.NewScript(rtLuaLib + `
return rtEnqueue(ARGV[1], ARGV[2])
`)

// rtStartScript: KEYS[1..5]; ARGV[1] conversation, ARGV[2] queued-at nanoseconds,
// ARGV[3] now stamp, ARGV[4..] candidates. A conversation queued already keeps its
// place; while others wait it queues behind them; else it is assigned, or queued
// when nobody has room. Returns {agent id, 0} or {"", position}.
var rtStartScript = redis.NewScript(rtLuaLib + `
local r = redis.call('ZRANK', KEYS[3], ARGV[1])
if r then return {'', r + 1} end
if redis.call('EXISTS', KEYS[3]) == 0 then
  local id = rtPick(4)
  if id then
    rtAssign(id, ARGV[3])
    return {id, 0}
  end
end
return {'', rtEnqueue(ARGV[1], ARGV[2])}
`)

// rtRemoveScript: KEYS[3..5]; ARGV[1] conversation. Returns 1 when it was queued.
var rtRemoveScript = redis.NewScript(rtLuaLib + `
if redis.call('ZREM', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[5], ARGV[1])
rtEmptied()
return 1
`)

// rtDrainScript: KEYS[1..5]; ARGV[1] now stamp, ARGV[2..] candidates. Pops the
// head and assigns it when someone has room. Returns {conversation, agent} or {}.
var rtDrainScript = redis.NewScript(rtLuaLib + `
local head = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
if not head then return {} end
local id = rtPick(2)
if not id then return {} end
redis.call('ZREM', KEYS[3], head)
redis.call('HDEL', KEYS[5], head)
rtEmptied()
rtAssign(id, ARGV[1])
return {head, id}
`)

// rtRequeueScript: KEYS[3..5]; ARGV[1] conversation, ARGV[2] queued-at nanoseconds.
// Puts the conversation at the head (moving it there when queued elsewhere).
var rtRequeueScript = redis.NewScript(rtLuaLib + `
local head = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if head[1] == ARGV[1] then return 1 end
local turn
if head[1] then turn = tonumber(head[2]) - 1 else turn = redis.call('INCR', KEYS[4]) end
redis.call('ZADD', KEYS[3], turn, ARGV[1])
redis.call('HSETNX', KEYS[5], ARGV[1], ARGV[2])
return 1
`)

// rtClaimScript: KEYS[3..5]. Takes the whole queue: returns its ids in order and
// deletes it, so of callers racing exactly one gets them.
var rtClaimScript = redis.NewScript(`
local ids = redis.call('ZRANGE', KEYS[3], 0, -1)
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
return ids
`)

package redisstore

import "github.com/redis/go-redis/v9"

// The Lua scripts. Each runs atomically on the server in one round trip (EVALSHA,
// falling back to EVAL when the server has not seen the script, as after a
// restart). Every key a script touches is passed in KEYS, as Redis Cluster needs.

// createScript stores a record unless its key exists, and adds its id to indexes.
//
//	KEYS[1]     the record's key
//	KEYS[2..n]  sorted sets (score 0) that list the record's id
//	ARGV[1]     the record, ARGV[2] its id
//	returns     1 when stored, 0 when the key was taken (nothing written)
var createScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
for i = 2, #KEYS do redis.call('ZADD', KEYS[i], 0, ARGV[2]) end
return 1
`)

// pushMessageLua defines the message writing the append script and
// createConversationScript share:
//
//	has_seq(msg)                       whether msg, a message's JSON, holds the
//	                                   placeholder '"seq":-1' (encodeMessage puts it
//	                                   there; JSON escapes every '"' inside strings,
//	                                   so the plain text can only be that field)
//	push_message(list, cids, cid, msg) appends msg to the message list with the next
//	                                   sequence number (the list's length + 1) in
//	                                   place of the placeholder, records cid -> seq
//	                                   in the hash cids unless cid is '', and
//	                                   returns the seq. msg must pass has_seq: check
//	                                   before writing anything.
const pushMessageLua = `
local function has_seq(msg)
  return string.find(msg, '"seq":-1', 1, true) ~= nil
end
local function push_message(list, cids, cid, msg)
  local seq = redis.call('LLEN', list) + 1
  local i, j = string.find(msg, '"seq":-1', 1, true)
  redis.call('RPUSH', list, string.sub(msg, 1, i - 1) .. '"seq":' .. string.format('%d', seq) .. string.sub(msg, j + 1))
  if cid ~= '' then redis.call('HSET', cids, cid, seq) end
  return seq
end
`

// createConversationScript is CreateConversation: it stores a conversation unless
// its key exists, adds its id to its indexes and appends its first messages, in
// order, as the append script would (once per client id).
//
//	KEYS[1]     the conversation's record, KEYS[2] its message list,
//	KEYS[3]     its hash of client id -> seq
//	KEYS[4..n]  sorted sets (score 0) that list the conversation's id
//	ARGV[1]     the record, ARGV[2] its id
//	ARGV[3..]   two per first message: its client id ('' for none), then its JSON
//	            with the placeholder "seq":-1 (as the append script takes them)
//	returns     {0} the key was taken (nothing written);
//	            {1, seq...} stored, one seq per message in ARGV's order: positive,
//	            the message was stored as that seq; negative, its client id was
//	            there already (an earlier message of the same call), stored as
//	            -seq, and it was not stored again
//	            An odd number of message arguments or a message without the
//	            placeholder is an error reply, sent before anything is written.
var createConversationScript = redis.NewScript(pushMessageLua + `
if redis.call('EXISTS', KEYS[1]) == 1 then return {0} end
if #ARGV % 2 ~= 0 then return redis.error_reply('ERR create conversation: odd message arguments') end
for i = 4, #ARGV, 2 do
  if not has_seq(ARGV[i]) then return redis.error_reply('ERR message without a seq placeholder') end
end
redis.call('SET', KEYS[1], ARGV[1])
for i = 4, #KEYS do redis.call('ZADD', KEYS[i], 0, ARGV[2]) end
local out = {1}
for i = 3, #ARGV, 2 do
  local cid, seq = ARGV[i], false
  if cid ~= '' then seq = redis.call('HGET', KEYS[3], cid) end
  if seq then
    out[#out + 1] = -tonumber(seq)
  else
    out[#out + 1] = push_message(KEYS[2], KEYS[3], cid, ARGV[i + 1])
  end
end
return out
`)

// appendScript appends a message to its conversation with the next sequence
// number, once per client id: AppendMessage, and AppendLive when ARGV[3] is 'live'
// (then the conversation's record is read and the rule of store.CheckLiveWrite,
// which this mirrors, checked after the client id and before anything is written).
//
//	KEYS[1]  the conversation's record, KEYS[2] its message list,
//	KEYS[3]  its hash of client id -> seq
//	ARGV[1]  the client id ('' for none)
//	ARGV[2]  the message, JSON, whose "seq" field is the placeholder -1; it is
//	         replaced by the real number (push_message, in pushMessageLua).
//	ARGV[3]  'live' to check who writes (anything else, or none: no check);
//	         then ARGV[4] the message's from, ARGV[5] the party writing
//	returns  {-1} unknown conversation
//	         {0, seq, conv} stored as seq (which is now the conversation's LastSeq)
//	         {1, seq, message JSON, last seq, conv} the client id was there already
//	         {2, last seq, conv} refused by the check
//	         where conv, the conversation's record, comes with 'live' only; nothing
//	         is written but in the first of the last three.
var appendScript = redis.NewScript(pushMessageLua + `
local live = ARGV[3] == 'live'
local conv
if live then
  conv = redis.call('GET', KEYS[1])
  if not conv then return {-1} end
elseif redis.call('EXISTS', KEYS[1]) == 0 then
  return {-1}
end
local cid = ARGV[1]
if cid ~= '' then
  local seq = redis.call('HGET', KEYS[3], cid)
  if seq then
    seq = tonumber(seq)
    return {1, seq, redis.call('LINDEX', KEYS[2], seq - 1), redis.call('LLEN', KEYS[2]), conv}
  end
end
if live then
  local c, from, party = cjson.decode(conv), ARGV[4], ARGV[5]
  local ok = false
  if party == '' then
    ok = false
  elseif from == 'visitor' then
    ok = c.visitor_id == party and (c.state == 'queued' or c.state == 'open')
  elseif from == 'agent' then
    ok = c.agent_id == party and c.state == 'open'
  end
  if not ok then return {2, redis.call('LLEN', KEYS[2]), conv} end
end
if not has_seq(ARGV[2]) then return redis.error_reply('ERR message without a seq placeholder') end
return {0, push_message(KEYS[2], KEYS[3], cid, ARGV[2]), conv}
`)

// addNotificationsLua defines add_notifications(k, a), which stores notifications
// whose record key does not exist yet, one after the other (so of two with one id,
// the first is stored), and returns how many it stored. It reads its keys from
// KEYS[k] on and its arguments from ARGV[a] to the end (notifScriptArgs builds
// both; notify_index.go):
//
//	KEYS[k]    the due sorted set, KEYS[k+1] the pending sorted set
//	then per notification: its record key, then the nidx lex indexes that list it
//	ARGV, 8 per notification: id, record, nidx, '1' when pending (else '0'),
//	           due score, due member, pending score, pending member
//
// It only checks and writes (no error can stop it half way), so a script that calls
// it last stays all-or-nothing.
const addNotificationsLua = `
local function add_notifications(k, a)
  local due, pending = KEYS[k], KEYS[k + 1]
  local ki, added = k + 2, 0
  for i = a, #ARGV, 8 do
    local id, nidx = ARGV[i], tonumber(ARGV[i + 2])
    if redis.call('EXISTS', KEYS[ki]) == 0 then
      redis.call('SET', KEYS[ki], ARGV[i + 1])
      for j = 1, nidx do redis.call('ZADD', KEYS[ki + j], 0, id) end
      if ARGV[i + 3] == '1' then
        redis.call('ZADD', due, ARGV[i + 4], ARGV[i + 5])
        redis.call('ZADD', pending, ARGV[i + 6], ARGV[i + 7])
      end
      added = added + 1
    end
    ki = ki + 1 + nidx
  end
  return added
end
`

// addNotificationsScript is AddNotifications: add_notifications from KEYS[1] and
// ARGV[1]; returns how many it stored.
var addNotificationsScript = redis.NewScript(addNotificationsLua + `
return add_notifications(1, 1)
`)

// addOfflineScript stores an offline message of a site, once per visitor and
// client id, with the notifications that announce it.
//
//	KEYS[1]  the site's sorted set of offline message ids
//	KEYS[2]  the site's hash of id -> record, KEYS[3] its hash of client key -> id
//	KEYS[4..], ARGV[4..]  the notifications, as add_notifications takes them (none
//	         when ARGV ends at 3)
//	ARGV[1]  the client key ('' for none), ARGV[2] the id, ARGV[3] the record
//	returns  {0} stored; {1, record} the client key was there already; {2} the id
//	         is taken (nothing written, notifications included, either way)
var addOfflineScript = redis.NewScript(addNotificationsLua + `
local ckey = ARGV[1]
if ckey ~= '' then
  local id = redis.call('HGET', KEYS[3], ckey)
  if id then return {1, redis.call('HGET', KEYS[2], id)} end
end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return {2} end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[1], 0, ARGV[2])
if ckey ~= '' then redis.call('HSET', KEYS[3], ckey, ARGV[2]) end
add_notifications(4, 4)
return {0}
`)

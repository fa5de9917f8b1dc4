package redisstore

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// visitorNumberScript returns the visitor's number on a site, giving it the site's
// next one first when it has none. One key, so it stays within one hash slot.
//
//	KEYS[1]  the site's hash: visitor id -> number, and "" -> the last number given
//	ARGV[1]  the visitor id (never "": the store refuses empty ids)
//	returns  the number
var visitorNumberScript = redis.NewScript(`
local n = redis.call('HGET', KEYS[1], ARGV[1])
if n then return tonumber(n) end
n = redis.call('HINCRBY', KEYS[1], '', 1)
redis.call('HSET', KEYS[1], ARGV[1], n)
return n
`)

// VisitorNumber returns the visitor's number on the site, allocating the site's
// next one atomically (a Lua script: one round trip, no retries) the first time;
// a visitor that has its number writes nothing.
func (s *Store) VisitorNumber(ctx context.Context, siteID, visitorID string) (int64, error) {
	const op = "visitor number"
	if siteID == "" || visitorID == "" {
		return 0, errors.New("redis: visitor number: empty site or visitor id")
	}
	if err := s.begin(ctx, op); err != nil {
		return 0, err
	}
	n, err := visitorNumberScript.Run(ctx, s.rdb, []string{s.k.visitorNumbers(siteID)}, visitorID).Int64()
	if err != nil {
		return 0, s.wrap(ctx, op, err)
	}
	return n, nil
}

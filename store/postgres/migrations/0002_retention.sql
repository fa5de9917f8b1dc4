-- 0002: retention (store/postgres/retention.go, docs/protocol.md#retention). The
-- purge looks for a site's conversations that are over and its done offline
-- messages, oldest first; both times live inside the JSON records, so they are
-- kept beside them as generated columns (computed by the server on every write,
-- so no writer has to know of them) with partial indexes over just the rows that
-- can expire.

-- retention_time reads a time the gateway wrote into a record (RFC 3339 with a zone
-- offset, as Go's encoding/json writes it). The text-to-timestamptz cast is only
-- STABLE because a time without an offset would be read in the session's TimeZone;
-- the records' times always carry one, so for them it is IMMUTABLE, which a
-- generated column needs. NULL stays NULL.
CREATE FUNCTION retention_time(t text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT t::timestamptz $$;

-- When a conversation was over: ended_at for an ended or missed one (created_at
-- when it has none), NULL while it is queued or open (store.ConversationEnd).
ALTER TABLE conversations ADD COLUMN over_at timestamptz GENERATED ALWAYS AS (
    CASE WHEN state IN ('ended', 'missed')
        THEN retention_time(coalesce(data->>'ended_at', data->>'created_at')) END) STORED;
CREATE INDEX conversations_site_over ON conversations (site_id, over_at) WHERE over_at IS NOT NULL;

-- When an offline message was left; the done ones are the ones that expire
-- (store.OfflineExpired).
ALTER TABLE offline_messages ADD COLUMN created_at timestamptz GENERATED ALWAYS AS (
    retention_time(data->>'created_at')) STORED;
CREATE INDEX offline_messages_site_done ON offline_messages (site_id, created_at) WHERE state = 'done';

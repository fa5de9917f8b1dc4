-- 0002: visitor data requests (docs/protocol.md#visitor-data-requests). A tombstone
-- per erased visitor of a site, which a visitor's hello looks up by its key; and
-- the offline messages of one visitor of a site, which an export and an erasure
-- list oldest first.

CREATE TABLE visitor_erasures (
    site_id    text COLLATE "C" NOT NULL,
    visitor_id text COLLATE "C" NOT NULL,
    erased_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, visitor_id)
);

CREATE INDEX offline_messages_visitor ON offline_messages (site_id, visitor_id, id);

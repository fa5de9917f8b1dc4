-- 0001: the first schema. Every record is kept whole as JSON (data), as the other
-- stores keep it, so what goes in comes back field for field (json, not jsonb: a
-- notification's raw Data must come back byte for byte); the columns beside it
-- are the keys the queries select and order by. Ids are compared byte-wise
-- (COLLATE "C"): their order is time order (UUIDv7), whatever the database's locale.

CREATE TABLE sites (
    id   text COLLATE "C" PRIMARY KEY,
    data json NOT NULL
);

CREATE TABLE departments (
    id       text COLLATE "C" PRIMARY KEY,
    site_id  text COLLATE "C" NOT NULL,
    name_key text NOT NULL, -- store.DepartmentNameKey(name)
    data     json NOT NULL,
    UNIQUE (site_id, name_key)
);

CREATE TABLE agents (
    id        text COLLATE "C" PRIMARY KEY,
    email_key text COLLATE "C" UNIQUE, -- lower-cased e-mail; NULL when the agent has none
    role      text NOT NULL,
    data      json NOT NULL
);

CREATE TABLE conversations (
    id            text COLLATE "C" PRIMARY KEY,
    site_id       text COLLATE "C" NOT NULL,
    state         text NOT NULL,
    visitor_id    text COLLATE "C" NOT NULL,
    department_id text COLLATE "C" NOT NULL,
    last_seq      bigint NOT NULL DEFAULT 0, -- the last message's seq; moved with each insert
    data          json NOT NULL
);
-- The console's lists: a site's conversations, by state or all, newest first; a
-- visitor's conversations (search by visitor); every conversation in a state.
CREATE INDEX conversations_site_state ON conversations (site_id, state, id);
CREATE INDEX conversations_site ON conversations (site_id, id);
CREATE INDEX conversations_visitor ON conversations (visitor_id, id);
CREATE INDEX conversations_state ON conversations (state, id);

CREATE TABLE messages (
    conversation_id text COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    client_id       text COLLATE "C", -- NULL when the message came without one
    data            json NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
);

CREATE TABLE offline_messages (
    site_id    text COLLATE "C" NOT NULL,
    id         text COLLATE "C" NOT NULL,
    visitor_id text COLLATE "C" NOT NULL,
    client_id  text COLLATE "C", -- NULL when the message came without one
    state      text NOT NULL,
    data       json NOT NULL,
    PRIMARY KEY (site_id, id),
    UNIQUE (site_id, visitor_id, client_id)
);
-- The offline inbox: a site's messages in one state, oldest first.
CREATE INDEX offline_messages_site_state ON offline_messages (site_id, state, id);

CREATE TABLE notifications (
    id              text COLLATE "C" PRIMARY KEY,
    site_id         text COLLATE "C" NOT NULL,
    state           text NOT NULL,
    created_ns      bigint NOT NULL, -- CreatedAt in Unix nanoseconds
    next_attempt_ns bigint NOT NULL, -- NextAttemptAt in Unix nanoseconds
    data            json NOT NULL
);
CREATE INDEX notifications_site_state ON notifications (site_id, state, id);
CREATE INDEX notifications_site ON notifications (site_id, id);
CREATE INDEX notifications_state ON notifications (state, id);
-- The outbox worker's queue and its statistics: pending ones only.
CREATE INDEX notifications_due ON notifications (next_attempt_ns, id) WHERE state = 'pending';
CREATE INDEX notifications_pending ON notifications (created_ns, id) WHERE state = 'pending';

CREATE TABLE settings (
    key   text COLLATE "C" PRIMARY KEY,
    value bytea NOT NULL
);

-- Visitor numbers: the last number a site gave, and each visitor's.
CREATE TABLE visitor_counters (
    site_id text COLLATE "C" PRIMARY KEY,
    last    bigint NOT NULL
);
CREATE TABLE visitor_numbers (
    site_id    text COLLATE "C" NOT NULL,
    visitor_id text COLLATE "C" NOT NULL,
    number     bigint NOT NULL,
    PRIMARY KEY (site_id, visitor_id)
);

-- 0002: the progress of gateway migrate-data (store/copier), one row per table it
-- copies into this database, so a run that was stopped resumes where the last one
-- committed. Each batch of records is written in the same transaction as its row.

CREATE TABLE data_import (
    tbl       text COLLATE "C" PRIMARY KEY,
    source    text NOT NULL,        -- where the records come from (no password)
    pass      integer NOT NULL,     -- 1 for the first copy, one more for each later one
    cursor    bytea NOT NULL,       -- the source exporter's cursor after the last batch
    done      boolean NOT NULL,     -- the pass has copied the whole table
    read      bigint NOT NULL,      -- source records handed over in this pass
    copied    bigint NOT NULL,      -- of them, written (the others were there already)
    differ    bigint NOT NULL,      -- of them, missing from the target or different there
    example   text NOT NULL,        -- the key of the first that differs
    updated_at timestamptz NOT NULL DEFAULT now()
);

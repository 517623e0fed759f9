-- The mirror's first schema. Written once for both databases: {{ts}}, {{bool}}, {{json}} and
-- {{serial}} become TEXT (fixed-width UTC), INTEGER 0/1, TEXT and INTEGER PRIMARY KEY
-- AUTOINCREMENT on SQLite; TIMESTAMPTZ, BOOLEAN, JSONB and an identity column on PostgreSQL.

CREATE TABLE reviews (
    platform           TEXT NOT NULL,
    tenant             TEXT NOT NULL,
    id                 TEXT NOT NULL,
    order_id           TEXT,
    created_at         {{ts}} NOT NULL,
    stars              BIGINT,
    sentiment          TEXT NOT NULL,
    text               TEXT NOT NULL,
    author             TEXT,
    replied            {{bool}} NOT NULL,
    reply              TEXT,
    media              TEXT NOT NULL,
    items              TEXT NOT NULL,
    amount_fen         BIGINT,
    user_id            TEXT,
    service_sent       {{bool}} NOT NULL DEFAULT FALSE,
    pending_settlement {{bool}} NOT NULL DEFAULT FALSE,
    revised            {{bool}} NOT NULL DEFAULT FALSE,
    raw                {{json}} NOT NULL,
    first_seen_at      {{ts}} NOT NULL,
    changed_at         {{ts}} NOT NULL,
    PRIMARY KEY (platform, tenant, id)
);

-- The inbox reads the reviews that wait (few: unanswered bad ones) in time order, through
-- this index; no index of its own, which every review written would pay for.
CREATE INDEX reviews_created ON reviews (created_at);

CREATE TABLE review_process (
    platform  TEXT NOT NULL,
    tenant    TEXT NOT NULL,
    review_id TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    code      BIGINT NOT NULL,
    at        {{ts}},
    PRIMARY KEY (platform, tenant, review_id, seq)
);

CREATE TABLE review_changes (
    seq       {{serial}},
    platform  TEXT NOT NULL,
    tenant    TEXT NOT NULL,
    review_id TEXT NOT NULL,
    change    TEXT NOT NULL,
    at        {{ts}} NOT NULL
);
-- Read in `seq` order (what changed since a point); no other index for every change to pay.

CREATE TABLE sync_bookmarks (
    platform  TEXT NOT NULL,
    tenant    TEXT NOT NULL,
    from_at   {{ts}} NOT NULL,
    until_at  {{ts}} NOT NULL,
    synced_at {{ts}} NOT NULL,
    PRIMARY KEY (platform, tenant)
);

CREATE TABLE push_events (
    id              {{serial}},
    dedup_key       TEXT NOT NULL UNIQUE,
    tenant          TEXT NOT NULL,
    event           TEXT NOT NULL,
    comment_id      TEXT,
    create_time     {{ts}} NOT NULL,
    received_at     {{ts}} NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at {{ts}} NOT NULL,
    last_error      TEXT,
    raw             TEXT NOT NULL
);
CREATE INDEX push_events_due ON push_events (status, next_attempt_at);

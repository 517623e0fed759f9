//! The mirror's statements, written once for both backends: `$n` placeholders and, in keyed
//! statements, `{u}` for the batch's rows (on SQLite one row per execution of a query and up
//! to 64 rows per write, an `UNNEST` of arrays on PostgreSQL).

/// The `reviews` columns, in the order the statements bind and read them.
pub(crate) const REVIEW_COLUMNS: [&str; 21] = [
    "platform",
    "tenant",
    "id",
    "order_id",
    "created_at",
    "stars",
    "sentiment",
    "text",
    "author",
    "replied",
    "reply",
    "media",
    "items",
    "amount_fen",
    "user_id",
    "service_sent",
    "pending_settlement",
    "revised",
    "raw",
    "first_seen_at",
    "changed_at",
];

/// The `SELECT` list of a row write: $1 platform, $2 tenant, $3 the batch's time (as
/// `first_seen_at` and `changed_at`), the other columns from `{u}`. The batch's constants are
/// bound once, not once per row.
fn row_values() -> String {
    REVIEW_COLUMNS
        .iter()
        .map(|c| match *c {
            "platform" => "$1",
            "tenant" => "$2",
            "first_seen_at" | "changed_at" => "$3",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The insert of rows the lookup did not find (parameters as [`upsert_reviews`]).
pub(crate) fn insert_reviews() -> String {
    let cols = REVIEW_COLUMNS.join(", ");
    format!(
        "INSERT INTO reviews ({cols}) SELECT {} FROM {{u}}",
        row_values()
    )
}

/// The upsert of changed rows ($1 platform, $2 tenant, $3 the batch's time as `first_seen_at`
/// and `changed_at`; the other columns from `{u}`): every column but the key and
/// `first_seen_at` is replaced. The batch's constants are bound once, not once per row.
pub(crate) fn upsert_reviews() -> String {
    let cols = REVIEW_COLUMNS.join(", ");
    let values = row_values();
    let set = REVIEW_COLUMNS
        .iter()
        .filter(|c| !matches!(**c, "platform" | "tenant" | "id" | "first_seen_at"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    // `WHERE true` settles SQLite's parse of INSERT ... SELECT ... ON CONFLICT.
    format!(
        "INSERT INTO reviews ({cols}) SELECT {values} FROM {{u}} WHERE true \
         ON CONFLICT (platform, tenant, id) DO UPDATE SET {set}"
    )
}

/// The stored rows of a batch's ids ($1 platform, $2 tenant; `u(id, raw)`), with whether the
/// stored raw JSON equals the new one (as `jsonb` values on PostgreSQL; the new raw is sent as
/// text and parsed only for the ids that have a row, so a first sync parses each raw once, in
/// the upsert).
///
/// Each id is one probe of the primary key. SQLite runs the statement once per row, so a join
/// is that probe. PostgreSQL gets the whole batch as one `UNNEST`, and a plain join leaves the
/// plan to the statistics, which are stale or empty while a first sync fills the table: it
/// hash-joined over every row of the tenant, or probed the key by (platform, tenant) alone and
/// filtered the ids. A `LATERAL` subquery with `OFFSET 0` (which keeps it from being pulled up
/// into a join) has only one plan: a nested loop probing the key per id.
pub(crate) fn lookup(postgres: bool) -> String {
    let cols = "r.id, r.order_id, r.created_at, r.stars, r.sentiment, r.text, r.author, \
                r.replied, r.reply, r.media, r.items, r.amount_fen, r.user_id, r.service_sent, \
                r.pending_settlement, r.revised";
    let key = "r.platform = $1 AND r.tenant = $2 AND r.id = u.id";
    if postgres {
        format!(
            "SELECT {cols}, r.raw = u.raw::jsonb FROM {{u}} CROSS JOIN LATERAL \
             (SELECT * FROM reviews r WHERE {key} OFFSET 0) r"
        )
    } else {
        format!("SELECT {cols}, r.raw = u.raw FROM {{u}} JOIN reviews r ON {key}")
    }
}

/// The stored steps of some reviews (`u(platform, tenant, id)`), in order.
pub(crate) const PROCESS_OF: &str = "SELECT p.platform, p.tenant, p.review_id, p.code, p.at \
     FROM {u} JOIN review_process p \
     ON p.platform = u.platform AND p.tenant = u.tenant AND p.review_id = u.id \
     ORDER BY p.platform, p.tenant, p.review_id, p.seq";

/// Drops the steps of reviews whose steps are rewritten (`u(id)`).
pub(crate) const DELETE_PROCESS: &str = "DELETE FROM review_process \
     WHERE platform = $1 AND tenant = $2 AND review_id IN (SELECT id FROM {u})";

/// Writes steps.
pub(crate) const INSERT_PROCESS: &str = "INSERT INTO review_process (platform, tenant, review_id, seq, code, at) \
     SELECT platform, tenant, review_id, seq, code, at FROM {u}";

/// Logs change kinds ($1 platform, $2 tenant, $3 the batch's time; `u(review_id, change)`).
pub(crate) const INSERT_CHANGES: &str = "INSERT INTO review_changes (platform, tenant, review_id, change, at) \
     SELECT $1, $2, review_id, change, $3 FROM {u}";

/// Sets a tenant's bookmark.
pub(crate) const UPSERT_BOOKMARK: &str = "INSERT INTO sync_bookmarks (platform, tenant, from_at, until_at, synced_at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform, tenant) DO UPDATE SET \
     from_at = excluded.from_at, until_at = excluded.until_at, synced_at = excluded.synced_at";

/// A tenant's bookmark.
pub(crate) const BOOKMARK: &str =
    "SELECT from_at, until_at FROM sync_bookmarks WHERE platform = $1 AND tenant = $2";

/// The rows in `reviews`.
pub(crate) const COUNT: &str = "SELECT COUNT(*) FROM reviews";

/// The columns `read::stored` decodes (raw as text on both backends).
pub(crate) const SELECT_REVIEWS: &str = "SELECT platform, tenant, id, order_id, created_at, \
     stars, sentiment, text, author, replied, reply, media, items, amount_fen, user_id, \
     service_sent, pending_settlement, revised, CAST(raw AS TEXT), first_seen_at, changed_at \
     FROM reviews";

/// The inbox's unanswered reviews.
pub(crate) const INBOX_UNANSWERED: &str = "WHERE NOT replied AND \
     ((platform = 'wechat' AND stars <= 2) OR \
      (platform = 'taobao' AND sentiment IN ('negative', 'neutral')))";

/// WeChat reviews pending settlement.
pub(crate) const INBOX_PENDING: &str = "WHERE platform = 'wechat' AND pending_settlement";

/// WeChat reviews pending settlement that have a reply.
pub(crate) const INBOX_REPLIED_UNSETTLED: &str =
    "WHERE platform = 'wechat' AND pending_settlement AND replied";

/// The inbox's order: oldest first.
pub(crate) const INBOX_ORDER: &str = " ORDER BY created_at, id, platform, tenant";

/// Keeps a push once per key.
pub(crate) const INSERT_PUSH: &str = "INSERT INTO push_events (dedup_key, tenant, event, \
     comment_id, create_time, received_at, status, attempts, next_attempt_at, raw) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9) ON CONFLICT (dedup_key) DO NOTHING RETURNING id";

/// The id of a push by key.
pub(crate) const PUSH_ID: &str = "SELECT id FROM push_events WHERE dedup_key = $1";

/// Claims due pending pushes ($1 now, $2 until, $3 limit; `{lock}` the row-lock clause).
pub(crate) const CLAIM_PUSHES: &str = "UPDATE push_events \
     SET next_attempt_at = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM push_events \
       WHERE status = 'pending' AND comment_id IS NOT NULL AND next_attempt_at <= $1 \
       ORDER BY id LIMIT $3{lock}) \
     RETURNING id, tenant, comment_id, attempts";

/// Marks a push fetched.
pub(crate) const PUSH_FETCHED: &str = "UPDATE push_events SET status = 'fetched' WHERE id = $1";

/// Schedules another attempt.
pub(crate) const PUSH_RETRY: &str =
    "UPDATE push_events SET next_attempt_at = $2, last_error = $3 WHERE id = $1";

/// Gives up on a push.
pub(crate) const PUSH_FAILED: &str =
    "UPDATE push_events SET status = 'failed', last_error = $2 WHERE id = $1";

/// Every push, by id.
pub(crate) const PUSH_EVENTS: &str = "SELECT id, dedup_key, tenant, event, comment_id, \
     create_time, received_at, status, attempts, last_error FROM push_events ORDER BY id";

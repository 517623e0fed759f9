//! The mirror handle: one connection, its migrations applied, and the operations of the sync
//! path and of the webhook.

use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use review_model::mirror::Observed;

use crate::backend::postgres::Postgres;
use crate::backend::sqlite::Sqlite;
use crate::backend::{Backend, Value, in_tx};
use crate::url::UrlKind;
use crate::{
    Applied, Batch, Bookmark, InboxView, MirrorUrl, PendingPush, PushRecord, PushRow, PushStatus,
    Recorded, ReviewQuery, StoreError, StoredReview, Tenant, apply, migrate, read, sql,
};

/// A connection to the mirror, with its schema up to date.
///
/// `Send`, not shared: give each thread its own `Mirror` (several handles on one database are
/// safe: SQLite waits on its busy timeout, PostgreSQL locks rows).
///
/// **Not from inside a tokio task.** The PostgreSQL client runs its own small runtime and
/// blocks on it; calling it from an async task panics or stalls the executor. Use a plain
/// thread or `tokio::task::spawn_blocking`.
///
/// Durability: the sync path commits with SQLite `synchronous=NORMAL` (a power cut may lose the
/// last batches, which the next sync reads again); push operations switch to `FULL`, so a push
/// is on disk before the webhook answers 200. PostgreSQL commits are durable either way.
pub struct Mirror {
    backend: Box<dyn Backend>,
    target: String,
}

impl std::fmt::Debug for Mirror {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mirror")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Mirror {
    /// Opens (creating a SQLite file and its directory if needed) and applies the migrations.
    /// A database migrated by a newer build is refused ([`StoreError::SchemaTooNew`]).
    pub fn open(url: &MirrorUrl) -> Result<Mirror, StoreError> {
        let target = url.redacted();
        let connect = |source: crate::error::DriverError| StoreError::Connect {
            target: target.clone(),
            source,
        };
        let mut backend: Box<dyn Backend> = match &url.kind {
            UrlKind::SqliteMemory => Box::new(Sqlite::open(None).map_err(|e| connect(e.into()))?),
            UrlKind::SqliteFile(path) => {
                create_parent(path).map_err(|e| connect(e.into()))?;
                Box::new(Sqlite::open(Some(path)).map_err(|e| connect(e.into()))?)
            }
            UrlKind::Postgres(url) => {
                Box::new(Postgres::connect(url).map_err(|e| connect(e.into()))?)
            }
        };
        migrate::run(backend.as_mut(), Timestamp::now())?;
        Ok(Mirror { backend, target })
    }

    /// The mirror's URL, redacted.
    pub fn describe(&self) -> String {
        self.target.clone()
    }

    /// The tenant's bookmark: what the last complete sync covered.
    pub fn bookmark(&mut self, tenant: &Tenant) -> Result<Option<Bookmark>, StoreError> {
        let mut found = None;
        self.backend.query(
            "read bookmark",
            sql::BOOKMARK,
            &[
                Value::Text(tenant.platform.as_str()),
                Value::Text(&tenant.account),
            ],
            &mut |row| {
                found = Some(Bookmark {
                    from: row.ts(0)?,
                    until: row.ts(1)?,
                });
                Ok(())
            },
        )?;
        Ok(found)
    }

    /// Applies a batch in one transaction: the changed rows, their `review_changes` and, with
    /// `covered`, the bookmark. A failure leaves none of it.
    pub fn apply(&mut self, batch: &Batch<'_>) -> Result<Applied, StoreError> {
        self.backend.durable(false)?;
        in_tx(self.backend.as_mut(), |db| {
            let applied = apply::apply_rows(db, batch.tenant, batch.reviews, batch.now)?;
            if let Some(covered) = batch.covered {
                db.execute(
                    "write bookmark",
                    sql::UPSERT_BOOKMARK,
                    &[
                        Value::Text(batch.tenant.platform.as_str()),
                        Value::Text(&batch.tenant.account),
                        Value::Ts(covered.from),
                        Value::Ts(covered.until),
                        Value::Ts(batch.now),
                    ],
                )?;
            }
            Ok(applied)
        })
    }

    /// Stored reviews: platform, tenant, newest first, then id.
    pub fn reviews(&mut self, query: &ReviewQuery) -> Result<Vec<StoredReview>, StoreError> {
        let mut clauses = Vec::new();
        let mut params = Vec::new();
        if let Some(platform) = query.platform {
            params.push(Value::Text(platform.as_str()));
            clauses.push(format!("platform = ${}", params.len()));
        }
        if let Some(tenant) = &query.tenant {
            params.push(Value::Text(tenant));
            clauses.push(format!("tenant = ${}", params.len()));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let tail = format!("{filter} ORDER BY platform, tenant, created_at DESC, id");
        read::stored_reviews(self.backend.as_mut(), &tail, &params)
    }

    /// An inbox view, oldest first (`created_at`, then id).
    pub fn inbox(&mut self, view: InboxView) -> Result<Vec<StoredReview>, StoreError> {
        let filter = match view {
            InboxView::Unanswered => sql::INBOX_UNANSWERED,
            InboxView::PendingSettlement => sql::INBOX_PENDING,
            InboxView::RepliedUnsettled => sql::INBOX_REPLIED_UNSETTLED,
        };
        let tail = format!("{filter}{}", sql::INBOX_ORDER);
        read::stored_reviews(self.backend.as_mut(), &tail, &[])
    }

    /// The number of rows in `reviews`.
    pub fn count(&mut self) -> Result<u64, StoreError> {
        let mut count = 0;
        self.backend
            .query("count reviews", sql::COUNT, &[], &mut |row| {
                count = row.int(0)?;
                Ok(())
            })?;
        u64::try_from(count).map_err(|_| StoreError::corrupt("count", count.to_string()))
    }

    /// Keeps a push once per `dedup_key`, committed durably before it returns.
    pub fn record_push(&mut self, push: &PushRecord<'_>) -> Result<Recorded, StoreError> {
        self.backend.durable(true)?;
        let mut id = None;
        self.backend.query(
            "record push",
            sql::INSERT_PUSH,
            &[
                Value::Text(push.dedup_key),
                Value::Text(push.tenant),
                Value::Text(push.event),
                Value::OptText(push.comment_id),
                Value::Ts(push.create_time),
                Value::TsMs(push.received_at),
                Value::Text(push.status.as_str()),
                Value::TsMs(push.received_at),
                Value::Text(push.raw),
            ],
            &mut |row| {
                id = Some(row.int(0)?);
                Ok(())
            },
        )?;
        if let Some(id) = id {
            return Ok(Recorded::New(id));
        }
        self.backend.query(
            "find push",
            sql::PUSH_ID,
            &[Value::Text(push.dedup_key)],
            &mut |row| {
                id = Some(row.int(0)?);
                Ok(())
            },
        )?;
        id.map(Recorded::Duplicate)
            .ok_or_else(|| StoreError::corrupt("push_events", "a conflicting key has no row"))
    }

    /// Claims up to `limit` due pending pushes, oldest first: each gets `attempts + 1` and is
    /// hidden from other claimers until `now + hold` (so a crashed claimer's pushes come back).
    pub fn claim_pushes(
        &mut self,
        now: Timestamp,
        hold: SignedDuration,
        limit: u32,
    ) -> Result<Vec<PendingPush>, StoreError> {
        let until = now
            .checked_add(hold)
            .map_err(|_| StoreError::OutOfRange(format!("{now} + {hold}")))?;
        self.backend.durable(true)?;
        let claim = sql::CLAIM_PUSHES.replace("{lock}", self.backend.lock_clause());
        let mut claimed = in_tx(self.backend.as_mut(), |db| {
            let mut claimed = Vec::new();
            db.query(
                "claim pushes",
                &claim,
                &[
                    Value::TsMs(now),
                    Value::TsMs(until),
                    Value::Int(i64::from(limit)),
                ],
                &mut |row| {
                    let attempts = row.int(3)?;
                    claimed.push(PendingPush {
                        id: row.int(0)?,
                        tenant: row.text(1)?,
                        comment_id: row.text(2)?,
                        attempts: u32::try_from(attempts).map_err(|_| {
                            StoreError::corrupt("push_events.attempts", attempts.to_string())
                        })?,
                    });
                    Ok(())
                },
            )?;
            Ok(claimed)
        })?;
        claimed.sort_by_key(|push| push.id);
        Ok(claimed)
    }

    /// Applies a push's fetched review (like a one-row batch, with its process steps) and marks
    /// the push fetched, in one transaction.
    pub fn push_fetched(
        &mut self,
        id: i64,
        tenant: &Tenant,
        observed: &Observed,
        now: Timestamp,
    ) -> Result<Applied, StoreError> {
        self.backend.durable(true)?;
        in_tx(self.backend.as_mut(), |db| {
            let applied = apply::apply_rows(db, tenant, std::slice::from_ref(observed), now)?;
            let updated = db.execute("mark push fetched", sql::PUSH_FETCHED, &[Value::Int(id)])?;
            if updated == 0 {
                return Err(StoreError::UnknownPush(id));
            }
            Ok(applied)
        })
    }

    /// Leaves the push pending, due again at `next_attempt_at`, with the error kept.
    pub fn push_retry(
        &mut self,
        id: i64,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        self.update_push(
            "retry push",
            sql::PUSH_RETRY,
            &[
                Value::Int(id),
                Value::TsMs(next_attempt_at),
                Value::Text(error),
            ],
            id,
        )
    }

    /// Gives up on the push (`failed`), with the error kept.
    pub fn push_failed(&mut self, id: i64, error: &str) -> Result<(), StoreError> {
        self.update_push(
            "fail push",
            sql::PUSH_FAILED,
            &[Value::Int(id), Value::Text(error)],
            id,
        )
    }

    fn update_push(
        &mut self,
        what: &'static str,
        sql: &str,
        params: &[Value<'_>],
        id: i64,
    ) -> Result<(), StoreError> {
        self.backend.durable(true)?;
        if self.backend.execute(what, sql, params)? == 0 {
            return Err(StoreError::UnknownPush(id));
        }
        Ok(())
    }

    /// Every push, by id.
    pub fn push_events(&mut self) -> Result<Vec<PushRow>, StoreError> {
        let mut rows = Vec::new();
        self.backend
            .query("read pushes", sql::PUSH_EVENTS, &[], &mut |row| {
                let status = row.text(7)?;
                let attempts = row.int(8)?;
                rows.push(PushRow {
                    id: row.int(0)?,
                    dedup_key: row.text(1)?,
                    tenant: row.text(2)?,
                    event: row.text(3)?,
                    comment_id: row.opt_text(4)?,
                    create_time: row.ts(5)?,
                    received_at: row.ts(6)?,
                    status: PushStatus::parse(&status)
                        .ok_or_else(|| StoreError::corrupt("push_events.status", status))?,
                    attempts: u32::try_from(attempts).map_err(|_| {
                        StoreError::corrupt("push_events.attempts", attempts.to_string())
                    })?,
                    last_error: row.opt_text(9)?,
                });
                Ok(())
            })?;
        Ok(rows)
    }
}

fn create_parent(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => std::fs::create_dir_all(parent),
        _ => Ok(()),
    }
}

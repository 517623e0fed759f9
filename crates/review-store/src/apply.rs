//! Applying observed reviews: one lookup of the batch's stored rows, the classification, then
//! the writes of the rows that changed (an upsert of the found ones; on PostgreSQL a plain
//! insert of the new ones), their change log and their process steps. Rows that did not change
//! are not written.

use std::collections::HashMap;

use jiff::Timestamp;
use review_model::mirror::{Change, Observed, ProcessStep};

use crate::backend::{Backend, Col, Value, Values};
use crate::change::{Prior, classify, merged, needs_write};
use crate::read::decode_prior;
use crate::{Applied, Changed, StoreError, Tenant, sql};

/// A row to write, with why.
struct Out {
    index: usize,
    row: Prior,
    steps_changed: bool,
    /// The lookup found no stored row.
    fresh: bool,
}

/// Applies `reviews` inside the caller's transaction.
pub(crate) fn apply_rows(
    db: &mut dyn Backend,
    tenant: &Tenant,
    reviews: &[Observed],
    now: Timestamp,
) -> Result<Applied, StoreError> {
    for observed in reviews {
        if observed.review.platform != tenant.platform {
            return Err(StoreError::PlatformMismatch {
                tenant: tenant.platform,
                review: observed.review.platform,
            });
        }
    }
    // The last of duplicate ids wins.
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(reviews.len());
    for (index, observed) in reviews.iter().enumerate() {
        last.insert(observed.review.id.as_str(), index);
    }
    let batch: Vec<(usize, &Observed)> = reviews
        .iter()
        .enumerate()
        .filter(|(index, o)| last.get(o.review.id.as_str()) == Some(index))
        .collect();
    let platform = tenant.platform.as_str();
    let account = tenant.account.as_str();
    let key = [Value::Text(platform), Value::Text(account)];

    let mut priors: HashMap<String, Prior> = HashMap::with_capacity(batch.len());
    let lookup = [
        Col {
            name: "id",
            values: Values::Text(batch.iter().map(|(_, o)| o.review.id.as_str()).collect()),
        },
        Col {
            name: "raw",
            values: Values::Text(batch.iter().map(|(_, o)| o.raw.as_str()).collect()),
        },
    ];
    db.keyed(
        "look up stored reviews",
        &sql::lookup(db.is_postgres()),
        &key,
        &lookup,
        Some(&mut |row| {
            let (id, prior) = decode_prior(row, tenant.platform)?;
            priors.insert(id, prior);
            Ok(())
        }),
    )?;

    let with_steps: Vec<&str> = batch
        .iter()
        .filter(|(_, o)| o.process.is_some() && priors.contains_key(&o.review.id))
        .map(|(_, o)| o.review.id.as_str())
        .collect();
    if !with_steps.is_empty() {
        let keys: Vec<(&str, &str, &str)> = with_steps
            .iter()
            .map(|id| (platform, account, *id))
            .collect();
        let steps = crate::read::process_of(db, &keys)?;
        for ((_, _, id), steps) in steps {
            if let Some(prior) = priors.get_mut(&id) {
                prior.process = steps;
            }
        }
    }

    let mut applied = Applied::default();
    let mut out = Vec::new();
    for &(index, observed) in &batch {
        let prior = priors.get(&observed.review.id);
        let changes = classify(prior, observed);
        let row = merged(prior, observed);
        if changes.is_empty() && prior.is_some_and(|prior| !needs_write(prior, &row)) {
            applied.unchanged += 1;
            continue;
        }
        let steps_changed =
            observed.process.is_some() && prior.is_none_or(|prior| prior.process != row.process);
        out.push(Out {
            index,
            row,
            steps_changed,
            fresh: prior.is_none(),
        });
        if changes.is_empty() {
            applied.unchanged += 1;
        } else {
            applied.changed.push(Changed { index, changes });
        }
    }
    let (fresh, known): (Vec<&Out>, Vec<&Out>) = out.iter().partition(|o| o.fresh);
    write_rows(db, tenant, &known, reviews, now, &sql::upsert_reviews())?;
    insert_fresh(db, tenant, &fresh, reviews, now)?;
    write_changes(db, tenant, &applied.changed, reviews, now)?;
    write_steps(db, tenant, &out)?;
    Ok(applied)
}

/// Rows the lookup did not find. On PostgreSQL with a plain `INSERT`, cheaper than the upsert
/// (its speculative insertion was a sixth of a first sync's time); another writer may have
/// stored one of them since the lookup, and then they are written again from a savepoint with
/// the upsert, as if they had been found. On SQLite the write lock taken before the lookup
/// rules that out, an upsert of a new row costs what an insert does, and a savepoint would
/// copy every page the batch touches into its sub-journal: the upsert, as for found rows.
fn insert_fresh(
    db: &mut dyn Backend,
    tenant: &Tenant,
    fresh: &[&Out],
    reviews: &[Observed],
    now: Timestamp,
) -> Result<(), StoreError> {
    if fresh.is_empty() {
        return Ok(());
    }
    if !db.is_postgres() {
        return write_rows(db, tenant, fresh, reviews, now, &sql::upsert_reviews());
    }
    db.batch("savepoint", "SAVEPOINT fresh_rows")?;
    match write_rows(db, tenant, fresh, reviews, now, &sql::insert_reviews()) {
        Ok(()) => {}
        Err(err) if db.is_key_conflict(&err) => {
            db.batch("rollback to savepoint", "ROLLBACK TO SAVEPOINT fresh_rows")?;
            write_rows(db, tenant, fresh, reviews, now, &sql::upsert_reviews())?;
        }
        Err(err) => return Err(err),
    }
    db.batch("release savepoint", "RELEASE SAVEPOINT fresh_rows")
}

/// Writes `out` with `statement` (`sql::upsert_reviews` or `sql::insert_reviews`).
fn write_rows(
    db: &mut dyn Backend,
    tenant: &Tenant,
    out: &[&Out],
    reviews: &[Observed],
    now: Timestamp,
    statement: &str,
) -> Result<(), StoreError> {
    if out.is_empty() {
        return Ok(());
    }
    let json = |list: &[String]| serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned());
    let media: Vec<String> = out.iter().map(|o| json(&o.row.review.media)).collect();
    let items: Vec<String> = out.iter().map(|o| json(&o.row.review.items)).collect();
    let amounts = out
        .iter()
        .map(|o| {
            o.row
                .review
                .amount_fen
                .map(|fen| {
                    i64::try_from(fen).map_err(|_| StoreError::OutOfRange(format!("amount {fen}")))
                })
                .transpose()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let raws = out
        .iter()
        .map(|o| reviews.get(o.index).map_or("{}", |r| r.raw.as_str()))
        .collect();
    let r = |f: fn(&Prior) -> &str| out.iter().map(|o| f(&o.row)).collect::<Vec<_>>();
    let cols = [
        col("id", Values::Text(r(|p| &p.review.id))),
        col(
            "order_id",
            Values::OptText(
                out.iter()
                    .map(|o| o.row.review.order_id.as_deref())
                    .collect(),
            ),
        ),
        col(
            "created_at",
            Values::Ts(out.iter().map(|o| o.row.review.created_at).collect()),
        ),
        col(
            "stars",
            Values::OptInt(
                out.iter()
                    .map(|o| o.row.review.stars.map(|s| i64::from(s.get())))
                    .collect(),
            ),
        ),
        col(
            "sentiment",
            Values::Text(r(|p| p.review.sentiment.as_str())),
        ),
        col("text", Values::Text(r(|p| &p.review.text))),
        col(
            "author",
            Values::OptText(out.iter().map(|o| o.row.review.author.as_deref()).collect()),
        ),
        col(
            "replied",
            Values::Bool(out.iter().map(|o| o.row.review.replied).collect()),
        ),
        col(
            "reply",
            Values::OptText(out.iter().map(|o| o.row.review.reply.as_deref()).collect()),
        ),
        col(
            "media",
            Values::Text(media.iter().map(String::as_str).collect()),
        ),
        col(
            "items",
            Values::Text(items.iter().map(String::as_str).collect()),
        ),
        col("amount_fen", Values::OptInt(amounts)),
        col(
            "user_id",
            Values::OptText(
                out.iter()
                    .map(|o| o.row.review.user_id.as_deref())
                    .collect(),
            ),
        ),
        col(
            "service_sent",
            Values::Bool(out.iter().map(|o| o.row.state.service_sent).collect()),
        ),
        col(
            "pending_settlement",
            Values::Bool(out.iter().map(|o| o.row.state.pending_settlement).collect()),
        ),
        col(
            "revised",
            Values::Bool(out.iter().map(|o| o.row.state.revised).collect()),
        ),
        col("raw", Values::Json(raws)),
    ];
    let fixed = [
        Value::Text(tenant.platform.as_str()),
        Value::Text(tenant.account.as_str()),
        Value::Ts(now),
    ];
    db.keyed("write reviews", statement, &fixed, &cols, None)
}

fn col<'a>(name: &'static str, values: Values<'a>) -> Col<'a> {
    Col { name, values }
}

fn write_changes(
    db: &mut dyn Backend,
    tenant: &Tenant,
    changed: &[Changed],
    reviews: &[Observed],
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut ids = Vec::new();
    let mut kinds = Vec::new();
    for entry in changed {
        let id = reviews
            .get(entry.index)
            .map_or("", |r| r.review.id.as_str());
        for change in &entry.changes {
            ids.push(id);
            kinds.push(Change::as_str(*change));
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    let cols = [
        col("review_id", Values::Text(ids)),
        col("change", Values::Text(kinds)),
    ];
    let fixed = [
        Value::Text(tenant.platform.as_str()),
        Value::Text(tenant.account.as_str()),
        Value::Ts(now),
    ];
    db.keyed("log changes", sql::INSERT_CHANGES, &fixed, &cols, None)
}

fn write_steps(db: &mut dyn Backend, tenant: &Tenant, out: &[Out]) -> Result<(), StoreError> {
    let rewritten: Vec<&Out> = out.iter().filter(|o| o.steps_changed).collect();
    if rewritten.is_empty() {
        return Ok(());
    }
    let key = [
        Value::Text(tenant.platform.as_str()),
        Value::Text(tenant.account.as_str()),
    ];
    let ids = [col(
        "id",
        Values::Text(rewritten.iter().map(|o| o.row.review.id.as_str()).collect()),
    )];
    db.keyed("drop process steps", sql::DELETE_PROCESS, &key, &ids, None)?;
    let steps: Vec<(&str, i64, &ProcessStep)> = rewritten
        .iter()
        .flat_map(|o| {
            o.row
                .process
                .iter()
                .zip(0_i64..)
                .map(|(step, seq)| (o.row.review.id.as_str(), seq, step))
        })
        .collect();
    if steps.is_empty() {
        return Ok(());
    }
    let n = steps.len();
    let cols = [
        col("platform", Values::Text(vec![tenant.platform.as_str(); n])),
        col("tenant", Values::Text(vec![tenant.account.as_str(); n])),
        col(
            "review_id",
            Values::Text(steps.iter().map(|s| s.0).collect()),
        ),
        col("seq", Values::Int(steps.iter().map(|s| s.1).collect())),
        col(
            "code",
            Values::Int(steps.iter().map(|s| i64::from(s.2.code)).collect()),
        ),
        col("at", Values::OptTs(steps.iter().map(|s| s.2.at).collect())),
    ];
    db.keyed("write process steps", sql::INSERT_PROCESS, &[], &cols, None)
}

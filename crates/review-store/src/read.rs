//! Reading rows back into the model's types; anything that does not decode is a
//! [`StoreError::Corrupt`] naming the column.

use std::collections::HashMap;

use review_model::mirror::{ProcessStep, ReviewState};
use review_model::{Platform, Review, Sentiment, Stars};

use crate::backend::{Backend, Col, Row, Values};
use crate::change::Prior;
use crate::{StoreError, StoredReview, sql};

/// The steps of some reviews, keyed by (platform, tenant, id).
pub(crate) type Steps = HashMap<(String, String, String), Vec<ProcessStep>>;

pub(crate) fn platform(text: &str) -> Result<Platform, StoreError> {
    match text {
        "wechat" => Ok(Platform::Wechat),
        "taobao" => Ok(Platform::Taobao),
        other => Err(StoreError::corrupt("platform", other)),
    }
}

fn sentiment(text: &str) -> Result<Sentiment, StoreError> {
    match text {
        "positive" => Ok(Sentiment::Positive),
        "neutral" => Ok(Sentiment::Neutral),
        "negative" => Ok(Sentiment::Negative),
        other => Err(StoreError::corrupt("sentiment", other)),
    }
}

fn stars(value: Option<i64>) -> Result<Option<Stars>, StoreError> {
    value
        .map(|n| {
            u8::try_from(n)
                .ok()
                .and_then(|n| Stars::new(n).ok())
                .ok_or_else(|| StoreError::corrupt("stars", n.to_string()))
        })
        .transpose()
}

fn list(what: &'static str, text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|err| StoreError::corrupt(what, err.to_string()))
}

fn amount(value: Option<i64>) -> Result<Option<u64>, StoreError> {
    value
        .map(|n| u64::try_from(n).map_err(|_| StoreError::corrupt("amount_fen", n.to_string())))
        .transpose()
}

/// The review columns from `order_id` on, starting at column `at` (the order of
/// `sql::LOOKUP` and `sql::SELECT_REVIEWS` after the id).
fn review_at(
    row: &dyn Row,
    at: usize,
    platform: Platform,
    id: String,
) -> Result<(Review, ReviewState), StoreError> {
    let review = Review {
        platform,
        id,
        order_id: row.opt_text(at)?,
        created_at: row.ts(at + 1)?,
        stars: stars(row.opt_int(at + 2)?)?,
        sentiment: sentiment(&row.text(at + 3)?)?,
        text: row.text(at + 4)?,
        author: row.opt_text(at + 5)?,
        replied: row.bool(at + 6)?,
        reply: row.opt_text(at + 7)?,
        media: list("media", &row.text(at + 8)?)?,
        items: list("items", &row.text(at + 9)?)?,
        amount_fen: amount(row.opt_int(at + 10)?)?,
        user_id: row.opt_text(at + 11)?,
    };
    let state = ReviewState {
        service_sent: row.bool(at + 12)?,
        pending_settlement: row.bool(at + 13)?,
        revised: row.bool(at + 14)?,
    };
    Ok((review, state))
}

/// One `sql::LOOKUP` row: the id and what classifying needs (steps loaded apart).
pub(crate) fn decode_prior(
    row: &dyn Row,
    platform: Platform,
) -> Result<(String, Prior), StoreError> {
    let id = row.text(0)?;
    let (review, state) = review_at(row, 1, platform, id.clone())?;
    let raw_same = row.bool(16)?;
    Ok((
        id,
        Prior {
            review,
            state,
            process: Vec::new(),
            raw_same,
        },
    ))
}

/// One `sql::SELECT_REVIEWS` row, without its steps.
fn decode_stored(row: &dyn Row) -> Result<StoredReview, StoreError> {
    let platform = platform(&row.text(0)?)?;
    let tenant = row.text(1)?;
    let id = row.text(2)?;
    let (review, state) = review_at(row, 3, platform, id)?;
    Ok(StoredReview {
        tenant,
        review,
        state,
        process: Vec::new(),
        raw: row.text(18)?,
        first_seen_at: row.ts(19)?,
        changed_at: row.ts(20)?,
    })
}

/// The steps of the reviews `keys` (platform, tenant, id).
pub(crate) fn process_of(
    db: &mut dyn Backend,
    keys: &[(&str, &str, &str)],
) -> Result<Steps, StoreError> {
    let mut steps = Steps::new();
    if keys.is_empty() {
        return Ok(steps);
    }
    let cols = [
        Col {
            name: "platform",
            values: Values::Text(keys.iter().map(|k| k.0).collect()),
        },
        Col {
            name: "tenant",
            values: Values::Text(keys.iter().map(|k| k.1).collect()),
        },
        Col {
            name: "id",
            values: Values::Text(keys.iter().map(|k| k.2).collect()),
        },
    ];
    db.keyed(
        "read process steps",
        sql::PROCESS_OF,
        &[],
        &cols,
        Some(&mut |row| {
            let code = row.int(3)?;
            let step = ProcessStep {
                code: u32::try_from(code)
                    .map_err(|_| StoreError::corrupt("review_process.code", code.to_string()))?,
                at: row.opt_ts(4)?,
            };
            steps
                .entry((row.text(0)?, row.text(1)?, row.text(2)?))
                .or_default()
                .push(step);
            Ok(())
        }),
    )?;
    Ok(steps)
}

/// Runs a `SELECT_REVIEWS` query with `tail` (WHERE and ORDER BY) and attaches the steps.
pub(crate) fn stored_reviews(
    db: &mut dyn Backend,
    tail: &str,
    params: &[crate::backend::Value<'_>],
) -> Result<Vec<StoredReview>, StoreError> {
    let mut out = Vec::new();
    db.query(
        "read reviews",
        &format!("{} {tail}", sql::SELECT_REVIEWS),
        params,
        &mut |row| {
            out.push(decode_stored(row)?);
            Ok(())
        },
    )?;
    let keys: Vec<(&str, &str, &str)> = out
        .iter()
        .map(|r| {
            (
                r.review.platform.as_str(),
                r.tenant.as_str(),
                r.review.id.as_str(),
            )
        })
        .collect();
    let mut steps = process_of(db, &keys)?;
    for stored in &mut out {
        let key = (
            stored.review.platform.as_str().to_owned(),
            stored.tenant.clone(),
            stored.review.id.clone(),
        );
        if let Some(found) = steps.remove(&key) {
            stored.process = found;
        }
    }
    Ok(out)
}

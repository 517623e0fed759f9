//! Upserts per second into each backend: `STORE_ROWS` (default 50,000) realistic rows (raw
//! JSON of about 500 bytes) in transactions of `STORE_BATCH` (1,000), then the same batches again
//! (the unchanged path: one lookup, nothing written). Goals on a 2-core machine: SQLite 50,000
//! rows/s, PostgreSQL 20,000 rows/s. PostgreSQL (`REVIEWS_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`) unreachable: said, and skipped (outside CI).

use std::io::Write;
use std::time::Instant;

use jiff::Timestamp;
use review_model::mirror::{Observed, ReviewState};
use review_model::{Platform, Review, Stars};
use review_store::{Batch, Mirror, MirrorUrl, StoreError, Tenant};

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn out(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// A WeChat comment as a listing would bring it.
fn row(i: usize) -> Observed {
    let id = format!("{:019}", 7_300_000_000_000_000_000_u64 + i as u64);
    let secs = 1_700_000_000 + i64::try_from(i).unwrap_or(0) * 37;
    let created_at = Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH);
    let stars = Stars::new(u8::try_from(i % 5 + 1).unwrap_or(5)).ok();
    let text = format!("第{i}条评价：物流很快，包装完好，茶叶香气浓郁，下次还会回购。");
    let raw = serde_json::json!({
        "commentId": id,
        "orderId": format!("42000019{i:012}"),
        "createTime": secs,
        "score": (i % 5 + 1) * 100,
        "content": { "text": text, "media": [{"type": 1, "url": format!("https://mmbiz.qpic.cn/mmbiz_jpg/{i:08x}/0")}] },
        "userInfo": { "nickName": format!("用户{i}"), "openid": format!("oUpF8uMuAJO_M2pxb1Q9zNjWeS6{i:06}") },
        "productInfo": [{ "productId": format!("{}", 10_000 + i % 97), "name": "西湖龙井 明前特级 250g 礼盒装", "skuId": format!("{}", i % 13) }],
        "amount": 25_900,
        "extInfo": { "isAlreadySendTmpl": false },
    })
    .to_string();
    Observed {
        review: Review {
            platform: Platform::Wechat,
            id,
            order_id: Some(format!("42000019{i:012}")),
            created_at,
            sentiment: stars.map_or(review_model::Sentiment::Neutral, Stars::sentiment),
            stars,
            text,
            author: Some(format!("用户{i}")),
            replied: i.is_multiple_of(3),
            reply: None,
            media: vec![format!("https://mmbiz.qpic.cn/mmbiz_jpg/{i:08x}/0")],
            items: vec!["西湖龙井 明前特级 250g 礼盒装".into()],
            amount_fen: Some(25_900),
            user_id: Some(format!("oUpF8uMuAJO_M2pxb1Q9zNjWeS6{i:06}")),
        },
        raw,
        state: ReviewState::default(),
        process: None,
    }
}

/// Applies every batch; rows per second.
fn pass(
    mirror: &mut Mirror,
    rows: &[Observed],
    batch: usize,
    expect_changed: bool,
) -> Result<f64, StoreError> {
    let tenant = Tenant::new(Platform::Wechat, "wx0123456789abcdef");
    let now = Timestamp::now();
    let start = Instant::now();
    for chunk in rows.chunks(batch.max(1)) {
        let applied = mirror.apply(&Batch {
            tenant: &tenant,
            reviews: chunk,
            covered: None,
            now,
        })?;
        assert_eq!(
            applied.changed.is_empty(),
            !expect_changed,
            "unexpected classification"
        );
    }
    let secs = start.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss, clippy::float_arithmetic)]
    let per_second = rows.len() as f64 / secs.max(1e-9);
    Ok(per_second)
}

#[allow(clippy::float_arithmetic)]
fn report(name: &str, what: &str, per_second: f64, goal: f64) {
    out(&format!(
        "store/{name} {what:<9} {:>9} rows/s  ({:.2}x the {} goal)",
        thousands(per_second),
        per_second / goal,
        thousands(goal)
    ));
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn thousands(n: f64) -> String {
    let digits = (n.round() as u64).to_string();
    let mut outs = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            outs.push(',');
        }
        outs.push(c);
    }
    outs
}

fn bench(
    name: &str,
    url: &MirrorUrl,
    rows: &[Observed],
    batch: usize,
    goal: f64,
) -> Result<(), StoreError> {
    let mut mirror = Mirror::open(url)?;
    let inserted = pass(&mut mirror, rows, batch, true)?;
    let unchanged = pass(&mut mirror, rows, batch, false)?;
    assert_eq!(mirror.count()?, rows.len() as u64);
    report(name, "upsert", inserted, goal);
    report(name, "unchanged", unchanged, goal);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count = env_usize("STORE_ROWS", 50_000);
    let batch = env_usize("STORE_BATCH", 1_000);
    let rows: Vec<Observed> = (0..count).map(row).collect();
    let average = rows.iter().map(|r| r.raw.len()).sum::<usize>() / rows.len().max(1);
    out(&format!(
        "store upsert: {count} rows in batches of {batch}, raw JSON {average} bytes, then the same again (unchanged)"
    ));

    let dir = tempfile::tempdir()?;
    let sqlite: MirrorUrl =
        format!("sqlite:{}", dir.path().join("bench.sqlite3").display()).parse()?;
    bench("sqlite", &sqlite, &rows, batch, 50_000.0)?;

    let admin = std::env::var("REVIEWS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.into());
    let mut config: postgres::Config = admin.parse()?;
    config.connect_timeout(std::time::Duration::from_secs(3));
    let shown = admin
        .parse::<MirrorUrl>()
        .map_or_else(|_| "(bad URL)".into(), |u| u.to_string());
    match config.connect(postgres::NoTls) {
        Err(err) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                return Err(format!("PostgreSQL not reachable at {shown}: {err}").into());
            }
            out(&format!(
                "  skipped store/postgres: PostgreSQL not reachable at {shown}"
            ));
        }
        Ok(mut client) => {
            let database = format!("reviews_bench_{}", std::process::id());
            client.batch_execute(&format!("DROP DATABASE IF EXISTS {database}"))?;
            client.batch_execute(&format!("CREATE DATABASE {database}"))?;
            // The mirror takes a URL: the admin URL with the bench database.
            let url = match admin.rsplit_once('/') {
                Some((base, tail)) if !base.ends_with('/') => {
                    let query = tail
                        .split_once('?')
                        .map_or(String::new(), |(_, q)| format!("?{q}"));
                    format!("{base}/{database}{query}")
                }
                _ => format!("{admin}/{database}"),
            };
            let result = bench("postgres", &url.parse()?, &rows, batch, 20_000.0);
            let _ =
                client.batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
            result?;
        }
    }
    Ok(())
}

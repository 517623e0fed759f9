//! Export a date range of Taobao rates as JSON lines, windows split under the 1500 cap.
//!
//! With `REVIEWS_FW199_APPID`, `REVIEWS_FW199_SECRET` and `REVIEWS_TAOBAO_SELLER_NICK` it talks
//! to the gateway (build with `--features rustls` for HTTPS); without them it starts the
//! embedded sandbox.
//!
//! ```sh
//! cargo run -p review-reqwest --example export_rates -- 30   # the last 30 days
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use futures_util::StreamExt;
use jiff::{SignedDuration, Timestamp};
use review_client::{ClientConfig, RateRange};
use review_model::Review;
use review_model::Secret;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let days: i64 = std::env::args()
        .nth(1)
        .and_then(|d| d.parse().ok())
        .unwrap_or(30);
    let env = |key: &str| std::env::var(key).ok();
    let (_sandbox, config) = match (
        env("REVIEWS_FW199_APPID"),
        env("REVIEWS_FW199_SECRET"),
        env("REVIEWS_TAOBAO_SELLER_NICK"),
    ) {
        (Some(appid), Some(secret), Some(nick)) => {
            let base =
                env("REVIEWS_FW199_BASE_URL").unwrap_or_else(|| "https://kf.fw199.com".into());
            (
                None,
                ClientConfig::new().fw199(base.parse()?, appid, Secret::new(secret), nick),
            )
        }
        _ => {
            let sandbox = review_sandbox::Sandbox::builder().start("127.0.0.1:0")?;
            eprintln!(
                "no fw199 credentials: using the embedded sandbox at {}",
                sandbox.base_url()
            );
            let f = sandbox.taobao().clone();
            let config = ClientConfig::new().fw199(
                sandbox.base_url().parse()?,
                f.gateway.appid,
                f.gateway.secret,
                f.seller_nick,
            );
            (Some(sandbox), config)
        }
    };
    let client = review_reqwest::client(config)?;
    let until = Timestamp::now();
    let since = until - SignedDuration::from_hours(24 * days);
    let mut walk = client.rates(RateRange::new(since, until))?;
    let mut count = 0u64;
    while let Some(rate) = walk.next().await {
        println!("{}", serde_json::to_string(&Review::from(&rate?))?);
        count += 1;
    }
    let stats = walk.stats();
    eprintln!(
        "{count} rates; {} probes, {} pages, {} windows split, {} truncated seconds",
        stats.probes,
        stats.pages,
        stats.splits,
        stats.truncated.len()
    );
    Ok(())
}

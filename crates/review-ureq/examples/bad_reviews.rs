//! List the bad reviews of the last 180 days that still wait for an answer, and reply to each.
//!
//! With `REVIEWS_WECHAT_APPID`, `REVIEWS_WECHAT_SECRET` (and optionally
//! `REVIEWS_WECHAT_BASE_URL`) it talks to that API; without them it starts the embedded sandbox.
//!
//! ```sh
//! cargo run -p review-ureq --example bad_reviews
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use jiff::{SignedDuration, Timestamp};
use review_client::ClientConfig;
use review_model::wechat::FilterType;
use review_model::{AppId, Secret};
use review_protocol::wechat::GetCommentList;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_sandbox, config) = match (
        std::env::var("REVIEWS_WECHAT_APPID"),
        std::env::var("REVIEWS_WECHAT_SECRET"),
    ) {
        (Ok(appid), Ok(secret)) => {
            let base = std::env::var("REVIEWS_WECHAT_BASE_URL")
                .unwrap_or_else(|_| "https://api.weixin.qq.com".into());
            (
                None,
                ClientConfig::new().wechat(base.parse()?, AppId::new(appid), Secret::new(secret)),
            )
        }
        _ => {
            let sandbox = review_sandbox::Sandbox::builder().start("127.0.0.1:0")?;
            eprintln!(
                "no WeChat credentials: using the embedded sandbox at {}",
                sandbox.base_url()
            );
            let creds = sandbox.wechat().clone();
            let config =
                ClientConfig::new().wechat(sandbox.base_url().parse()?, creds.appid, creds.secret);
            (Some(sandbox), config)
        }
    };
    let client = review_ureq::client(config);

    let now = Timestamp::now();
    let window = GetCommentList::new(now - SignedDuration::from_hours(24 * 180), now)
        .filter(FilterType::AwaitingReply);
    let mut answered = 0;
    for comment in client.comments(window)? {
        let comment = comment?;
        if comment.score.get() > 2 {
            continue;
        }
        println!(
            "{} {}★ {}",
            comment.comment_id, comment.score, comment.content.text
        );
        client.reply_add(
            comment.comment_id.clone(),
            "非常抱歉给您带来不好的体验,客服会尽快联系您处理。",
        )?;
        answered += 1;
    }
    println!("replied to {answered} bad reviews");
    Ok(())
}

//! Property tests of the unified record's hand-written encoders: each writes exactly the bytes of
//! its reference (`serde_json` for JSON lines, the `csv` crate for CSV rows), and what it writes
//! reads back to the same values; the by-value conversions build the same records as the
//! borrowing ones.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use review_model::{Platform, Review, Sentiment, Stars, Timestamp};

mod strategies;

use strategies::{comment, trade_rate};

/// Any text, escapes and control characters included.
fn wild_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\x00-\\x7f]{0,24}",
        "[\\x00-\\x20\"\\\\,\\r\\n|]{0,8}",
        "\\PC{0,16}",
        any::<String>(),
        Just("一般吧 \"引号\",逗号\r\n换行\t😡\u{7f}\u{2028}".to_owned()),
    ]
}

fn any_timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        (0i64..4_102_444_800).prop_map(|s| Timestamp::from_second(s).unwrap()),
        (
            Timestamp::MIN.as_second() + 1..Timestamp::MAX.as_second(),
            0i32..1_000_000_000
        )
            .prop_map(|(s, n)| Timestamp::new(s, n).unwrap()),
    ]
}

prop_compose! {
    fn review()(
        platform in prop_oneof![Just(Platform::Wechat), Just(Platform::Taobao)],
        id in wild_text(),
        order_id in option::of(wild_text()),
        created_at in any_timestamp(),
        stars in option::of((1u8..=5).prop_map(|n| Stars::new(n).unwrap())),
        sentiment in prop_oneof![Just(Sentiment::Positive), Just(Sentiment::Neutral), Just(Sentiment::Negative)],
        text in wild_text(),
        author in option::of(wild_text()),
        replied in any::<bool>(),
        reply in option::of(wild_text()),
        media in vec(wild_text(), 0..3),
        items in vec(wild_text(), 0..3),
        amount_fen in option::of(any::<u64>()),
        user_id in option::of(wild_text()),
    ) -> Review {
        Review {
            platform, id, order_id, created_at, stars, sentiment, text, author, replied, reply,
            media, items, amount_fen, user_id,
        }
    }
}

/// The CSV cells of a review as `reviews` wrote them through the `csv` crate.
fn reference_cells(review: &Review) -> [String; 14] {
    [
        review.platform.as_str().to_owned(),
        review.id.clone(),
        review.order_id.clone().unwrap_or_default(),
        review.created_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        review
            .stars
            .map(|s| s.get().to_string())
            .unwrap_or_default(),
        review.sentiment.as_str().to_owned(),
        review.text.clone(),
        review.author.clone().unwrap_or_default(),
        review.replied.to_string(),
        review.reply.clone().unwrap_or_default(),
        review.items.join(" | "),
        review.amount_fen.map(|f| f.to_string()).unwrap_or_default(),
        review.user_id.clone().unwrap_or_default(),
        review.media.join(" | "),
    ]
}

fn reference_csv(reviews: &[Review]) -> Vec<u8> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(Review::CSV_COLUMNS).unwrap();
    for review in reviews {
        csv.write_record(reference_cells(review)).unwrap();
    }
    csv.into_inner().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn json_lines_are_serdes_bytes(reviews in vec(review(), 1..4)) {
        let mut out = Vec::new();
        let mut expected = Vec::new();
        for review in &reviews {
            review.write_json_line(&mut out);
            serde_json::to_writer(&mut expected, review).unwrap();
            expected.push(b'\n');
        }
        prop_assert_eq!(String::from_utf8(out.clone()).unwrap(), String::from_utf8(expected).unwrap());
        let text = String::from_utf8(out).unwrap();
        let back: Vec<Review> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        prop_assert_eq!(back, reviews);
    }

    #[test]
    fn csv_rows_are_the_csv_crates_bytes(reviews in vec(review(), 1..4)) {
        let mut out = Vec::new();
        Review::write_csv_header(&mut out);
        for review in &reviews {
            review.write_csv_row(&mut out);
        }
        prop_assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            String::from_utf8(reference_csv(&reviews)).unwrap()
        );
        let mut reader = csv::Reader::from_reader(&out[..]);
        prop_assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), Review::CSV_COLUMNS.to_vec());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        prop_assert_eq!(rows.len(), reviews.len());
        for (row, review) in rows.iter().zip(&reviews) {
            prop_assert_eq!(row.iter().collect::<Vec<_>>(), reference_cells(review).to_vec());
        }
    }

    #[test]
    fn by_value_builds_what_borrowing_builds(c in comment(), replied in any::<bool>(), rate in trade_rate()) {
        prop_assert_eq!(Review::wechat(c.clone(), replied), Review::from_wechat(&c, replied));
        prop_assert_eq!(Review::from(rate.clone()), Review::from(&rate));
    }
}

#[test]
fn csv_quotes_what_it_must() {
    let rate: review_model::taobao::TradeRate = serde_json::from_str(
        r#"{"tid": "17", "oid": "18", "role": "buyer", "nick": "a,b", "result": "bad",
            "created": "2021-05-21 16:32:09", "item_price": "1.5", "content": "line one\n\"two\"", "reply": ""}"#,
    )
    .unwrap();
    let mut out = Vec::new();
    Review::from(rate).write_csv_row(&mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "taobao,18:buyer,17,2021-05-21T08:32:09Z,,negative,\"line one\n\"\"two\"\"\",\"a,b\",false,,,150,,\n"
    );
}

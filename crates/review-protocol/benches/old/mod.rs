//! The export path as it was before issue 16 (part 4), kept as the record benchmark's baseline:
//! `Review::from_wechat(&Comment, _)` and `From<&TradeRate>` cloning every string they keep,
//! `serde_json` serializing the `Review` into a line buffer, and one short-lived `csv::Writer`
//! per record over owned `String` cells; pages decoded by `serde_json::from_slice`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use review_model::taobao::{TradeRate, TradeRatePage};
use review_model::wechat::{Comment, CommentListPage, ErrCode};
use review_model::{Fen, Platform, Review};
use review_protocol::taobao::FromRate;
use review_protocol::wechat::FromComment;
use serde::de::value::{CowStrDeserializer, MapAccessDeserializer};
use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A review built the old way.
pub(crate) struct OldReview(pub(crate) Review);

impl FromComment for OldReview {
    fn from_comment(comment: Comment, replied: bool) -> Self {
        Self(from_wechat(&comment, replied))
    }
}

impl FromRate for OldReview {
    fn from_rate(rate: TradeRate) -> Self {
        Self(from_rate(&rate))
    }
}

fn from_wechat(comment: &Comment, replied: bool) -> Review {
    Review {
        platform: Platform::Wechat,
        id: comment.comment_id.to_string(),
        order_id: comment.order_id.clone(),
        created_at: comment.create_time,
        stars: Some(comment.score),
        sentiment: comment.score.sentiment(),
        text: comment.content.text.clone(),
        author: comment.nickname().map(str::to_owned),
        replied,
        reply: None,
        media: comment
            .content
            .media
            .iter()
            .filter_map(|m| m.url().map(str::to_owned))
            .collect(),
        items: comment.products().iter().map(|p| p.name.clone()).collect(),
        amount_fen: comment.amount.map(Fen::get),
        user_id: comment.openid().map(ToString::to_string),
    }
}

fn from_rate(rate: &TradeRate) -> Review {
    Review {
        platform: Platform::Taobao,
        id: rate.key(),
        order_id: Some(rate.tid.to_string()),
        created_at: rate.created,
        stars: None,
        sentiment: rate.result.sentiment(),
        text: rate.content.clone(),
        author: rate.nick.clone(),
        replied: rate.reply.is_some(),
        reply: rate.reply.clone(),
        media: Vec::new(),
        items: rate.item_title.iter().cloned().collect(),
        amount_fen: rate.item_price.map(Fen::get),
        user_id: rate.ouid.clone(),
    }
}

/// The old `RecordWriter`: a line buffer, then one `write_all` per record.
pub(crate) struct Writer {
    csv: bool,
    line: Vec<u8>,
}

impl Writer {
    pub(crate) fn new(csv: bool) -> Self {
        Self {
            csv,
            line: Vec::with_capacity(1024),
        }
    }

    pub(crate) fn write(&mut self, review: &Review, out: &mut Vec<u8>) {
        if self.csv {
            let mut line = std::mem::take(&mut self.line);
            line.clear();
            let mut csv = csv::WriterBuilder::new()
                .buffer_capacity(1024)
                .from_writer(line);
            csv.write_record(review_fields(review)).unwrap();
            self.line = csv.into_inner().unwrap();
        } else {
            self.line.clear();
            serde_json::to_writer(&mut self.line, review).unwrap();
            self.line.push(b'\n');
        }
        out.extend_from_slice(&self.line);
    }
}

const LIST_SEPARATOR: &str = " | ";

fn review_fields(review: &Review) -> [String; 14] {
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
        review.items.join(LIST_SEPARATOR),
        review.amount_fen.map(|f| f.to_string()).unwrap_or_default(),
        review.user_id.clone().unwrap_or_default(),
        review.media.join(LIST_SEPARATOR),
    ]
}

/// The old WeChat parse: `serde_json::from_slice` of the answer, `errcode` read in the same pass
/// (`review_protocol::wechat::wire::parse` before issue 16).
pub(crate) fn parse_comment_list(body: &[u8]) -> CommentListPage {
    let answer: WithStatus<CommentListPage> = serde_json::from_slice(body).unwrap();
    assert!(answer.errcode.is_ok());
    answer.body
}

/// The old fw199 parse: `serde_json::from_slice` of the gateway's envelope.
pub(crate) fn parse_trade_rates(body: &[u8]) -> TradeRatePage {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(default)]
        code: Option<i64>,
        #[serde(default)]
        data: Option<TradeRatePage>,
    }
    let envelope: Envelope = serde_json::from_slice(body).unwrap();
    assert_eq!(envelope.code, Some(0));
    envelope.data.unwrap()
}

/// A payload and the status keys that came with it (a copy of `review_protocol`'s).
struct WithStatus<T> {
    errcode: ErrCode,
    body: T,
}

/// The object minus `errcode` and `errmsg`, which are stored aside as they pass.
struct Intercept<'s, A> {
    inner: A,
    errcode: &'s mut Option<ErrCode>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Intercept<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.inner.next_key::<Cow<'de, str>>()? else {
                return Ok(None);
            };
            match key.as_ref() {
                "errcode" => *self.errcode = Some(self.inner.next_value()?),
                "errmsg" => {
                    let _: Option<String> = self.inner.next_value()?;
                }
                _ => return seed.deserialize(CowStrDeserializer::new(key)).map(Some),
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.inner.next_value_seed(seed)
    }
}

struct WithStatusVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for WithStatusVisitor<T> {
    type Value = WithStatus<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a WeChat answer object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<WithStatus<T>, A::Error> {
        let mut errcode = None;
        let body = T::deserialize(MapAccessDeserializer::new(Intercept {
            inner: map,
            errcode: &mut errcode,
        }))?;
        Ok(WithStatus {
            errcode: errcode.unwrap_or_default(),
            body,
        })
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for WithStatus<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(WithStatusVisitor(PhantomData))
    }
}

//! Seeded, deterministic evaluations: the same seed gives the same ids and texts on any day.
//!
//! Everything is drawn from one ChaCha stream as relative offsets ("written 3 days ago");
//! absolute times are `now` minus those offsets, so only the timestamps depend on the day.
//! The stream lives on in the state, so bad reviews created later are reproducible too.

use jiff::Timestamp;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use review_model::wechat::{
    Action, ActionType, Author, BizInfo, Comment, CommentReply, Content, ExtInfo, Image, Media,
    OldComment, OrderInfo, ProcessInfo, Product, ProductInfo, Reply, TextBody, UserInfo, Video,
};
use review_model::{AppId, CommentId, CommentReplyId, Fen, OpenId, ReplyId, Stars};

use super::store::{FollowUp, Record, Thread};
use super::texts;

/// Mixed into the seed so that this stream differs from every other part's.
const STREAM: u64 = 0x7765_6368_6174_2d41;

/// The 180 days the data spans, in seconds.
const SPAN: i64 = 180 * DAY;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// Comment ids are `base + sequence * ID_STRIDE + noise`: 19 digits, unique, growing with time.
const ID_STRIDE: u64 = 1 << 22;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A buyer who may write several evaluations.
#[derive(Debug, Clone)]
struct Buyer {
    openid: OpenId,
    nickname: String,
    head_img: String,
}

/// Draws evaluations, replies and ids from the seeded stream.
#[derive(Debug)]
pub(crate) struct Generator {
    rng: ChaCha20Rng,
    appid: AppId,
    id_base: u64,
    comments: u64,
    replies: u64,
    follow_ups: u64,
    buyers: Vec<Buyer>,
}

/// Draws `n` characters of `[0-9A-Za-z]`, ten per random word.
pub(crate) fn alnum(rng: &mut ChaCha20Rng, n: usize) -> String {
    let mut out = String::with_capacity(n);
    let mut word = 0u64;
    for i in 0..n {
        if i % 10 == 0 {
            word = rng.random();
        }
        let digit = usize::try_from(word % 62).unwrap_or(0);
        word /= 62;
        out.push(char::from(*BASE62.get(digit).unwrap_or(&b'0')));
    }
    out
}

fn digits(rng: &mut ChaCha20Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn pick<'a>(rng: &mut ChaCha20Rng, items: &[&'a str]) -> &'a str {
    let at = rng.random_range(0..items.len().max(1));
    items.get(at).copied().unwrap_or_default()
}

/// `now` minus `age` seconds.
fn at(now: Timestamp, age: i64) -> Timestamp {
    Timestamp::from_second(now.as_second().saturating_sub(age.max(0))).unwrap_or(now)
}

/// 0 negative, 1 neutral, 2 positive.
fn sentiment(stars: u8) -> usize {
    match stars {
        1 | 2 => 0,
        3 => 1,
        _ => 2,
    }
}

/// The merchant as the author of a reply.
pub(crate) fn merchant() -> Author {
    Author {
        nickname: texts::SHOP_NAME.to_owned(),
        img_url: Some(texts::SHOP_AVATAR.to_owned()),
    }
}

impl Generator {
    /// A generator for `seed`, with a pool of buyers sized for `count` evaluations.
    pub(crate) fn new(seed: u64, count: usize, appid: AppId) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed ^ STREAM);
        let id_base = 2_700_000_000_000_000_000 + rng.random_range(0..100_000_000_000_000_000u64);
        let buyer_count = (count / 3).clamp(40, 40_000);
        let buyers = (0..buyer_count)
            .map(|_| {
                let name = pick(&mut rng, texts::NICKNAMES);
                let nickname = if rng.random_range(0..4) == 0 {
                    format!("{name}{}", rng.random_range(1..100))
                } else {
                    name.to_owned()
                };
                Buyer {
                    openid: OpenId::new(format!("oQ3Xv5{}", alnum(&mut rng, 22))),
                    nickname,
                    head_img: format!(
                        "https://thirdwx.qlogo.cn/mmopen/vi_32/{}/132",
                        alnum(&mut rng, 40)
                    ),
                }
            })
            .collect();
        Self {
            rng,
            appid,
            id_base,
            comments: 0,
            replies: 0,
            follow_ups: 0,
            buyers,
        }
    }

    /// `count` evaluations written over the 180 days before `now`, oldest first.
    pub(crate) fn initial(&mut self, count: usize, now: Timestamp) -> Vec<Record> {
        let mut ages: Vec<i64> = (0..count)
            .map(|_| self.rng.random_range(60..SPAN - HOUR))
            .collect();
        ages.sort_unstable_by(|a, b| b.cmp(a));
        ages.into_iter()
            .map(|age| self.evaluation(now, age, None).1)
            .collect()
    }

    /// A new one- or two-star evaluation written at `now`, with only step 1 of its process.
    pub(crate) fn bad_review(&mut self, now: Timestamp) -> (Comment, Record) {
        let stars = if self.rng.random_range(0..2) == 0 {
            1
        } else {
            2
        };
        self.evaluation(now, 0, Some(stars))
    }

    /// The next reply id.
    pub(crate) fn reply_id(&mut self) -> ReplyId {
        self.replies += 1;
        ReplyId::new((3_000_000_000 + self.replies).to_string())
    }

    /// The next follow-up id.
    pub(crate) fn follow_up_id(&mut self) -> CommentReplyId {
        self.follow_ups += 1;
        CommentReplyId::new((6_000_000_000 + self.follow_ups).to_string())
    }

    fn comment_id(&mut self) -> CommentId {
        let sequence = self.comments;
        self.comments += 1;
        let noise = self.rng.random_range(0..ID_STRIDE);
        let id = self
            .id_base
            .saturating_add(sequence.saturating_mul(ID_STRIDE))
            .saturating_add(noise);
        CommentId::new(id.to_string())
    }

    fn stars(&mut self) -> u8 {
        match self.rng.random_range(0..100) {
            0..55 => 5,
            55..75 => 4,
            75..85 => 3,
            85..92 => 2,
            _ => 1,
        }
    }

    fn text(&mut self, stars: u8) -> String {
        let pool = texts::REVIEWS
            .get(usize::from(stars.saturating_sub(1)))
            .copied()
            .unwrap_or_default();
        let mut text = pick(&mut self.rng, pool).to_owned();
        if self.rng.random_range(0..3) == 0 {
            let emoji = texts::EMOJI
                .get(sentiment(stars))
                .copied()
                .unwrap_or_default();
            text.push_str(pick(&mut self.rng, emoji));
        }
        text
    }

    fn media(&mut self) -> Vec<Media> {
        match self.rng.random_range(0..100) {
            0..18 => (0..self.rng.random_range(1..=3))
                .map(|_| {
                    let key = alnum(&mut self.rng, 40);
                    Media::Image(Image {
                        img: format!("https://mmbiz.qpic.cn/mmbiz_jpg/{key}/0?wx_fmt=jpeg"),
                        thumb_img: Some(format!(
                            "https://mmbiz.qpic.cn/mmbiz_jpg/{key}/132?wx_fmt=jpeg"
                        )),
                    })
                })
                .collect(),
            18..24 => {
                let key = alnum(&mut self.rng, 40);
                vec![Media::Video(Video {
                    video: format!("https://vweixinf.tc.qq.com/{key}.f10002.mp4"),
                    video_cover: Some(format!(
                        "https://mmbiz.qpic.cn/mmbiz_jpg/{key}/0?wx_fmt=jpeg"
                    )),
                    video_duration: Some(self.rng.random_range(5..=60)),
                })]
            }
            _ => Vec::new(),
        }
    }

    fn products(&mut self) -> (Vec<Product>, u64) {
        let kinds = if self.rng.random_range(0..5) == 0 {
            2
        } else {
            1
        };
        let mut amount = 0u64;
        let mut list = Vec::with_capacity(kinds);
        for _ in 0..kinds {
            let at = self.rng.random_range(0..texts::PRODUCTS.len());
            let Some(&(name, price)) = texts::PRODUCTS.get(at) else {
                continue;
            };
            let quantity = self.rng.random_range(1..=3u64);
            amount = amount.saturating_add(price.saturating_mul(quantity));
            list.push(Product {
                name: name.to_owned(),
                pic_url: Some(format!(
                    "https://mmbiz.qpic.cn/mmbiz_png/{}/0?wx_fmt=png",
                    alnum(&mut self.rng, 32)
                )),
            });
        }
        (list, amount)
    }

    /// One evaluation whose current version was written `age` seconds before `now`.
    ///
    /// `forced` makes a fresh bad review of that many stars: not revised, not answered.
    fn evaluation(&mut self, now: Timestamp, age: i64, forced: Option<u8>) -> (Comment, Record) {
        let comment_id = self.comment_id();
        let first_stars = forced.unwrap_or_else(|| self.stars());
        let buyer_at = self.rng.random_range(0..self.buyers.len().max(1));
        let buyer = self.buyers.get(buyer_at).cloned().unwrap_or_else(|| Buyer {
            openid: OpenId::new("oQ3Xv5sandbox"),
            nickname: "访客".to_owned(),
            head_img: String::new(),
        });

        // A revision: the buyer rewrote the evaluation `revised_after` seconds after the first.
        let roll = self.rng.random_range(0..100);
        let revision = match (forced, first_stars) {
            (Some(_), _) => None,
            (None, 1 | 2) if roll < 14 => Some(if roll < 10 {
                self.rng.random_range(4..=5)
            } else {
                self.rng.random_range(1..=2)
            }),
            (None, 3) if roll < 15 => Some(5),
            _ => None,
        };
        let revised_after = self.rng.random_range(HOUR..10 * DAY);
        let first_age = if revision.is_some() {
            age + revised_after
        } else {
            age
        };
        let stars = revision.unwrap_or(first_stars);

        let first_text = self.text(first_stars);
        let first_media = self.media();
        let (text, media) = match revision {
            None => (first_text.clone(), first_media.clone()),
            Some(now_stars) => {
                let pool = match (first_stars, now_stars) {
                    (3, _) => texts::REVISED_NEUTRAL_UP,
                    (_, 1 | 2) => texts::REVISED_STILL_BAD,
                    _ => texts::REVISED_UP,
                };
                (pick(&mut self.rng, pool).to_owned(), Vec::new())
            }
        };

        let (product_list, amount) = self.products();
        let pay_age = first_age + self.rng.random_range(10 * 60..5 * DAY);
        let wx_pay_id = format!("42000{}", digits(&mut self.rng, 23));
        let busi_order_id = format!("XG{}", digits(&mut self.rng, 16));

        let process =
            (first_stars <= 2).then(|| self.process(&comment_id, (first_age, age), revision, now));
        let handled = process
            .as_ref()
            .is_some_and(|p| p.reached(ActionType::MerchantHandled));
        let messaged = handled && self.rng.random_range(0..10) < 4;

        let old_comment = revision.map(|_| OldComment {
            comment_id: Some(comment_id.clone()),
            content: Content {
                text: first_text,
                media: first_media,
            },
            score: Stars::new(first_stars).ok(),
            create_time: Some(at(now, first_age)),
        });

        let thread = if forced.is_some() {
            None
        } else {
            self.thread(&comment_id, &buyer, stars, age, now)
        };

        let comment = Comment {
            comment_id,
            amount: Some(Fen::new(amount)),
            order_id: Some(format!("payorder@_{wx_pay_id}")),
            pay_time: Some(at(now, pay_age)),
            wx_pay_id: Some(wx_pay_id),
            order_info: Some(OrderInfo {
                busi_order_id: Some(busi_order_id),
            }),
            user_info: Some(UserInfo {
                openid: Some(buyer.openid),
                head_img: Some(buyer.head_img),
                nick_name: Some(buyer.nickname),
            }),
            biz_info: Some(BizInfo {
                appid: Some(self.appid.clone()),
                head_img: Some(texts::SHOP_AVATAR.to_owned()),
                nick_name: Some(texts::SHOP_NAME.to_owned()),
            }),
            score: Stars::new(stars).unwrap_or(Stars::FIVE),
            create_time: at(now, age),
            content: Content { text, media },
            ext_info: Some(ExtInfo {
                is_already_send_tmpl: messaged,
            }),
            product_info: Some(ProductInfo { product_list }),
        };
        let record = Record::new(&comment, process, old_comment, thread);
        (comment, record)
    }

    /// The progress of a bad review first written `first_age` ago and last `age` ago.
    fn process(
        &mut self,
        comment_id: &CommentId,
        (first_age, age): (i64, i64),
        revision: Option<u8>,
        now: Timestamp,
    ) -> ProcessInfo {
        // How many of steps 2 and 3 were reached; step 4 is reached by a revision.
        let reached_middle = match revision {
            Some(stars) if stars >= 3 => {
                if self.rng.random_range(0..4) == 0 {
                    0
                } else {
                    2
                }
            }
            Some(_) => 0,
            None if age == 0 => 0,
            None => match self.rng.random_range(0..100) {
                0..50 => 0,
                50..80 => 1,
                _ => 2,
            },
        };
        let span = (first_age - age).max(3);
        // Steps of a revised review lie between its two versions; others between it and now.
        let floor = if revision.is_some() { age } else { 0 };
        let mut step_age = first_age;
        let mut action_list = Vec::with_capacity(4);
        for (code, kind) in [
            (1, ActionType::BadReviewPosted),
            (2, ActionType::MerchantHandled),
            (3, ActionType::UserSurveyed),
            (4, ActionType::UserReviewed),
        ] {
            let reached = match code {
                1 => true,
                4 => revision.is_some(),
                _ => code - 1 <= reached_middle,
            };
            let update_time = if !reached {
                None
            } else if code == 4 {
                Some(age)
            } else if code == 1 {
                Some(first_age)
            } else {
                let step = if revision.is_some() {
                    span / 3
                } else {
                    self.rng.random_range(HOUR..2 * DAY).min(step_age)
                };
                step_age = (step_age - step).max(floor);
                Some(step_age)
            };
            action_list.push(Action {
                kind,
                update_time: update_time.map(|a| at(now, a)),
            });
        }
        ProcessInfo {
            comment_id: Some(comment_id.clone()),
            action_list,
        }
    }

    /// The merchant's reply thread, on a share of evaluations that depends on the rating.
    fn thread(
        &mut self,
        comment_id: &CommentId,
        buyer: &Buyer,
        stars: u8,
        age: i64,
        now: Timestamp,
    ) -> Option<Thread> {
        let share = match stars {
            1 | 2 => 70,
            3 => 50,
            _ => 35,
        };
        if self.rng.random_range(0..100) >= share {
            return None;
        }
        let pool = texts::REPLIES
            .get(sentiment(stars))
            .copied()
            .unwrap_or_default();
        let mut reply_age = age - self.rng.random_range(10 * 60..3 * DAY).min(age / 2);
        let reply_time = at(now, reply_age);
        let reply = Reply {
            comment_id: comment_id.clone(),
            reply_id: self.reply_id(),
            create_time: reply_time,
            update_time: Some(reply_time),
            reply_content: TextBody {
                content: pick(&mut self.rng, pool).to_owned(),
            },
            reply_object: Some(merchant()),
        };
        let count = match self.rng.random_range(0..10) {
            0..6 => 0,
            6..8 => 1,
            8 => 2,
            _ => 3,
        };
        let mut follow_ups = Vec::with_capacity(count);
        for _ in 0..count {
            reply_age -= self.rng.random_range(60..DAY).min(reply_age / 2);
            let time = at(now, reply_age);
            let by_buyer = self.rng.random_range(0..100) < 35;
            let (text, author) = if by_buyer {
                (
                    pick(&mut self.rng, texts::BUYER_FOLLOW_UPS),
                    Author {
                        nickname: buyer.nickname.clone(),
                        img_url: Some(buyer.head_img.clone()),
                    },
                )
            } else {
                (pick(&mut self.rng, texts::MERCHANT_FOLLOW_UPS), merchant())
            };
            follow_ups.push(FollowUp {
                reply: CommentReply {
                    comment_id: comment_id.clone(),
                    comment_reply_id: self.follow_up_id(),
                    create_time: time,
                    update_time: Some(time),
                    comment_reply_content: TextBody {
                        content: text.to_owned(),
                    },
                    comment_reply_object: Some(author),
                },
                by_buyer,
            });
        }
        Some(Thread { reply, follow_ups })
    }
}

//! WeChat's side: tokens, the comment endpoints, customer-service messages and media upload,
//! for every tenant ([`fleet`] routes each call to its tenant and spends the request quota).
//!
//! Every answer is HTTP 200 with JSON in the documented shape, encoded from the model's types;
//! refusals are `{errcode, errmsg}`. The token is checked before anything else. The rules the
//! documents leave open are stated in each module: [`read`], [`write`](mod@write), [`messages`],
//! [`outreach`], [`tokens`], [`quota`], [`auth`]; which endpoint each handler serves is in
//! [`routes`].
//!
//! It depends only on the sandbox's leaves (clock, credentials, write log, locking, routing, the
//! stats' answer tags):
//! the platform's state ([`Platform`]) is all its handlers see.

mod answer;
mod auth;
mod data;
mod fleet;
mod json_write;
mod messages;
mod multipart;
mod outreach;
mod platform;
mod quota;
mod read;
mod request;
mod routes;
mod state;
mod store;
mod texts;
mod tokens;
mod write;

pub(crate) use fleet::Fleet;
pub(crate) use platform::Platform;
pub(crate) use quota::Quotas;
pub(crate) use routes::{emulates, refuses_with_success, routes, style_of_path};
pub(crate) use tokens::Rules;

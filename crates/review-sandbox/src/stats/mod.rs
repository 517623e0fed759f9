//! Counting what the sandbox serves: requests by path, token calls, tokens minted and answers
//! by code, for `GET /sandbox/stats` and [`Sandbox::stats`](crate::Sandbox::stats).
//!
//! The fixed counters are atomics; the answers (and paths outside the protocol's lists) are
//! in maps behind a lock taken once per request, never across an await. Answers are counted
//! from the [`Answer`] their producer put on them ([`tag`]), so no body is read back.

mod layer;
mod report;
pub(crate) mod tag;

use std::collections::{BTreeMap, HashMap};
use std::mem;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use http::{Method, StatusCode};
use review_protocol::wechat::{GetStableToken, GetToken};
use review_protocol::{Endpoint, taobao, wechat};

pub(crate) use layer::count;
pub use report::{SandboxStats, TokenRequests};
use tag::Answer;

use crate::lock::lock;

/// How many distinct paths outside the protocol's lists are counted by name; the rest count
/// under [`OTHER`], so a scanner cannot grow the map without bound.
const MAX_OTHER_PATHS: usize = 256;
/// The `requests` key of unknown paths beyond [`MAX_OTHER_PATHS`].
const OTHER: &str = "(other)";

/// One protocol path and its count.
#[derive(Debug)]
struct PathCount {
    path: &'static str,
    count: AtomicU64,
}

/// Everything counted since the start or the last reset.
#[derive(Debug)]
pub(crate) struct Stats {
    plain: AtomicU64,
    stable: AtomicU64,
    minted: AtomicU64,
    /// Every path of both platforms' endpoint lists, once.
    known: Vec<PathCount>,
    unknown: Mutex<HashMap<String, u64>>,
    answers: Mutex<HashMap<Answer, u64>>,
}

impl Default for Stats {
    fn default() -> Self {
        let mut known: Vec<PathCount> = Vec::new();
        for endpoint in wechat::ENDPOINTS.iter().chain(taobao::ENDPOINTS) {
            if !known.iter().any(|k| k.path == endpoint.path) {
                known.push(PathCount {
                    path: endpoint.path,
                    count: AtomicU64::new(0),
                });
            }
        }
        Self {
            plain: AtomicU64::new(0),
            stable: AtomicU64::new(0),
            minted: AtomicU64::new(0),
            known,
            unknown: Mutex::default(),
            answers: Mutex::default(),
        }
    }
}

impl Stats {
    /// Counts a request as it arrives.
    pub(crate) fn arrived(&self, method: &Method, path: &str) {
        if GetToken::METADATA.matches(method, path) {
            self.plain.fetch_add(1, Ordering::Relaxed);
        } else if GetStableToken::METADATA.matches(method, path) {
            self.stable.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(known) = self.known.iter().find(|k| k.path == path) {
            known.count.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut unknown = lock(&self.unknown);
        let key = if unknown.contains_key(path) || unknown.len() < MAX_OTHER_PATHS {
            path
        } else {
            OTHER
        };
        *unknown.entry(key.to_owned()).or_insert(0) += 1;
    }

    /// Counts an answer: as the producer tagged it, else by its status; and its token, if it
    /// minted one.
    pub(crate) fn answered(&self, status: StatusCode, answer: Option<Answer>, minted: bool) {
        if minted {
            self.minted.fetch_add(1, Ordering::Relaxed);
        }
        let answer = answer.unwrap_or(Answer::Http(status.as_u16()));
        *lock(&self.answers).entry(answer).or_insert(0) += 1;
    }

    /// The counts so far.
    pub(crate) fn snapshot(&self) -> SandboxStats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let unknown = lock(&self.unknown).clone();
        let answers = lock(&self.answers).clone();
        self.report(read, unknown, answers)
    }

    /// Zeroes every count and returns what they were. Each counter is taken and zeroed in one
    /// step, so every request lands either in the returned counts or in the next ones.
    pub(crate) fn reset(&self) -> SandboxStats {
        let take = |counter: &AtomicU64| counter.swap(0, Ordering::Relaxed);
        let unknown = mem::take(&mut *lock(&self.unknown));
        let answers = mem::take(&mut *lock(&self.answers));
        self.report(take, unknown, answers)
    }

    fn report(
        &self,
        read: impl Fn(&AtomicU64) -> u64,
        unknown: HashMap<String, u64>,
        answers: HashMap<Answer, u64>,
    ) -> SandboxStats {
        let mut requests: BTreeMap<String, u64> = unknown.into_iter().collect();
        for known in &self.known {
            let count = read(&known.count);
            if count > 0 {
                requests.insert(known.path.to_owned(), count);
            }
        }
        SandboxStats {
            token_requests: TokenRequests {
                plain: read(&self.plain),
                stable: read(&self.stable),
            },
            tokens_minted: read(&self.minted),
            requests,
            answers: answers
                .into_iter()
                .map(|(answer, count)| (answer.key(), count))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn unknown_paths_are_bounded() {
        let stats = Stats::default();
        for n in 0..MAX_OTHER_PATHS + 44 {
            stats.arrived(&Method::GET, &format!("/scan/{n}"));
        }
        stats.arrived(&Method::GET, "/scan/0");
        let requests = stats.snapshot().requests;
        assert_eq!(requests.len(), MAX_OTHER_PATHS + 1);
        assert_eq!(requests["/scan/0"], 2);
        assert_eq!(requests[OTHER], 44);
    }

    #[test]
    fn token_calls_need_the_endpoints_method() {
        let stats = Stats::default();
        stats.arrived(&Method::GET, GetToken::METADATA.path);
        stats.arrived(&Method::POST, GetStableToken::METADATA.path);
        stats.arrived(&Method::GET, GetStableToken::METADATA.path);
        let report = stats.snapshot();
        assert_eq!(
            report.token_requests,
            TokenRequests {
                plain: 1,
                stable: 1
            }
        );
        assert_eq!(report.requests[GetStableToken::METADATA.path], 2);
    }

    #[test]
    fn answers_fall_back_to_their_status() {
        let stats = Stats::default();
        stats.answered(StatusCode::OK, Some(Answer::Code(0)), true);
        stats.answered(StatusCode::NOT_FOUND, None, false);
        stats.answered(StatusCode::OK, Some(Answer::Dropped), false);
        let report = stats.reset();
        assert_eq!(report.tokens_minted, 1);
        let keys: Vec<&str> = report.answers.keys().map(String::as_str).collect();
        assert_eq!(keys, ["0", "dropped", "http_404"]);
        assert_eq!(stats.snapshot(), SandboxStats::default());
    }
}

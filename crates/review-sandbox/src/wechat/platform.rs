//! What WeChat's handlers share: the credentials and token rules they check against, the
//! clock, the write log, and the mini program's data behind one lock.

use std::sync::{Arc, Mutex, MutexGuard};

use jiff::Timestamp;
use review_model::wechat::Comment;

use super::state::WechatState;
use super::tokens::Rules;
use crate::clock::Clock;
use crate::credentials::WechatCredentials;
use crate::lock::lock;
use crate::throttle::Counter;
use crate::writes::Writes;

/// One tenant's emulated mini program. Its lock is held only for in-memory work, never across
/// an await.
#[derive(Debug)]
pub(crate) struct Platform {
    /// The tenant's index (0 for the first).
    pub(super) index: usize,
    /// What the tenant spent of the request quota.
    pub(super) calls: Counter,
    /// The credentials the token endpoints accept.
    pub(super) credentials: WechatCredentials,
    /// How long issued tokens live and overlap, and how many may be asked for.
    pub(super) rules: Rules,
    /// The sandbox's clock.
    pub(super) clock: Arc<Clock>,
    writes: Arc<Writes>,
    state: Mutex<WechatState>,
}

impl Platform {
    /// `count` comments generated from `seed` over the 180 days before `now`, for the mini
    /// program of `credentials`, tenant `index`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        index: usize,
        seed: u64,
        count: usize,
        now: Timestamp,
        credentials: WechatCredentials,
        rules: Rules,
        clock: Arc<Clock>,
        writes: Arc<Writes>,
    ) -> Self {
        let state = WechatState::generate(seed, count, credentials.appid.clone(), now);
        Self {
            index,
            calls: Counter::default(),
            credentials,
            rules,
            clock,
            writes,
            state: Mutex::new(state),
        }
    }

    /// The mini program's data, locked.
    pub(super) fn state(&self) -> MutexGuard<'_, WechatState> {
        lock(&self.state)
    }

    /// Records an executed write to `path`, at the sandbox's now.
    pub(super) fn record_write(&self, path: &str, body: serde_json::Value) {
        self.writes.record(self.clock.now(), self.index, path, body);
    }

    /// The mini program's AppID (what pushes are sealed for).
    pub(crate) fn appid(&self) -> &str {
        self.credentials.appid.as_str()
    }

    /// Creates a new one- or two-star review at the sandbox's now and returns it as the list
    /// serves it.
    pub(crate) fn add_bad_review(&self) -> Comment {
        let now = self.clock.now();
        self.state().add_bad_review(now)
    }

    /// Expires every token issued so far (the fault "token expiring early").
    pub(crate) fn expire_tokens(&self) {
        self.state().expire_tokens();
    }
}

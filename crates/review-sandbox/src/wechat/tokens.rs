//! Access tokens with WeChat's lifecycle.
//!
//! - `/cgi-bin/token` issues a new token on every call; the previous plain token keeps working
//!   for the overlap (5 minutes) after the new one is issued, then answers 40001.
//! - `/cgi-bin/stable_token` returns the same token until its last overlap before expiry, then
//!   a new one (the old one lives out its lifetime); `force_refresh` issues a new one at once
//!   and gives the old one the overlap. Plain and stable tokens do not affect each other.
//! - Every token answers 42001 once its lifetime is over, or once [`Tokens::expire_all`] ran.
//! - Plain calls and forced refreshes are limited by the [`quota`](super::quota) rules; a
//!   refused call mints nothing.
//! - A token shaped like ours that we never issued answers 40001; something that is not shaped
//!   like a token at all answers 40014; no token answers 41001.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use review_model::wechat::ErrCode;

use super::answer::Refusal;
use super::data::alnum;
use super::quota::{Quotas, Spent};

/// Mixed into the seed for the token stream.
const STREAM: u64 = 0x746f_6b65_6e73_2d41;

/// Every token starts with this and has [`TOKEN_LEN`] characters.
const PREFIX: &str = "86_";
const TOKEN_LEN: usize = 3 + 120;

/// Dead tokens are forgotten once this many are known.
const KEEP: usize = 10_000;

/// WeChat's code for a request without `access_token`.
const MISSING: i64 = 41001;

#[derive(Debug, Clone)]
struct Issued {
    expires_at: Timestamp,
    /// When a newer token ended this one's overlap.
    revoked_at: Option<Timestamp>,
    /// Expired early by the fault layer.
    expired: bool,
}

impl Issued {
    /// When the token stops working, and whether that is an expiry (else a revocation).
    fn end(&self) -> (Timestamp, bool) {
        match self.revoked_at {
            Some(revoked) if revoked < self.expires_at => (revoked, false),
            _ => (self.expires_at, true),
        }
    }
}

/// Every token issued, and which plain and stable tokens are current.
#[derive(Debug)]
pub(crate) struct Tokens {
    rng: ChaCha20Rng,
    issued: HashMap<String, Issued>,
    latest_plain: Option<String>,
    stable: Option<String>,
    spent: Spent,
}

/// How long tokens live and overlap, and how many may be asked for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// A token's whole life (`expires_in` of a new token).
    pub(crate) lifetime: SignedDuration,
    /// How long a replaced token keeps working.
    pub(crate) overlap: SignedDuration,
    /// The daily and per-interval limits.
    pub(crate) quotas: Quotas,
}

/// A token answer: the token, its remaining seconds, and whether it was minted by this call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) token: String,
    pub(crate) expires_in: u64,
    pub(crate) minted: bool,
}

fn seconds(d: SignedDuration) -> u64 {
    u64::try_from(d.as_secs()).unwrap_or(0)
}

impl Tokens {
    /// No token issued yet; tokens are drawn from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha20Rng::seed_from_u64(seed ^ STREAM),
            issued: HashMap::new(),
            latest_plain: None,
            stable: None,
            spent: Spent::default(),
        }
    }

    fn mint(&mut self, now: Timestamp, lifetime: SignedDuration) -> String {
        if self.issued.len() >= KEEP {
            self.issued.retain(|_, t| t.end().0 > now && !t.expired);
        }
        let token = format!("{PREFIX}{}", alnum(&mut self.rng, TOKEN_LEN - PREFIX.len()));
        let expires_at = now.checked_add(lifetime).unwrap_or(now);
        self.issued.insert(
            token.clone(),
            Issued {
                expires_at,
                revoked_at: None,
                expired: false,
            },
        );
        token
    }

    /// Ends `token`'s life `overlap` from now (or at its expiry, if sooner).
    fn revoke(&mut self, token: Option<&String>, now: Timestamp, overlap: SignedDuration) {
        if let Some(old) = token.and_then(|t| self.issued.get_mut(t)) {
            let at = now.checked_add(overlap).unwrap_or(now);
            old.revoked_at = Some(old.revoked_at.map_or(at, |r| r.min(at)));
        }
    }

    /// `/cgi-bin/token`: a new token; the previous plain one lives `overlap` longer. Refused
    /// with 45009 once today's quota is spent.
    pub(crate) fn issue_plain(&mut self, now: Timestamp, times: Rules) -> Result<Grant, Refusal> {
        self.spent.plain(now, &times.quotas)?;
        let token = self.mint(now, times.lifetime);
        let previous = self.latest_plain.replace(token.clone());
        self.revoke(previous.as_ref(), now, times.overlap);
        Ok(Grant {
            token,
            expires_in: seconds(times.lifetime),
            minted: true,
        })
    }

    /// `/cgi-bin/stable_token`: the current stable token and its remaining seconds, or a new
    /// one when forced, when the current one is in its last `overlap`, or when there is none.
    /// A forced call beyond the quotas is refused (45009, 45011).
    pub(crate) fn stable(
        &mut self,
        now: Timestamp,
        times: Rules,
        force: bool,
    ) -> Result<Grant, Refusal> {
        // With a lifetime shorter than the overlap, renew in the second half of the life.
        let margin = times
            .overlap
            .min(times.lifetime.checked_div(2).unwrap_or_default());
        if !force {
            let current = self.stable.as_ref().and_then(|t| {
                let issued = self.issued.get(t)?;
                let (end, _) = issued.end();
                let left = now.duration_until(end);
                (!issued.expired && left > margin).then(|| (t.clone(), seconds(left)))
            });
            if let Some((token, expires_in)) = current {
                return Ok(Grant {
                    token,
                    expires_in,
                    minted: false,
                });
            }
        } else {
            self.spent.forced(now, &times.quotas)?;
        }
        let token = self.mint(now, times.lifetime);
        let previous = self.stable.replace(token.clone());
        if force {
            self.revoke(previous.as_ref(), now, times.overlap);
        }
        Ok(Grant {
            token,
            expires_in: seconds(times.lifetime),
            minted: true,
        })
    }

    /// Whether `token` may call an API now.
    pub(crate) fn check(&self, token: Option<&str>, now: Timestamp) -> Result<(), Refusal> {
        let token = match token {
            None | Some("") => {
                return Err(Refusal::new(ErrCode::from(MISSING), "access_token missing"));
            }
            Some(token) => token,
        };
        let Some(issued) = self.issued.get(token) else {
            let shaped = token.len() == TOKEN_LEN
                && token.starts_with(PREFIX)
                && token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            return Err(if shaped {
                Refusal::new(
                    ErrCode::InvalidCredential,
                    "invalid credential, access_token is invalid or not latest",
                )
            } else {
                Refusal::new(ErrCode::InvalidAccessToken, "invalid access_token")
            });
        };
        let (end, expiry) = issued.end();
        if issued.expired || (expiry && now >= end) {
            return Err(Refusal::new(
                ErrCode::AccessTokenExpired,
                "access_token expired",
            ));
        }
        if now >= end {
            return Err(Refusal::new(
                ErrCode::InvalidCredential,
                "invalid credential, access_token is invalid or not latest",
            ));
        }
        Ok(())
    }

    /// Whether `token` was issued here and is still remembered.
    pub(crate) fn knows(&self, token: &str) -> bool {
        self.issued.contains_key(token)
    }

    /// Expires every token issued so far (the fault "token expiring early").
    pub(crate) fn expire_all(&mut self) {
        for issued in self.issued.values_mut() {
            issued.expired = true;
        }
        self.stable = None;
        self.latest_plain = None;
    }
}

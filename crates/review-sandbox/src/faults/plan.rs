//! Deciding, per request, whether and how to fail: seeded and reproducible.

use std::sync::atomic::{AtomicU64, Ordering};

use http::Method;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use review_protocol::{Access, Metadata, taobao, wechat};

use super::FaultKind;

/// This module's own stream, so that changing how data is generated never moves faults.
const STREAM: u64 = 0x6661_756c_7473_2121;

/// The platform whose endpoint list holds an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Platform {
    /// `review_protocol::wechat::ENDPOINTS`.
    Wechat,
    /// `review_protocol::taobao::ENDPOINTS`.
    Taobao,
}

/// The endpoint that `method` and `path` address, with its platform: `None` for anything the
/// protocol does not describe (`/sandbox/*`, a wrong method, an unknown path).
pub(crate) fn addressed(method: &Method, path: &str) -> Option<(Platform, &'static Metadata)> {
    let lists = [
        (Platform::Wechat, wechat::ENDPOINTS),
        (Platform::Taobao, taobao::ENDPOINTS),
    ];
    lists.into_iter().find_map(|(platform, endpoints)| {
        let endpoint = endpoints.iter().find(|e| e.matches(method, path))?;
        Some((platform, endpoint))
    })
}

/// What a request is, as far as faults are concerned: decided from the endpoint's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Never faulted: the token endpoints (they send credentials), `/sandbox/*`, anything the
    /// protocol does not describe.
    Exempt,
    /// A WeChat call that changes nothing (or nothing a retry could duplicate harmfully): an
    /// idempotent endpoint, media upload included.
    WechatRead,
    /// A WeChat write: an endpoint that is not idempotent (the comment writes and the
    /// customer-service message).
    WechatWrite,
    /// A Taobao call, through the fw199 gateway.
    Taobao,
}

impl Target {
    /// Classifies a request by its method and path (the layer itself keeps the endpoint too).
    #[cfg(test)]
    pub(crate) fn of(method: &Method, path: &str) -> Self {
        addressed(method, path).map_or(Self::Exempt, Self::of_endpoint)
    }

    /// Classifies a call of `endpoint` on `platform`.
    pub(crate) fn of_endpoint((platform, endpoint): (Platform, &Metadata)) -> Self {
        if endpoint.access == Access::Credentials {
            return Self::Exempt;
        }
        match platform {
            Platform::Wechat if endpoint.idempotent => Self::WechatRead,
            Platform::Wechat => Self::WechatWrite,
            Platform::Taobao => Self::Taobao,
        }
    }
}

impl FaultKind {
    /// Whether this kind can hit a request of `target`.
    pub(crate) fn applies_to(self, target: Target) -> bool {
        let wechat = matches!(target, Target::WechatRead | Target::WechatWrite);
        match self {
            Self::SystemBusy | Self::ServiceError | Self::RateLimited | Self::TokenExpired => {
                wechat
            }
            Self::BadGateway
            | Self::ServiceUnavailable
            | Self::DroppedConnection
            | Self::SlowResponse => target != Target::Exempt,
            Self::WriteRefused | Self::WriteAnswerLost => target == Target::WechatWrite,
        }
    }
}

/// The fault decision of one request, with the random stream its details are drawn from.
pub(crate) struct Decision {
    pub(crate) kind: FaultKind,
    pub(crate) rng: ChaCha20Rng,
}

/// Decides, per request, whether and how to fail.
///
/// Request number `n` (counting only requests that can be faulted, in arrival order) draws from
/// ChaCha20 stream `n` of the seed: first whether it fails (probability `rate`), then which of
/// the configured kinds that apply to it, then the fault's details. A sequential client thus
/// meets the same faults on every run, whatever the timing, and a request that no configured
/// kind applies to passes untouched (it still uses its number).
pub(crate) struct Faults {
    base: ChaCha20Rng,
    rate: f64,
    kinds: Vec<FaultKind>,
    counter: AtomicU64,
}

impl Faults {
    /// Faults at `rate` (0 to 1) among `kinds`, seeded by `seed`.
    pub(crate) fn new(seed: u64, rate: f64, mut kinds: Vec<FaultKind>) -> Self {
        kinds.sort_unstable();
        kinds.dedup();
        Self {
            base: ChaCha20Rng::seed_from_u64(seed ^ STREAM),
            rate,
            kinds,
            counter: AtomicU64::new(0),
        }
    }

    /// Whether any fault can ever be injected.
    pub(crate) fn enabled(&self) -> bool {
        self.rate > 0.0 && !self.kinds.is_empty()
    }

    /// The fault for the next request of `target`, if any.
    pub(crate) fn decide(&self, target: Target) -> Option<Decision> {
        if target == Target::Exempt || !self.enabled() {
            return None;
        }
        let number = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut rng = self.base.clone();
        rng.set_stream(number);
        if rng.random::<f64>() >= self.rate {
            return None;
        }
        let eligible: Vec<FaultKind> = self
            .kinds
            .iter()
            .copied()
            .filter(|kind| kind.applies_to(target))
            .collect();
        if eligible.is_empty() {
            return None;
        }
        let kind = *eligible.get(rng.random_range(0..eligible.len()))?;
        Some(Decision { kind, rng })
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]

    use super::*;

    fn sequence(faults: &Faults, target: Target, n: usize) -> Vec<Option<FaultKind>> {
        (0..n)
            .map(|_| faults.decide(target).map(|d| d.kind))
            .collect()
    }

    #[test]
    fn classification() {
        assert_eq!(Target::of(&Method::GET, "/cgi-bin/token"), Target::Exempt);
        assert_eq!(
            Target::of(&Method::POST, "/cgi-bin/stable_token"),
            Target::Exempt
        );
        assert_eq!(Target::of(&Method::GET, "/sandbox/health"), Target::Exempt);
        assert_eq!(
            Target::of(&Method::GET, "/wxaapi/comment/mpcommentlist/get"),
            Target::WechatRead
        );
        assert_eq!(
            Target::of(&Method::POST, "/wxaapi/comment/reply/add"),
            Target::WechatWrite
        );
        assert_eq!(
            Target::of(&Method::POST, "/cgi-bin/message/custom/send"),
            Target::WechatWrite
        );
        assert_eq!(
            Target::of(&Method::POST, "/cgi-bin/media/upload"),
            Target::WechatRead
        );
        assert_eq!(
            Target::of(&Method::POST, "/gateway/taobao/traderates/get"),
            Target::Taobao
        );
    }

    #[test]
    fn same_seed_same_faults_other_seed_other_faults() {
        let kinds = FaultKind::ALL.to_vec();
        let a = sequence(
            &Faults::new(1, 0.5, kinds.clone()),
            Target::WechatWrite,
            200,
        );
        let b = sequence(
            &Faults::new(1, 0.5, kinds.clone()),
            Target::WechatWrite,
            200,
        );
        let c = sequence(&Faults::new(2, 0.5, kinds), Target::WechatWrite, 200);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn rate_is_respected() {
        let faults = Faults::new(9, 0.3, FaultKind::ALL.to_vec());
        let hits = sequence(&faults, Target::WechatRead, 10_000)
            .iter()
            .filter(|d| d.is_some())
            .count();
        assert!(
            (2700..3300).contains(&hits),
            "{hits} faults in 10000 at 0.3"
        );
        let none = Faults::new(9, 0.0, FaultKind::ALL.to_vec());
        assert!(
            sequence(&none, Target::WechatRead, 1000)
                .iter()
                .all(Option::is_none)
        );
        let all = Faults::new(9, 1.0, vec![FaultKind::BadGateway]);
        assert!(
            sequence(&all, Target::Taobao, 1000)
                .iter()
                .all(Option::is_some)
        );
    }

    #[test]
    fn kinds_only_hit_what_they_apply_to() {
        let faults = Faults::new(3, 1.0, FaultKind::ALL.to_vec());
        for kind in sequence(&faults, Target::Taobao, 500).into_iter().flatten() {
            assert!(
                matches!(
                    kind,
                    FaultKind::BadGateway
                        | FaultKind::ServiceUnavailable
                        | FaultKind::DroppedConnection
                        | FaultKind::SlowResponse
                ),
                "{kind} on taobao"
            );
        }
        for kind in sequence(&faults, Target::WechatRead, 500)
            .into_iter()
            .flatten()
        {
            assert!(!kind.writes_only(), "{kind} on a read");
        }
        let writes_only = Faults::new(3, 1.0, vec![FaultKind::WriteAnswerLost]);
        assert!(
            sequence(&writes_only, Target::WechatRead, 100)
                .iter()
                .all(Option::is_none)
        );
        assert!(
            sequence(&faults, Target::Exempt, 100)
                .iter()
                .all(Option::is_none)
        );
    }
}

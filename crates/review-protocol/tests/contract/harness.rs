//! The token store contract, checked over interleavings of processes, crashes and clock moves.
//!
//! Included by path from every store's tests (memory and file in `review-client`, Redis in
//! `review-redis`), so all three are held to one definition. Each "process" has its own token
//! cache (as a real process would) and runs calls through the protocol's call machine against
//! a model of WeChat's stable-token endpoint; the processes share only the store under test.
//! Invariants:
//!
//! - one refresh at a time: a token request goes out only while no other live process has one
//!   out whose lock lease is still running;
//! - a record's generation never goes back, and a stored token is never replaced by one
//!   minted earlier;
//! - a stored token is cleared only after WeChat refused that very token;
//! - no refresh storm: token requests (less the unforced ones answered with a broken token,
//!   which WeChat allows 10,000 a minute) ≤ 1 + 2 × (revocations + clock moves + crashes) + 3 per
//!   broken token: a disturbance may cost the process caught in the middle of a refresh one
//!   more (its lease ran out, or its token came due before it could use it), and a broken
//!   token an unforced request first, then the forced one; a call that ends on WeChat's
//!   force limits (with their clear error) asks once per attempt of its retry budget;
//! - every call that was not crashed ends, and ends well.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use review_model::{AppId, CommentId, Secret};
use review_protocol::BaseUrl;
use review_protocol::call::{Machine, Step, WechatCall};
use review_protocol::retry::RetryPolicy;
use review_protocol::wechat::ResetKfQuota;
use review_protocol::wechat::token_cache::{RefreshKind, TokenCache, TokenConfig};
use review_protocol::wechat::token_share::{
    SharedConfig, StoreAnswer, StoreFailure, StoreKey, StoreOp, TokenRecord,
};

/// The store under test, as the harness drives it.
pub trait Backend {
    /// Carries out one operation.
    fn run(&self, key: &StoreKey, op: StoreOp) -> Result<StoreAnswer, StoreFailure>;
    /// Whether the store keeps its own clock for leases (Redis), so that the harness must
    /// really wait for one to run out.
    fn real_clock(&self) -> bool {
        false
    }
}

/// One thing that happens.
#[derive(Debug, Clone)]
pub enum Event {
    /// Process `p` starts a call, if it has none running.
    Start(usize),
    /// Process `p` takes one step of its call.
    Step(usize),
    /// Process `p` dies (kill -9) and a new one takes its place.
    Crash(usize),
    /// The clock jumps.
    Clock(SignedDuration),
    /// Someone outside (the merchant's console) forces a new token: the current one dies.
    Revoke,
    /// WeChat stops accepting its current stable token but keeps handing it out: only a
    /// forced refresh brings another.
    Break,
}

/// Arbitrary event sequences over `processes` processes.
pub fn events(processes: usize) -> impl Strategy<Value = Vec<Event>> {
    let event = prop_oneof![
        3 => (0..processes).prop_map(Event::Start),
        10 => (0..processes).prop_map(Event::Step),
        1 => (0..processes).prop_map(Event::Crash),
        1 => prop_oneof![Just(1_i64), Just(11), Just(6_900), Just(7_300)]
            .prop_map(|s| Event::Clock(SignedDuration::from_secs(s))),
        1 => Just(Event::Revoke),
        1 => Just(Event::Break),
    ];
    proptest::collection::vec(event, 1..60)
}

const APPID: &str = "wx-contract";
const LIFETIME: i64 = 7200;

/// WeChat's stable-token endpoint and a call checking its token.
#[derive(Default)]
struct Wechat {
    current: Option<(String, Timestamp)>,
    dead: HashSet<String>,
    /// Every token a call was refused for.
    refused: HashSet<String>,
    minted: u32,
    token_requests: u32,
    /// Unforced requests answered with a broken token: how a process learns it must force.
    probes: u32,
}

impl Wechat {
    fn mint(&mut self, now: Timestamp) -> (String, Timestamp) {
        self.minted += 1;
        let token = format!("tok-{}", self.minted);
        let expires = now + SignedDuration::from_secs(LIFETIME);
        if let Some((old, _)) = self.current.replace((token.clone(), expires)) {
            self.dead.insert(old);
        }
        (token, expires)
    }

    fn answer(&mut self, request: &http::Request<Vec<u8>>, now: Timestamp) -> Vec<u8> {
        if request.uri().path() == "/cgi-bin/stable_token" {
            self.token_requests += 1;
            let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
            let force = body["force_refresh"].as_bool().unwrap_or(false);
            let due = self
                .current
                .as_ref()
                .is_none_or(|(_, exp)| *exp - SignedDuration::from_mins(5) <= now);
            let (token, expires) = if force || due {
                self.mint(now)
            } else {
                self.current.clone().unwrap()
            };
            if !force && self.dead.contains(&token) {
                self.probes += 1;
            }
            let left = expires.duration_since(now).as_secs();
            return format!(r#"{{"access_token":"{token}","expires_in":{left}}}"#).into_bytes();
        }
        let query = request.uri().query().unwrap_or_default();
        let token = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("access_token="))
            .unwrap_or_default();
        let valid = self
            .current
            .as_ref()
            .is_some_and(|(t, exp)| t == token && now < *exp && !self.dead.contains(t));
        if valid {
            return br#"{"errcode":0,"errmsg":"ok"}"#.to_vec();
        }
        self.refused.insert(token.to_owned());
        if self.dead.contains(token) {
            br#"{"errcode":40001,"errmsg":"invalid credential"}"#.to_vec()
        } else {
            br#"{"errcode":42001,"errmsg":"access_token expired"}"#.to_vec()
        }
    }
}

type Call = Machine<'static, WechatCall<'static, ResetKfQuota>, &'static str>;

struct Process {
    cache: &'static Mutex<TokenCache>,
    call: Option<(Call, Step<(), &'static str>)>,
    /// When this process's token request went out, if one is out.
    refreshing: Option<Timestamp>,
    /// When this process last took the lock.
    locked_at: Option<Timestamp>,
    /// How far the clock jumped while the call ran: past a good part of the retry budget
    /// (60 s), the call may give up.
    jumped: SignedDuration,
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn new_cache() -> &'static Mutex<TokenCache> {
    leak(Mutex::new(TokenCache::new(
        AppId::new(APPID),
        Secret::new("contract-secret"),
        TokenConfig::new(RefreshKind::Stable),
    )))
}

/// Runs `events`, then lets every call finish, checking the contract throughout.
pub fn check(backend: &dyn Backend, key: &StoreKey, processes: usize, events: &[Event], seed: u64) {
    let base: &'static BaseUrl = leak("http://127.0.0.1:9".parse().unwrap());
    let endpoint: &'static ResetKfQuota = leak(ResetKfQuota::new(CommentId::new("1")));
    let lease = if backend.real_clock() {
        SignedDuration::from_millis(150)
    } else {
        SignedDuration::from_secs(10)
    };
    let shared = SharedConfig::default().with_lease(lease);
    // A store with a clock of its own (Redis's TTLs) needs the real time to start from.
    let mut now: Timestamp = if backend.real_clock() {
        Timestamp::now()
    } else {
        "2026-12-01T08:00:00Z".parse().unwrap()
    };
    let mut wechat = Wechat::default();
    let mut procs: Vec<Process> = (0..processes)
        .map(|_| Process {
            cache: new_cache(),
            call: None,
            refreshing: None,
            locked_at: None,
            jumped: SignedDuration::ZERO,
        })
        .collect();
    let mut seen_generation = 0_u64;
    let mut seen_minted: Option<u32> = None;
    let mut disturbances = 0_u32;
    let mut extra = 0_u32;
    // Calls that ended on WeChat's force limits: each attempt asked for the current token once.
    let mut limited_calls = 0_u32;
    let mut n = seed;

    let mut step_once =
        |procs: &mut Vec<Process>, p: usize, now: &mut Timestamp, wechat: &mut Wechat| -> bool {
            let Some((mut machine, step)) = procs[p].call.take() else {
                return false;
            };
            let next = match step {
                Step::Send(request) => {
                    let body = wechat.answer(&request, *now);
                    procs[p].refreshing = None;
                    machine.feed(Ok(http::Response::new(body)), *now)
                }
                Step::Sleep(wait) => {
                    if backend.real_clock() {
                        std::thread::sleep(wait.min(Duration::from_millis(200)));
                    }
                    *now += SignedDuration::try_from(wait).unwrap();
                    machine.next(*now)
                }
                Step::Store(mut op) => {
                    // A driver carries an operation out as soon as it is asked; here the clock may
                    // have jumped in between, so the lock is stamped with the time it is taken.
                    if let StoreOp::Lock { now: at, .. } = &mut op {
                        *at = *now;
                    }
                    let is_lock = matches!(op, StoreOp::Lock { .. });
                    let before = match &op {
                        StoreOp::Put { .. } => match backend.run(key, StoreOp::Load).unwrap() {
                            StoreAnswer::Record(r) => r,
                            other => panic!("load answered {other:?}"),
                        },
                        _ => None,
                    };
                    let written = op.clone();
                    let answer = backend.run(key, op);
                    match (&answer, &written) {
                        (Ok(StoreAnswer::Locked(true)), _) if is_lock => {
                            procs[p].locked_at = Some(*now);
                        }
                        (Ok(StoreAnswer::Record(Some(record))), _) => {
                            assert!(record.generation >= seen_generation, "generation went back");
                            seen_generation = record.generation;
                        }
                        (Ok(StoreAnswer::Written(true)), StoreOp::Put { record, .. }) => {
                            check_write(before.as_ref(), record, &wechat.refused, &mut seen_minted);
                        }
                        _ => {}
                    }
                    machine.stored(answer, *now)
                }
                Step::Done(result) => {
                    if let Err(err) = result {
                        // A call may give up when the clock ran past its retry budget, or when
                        // WeChat broke tokens faster than it allows forced refreshes.
                        let jumped = procs[p].jumped >= SignedDuration::from_secs(30);
                        let limited = err.to_string().contains("forced refresh");
                        assert!(jumped || limited, "process {p}'s call failed: {err}");
                        if limited {
                            limited_calls += 1;
                        }
                    }
                    procs[p].jumped = SignedDuration::ZERO;
                    return false;
                }
            };
            if let Step::Send(request) = &next
                && request.uri().path() == "/cgi-bin/stable_token"
            {
                refresh_goes_out(procs, p, *now, lease, backend.real_clock());
            }
            procs[p].call = Some((machine, next));
            true
        };

    for event in events {
        match event {
            Event::Start(p) => {
                if procs[*p].call.is_none() {
                    n = n
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let mut machine: Call =
                        Machine::new(WechatCall::new(endpoint, base), RetryPolicy::default(), n)
                            .with_tokens(procs[*p].cache, base)
                            .with_shared(shared, u128::from(n) << 1 | u128::from(*p as u64));
                    let first = machine.next(now);
                    if let Step::Send(request) = &first
                        && request.uri().path() == "/cgi-bin/stable_token"
                    {
                        refresh_goes_out(&mut procs, *p, now, lease, backend.real_clock());
                    }
                    procs[*p].call = Some((machine, first));
                }
            }
            Event::Step(p) => {
                step_once(&mut procs, *p, &mut now, &mut wechat);
            }
            Event::Crash(p) => {
                disturbances += 1;
                procs[*p] = Process {
                    cache: new_cache(),
                    call: None,
                    refreshing: None,
                    locked_at: None,
                    jumped: SignedDuration::ZERO,
                };
            }
            Event::Clock(by) => {
                disturbances += 1;
                // A request lasts at most its timeout: a jump past a token's whole lifetime
                // while a token request is out would be an answer older than the token it
                // carries, which the cache rightly refuses. Such jumps wait for quiet.
                let refreshing = procs.iter().any(|p| p.refreshing.is_some());
                let by = if refreshing {
                    (*by).min(SignedDuration::from_secs(11))
                } else {
                    *by
                };
                now += by;
                for p in procs.iter_mut().filter(|p| p.call.is_some()) {
                    p.jumped += by;
                }
            }
            Event::Revoke => {
                disturbances += 1;
                wechat.mint(now);
            }
            Event::Break => {
                // Costs one more request than other disturbances: the unforced one that
                // brings the broken token back, before the forced one.
                disturbances += 1;
                extra += 1;
                if let Some((token, _)) = &wechat.current {
                    wechat.dead.insert(token.clone());
                }
            }
        }
    }
    // Let every call finish, round-robin.
    for _ in 0..10_000 {
        let mut busy = false;
        for p in 0..procs.len() {
            busy |= step_once(&mut procs, p, &mut now, &mut wechat);
        }
        if !busy {
            break;
        }
    }
    assert!(procs.iter().all(|p| p.call.is_none()), "a call never ended");
    assert!(
        wechat.token_requests - wechat.probes
            <= 1 + 2 * disturbances + extra + limited_calls * RetryPolicy::default().max_attempts,
        "{} token requests ({} probes) for {disturbances} disturbances",
        wechat.token_requests,
        wechat.probes
    );
}

/// Process `p` sends a token request at `now`: no other may have one out under a running lease.
fn refresh_goes_out(
    procs: &mut [Process],
    p: usize,
    now: Timestamp,
    lease: SignedDuration,
    real_clock: bool,
) {
    for (q, other) in procs.iter().enumerate() {
        if q != p
            && let Some(started) = other.refreshing
        {
            let lease_running = other.locked_at.is_some_and(|at| now < at + lease);
            assert!(
                !lease_running || real_clock,
                "process {p} refreshes while process {q}'s refresh (since {started}) holds the lock"
            );
        }
    }
    procs[p].refreshing = Some(now);
}

fn check_write(
    before: Option<&TokenRecord>,
    after: &TokenRecord,
    refused: &HashSet<String>,
    seen_minted: &mut Option<u32>,
) {
    if let (Some(before), None) = (before.and_then(|b| b.token.as_ref()), &after.token) {
        assert!(
            refused.contains(before.access_token.expose_secret()),
            "a token WeChat never refused was cleared"
        );
    }
    // Newer means minted later by WeChat (the model numbers its tokens), not fetched later:
    // a refresh sent early may bring back the token minted last.
    if let Some(token) = &after.token {
        let minted = mint_number(token.access_token.expose_secret());
        if let Some(seen) = seen_minted {
            assert!(minted >= *seen, "a token was replaced by an older one");
        }
        *seen_minted = Some(minted);
    }
}

fn mint_number(token: &str) -> u32 {
    token.trim_start_matches("tok-").parse().unwrap()
}

/// A key of its own for each case, so cases never see each other's records.
pub fn key(case: u64) -> StoreKey {
    StoreKey::new(
        format!("contract-{case}.invalid"),
        AppId::new(APPID),
        RefreshKind::Stable,
    )
}

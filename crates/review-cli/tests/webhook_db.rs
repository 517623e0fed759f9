//! `reviews webhook serve --db URL`: pushes committed to the mirror's `push_events` before the
//! 200, over SQLite (every run) and PostgreSQL (`REVIEWS_TEST_POSTGRES_URL`, each test in a
//! database of its own): two instances and WeChat's retries record each event once, a SIGKILL
//! under load loses no acknowledged push, pending details resume after a restart, and bad or
//! unreachable databases fail with one line and no password. Runs the built binary.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use review_model::wechat::PushEvent;
use review_protocol::wechat::push::{Delivery, Format, PushConfig};
use review_store::{Mirror, MirrorUrl, PushRow, PushStatus, ReviewQuery};
use serde_json::Value;

use common::{
    Running, WAIT, bad_score, free_port, json, listening_url, now, one_line_failure, post,
    reviews_std, send, spawn, wait,
};

const TOKEN: &str = "PushToken123";

// ---- The databases ----

/// One mirror a test runs against: a SQLite file, or a PostgreSQL database of its own that is
/// dropped at the end.
struct Db {
    name: &'static str,
    url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl Db {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("mirror.sqlite3").display());
        Self {
            name: "sqlite",
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A fresh database on the test server; `None` (after one `skipped:` line) when it cannot
    /// be reached outside CI.
    fn postgres() -> Option<Self> {
        let admin = std::env::var("REVIEWS_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let mut client = match postgres::Client::connect(&admin, postgres::NoTls) {
            Ok(client) => client,
            Err(err) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "PostgreSQL not reachable at {admin} under CI: {err}"
                );
                let _ = writeln!(
                    std::io::stdout().lock(),
                    "skipped: PostgreSQL not reachable at {admin}: {err}"
                );
                return None;
            }
        };
        let name = format!("reviews_w_{:016x}", rand_u64());
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        Some(Self {
            name: "postgres",
            url: format!("{base}/{name}"),
            _dir: None,
            postgres: Some((admin, name)),
        })
    }

    /// SQLite, and PostgreSQL when reachable.
    fn all() -> Vec<Self> {
        let mut all = vec![Self::sqlite()];
        all.extend(Self::postgres());
        all
    }

    fn mirror(&self) -> Mirror {
        Mirror::open(&self.url.parse::<MirrorUrl>().unwrap()).unwrap()
    }

    fn push_events(&self) -> Vec<PushRow> {
        self.mirror().push_events().unwrap()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres
            && let Ok(mut client) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Random enough for database names: the clock and the process id, hashed.
fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    hasher.write_u32(std::process::id());
    hasher.finish()
}

// ---- The webhook ----

/// A running `reviews webhook serve --db`: its URL, and what it printed so far.
struct Webhook {
    child: Child,
    url: String,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Webhook {
    /// Starts with `--db db` and `extra` on a free port, with `env` set.
    fn start(db: &Db, extra: &[&str], env: &[(&str, String)]) -> Self {
        for _ in 0..5 {
            let addr = format!("127.0.0.1:{}", free_port());
            let mut command = reviews_std();
            command
                .args([
                    "webhook", "serve", "--addr", &addr, "--token", TOKEN, "--db", &db.url,
                ])
                .args(extra)
                .envs(env.iter().map(|(k, v)| (k, v)));
            let mut child = spawn(&mut command);
            let stdout = Arc::new(Mutex::new(Vec::new()));
            let lines = Arc::clone(&stdout);
            let out = child.stdout.take().unwrap();
            thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    lines.lock().unwrap().push(line);
                }
            });
            let stderr = Arc::new(Mutex::new(Vec::new()));
            let lines = Arc::clone(&stderr);
            let err = child.stderr.take().unwrap();
            let (first, first_line) = std::sync::mpsc::channel();
            thread::spawn(move || {
                let mut first = Some(first);
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    if let Some(first) = first.take() {
                        let _ = first.send(line.clone());
                    }
                    lines.lock().unwrap().push(line);
                }
            });
            let line = first_line.recv_timeout(WAIT).unwrap_or_default();
            match listening_url(&line) {
                Some(url) => {
                    return Self {
                        child,
                        url,
                        stdout,
                        stderr,
                    };
                }
                None => {
                    let status = wait(&mut child);
                    assert!(
                        line.contains(&addr),
                        "only a busy port is retried: {status:?} {line}"
                    );
                }
            }
        }
        panic!("could not start the webhook on a free port");
    }

    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lock()
            .unwrap()
            .iter()
            .map(|l| json(l))
            .collect()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// SIGTERM: exit 0, then every line printed.
    fn terminate(mut self) -> Vec<Value> {
        common::signal(&self.child, "-TERM");
        let status = wait(&mut self.child);
        assert_eq!(status.code(), Some(0), "{}", self.stderr());
        // The reader threads end with the pipes.
        thread::sleep(Duration::from_millis(100));
        self.lines()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        self.kill();
    }
}

fn plain() -> PushConfig {
    PushConfig::new(TOKEN).unwrap()
}

/// A delivery as WeChat makes it, with a fresh nonce: WeChat's retries of one event are new
/// deliveries of the same event.
fn deliver(event: &PushEvent) -> Delivery {
    static NONCE: AtomicU32 = AtomicU32::new(1);
    let nonce = NONCE.fetch_add(1, Ordering::Relaxed);
    plain()
        .deliver(event, Format::Xml, now(), &format!("db{nonce}"), None)
        .unwrap()
}

fn comment_ids(rows: &[PushRow]) -> Vec<String> {
    rows.iter().filter_map(|r| r.comment_id.clone()).collect()
}

/// Polls `done` every 100 ms for up to `within`.
fn eventually(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        thread::sleep(Duration::from_millis(100));
    }
    done()
}

// ---- The tests ----

#[test]
fn two_instances_and_retries_record_and_print_each_event_once() {
    for db in Db::all() {
        let a = Webhook::start(&db, &[], &[]);
        let b = Webhook::start(&db, &[], &[]);
        let ids: Vec<String> = (0..12).map(|n| format!("31000000000000{n:05}")).collect();
        let sends: Vec<thread::JoinHandle<()>> = ids
            .iter()
            .map(|id| {
                let event = bad_score(id);
                let urls = [a.url.clone(), b.url.clone()];
                thread::spawn(move || {
                    let first = deliver(&event);
                    // Each event to both instances, the same delivery twice and re-signed
                    // retries, concurrently.
                    let deliveries = [first.clone(), first, deliver(&event), deliver(&event)];
                    let posts: Vec<_> = deliveries
                        .into_iter()
                        .enumerate()
                        .flat_map(|(n, d)| {
                            let url = urls[n % 2].clone();
                            let other = urls[(n + 1) % 2].clone();
                            [(url, d.clone()), (other, d)]
                        })
                        .map(|(url, d)| thread::spawn(move || post(&url, "/", &d)))
                        .collect();
                    for post in posts {
                        let (status, body) = post.join().unwrap();
                        assert_eq!(status, 200, "every delivery is acknowledged: {body}");
                    }
                })
            })
            .collect();
        for send in sends {
            send.join().unwrap();
        }
        let rows = db.push_events();
        let mut lines = a.terminate();
        lines.extend(b.terminate());
        let mut recorded = comment_ids(&rows);
        recorded.sort();
        assert_eq!(recorded, ids, "{}: each event once in push_events", db.name);
        let keys: BTreeSet<&str> = rows.iter().map(|r| r.dedup_key.as_str()).collect();
        assert_eq!(keys.len(), ids.len(), "{}", db.name);
        for row in &rows {
            assert_eq!(row.event, "wxa_comment_bad_score");
            assert_eq!(
                row.tenant, "gh_0a1b2c3d4e5f",
                "no app: the push's ToUserName"
            );
            assert_eq!(
                row.status,
                PushStatus::Received,
                "no credentials: nothing to fetch"
            );
        }
        let mut printed: Vec<String> = lines
            .iter()
            .map(|l| l["comment_id"].as_str().unwrap().to_owned())
            .collect();
        printed.sort();
        assert_eq!(printed, ids, "{}: one line per event across both", db.name);
    }
}

#[test]
fn a_sigkill_under_load_loses_no_acknowledged_push() {
    for db in Db::all() {
        let mut webhook = Webhook::start(&db, &[], &[]);
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let next = Arc::new(AtomicU32::new(0));
        let clients: Vec<_> = (0..8)
            .map(|_| {
                let (url, acknowledged, stop, next) = (
                    webhook.url.clone(),
                    Arc::clone(&acknowledged),
                    Arc::clone(&stop),
                    Arc::clone(&next),
                );
                thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let id = format!("32{:017}", next.fetch_add(1, Ordering::SeqCst));
                        let delivery = deliver(&bad_score(&id));
                        let request = http::Request::post(format!("{url}/?{}", delivery.query))
                            .header("content-type", delivery.content_type)
                            .body(delivery.body.clone())
                            .unwrap();
                        // A connection cut by the kill is simply not acknowledged.
                        let answered = review_client::BlockingTransport::send(
                            &review_ureq::UreqTransport::default(),
                            request,
                            Duration::from_secs(10),
                        );
                        if let Ok(response) = answered
                            && response.status() == 200
                        {
                            acknowledged.lock().unwrap().push(id);
                        }
                    }
                })
            })
            .collect();
        assert!(
            eventually(WAIT, || acknowledged.lock().unwrap().len() >= 150),
            "{}: pushes are acknowledged under load",
            db.name
        );
        webhook.kill();
        let killed_at = acknowledged.lock().unwrap().len();
        stop.store(true, Ordering::SeqCst);
        for client in clients {
            client.join().unwrap();
        }
        let acknowledged = acknowledged.lock().unwrap().clone();
        let recorded: BTreeSet<String> = comment_ids(&db.push_events()).into_iter().collect();
        let lost: Vec<&String> = acknowledged
            .iter()
            .filter(|id| !recorded.contains(*id))
            .collect();
        assert!(
            lost.is_empty(),
            "{}: {} of {} acknowledged pushes are not in push_events: {lost:?}",
            db.name,
            lost.len(),
            acknowledged.len()
        );
        let _ = writeln!(
            std::io::stdout().lock(),
            "{}: {} pushes acknowledged before SIGKILL ({killed_at} when it was sent), {} recorded, none lost",
            db.name,
            acknowledged.len(),
            recorded.len()
        );
    }
}

#[test]
fn pending_details_resume_after_a_restart_with_the_api_back() {
    for db in Db::all() {
        let sandbox = Running::start(&["--comments", "3", "--rates", "1"]);
        let wechat = sandbox.readiness["wechat"].clone();
        let appid = wechat["appid"].as_str().unwrap().to_owned();
        let secret = wechat["secret"].as_str().unwrap().to_owned();
        let env = |base: String| {
            vec![
                ("REVIEWS_WECHAT_BASE_URL", base),
                ("REVIEWS_WECHAT_APPID", appid.clone()),
                ("REVIEWS_WECHAT_SECRET", secret.clone()),
            ]
        };
        let comments: Vec<String> = (0..2)
            .map(|_| {
                let (status, body) = send(
                    http::Request::post(format!("{}/sandbox/bad-review", sandbox.base_url()))
                        .body(Vec::new())
                        .unwrap(),
                );
                assert_eq!(status, 200, "{body}");
                json(&body)["commentId"].as_str().unwrap().to_owned()
            })
            .collect();

        // The API is down (a closed port): the pushes are kept, their details pending.
        let closed = format!("http://127.0.0.1:{}", free_port());
        let down = Webhook::start(&db, &[], &env(closed));
        for id in &comments {
            assert_eq!(post(&down.url, "/", &deliver(&bad_score(id))).0, 200);
        }
        assert!(
            eventually(WAIT, || db
                .push_events()
                .iter()
                .all(|r| r.attempts >= 1 && r.last_error.is_some())),
            "{}: a fetch was tried and failed: {:?}",
            db.name,
            db.push_events()
        );
        let printed = down.terminate();
        assert_eq!(printed.len(), comments.len());
        let rows = db.push_events();
        assert!(
            rows.iter().all(|r| r.status == PushStatus::Pending),
            "{}: still pending: {rows:?}",
            db.name
        );
        assert!(
            rows.iter().all(|r| r.tenant == appid),
            "the credentials' appid"
        );
        assert!(
            db.mirror()
                .reviews(&ReviewQuery::default())
                .unwrap()
                .is_empty()
        );

        // Back with the right base URL: the pending events are fetched, nothing new pushed.
        let up = Webhook::start(&db, &[], &env(sandbox.base_url().to_owned()));
        assert!(
            eventually(Duration::from_secs(20), || db
                .push_events()
                .iter()
                .all(|r| r.status == PushStatus::Fetched)),
            "{}: fetched after the restart: {:?}\n{}",
            db.name,
            db.push_events(),
            up.stderr()
        );
        assert!(
            up.terminate().is_empty(),
            "a resumed event is not printed again"
        );
        let stored: HashMap<String, _> = db
            .mirror()
            .reviews(&ReviewQuery::default())
            .unwrap()
            .into_iter()
            .map(|r| (r.review.id.clone(), r))
            .collect();
        for id in &comments {
            let review = stored
                .get(id)
                .unwrap_or_else(|| panic!("{}: {id} in the mirror: {stored:?}", db.name));
            assert_eq!(review.tenant, appid);
            assert!(
                review.review.stars.is_some_and(|s| s.get() <= 2),
                "a bad review"
            );
            assert!(
                !review.process.is_empty(),
                "with its process steps: {review:?}"
            );
            assert_eq!(review.process[0].code, 1, "posted first");
        }
    }
}

#[test]
fn a_lost_database_connection_is_503_then_reopened() {
    let Some(db) = Db::postgres() else { return };
    let webhook = Webhook::start(&db, &[], &[]);
    assert_eq!(
        post(
            &webhook.url,
            "/",
            &deliver(&bad_score("3300000000000000001"))
        )
        .0,
        200
    );
    // The server cuts the webhook's connection (a restart, a failover, a network cut).
    let (admin, name) = db.postgres.clone().unwrap();
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&name],
        )
        .unwrap();
    let event = bad_score("3300000000000000002");
    let (status, body) = post(&webhook.url, "/", &deliver(&event));
    assert_eq!(status, 503, "not kept, so WeChat retries: {body}");
    assert!(
        !body.contains("postgres"),
        "the caller is told nothing of the database: {body}"
    );
    // WeChat's retries: kept once the mirror is open again.
    assert!(
        eventually(Duration::from_secs(10), || post(
            &webhook.url,
            "/",
            &deliver(&event)
        )
        .0 == 200),
        "reopened: {}",
        webhook.stderr()
    );
    let stderr = webhook.stderr();
    let lines = webhook.terminate();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        comment_ids(&db.push_events()),
        ["3300000000000000001", "3300000000000000002"]
    );
    let refusal = stderr
        .lines()
        .find(|l| l.contains("(503)"))
        .unwrap_or_else(|| panic!("the failure is said on stderr: {stderr}"));
    assert!(refusal.contains(&name), "names the database: {refusal}");
}

#[test]
fn a_bad_url_is_usage_and_an_unreachable_database_names_it_without_the_password() {
    let addr = format!("127.0.0.1:{}", free_port());
    let base = ["webhook", "serve", "--addr", &addr, "--token", TOKEN];
    for bad in ["mysql://root@127.0.0.1/reviews", "nonsense"] {
        let output = reviews_std()
            .args(base)
            .args(["--db", bad])
            .output()
            .unwrap();
        let err = one_line_failure(&output, 2, bad);
        assert!(err.contains("--db"), "{bad}: {err}");
    }
    let port = free_port();
    let url = format!("postgres://reviews:Sup3rS3cretPw@127.0.0.1:{port}/mirror");
    let by_flag = reviews_std()
        .args(base)
        .args(["--db", &url])
        .output()
        .unwrap();
    let by_env = reviews_std()
        .args(base)
        .env("REVIEWS_DB", &url)
        .output()
        .unwrap();
    for output in [by_flag, by_env] {
        let err = one_line_failure(&output, 1, "unreachable");
        assert!(
            err.contains(&format!("127.0.0.1:{port}")),
            "names it: {err}"
        );
        assert!(!err.contains("Sup3rS3cretPw"), "no password: {err}");
    }
    // Spawned too: the server never starts listening on a database it cannot open.
    let mut child = spawn(reviews_std().args(base).args(["--db", &url]));
    assert_eq!(wait(&mut child).code(), Some(1));
    let err = common::child_stderr(&mut child);
    assert!(
        !err.contains("Sup3rS3cretPw") && !err.contains("listening"),
        "{err}"
    );
}

//! Conformance: every recorded exchange in `fixtures/` is replayed against a sandbox, re-tokened
//! and re-signed, and the sandbox's answer must have the fixture's shape. `fixtures/manifest.json`
//! lists the operations and what is not replayed, with why: pushes (they go the other way), the
//! cases a sandbox cannot reproduce, and the endpoints it does not emulate yet (named on stderr).
//!
//! The shape rule, for every fixture:
//! - the top-level keys are the same, leaving aside the status keys (`errcode`, `errmsg`,
//!   `success`), which the documents' examples sometimes omit;
//! - a success has `errcode` 0 (or none); an error fixture's condition is constructed and its
//!   `errcode` (fw199: `code`) reproduced exactly, except for the few conditions a sandbox
//!   cannot construct (no API permission, a daily quota, an IP allow list: the manifest's
//!   `substituted`), which are replaced by another refusal of the same endpoint and checked for
//!   shape only.
//!
//! and for successes, on the key tree of the payload (object keys, arrays collapsed to `[]`,
//! null / `{}` / `[]` values counting as absent, as the model decodes them):
//! - every key path of the fixture's first list element (list: `commentList[0]`; fw199:
//!   `trade_rate[0]`; detail and thread: the whole payload) is in the sandbox's, except that
//!   the keys of a medium (an image's or a video's, the data's choice) may come from another
//!   evaluation the sandbox serves;
//! - every key path the sandbox sends is in some fixture of the same operation (nothing
//!   undocumented).
//!
//! The review text's three names (`txt`, `text`, `ext`) count as one key: the model reads all
//! three and writes the documented one.
//!
//! Values differ, so the sandbox's element is chosen to resemble the fixture's: of every
//! evaluation the sandbox holds (for the list: matching the fixture's `filterType`), the one
//! whose tree is closest, and the request is narrowed to it (its id, or a window of its second).
//! fw199 windows keep their length and end a day before now, inside the 180 days.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "../../../fixtures/manifest.rs"]
mod manifest;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use review_model::taobao::{format_time, parse_time};
use review_protocol::taobao::fw199::sign;
use review_sandbox::{FaultKind, Sandbox};
use serde_json::{Value, json};

use common::http_client;
use manifest::{Manifest, Replay};

/// Keys every WeChat answer may carry beside its payload.
const STATUS_KEYS: [&str; 3] = ["errcode", "errmsg", "success"];

/// An id no sandbox holds ("another mini program's").
const FOREIGN_ID: &str = "2855501937264308224";

#[derive(Debug, Clone)]
struct Fixture {
    /// `wechat/comment_list/doc_example`.
    name: String,
    operation: String,
    case: String,
    request: Value,
    response: Value,
    /// Why the sandbox does not replay it (from the manifest), if it does not.
    skipped: Option<String>,
    /// Whether its error condition is replaced by another refusal (shape checked, code not).
    substituted: bool,
}

impl Fixture {
    fn is_error(&self) -> bool {
        self.case.starts_with("error_")
    }

    fn body(&self) -> &Value {
        &self.response["body"]
    }

    fn query(&self) -> BTreeMap<String, String> {
        self.request["query"]
            .as_object()
            .map(|q| {
                q.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn request_body(&self) -> Value {
        self.request["body"].clone()
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Every fixture of every operation in the manifest, with its treatment; the endpoints the
/// sandbox does not emulate yet are named on stderr.
#[allow(clippy::print_stderr)]
fn load_fixtures() -> Vec<Fixture> {
    let manifest = Manifest::load(&fixtures_dir()).unwrap();
    let mut out = Vec::new();
    for op in &manifest.operations {
        if op.replay == Replay::NotEmulated {
            // Named, so a skipped endpoint is seen rather than silently passing.
            eprintln!(
                "conformance: {} is not emulated by the sandbox yet; its fixtures are skipped",
                op.name()
            );
        }
        let dir = fixtures_dir().join(op.folder());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            let case = file.file_stem().unwrap().to_str().unwrap().to_owned();
            let text = std::fs::read_to_string(&file).unwrap();
            let fixture: Value = serde_json::from_str(&text).unwrap();
            out.push(Fixture {
                name: format!("{}/{case}", op.folder()),
                operation: op.operation.clone(),
                skipped: op.skip_reason(&case).map(str::to_owned),
                substituted: op.substituted.contains_key(&case),
                case,
                request: fixture["request"].clone(),
                response: fixture["response"].clone(),
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Shapes

/// Whether a value counts as absent: null, or an object or array holding nothing present.
fn absent(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.values().all(absent),
        Value::Array(items) => items.iter().all(absent),
        _ => false,
    }
}

/// The key paths of a value: `a`, `a.b`, `a.list[].c`.
fn tree(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    if absent(value) {
                        continue;
                    }
                    // A review's text has three names; the model reads all three and writes the
                    // documented one (seeds/README.md), so they count as one key here.
                    let key = match key.as_str() {
                        "txt" | "text" | "ext" if prefix.ends_with("content") => "txt|text|ext",
                        other => other,
                    };
                    let path = if prefix.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    out.insert(path.clone());
                    walk(value, &path, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{prefix}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(value, "", &mut out);
    out
}

/// A WeChat answer without its status keys.
fn payload(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !STATUS_KEYS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn top_keys(value: &Value) -> BTreeSet<String> {
    payload(value)
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// How far a candidate's tree is from the fixture's: top-level keys that differ first, then
/// keys it lacks, then keys it adds.
fn distance(fixture: &BTreeSet<String>, candidate: &BTreeSet<String>) -> (usize, usize, usize) {
    let top = |t: &BTreeSet<String>| -> BTreeSet<String> {
        t.iter()
            .filter(|p| !p.contains(['.', '[']))
            .cloned()
            .collect()
    };
    (
        top(fixture).symmetric_difference(&top(candidate)).count(),
        fixture.difference(candidate).count(),
        candidate.difference(fixture).count(),
    )
}

fn closest<'a>(
    fixture: &BTreeSet<String>,
    candidates: impl Iterator<Item = &'a Value>,
) -> &'a Value {
    candidates
        .min_by_key(|c| distance(fixture, &tree(c)))
        .expect("a candidate")
}

fn errcode(value: &Value) -> i64 {
    match &value["errcode"] {
        Value::Null => 0,
        Value::Number(n) => n.as_i64().unwrap(),
        Value::String(s) => s.parse().unwrap(),
        other => panic!("errcode {other}"),
    }
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What went wrong, fixture by fixture.
#[derive(Default)]
struct Report {
    problems: Vec<String>,
    replayed: BTreeSet<String>,
}

impl Report {
    fn check(&mut self, fixture: &Fixture, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(format!("{}: {}", fixture.name, what()));
        }
    }

    /// The top-level rule, and the status rule for successes and exact errors.
    fn compare_top(&mut self, fixture: &Fixture, got: &Value, exact_error: bool) {
        let (want, have) = (top_keys(fixture.body()), top_keys(got));
        self.check(fixture, want == have, || {
            format!("top-level keys {have:?}, the fixture has {want:?}")
        });
        if fixture.is_error() {
            let want = errcode(fixture.body());
            let have = errcode(got);
            self.check(fixture, have != 0, || {
                format!("expected a refusal, got {got}")
            });
            if exact_error {
                self.check(fixture, want == have, || {
                    format!("errcode {have}, the fixture has {want}")
                });
            }
        } else {
            self.check(fixture, errcode(got) == 0, || {
                format!("expected success, got {got}")
            });
        }
        self.replayed.insert(fixture.name.clone());
    }

    /// The nested rule: the fixture's paths are all sent; the sandbox sends nothing undocumented.
    /// `served` is everything the sandbox sends for this operation over all its data: a path
    /// under `media[]` (an image's keys or a video's, the data's choice) may be missing from the
    /// chosen element if some other element has it.
    fn compare_tree(
        &mut self,
        fixture: &Fixture,
        (want, have): (&Value, &Value),
        documented: &BTreeSet<String>,
        served: &BTreeSet<String>,
        what: &str,
    ) {
        let (want, have) = (tree(want), tree(have));
        let missing: Vec<_> = want
            .difference(&have)
            .filter(|path| !(path.contains("media") && served.contains(*path)))
            .collect();
        self.check(fixture, missing.is_empty(), || {
            format!("{what}: the sandbox lacks {missing:?}")
        });
        let extra: Vec<_> = have.difference(documented).collect();
        self.check(fixture, extra.is_empty(), || {
            format!("{what}: undocumented keys {extra:?}")
        });
    }
}

/// The union of the trees of `select(body)` over the success fixtures of `operation`.
fn documented(
    fixtures: &[Fixture],
    operation: &str,
    select: impl Fn(&Value) -> Vec<Value>,
) -> BTreeSet<String> {
    fixtures
        .iter()
        .filter(|f| f.operation == operation && !f.is_error())
        .flat_map(|f| select(f.body()))
        .flat_map(|v| tree(&v))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Talking to a sandbox

struct Wechat<'a> {
    sandbox: &'a Sandbox,
    client: reqwest::Client,
    token: String,
}

impl<'a> Wechat<'a> {
    async fn new(sandbox: &'a Sandbox) -> Self {
        let client = http_client(None);
        let token = common::token(&client, sandbox)
            .await
            .expose_secret()
            .to_owned();
        Self {
            sandbox,
            client,
            token,
        }
    }

    /// Sends `method path?query` with a JSON body (or none); `access_token` is added unless the
    /// query has one. Answers the JSON.
    async fn send(
        &self,
        method: &str,
        path: &str,
        query: &BTreeMap<String, String>,
        body: Option<&Value>,
    ) -> Value {
        let mut query = query.clone();
        if path != "/cgi-bin/token" && path != "/cgi-bin/stable_token" {
            let token = query
                .entry("access_token".to_owned())
                .or_insert_with(|| self.token.clone());
            if token == "ACCESS_TOKEN" {
                token.clone_from(&self.token);
            }
        }
        let mut url = format!("{}{path}", self.sandbox.base_url());
        if !query.is_empty() {
            let mut pairs = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &query {
                pairs.append_pair(k, v);
            }
            url = format!("{url}?{}", pairs.finish());
        }
        let mut request = self.client.request(method.parse().unwrap(), url);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(serde_json::to_vec(body).unwrap());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let query = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.send("GET", path, &query, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send("POST", path, &BTreeMap::new(), Some(&body)).await
    }

    /// Sends a fixture's request with `query` and `body` changes merged in.
    async fn replay(
        &self,
        fixture: &Fixture,
        query: &[(&str, &str)],
        body: &[(&str, Value)],
    ) -> Value {
        let mut q = fixture.query();
        for (k, v) in query {
            q.insert((*k).to_owned(), (*v).to_owned());
        }
        let method = fixture.request["method"].as_str().unwrap();
        let path = fixture.request["path"].as_str().unwrap();
        let mut b = fixture.request_body();
        if let Value::Object(map) = &mut b {
            for (k, v) in body {
                map.insert((*k).to_owned(), v.clone());
            }
        }
        let b = (method == "POST").then_some(&b);
        self.send(method, path, &q, b).await
    }

    /// Uploads a fixture-like multipart body; the answer's JSON.
    async fn upload(&self, fixture: &Fixture, media_type: &str) -> Value {
        let url = format!(
            "{}/cgi-bin/media/upload?type={media_type}&access_token={}",
            self.sandbox.base_url(),
            self.token
        );
        let content_type = fixture.request["headers"]["content-type"].as_str().unwrap();
        let body = fixture.request["body_text"].as_str().unwrap().to_owned();
        let response = self
            .client
            .post(url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    /// A live media id.
    async fn media_id(&self, fixtures: &[Fixture]) -> String {
        let upload = fixtures
            .iter()
            .find(|f| f.name == "wechat/media_upload/ok")
            .unwrap();
        let answer = self.upload(upload, "image").await;
        answer["media_id"].as_str().unwrap().to_owned()
    }
}

/// What the sandbox holds, read through its own API.
struct Population {
    /// Per `filterType`, every evaluation as the list serves it.
    lists: HashMap<u8, Vec<Value>>,
    /// Every evaluation's detail answer, by id.
    details: BTreeMap<String, Value>,
    /// Every evaluation's thread answer, by id.
    threads: BTreeMap<String, Value>,
}

fn window() -> (String, String) {
    let now = Timestamp::now();
    let start = now - SignedDuration::from_hours(180 * 24) + SignedDuration::from_mins(10);
    (
        start.as_second().to_string(),
        (now + SignedDuration::from_mins(10))
            .as_second()
            .to_string(),
    )
}

impl Population {
    async fn read(wechat: &Wechat<'_>) -> Self {
        let (start, end) = window();
        let mut lists = HashMap::new();
        for filter in 1..=6u8 {
            let mut all = Vec::new();
            loop {
                let offset = all.len().to_string();
                let filter_text = filter.to_string();
                let page = wechat
                    .get(
                        "/wxaapi/comment/mpcommentlist/get",
                        &[
                            ("startTime", &start),
                            ("endTime", &end),
                            ("filterType", &filter_text),
                            ("offset", &offset),
                            ("limit", "100"),
                        ],
                    )
                    .await;
                assert_eq!(errcode(&page), 0, "{page}");
                let comments = page["commentList"].as_array().unwrap().clone();
                if comments.is_empty() {
                    break;
                }
                all.extend(comments);
            }
            lists.insert(filter, all);
        }
        let mut details = BTreeMap::new();
        let mut threads = BTreeMap::new();
        for comment in &lists[&6] {
            let id = comment["commentId"].as_str().unwrap().to_owned();
            details.insert(
                id.clone(),
                wechat
                    .get("/wxaapi/comment/commentinfo/get", &[("commentId", &id)])
                    .await,
            );
            threads.insert(
                id.clone(),
                wechat
                    .get(
                        "/wxaapi/comment/replyandcommentreplylist/get",
                        &[("commentId", &id)],
                    )
                    .await,
            );
        }
        Self {
            lists,
            details,
            threads,
        }
    }

    fn ids(&self, filter: u8) -> impl Iterator<Item = String> + '_ {
        self.lists[&filter]
            .iter()
            .map(|c| c["commentId"].as_str().unwrap().to_owned())
    }

    fn reply_id(&self, id: &str) -> Option<String> {
        let reply = &self.threads[id]["list"]["reply"];
        (!absent(reply)).then(|| as_text(&reply["replyId"]))
    }

    fn openid(&self, id: &str) -> String {
        as_text(&self.details[id]["info"]["content"]["userInfo"]["openid"])
    }
}

/// Hands out evaluations of a kind, each once, so one case's writes never meet another's.
struct Picks {
    used: BTreeSet<String>,
}

impl Picks {
    fn take(&mut self, candidates: impl Iterator<Item = String>) -> String {
        let id = candidates
            .into_iter()
            .find(|id| !self.used.contains(id))
            .expect("an unused evaluation of this kind");
        self.used.insert(id.clone());
        id
    }
}

// ---------------------------------------------------------------------------------------------
// WeChat

async fn list_case(
    report: &mut Report,
    wechat: &Wechat<'_>,
    population: &Population,
    fixtures: &[Fixture],
    fixture: &Fixture,
) {
    let documented = documented(fixtures, "comment_list", |b| {
        b["commentList"].as_array().cloned().unwrap_or_default()
    });
    let filter: u8 = fixture
        .query()
        .get("filterType")
        .map_or(6, |f| f.parse().unwrap());
    let want_first = fixture.body()["commentList"].get(0).cloned();
    let Some(want_first) = want_first else {
        // An empty page: a window before the 180 days holds nothing.
        let old = (Timestamp::now() - SignedDuration::from_hours(400 * 24)).as_second();
        let (start, end) = (old.to_string(), (old + 86_400).to_string());
        let got = wechat
            .replay(fixture, &[("startTime", &start), ("endTime", &end)], &[])
            .await;
        report.compare_top(fixture, &got, false);
        report.check(
            fixture,
            got["commentList"].as_array().is_some_and(Vec::is_empty),
            || format!("not empty: {got}"),
        );
        return;
    };
    let candidate = closest(&tree(&want_first), population.lists[&filter].iter());
    let id = candidate["commentId"].as_str().unwrap();
    let second = as_text(&candidate["createTime"]);
    let got = wechat
        .replay(
            fixture,
            &[
                ("startTime", &second),
                ("endTime", &second),
                ("offset", "0"),
            ],
            &[],
        )
        .await;
    report.compare_top(fixture, &got, false);
    let page = got["commentList"].as_array().cloned().unwrap_or_default();
    let Some(have) = page.iter().find(|c| c["commentId"] == id) else {
        report.check(fixture, false, || {
            format!("{id} is not on the page of its own second: {got}")
        });
        return;
    };
    let served: BTreeSet<String> = population.lists[&6].iter().flat_map(tree).collect();
    report.compare_tree(
        fixture,
        (&want_first, have),
        &documented,
        &served,
        "commentList[0]",
    );
}

/// Detail and thread: the whole payload against the closest evaluation's.
async fn by_id_case(
    report: &mut Report,
    wechat: &Wechat<'_>,
    answers: &BTreeMap<String, Value>,
    fixtures: &[Fixture],
    fixture: &Fixture,
) {
    let documented = documented(fixtures, &fixture.operation, |b| vec![payload(b)]);
    let want = payload(fixture.body());
    let want_tree = tree(&want);
    let (id, _) = answers
        .iter()
        .min_by_key(|(_, answer)| distance(&want_tree, &tree(&payload(answer))))
        .expect("evaluations");
    let got = wechat.replay(fixture, &[("commentId", id)], &[]).await;
    report.compare_top(fixture, &got, false);
    let served: BTreeSet<String> = answers.values().flat_map(|a| tree(&payload(a))).collect();
    report.compare_tree(
        fixture,
        (&want, &payload(&got)),
        &documented,
        &served,
        "payload",
    );
}

#[allow(clippy::too_many_lines)]
async fn wechat_case(
    report: &mut Report,
    wechat: &Wechat<'_>,
    population: &Population,
    picks: &mut Picks,
    fixtures: &[Fixture],
    fixture: &Fixture,
) {
    let exact = !fixture.substituted;
    match (fixture.operation.as_str(), fixture.case.as_str()) {
        // Tokens.
        ("token", case) => {
            let creds = wechat.sandbox.wechat();
            let (appid, secret) = match case {
                "error_invalid_appid" => (
                    "wx0000000000000000".to_owned(),
                    creds.secret.expose_secret().to_owned(),
                ),
                "error_invalid_secret" | "error_ip_not_allowed" => {
                    (creds.appid.as_str().to_owned(), "0".repeat(32))
                }
                _ => (
                    creds.appid.as_str().to_owned(),
                    creds.secret.expose_secret().to_owned(),
                ),
            };
            let got = wechat
                .replay(fixture, &[("appid", &appid), ("secret", &secret)], &[])
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("stable_token", _) => {
            let creds = wechat.sandbox.wechat();
            let got = wechat
                .replay(
                    fixture,
                    &[],
                    &[
                        ("appid", json!(creds.appid.as_str())),
                        ("secret", json!(creds.secret.expose_secret())),
                    ],
                )
                .await;
            report.compare_top(fixture, &got, exact);
        }
        // Reads.
        (
            "comment_list",
            "error_invalid_parameter"
            | "error_api_unauthorized"
            | "error_daily_quota"
            | "error_no_permission",
        ) => {
            let mut query = fixture.query();
            query.remove("startTime");
            let got = wechat
                .send("GET", "/wxaapi/comment/mpcommentlist/get", &query, None)
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("comment_list", "error_invalid_access_token") => {
            // "ACCESS_TOKEN" is not shaped like a token at all.
            let got = wechat
                .replay(fixture, &[("access_token", "not-a-token")], &[])
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("comment_list", case) if case.starts_with("error_") => {
            // Token lifecycle and fault errors need a sandbox of their own: see `special`.
        }
        ("comment_list", _) => list_case(report, wechat, population, fixtures, fixture).await,
        ("comment_detail", "error_invalid_parameter") => {
            let got = wechat.replay(fixture, &[("commentId", "")], &[]).await;
            report.compare_top(fixture, &got, exact);
        }
        ("comment_detail" | "reply_thread", case) if case.starts_with("error_") => {
            let got = wechat
                .replay(fixture, &[("commentId", FOREIGN_ID)], &[])
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("comment_detail", _) => {
            by_id_case(report, wechat, &population.details, fixtures, fixture).await;
        }
        ("reply_thread", _) => {
            by_id_case(report, wechat, &population.threads, fixtures, fixture).await;
        }
        // Writes.
        ("reply_add", "ok") => {
            let id = picks.take(population.ids(4));
            let got = wechat
                .replay(fixture, &[], &[("commentId", json!(id))])
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("reply_add", "error_invalid_parameter") => {
            let id = picks.take(population.ids(4));
            let got = wechat
                .replay(
                    fixture,
                    &[],
                    &[("commentId", json!(id)), ("content", json!(""))],
                )
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("reply_delete", case) => {
            let id = picks.take(
                population
                    .ids(6)
                    .filter(|id| population.reply_id(id).is_some()),
            );
            let reply_id = population.reply_id(&id).unwrap();
            let reply_id = if case == "ok" {
                reply_id
            } else {
                format!("{reply_id}999")
            };
            let got = wechat
                .replay(
                    fixture,
                    &[],
                    &[("commentId", json!(id)), ("replyId", json!(reply_id))],
                )
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("comment_reply_add", "ok") => {
            let id = picks.take(
                population
                    .ids(6)
                    .filter(|id| population.reply_id(id).is_some()),
            );
            let reply_id = population.reply_id(&id).unwrap();
            let got = wechat
                .replay(
                    fixture,
                    &[],
                    &[("commentId", json!(id)), ("replyId", json!(reply_id))],
                )
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("comment_reply_add", _) => {
            let id = picks.take(population.ids(4));
            let got = wechat
                .replay(
                    fixture,
                    &[],
                    &[("commentId", json!(id)), ("replyId", json!("1"))],
                )
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("comment_reply_delete", "ok") => {
            // Add a follow-up of our own, then delete it.
            let id = picks.take(
                population
                    .ids(6)
                    .filter(|id| population.reply_id(id).is_some()),
            );
            let reply_id = population.reply_id(&id).unwrap();
            let added = wechat
                .post("/wxaapi/comment/commentreply/add", json!({"commentId": id, "replyId": reply_id, "content": "补充说明:已安排补发。"}))
                .await;
            assert_eq!(errcode(&added), 0, "{added}");
            let thread = wechat
                .get(
                    "/wxaapi/comment/replyandcommentreplylist/get",
                    &[("commentId", &id)],
                )
                .await;
            let mine = thread["list"]["commentReplyList"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["commentReplyContent"]["content"] == "补充说明:已安排补发。")
                .unwrap_or_else(|| panic!("the follow-up is in the thread: {thread}"));
            let follow_up = as_text(&mine["commentReplyId"]);
            let got = wechat
                .replay(
                    fixture,
                    &[],
                    &[
                        ("commentId", json!(id)),
                        ("replyId", json!(reply_id)),
                        ("commentReplyId", json!(follow_up)),
                    ],
                )
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("reply_add" | "comment_reply_delete" | "kf_quota_reset", _) if fixture.is_error() => {
            let got = wechat
                .replay(fixture, &[], &[("commentId", json!(FOREIGN_ID))])
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("kf_quota_reset", _) => {
            let id = picks.take(population.ids(1));
            let got = wechat
                .replay(fixture, &[], &[("commentId", json!(id))])
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("confirm_compromise", "error_not_applicable") => {
            let id = picks.take(population.ids(2));
            let got = wechat
                .replay(fixture, &[], &[("commentId", json!(id))])
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("confirm_compromise", _) => {
            let id = picks.take(population.ids(3));
            let mut body = vec![("commentId", json!(id))];
            if fixture.request_body().get("picList").is_some() {
                body.push((
                    "picList",
                    json!([
                        wechat.media_id(fixtures).await,
                        wechat.media_id(fixtures).await
                    ]),
                ));
            }
            let got = wechat.replay(fixture, &[], &body).await;
            report.compare_top(fixture, &got, exact);
        }
        ("custom_send", "error_reply_window_closed") => {
            let got = wechat
                .replay(
                    fixture,
                    &[],
                    &[("touser", json!("oSandboxNobodyReviewedAnything00"))],
                )
                .await;
            report.compare_top(fixture, &got, exact);
        }
        ("custom_send", kind) => {
            // A quota reset on one of the buyer's bad reviews opens the window.
            let id = picks.take(population.ids(1));
            let reset = wechat
                .post("/wxaapi/comment/apikfquota/reset", json!({"commentId": id}))
                .await;
            assert_eq!(errcode(&reset), 0, "{reset}");
            let mut body = vec![("touser", json!(population.openid(&id)))];
            let mut message = fixture.request_body()[kind].clone();
            for key in ["media_id", "thumb_media_id"] {
                if message.get(key).is_some() {
                    message[key] = json!(wechat.media_id(fixtures).await);
                }
            }
            body.push((kind, message));
            let got = wechat.replay(fixture, &[], &body).await;
            report.compare_top(fixture, &got, exact);
        }
        ("media_upload", _) => {
            let media_type = fixture.query()["type"].clone();
            let got = wechat.upload(fixture, &media_type).await;
            report.compare_top(fixture, &got, exact);
        }
        (operation, case) => report.problems.push(format!(
            "{}: no replay for {operation}/{case}",
            fixture.name
        )),
    }
}

/// The list errors that need a sandbox of their own: token expiry and supersession, and the
/// three refusals that only a fault produces.
async fn special_list_errors(report: &mut Report, fixtures: &[Fixture]) {
    let by_case = |case: &str| {
        fixtures
            .iter()
            .find(|f| f.operation == "comment_list" && f.case == case)
            .unwrap()
    };
    let builder = || Sandbox::builder().seed(5).comments(20).rates(10);

    let sandbox = builder().start("127.0.0.1:0").unwrap();
    let wechat = Wechat::new(&sandbox).await;
    // Superseded: a newer plain token ends the old one's life after a five-minute overlap.
    let newer = common::token(&wechat.client, &sandbox).await;
    sandbox.advance_clock(SignedDuration::from_mins(6));
    let fixture = by_case("error_invalid_credential");
    let got = wechat.replay(fixture, &[], &[]).await;
    report.compare_top(fixture, &got, true);
    // Expired: past the newer token's two hours.
    sandbox.advance_clock(SignedDuration::from_hours(2));
    let fixture = by_case("error_access_token_expired");
    let got = wechat
        .replay(fixture, &[("access_token", newer.expose_secret())], &[])
        .await;
    report.compare_top(fixture, &got, true);

    for (case, kind) in [
        ("error_system_busy", FaultKind::SystemBusy),
        ("error_service", FaultKind::ServiceError),
        ("error_rate_limited", FaultKind::RateLimited),
    ] {
        let sandbox = builder()
            .faults(1.0)
            .fault_kinds(&[kind])
            .start("127.0.0.1:0")
            .unwrap();
        let wechat = Wechat::new(&sandbox).await;
        let fixture = by_case(case);
        let got = wechat.replay(fixture, &[], &[]).await;
        report.compare_top(fixture, &got, true);
    }
}

// ---------------------------------------------------------------------------------------------
// fw199

/// A fixture's form, re-signed for `sandbox` at now, its window moved inside the 180 days.
fn fw199_form(sandbox: &Sandbox, fixture: &Fixture, changes: &[(&str, String)]) -> String {
    let body = fixture.request["body_text"].as_str().unwrap();
    let mut params: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "sign")
        .collect();
    let now = Timestamp::now();
    let window = match (
        params
            .iter()
            .find(|(k, _)| k == "start_date")
            .map(|(_, v)| parse_time(v).unwrap()),
        params
            .iter()
            .find(|(k, _)| k == "end_date")
            .map(|(_, v)| parse_time(v).unwrap()),
    ) {
        (Some(start), Some(end)) => {
            let new_end = now - SignedDuration::from_hours(24);
            Some((new_end - end.duration_since(start), new_end))
        }
        _ => None,
    };
    for (key, value) in &mut params {
        match key.as_str() {
            "appid" => *value = sandbox.taobao().gateway.appid.clone(),
            "timestamp" => *value = now.as_second().to_string(),
            "tb_seller_nick" => *value = sandbox.taobao().seller_nick.clone(),
            "start_date" => *value = format_time(window.unwrap().0),
            "end_date" => *value = format_time(window.unwrap().1),
            _ => {}
        }
    }
    for (key, value) in changes {
        match params.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => v.clone_from(value),
            None => params.push(((*key).to_owned(), value.clone())),
        }
    }
    let borrowed: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let signature = sign(&borrowed, &sandbox.taobao().gateway.secret);
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &borrowed {
        form.append_pair(k, v);
    }
    form.append_pair("sign", &signature);
    form.finish()
}

async fn fw199_post(sandbox: &Sandbox, form: String) -> Value {
    let response = http_client(None)
        .post(format!(
            "{}/gateway/taobao/traderates/get",
            sandbox.base_url()
        ))
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

fn rates(body: &Value) -> Vec<Value> {
    body["data"]["trade_rates"]["trade_rate"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn fw199_case(
    report: &mut Report,
    sandbox: &Sandbox,
    fixtures: &[Fixture],
    fixture: &Fixture,
) {
    let documented_rates = documented(fixtures, "trade_rates", rates);
    let documented_data = documented(fixtures, "trade_rates", |b| {
        let mut data = b["data"].clone();
        if let Some(map) = data.as_object_mut() {
            map.remove("trade_rates");
        }
        vec![data]
    });
    let mut changes = Vec::new();
    if fixture.case == "numeric_ids" {
        // A tid the sandbox holds.
        let page = fw199_post(sandbox, any_form(sandbox, fixture)).await;
        let tid = as_text(
            &rates(&page)
                .first()
                .unwrap_or_else(|| panic!("rates: {page}"))["tid"],
        );
        changes.push(("tid", tid));
    }
    if fixture.case == "empty" {
        // A window after the last rate.
        let start = format_time(Timestamp::now() + SignedDuration::from_hours(24));
        let end = format_time(Timestamp::now() + SignedDuration::from_hours(48));
        changes.push(("start_date", start));
        changes.push(("end_date", end));
    }
    let mut form = fw199_form(sandbox, fixture, &changes);
    if fixture.is_error() {
        // error_code: a signature that does not match.
        form = form.replace("&sign=", "&sign=0");
    }
    let got = fw199_post(sandbox, form).await;
    let want = fixture.body();
    let (want_keys, have_keys): (BTreeSet<_>, BTreeSet<_>) = (
        want.as_object().unwrap().keys().cloned().collect(),
        got.as_object().unwrap().keys().cloned().collect(),
    );
    report.check(fixture, want_keys == have_keys, || {
        format!("top-level keys {have_keys:?}, the fixture has {want_keys:?}")
    });
    report.check(fixture, got["code"] == want["code"], || {
        format!("code {}, the fixture has {}", got["code"], want["code"])
    });
    report.replayed.insert(fixture.name.clone());
    if fixture.is_error() {
        report.check(fixture, got["data"].is_null(), || {
            format!("data is not null: {got}")
        });
        return;
    }
    let data_keys = |v: &Value| {
        v["data"]
            .as_object()
            .map(|m| m.keys().cloned().collect::<BTreeSet<_>>())
            .unwrap_or_default()
    };
    report.check(fixture, data_keys(want) == data_keys(&got), || {
        format!(
            "data keys {:?}, the fixture has {:?}",
            data_keys(&got),
            data_keys(want)
        )
    });
    let mut data = got["data"].clone();
    data.as_object_mut().unwrap().remove("trade_rates");
    let extra: Vec<_> = tree(&data).difference(&documented_data).cloned().collect();
    report.check(fixture, extra.is_empty(), || {
        format!("undocumented data keys {extra:?}")
    });
    match (rates(want).first(), rates(&got).first()) {
        (Some(want), Some(have)) => report.compare_tree(
            fixture,
            (want, have),
            &documented_rates,
            &BTreeSet::new(),
            "trade_rate[0]",
        ),
        (None, None) => {}
        (want, have) => report.check(fixture, false, || {
            format!("rates: the fixture has {want:?}, the sandbox {have:?}")
        }),
    }
}

/// Any page of the sandbox's rates, to find a real tid.
fn any_form(sandbox: &Sandbox, fixture: &Fixture) -> String {
    let mut form_fixture = fixture.clone();
    form_fixture.request["body_text"] = json!(
        "appid=x&timestamp=0&tb_seller_nick=x&rate_type=get&role=buyer&page_no=1&page_size=5"
    );
    fw199_form(sandbox, &form_fixture, &[])
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn every_fixture_is_answered_in_its_shape() {
    let fixtures = load_fixtures();
    assert!(fixtures.len() >= 60, "{} fixtures", fixtures.len());
    let sandbox = Sandbox::builder()
        .seed(2026)
        .comments(600)
        .rates(2400)
        .start("127.0.0.1:0")
        .unwrap();
    let wechat = Wechat::new(&sandbox).await;
    let population = Population::read(&wechat).await;
    let mut report = Report::default();
    let mut picks = Picks {
        used: BTreeSet::new(),
    };

    // Reads first, so the writes cannot move what the reads choose from.
    let replayable = |f: &&Fixture| f.skipped.is_none();
    let (reads, writes): (Vec<&Fixture>, Vec<&Fixture>) = fixtures
        .iter()
        .filter(replayable)
        .filter(|f| f.name.starts_with("wechat/"))
        .partition(|f| f.request["method"] == "GET" || f.operation.ends_with("token"));
    for fixture in reads.into_iter().chain(writes) {
        wechat_case(
            &mut report,
            &wechat,
            &population,
            &mut picks,
            &fixtures,
            fixture,
        )
        .await;
    }
    special_list_errors(&mut report, &fixtures).await;
    for fixture in fixtures
        .iter()
        .filter(replayable)
        .filter(|f| f.name.starts_with("taobao/"))
    {
        if fixture.operation == "trade_rates" {
            fw199_case(&mut report, &sandbox, &fixtures, fixture).await;
        } else {
            report.problems.push(format!(
                "{}: no replay for taobao/{}",
                fixture.name, fixture.operation
            ));
        }
    }

    // Every fixture was replayed, or the manifest says why not.
    let unreplayed: Vec<&str> = fixtures
        .iter()
        .filter(replayable)
        .filter(|f| !report.replayed.contains(&f.name))
        .map(|f| f.name.as_str())
        .collect();
    assert!(
        unreplayed.is_empty(),
        "fixtures never replayed: {unreplayed:#?}"
    );
    assert!(
        report.problems.is_empty(),
        "{} shape problems:\n{}",
        report.problems.len(),
        report.problems.join("\n")
    );
}

#[test]
fn the_shape_rule_reads_absent_values_as_absent() {
    let a = json!({"list": {"reply": {}, "commentReplyList": []}, "errcode": 0});
    let b = json!({"list": {"commentReplyList": []}});
    assert_eq!(tree(&payload(&a)), tree(&payload(&b)));
    let c = json!({"commentList": [{"content": {"media": [{"img": "x"}], "txt": "t"}, "userInfo": null}]});
    let paths: Vec<String> = tree(&c).into_iter().collect();
    assert_eq!(
        paths,
        [
            "commentList",
            "commentList[].content",
            "commentList[].content.media",
            "commentList[].content.media[].img",
            "commentList[].content.txt|text|ext"
        ]
    );
    assert_eq!(
        top_keys(&json!({"errcode": 0, "success": true})),
        BTreeSet::new()
    );
}

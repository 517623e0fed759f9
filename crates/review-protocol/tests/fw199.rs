//! The fw199 search: signatures against independent vectors, requests on the wire, refusals,
//! and every recorded answer parsed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use review_model::taobao::{RateResult, parse_time};
use review_model::{Secret, Timestamp};
use review_protocol::taobao::SearchTradeRates;
use review_protocol::taobao::fw199::{
    Fw199Context, Fw199Credentials, SignatureError, sign, verify, verify_form,
};
use review_protocol::{BaseUrl, Endpoint};
use serde_json::Value;

const SECRET: &str = "FW199-SECRET-must-never-show";

fn at(text: &str) -> Timestamp {
    parse_time(text).unwrap()
}

fn ctx(now: Timestamp) -> Fw199Context {
    Fw199Context::new(
        BaseUrl::fw199(),
        Fw199Credentials::new("tk93hd@qx71m", Secret::new(SECRET)),
        now,
    )
}

#[test]
fn signatures_match_vectors_computed_with_python_hashlib() {
    let vectors: Value =
        serde_json::from_str(include_str!("data/fw199_sign_vectors.json")).unwrap();
    for vector in vectors.as_array().unwrap() {
        let params: Vec<(String, String)> =
            serde_json::from_value(vector["params"].clone()).unwrap();
        let borrowed: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let secret = Secret::new(vector["secret"].as_str().unwrap());
        let expected = vector["sign"].as_str().unwrap();
        assert_eq!(sign(&borrowed, &secret), expected, "{}", vector["case"]);
        let mut signed = params.clone();
        signed.push(("sign".to_owned(), expected.to_owned()));
        verify(&signed, &secret).unwrap();
    }
}

#[test]
fn recorded_requests_verify_with_the_fixture_secret() {
    let secret = Secret::new("FW199_SECRET");
    for entry in std::fs::read_dir("../../fixtures/taobao/trade_rates").unwrap() {
        let path = entry.unwrap().path();
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let body = fixture["request"]["body_text"].as_str().unwrap();
        let params = verify_form(body.as_bytes(), &secret)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(params.iter().all(|(k, _)| k != "sign"));
    }
}

#[test]
fn the_endpoint_rebuilds_a_recorded_request_byte_for_byte() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string("../../fixtures/taobao/trade_rates/has_next_page.json").unwrap(),
    )
    .unwrap();
    let recorded = fixture["request"]["body_text"].as_str().unwrap();
    let now = Timestamp::from_second(1_790_150_400).unwrap();
    let mut query = SearchTradeRates::received("鲜果优选旗舰店")
        .window(at("2026-09-01 00:00:00"), at("2026-09-20 23:59:59"))
        .page(1, 3);
    query.use_has_next = Some(true);
    let context = Fw199Context::new(
        BaseUrl::fw199(),
        Fw199Credentials::new("tk93hd@qx71m", Secret::new("FW199_SECRET")),
        now,
    );
    let request = query.request(&context).unwrap();
    assert_eq!(String::from_utf8(request.body().clone()).unwrap(), recorded);
}

#[test]
fn tampering_with_any_parameter_is_detected() {
    let secret = Secret::new(SECRET);
    let now = at("2026-11-01 12:00:00");
    let request = SearchTradeRates::received("shop")
        .window(at("2026-10-01 00:00:00"), at("2026-10-31 23:59:59"))
        .page(1, 100)
        .request(&ctx(now))
        .unwrap();
    let params: Vec<(String, String)> = form_urlencoded::parse(request.body())
        .into_owned()
        .collect();
    verify(&params, &secret).unwrap();
    for i in 0..params.len() {
        let mut changed = params.clone();
        changed[i].1.push('x');
        assert_eq!(
            verify(&changed, &secret),
            Err(SignatureError::Mismatch),
            "{}",
            params[i].0
        );
    }
    let unsigned: Vec<_> = params
        .iter()
        .filter(|(k, _)| k != "sign")
        .cloned()
        .collect();
    assert_eq!(verify(&unsigned, &secret), Err(SignatureError::Missing));
    let mut doubled = params.clone();
    doubled.push(("role".into(), "seller".into()));
    assert_eq!(
        verify(&doubled, &secret),
        Err(SignatureError::Duplicate("role".into()))
    );
    assert_eq!(
        verify(&params, &Secret::new("other")),
        Err(SignatureError::Mismatch)
    );
}

/// The request as a reviewer reads it: the URL, headers and the form one pair a line.
fn render(request: &http::Request<Vec<u8>>) -> String {
    let mut out = review_protocol::redact::Request(request).to_string();
    for (name, value) in request.headers() {
        out.push_str(&format!("\n{name}: {}", value.to_str().unwrap()));
    }
    out.push('\n');
    for (key, value) in form_urlencoded::parse(request.body()) {
        out.push_str(&format!("\n{key} = {value}"));
    }
    assert!(!out.contains(SECRET));
    assert!(!format!("{:?}", review_protocol::redact::Request(request)).contains(SECRET));
    out
}

#[test]
fn request_with_every_parameter() {
    let now = at("2026-11-01 12:00:00");
    let query = SearchTradeRates {
        result: Some(RateResult::Bad),
        tid: Some(1_702_473_948_221_565_830),
        use_has_next: Some(false),
        num_iid: Some(544_876_335_798),
        ouid: Some("AAF3x9kLm".into()),
        ..SearchTradeRates::received("鲜果优选旗舰店")
            .window(at("2026-10-01 00:00:00"), at("2026-10-31 23:59:59"))
            .page(2, 150)
    };
    insta::assert_snapshot!(render(&query.request(&ctx(now)).unwrap()));
}

#[test]
fn minimal_request_leaves_unset_parameters_out() {
    let now = at("2026-11-01 12:00:00");
    insta::assert_snapshot!(render(
        &SearchTradeRates::received("kingdo")
            .request(&ctx(now))
            .unwrap()
    ));
}

#[test]
fn bad_parameters_are_refused_before_building() {
    let now = at("2026-11-01 12:00:00");
    let c = ctx(now);
    let base = || SearchTradeRates::received("shop");
    let refused = |q: SearchTradeRates| q.request(&c).unwrap_err().to_string();
    let cases = [
        refused(SearchTradeRates::received(" ")),
        refused(base().page(0, 10)),
        refused(base().page(201, 10)),
        refused(base().page(1, 0)),
        refused(base().page(1, 151)),
        refused(base().window(at("2026-10-02 00:00:00"), at("2026-10-01 00:00:00"))),
        refused(base().window(at("2026-05-01 00:00:00"), at("2026-06-01 00:00:00"))),
        refused(SearchTradeRates {
            ouid: Some(String::new()),
            ..base()
        }),
    ];
    insta::assert_snapshot!(cases.join("\n"));
    let no_appid = Fw199Context::new(
        BaseUrl::fw199(),
        Fw199Credentials::new("", Secret::new("s")),
        now,
    );
    assert_eq!(
        base().request(&no_appid).unwrap_err().to_string(),
        "invalid `appid`: the fw199 appid is empty"
    );
}

#[test]
fn the_oldest_day_taobao_serves_is_allowed() {
    let now = at("2026-11-01 12:00:00");
    let oldest = review_protocol::taobao::oldest(now);
    assert_eq!(
        review_model::taobao::format_time(oldest),
        "2026-05-05 12:00:00"
    );
    SearchTradeRates::received("shop")
        .window(oldest, now)
        .request(&ctx(now))
        .unwrap();
}

#[test]
fn every_recorded_answer_parses() {
    insta::glob!("../../../fixtures/taobao", "trade_rates/*.json", |path| {
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let body = serde_json::to_vec(&fixture["response"]["body"]).unwrap();
        let status = fixture["response"]["status"].as_u64().unwrap_or(200) as u16;
        let response = http::Response::builder()
            .status(status)
            .body(body.as_slice())
            .unwrap();
        let shown = match SearchTradeRates::received("shop").parse(response) {
            Ok(page) => format!("ok:\n{page:#?}"),
            Err(err) => format!(
                "error: {err}\nretryable: {}\ntoken error: {}\n{err:?}",
                err.is_retryable(),
                err.is_token_error()
            ),
        };
        insta::assert_snapshot!(shown);
    });
}

fn parse(
    status: u16,
    body: &str,
) -> Result<review_model::taobao::TradeRatePage, review_protocol::Error> {
    let response = http::Response::builder()
        .status(status)
        .body(body.as_bytes())
        .unwrap();
    SearchTradeRates::received("shop").parse(response)
}

#[test]
fn answer_shapes() {
    let cases = [
        parse(200, r#"{"code":"10001","message":"签名错误","data":null,"trace_id":"x"}"#).unwrap_err().to_string(),
        parse(200, r#"{"code":0,"message":"ok"}"#).unwrap_err().to_string(),
        parse(200, r#"{"code":"abc"}"#).unwrap_err().to_string(),
        parse(503, "upstream timeout").unwrap_err().to_string(),
        parse(200, r#"{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count"}}"#).unwrap_err().to_string(),
        parse(200, r#"{"code":0,"data":{"total_results":1,"trade_rates":{"trade_rate":[{"tid":1,"oid":2,"role":"buyer","result":"good","created":"2026-10-01 08:00:00","item_price":"0.01"}]}}}"#)
            .map(|p| format!("{:?}", p.rates[0].item_price)).unwrap(),
    ];
    insta::assert_snapshot!(cases.join("\n"));
}

#[test]
fn a_signed_get_carries_the_signed_form_in_its_query() {
    use review_protocol::taobao::fw199::wire;
    let ctx = ctx(at("2026-03-01 00:00:00"));
    let params = [("page_no", "2".to_owned()), ("nick", "店 & co".to_owned())];
    let post = wire::signed_post(&ctx, "/gateway/x", &params).unwrap();
    let get = wire::signed_get(&ctx, "/gateway/x", &params).unwrap();
    assert_eq!(get.method(), http::Method::GET);
    assert_eq!(get.uri().path(), "/gateway/x");
    assert!(get.body().is_empty());
    let form = std::str::from_utf8(post.body()).unwrap();
    assert_eq!(get.uri().query(), Some(form));
    let fields = verify_form(form.as_bytes(), &Secret::new(SECRET)).unwrap();
    assert_eq!(fields.len(), 4, "{fields:?}");

    let empty = Fw199Context::new(
        BaseUrl::fw199(),
        Fw199Credentials::new(" ", Secret::new(SECRET)),
        at("2026-03-01 00:00:00"),
    );
    let err = wire::signed_get(&empty, "/gateway/x", &params).unwrap_err();
    assert!(err.to_string().contains("appid"), "{err}");
}

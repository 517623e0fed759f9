//! What every fw199 endpoint shares: a form signed with the partner secret going in, and the
//! gateway's envelope coming out (`{code, message, data}`, or a TOP `error_response` passed
//! through).

use http::header::{ACCEPT, CONTENT_TYPE};
use review_model::Platform;
use review_model::taobao::TopError;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Fw199Context, sign};
use crate::endpoint::finish;
use crate::error::DecodeFailure;
use crate::{ApiCode, ApiError, BuildError, Error};

/// `POST base/path` with `appid`, `timestamp`, `params` and their `sign` as a form.
///
/// `params` are the endpoint's own, in the order they are sent; the gateway's are put first.
pub fn signed_post(
    ctx: &Fw199Context,
    path: &str,
    params: &[(&str, String)],
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let form = signed_form(ctx, params)?;
    finish(
        http::Request::post(ctx.base_url.join(path))
            .header(ACCEPT, "application/json")
            .header(
                CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
        form.into_bytes(),
    )
}

/// `GET base/path?form`: the same signed parameters as [`signed_post`], in the query.
pub fn signed_get(
    ctx: &Fw199Context,
    path: &str,
    params: &[(&str, String)],
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let form = signed_form(ctx, params)?;
    finish(
        http::Request::get(format!("{}?{form}", ctx.base_url.join(path)))
            .header(ACCEPT, "application/json"),
        Vec::new(),
    )
}

/// `appid`, `timestamp`, `params` and their `sign`, form-encoded.
fn signed_form(ctx: &Fw199Context, params: &[(&str, String)]) -> Result<String, BuildError> {
    if ctx.credentials.appid.trim().is_empty() {
        return Err(BuildError::new("appid", "the fw199 appid is empty"));
    }
    let timestamp = ctx.timestamp.as_second().to_string();
    let mut form: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 2);
    form.push(("appid", &ctx.credentials.appid));
    form.push(("timestamp", &timestamp));
    form.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
    let signature = sign(&form, &ctx.credentials.secret);
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (key, value) in &form {
        body.append_pair(key, value);
    }
    body.append_pair(super::SIGN, &signature);
    Ok(body.finish())
}

/// The envelope's `code`, a number or a numeric string.
struct Code(i64);

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .map(Code)
        .ok_or_else(|| serde::de::Error::custom("`code` is not an integer"))
    }
}

/// Every shape the gateway answers with, read in one pass.
#[derive(Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct Envelope<T> {
    #[serde(default)]
    error_response: Option<TopError>,
    #[serde(default)]
    code: Option<Code>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: Option<T>,
}

/// Reads the envelope's `data`, a TOP-style error passed through, or a refusal.
pub fn parse<T: DeserializeOwned>(response: &http::Response<&[u8]>) -> Result<T, Error> {
    let body = *response.body();
    if !response.status().is_success() {
        return Err(Error::http(response.status(), body));
    }
    let envelope: Envelope<T> =
        review_model::from_slice(body).map_err(|e| Error::Decode(DecodeFailure::new(&e, body)))?;
    if let Some(top) = envelope.error_response {
        return Err(Error::Api(ApiError {
            platform: Platform::Taobao,
            code: ApiCode::Top {
                code: top.code,
                sub_code: top.sub_code,
            },
            message: top.sub_msg.unwrap_or(top.msg),
        }));
    }
    let code = envelope.code.map_or(0, |c| c.0);
    if code != 0 {
        return Err(Error::Api(ApiError {
            platform: Platform::Taobao,
            code: ApiCode::Fw199(code),
            message: envelope.message.unwrap_or_default(),
        }));
    }
    envelope.data.ok_or_else(|| {
        Error::Decode(DecodeFailure::message(
            "the gateway reported success (code 0) without `data`",
            body,
        ))
    })
}

//! What every WeChat endpoint shares: building GET and JSON POST requests, checking parameters,
//! and reading `errcode` before the payload.

use http::header::{ACCEPT, CONTENT_TYPE};
use review_model::wechat::ApiStatus;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::WechatContext;
use super::status::WithStatus;
use crate::endpoint::finish;
use crate::error::DecodeFailure;
use crate::{BaseUrl, BuildError, Error};

const JSON: &str = "application/json";

fn url(base: &BaseUrl, path: &str, params: &[(&str, &str)], token: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in params {
        query.append_pair(key, value);
    }
    if let Some(token) = token {
        query.append_pair("access_token", token);
    }
    let query = query.finish();
    if query.is_empty() {
        base.join(path)
    } else {
        format!("{}?{query}", base.join(path))
    }
}

/// `GET base/path?params&access_token=...`.
pub(crate) fn get(
    ctx: &WechatContext,
    path: &str,
    params: &[(&str, &str)],
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let uri = url(
        &ctx.base_url,
        path,
        params,
        Some(ctx.access_token.expose_secret()),
    );
    finish(http::Request::get(uri).header(ACCEPT, JSON), Vec::new())
}

/// `GET base/path?params` without a token (the token endpoint itself).
pub(crate) fn get_public(
    base: &BaseUrl,
    path: &str,
    params: &[(&str, &str)],
) -> Result<http::Request<Vec<u8>>, BuildError> {
    finish(
        http::Request::get(url(base, path, params, None)).header(ACCEPT, JSON),
        Vec::new(),
    )
}

/// `POST base/path[?access_token=...]` with a JSON body.
pub(crate) fn post_json(
    base: &BaseUrl,
    path: &str,
    token: Option<&str>,
    body: &impl Serialize,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let body = serde_json::to_vec(body).map_err(|e| BuildError::new("body", e.to_string()))?;
    let builder = http::Request::post(url(base, path, &[], token))
        .header(ACCEPT, JSON)
        .header(CONTENT_TYPE, JSON);
    finish(builder, body)
}

/// `POST base/path?access_token=...` with a JSON body.
pub(crate) fn post(
    ctx: &WechatContext,
    path: &str,
    body: &impl Serialize,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    post_json(
        &ctx.base_url,
        path,
        Some(ctx.access_token.expose_secret()),
        body,
    )
}

/// Checks the status line and `errcode`, then decodes the payload.
///
/// WeChat answers refusals with HTTP 200 and a non-zero `errcode`; anything but 2xx came from
/// something in between (a gateway, a proxy) or from an outage. A success is read in one pass;
/// only a body that fails to decode is read again, to tell a refusal from a malformed payload and
/// to name the failing field.
pub(crate) fn parse<T: DeserializeOwned>(response: &http::Response<&[u8]>) -> Result<T, Error> {
    let body = *response.body();
    if !response.status().is_success() {
        return Err(Error::http(response.status(), body));
    }
    let decode_failure = |e: review_model::DecodeError| Error::Decode(DecodeFailure::new(&e, body));
    // Valid UTF-8 is checked once for the whole body rather than string by string.
    let answer = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str::<WithStatus<T>>(text),
        Err(_) => serde_json::from_slice::<WithStatus<T>>(body),
    };
    match answer {
        Ok(answer) if answer.errcode.is_ok() => Ok(answer.body),
        Ok(answer) => Err(Error::wechat(answer.errcode, answer.errmsg)),
        Err(_) => {
            let status: ApiStatus = review_model::from_slice(body).map_err(decode_failure)?;
            if !status.errcode.is_ok() {
                return Err(Error::wechat(status.errcode, status.errmsg));
            }
            review_model::from_slice(body).map_err(decode_failure)
        }
    }
}

/// Checks an answer that carries no payload.
pub(crate) fn parse_ack(response: &http::Response<&[u8]>) -> Result<(), Error> {
    parse::<serde::de::IgnoredAny>(response).map(drop)
}

/// Refuses an empty id or one with whitespace.
pub(crate) fn id(param: &'static str, value: &str) -> Result<(), BuildError> {
    if value.is_empty() {
        return Err(BuildError::new(param, "the id is empty"));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(BuildError::new(
            param,
            format!("the id {value:?} contains whitespace"),
        ));
    }
    Ok(())
}

/// Refuses text that is empty or only whitespace.
pub(crate) fn text(param: &'static str, what: &str, value: &str) -> Result<(), BuildError> {
    if value.trim().is_empty() {
        return Err(BuildError::new(param, format!("the {what} is empty")));
    }
    Ok(())
}

//! The files `new-endpoint` writes, with `{{placeholders}}` filled by `fill`.

/// A WeChat endpoint module.
pub(crate) const WECHAT_MODULE: &str = r#"//! `{{METHOD}} {{path}}`: TODO: say what it does in one line.

use super::{WechatContext, wire};
use crate::{BuildError, Endpoint, Error};

/// TODO: what the request asks for (scaffolded by `cargo xtask new-endpoint`).
///
/// TODO: replace `Output = serde_json::Value` with a typed output in `review_model::wechat`
/// (and its fixture's snapshot case), then add the request's parameters as fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct {{Name}} {}

impl {{Name}} {
    /// TODO: a request with its parameters.
    pub fn new() -> Self {
        Self {}
    }

    /// TODO: refuse what the platform would refuse (see `wire::id` and `wire::text`).
    pub fn validate(&self) -> Result<(), BuildError> {
        Ok(())
    }
}

impl Endpoint for {{Name}} {
    type Context = WechatContext;
    /// TODO: replace with a typed output.
    type Output = serde_json::Value;

    fn name(&self) -> &'static str {
        "wechat.{{name}}"
    }

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
{{wechat_request}}
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<serde_json::Value, Error> {
        wire::parse::<serde_json::Value>(&response)
    }

    fn idempotent(&self) -> bool {
        {{idempotent}}
    }
}
"#;

/// The body of a WeChat GET request.
pub(crate) const WECHAT_GET: &str = r#"        // TODO: the query parameters.
        let params: [(&str, &str); 0] = [];
        wire::get(ctx, "{{path}}", &params)"#;

/// The body of a WeChat POST request.
pub(crate) const WECHAT_POST: &str = r#"        // TODO: the JSON body, as a type in `review_model::wechat`.
        let body = serde_json::json!({});
        wire::post(ctx, "{{path}}", &body)"#;

/// An fw199 endpoint module.
pub(crate) const FW199_MODULE: &str = r#"//! `{{METHOD}} {{path}}`: TODO: say what it does in one line.

{{http_imports}}
use review_model::Platform;
use review_model::taobao::TopError;
use serde::Deserialize;

use super::{Fw199Context, sign};
use crate::error::DecodeFailure;
use crate::{ApiCode, ApiError, BuildError, Endpoint, Error};

/// TODO: what the request asks for (scaffolded by `cargo xtask new-endpoint`).
///
/// TODO: replace `Output = serde_json::Value` with a typed output in `review_model::taobao`
/// (and its fixture's snapshot case), then add the request's parameters as fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct {{Name}} {}

impl {{Name}} {
    /// TODO: a request with its parameters.
    pub fn new() -> Self {
        Self {}
    }

    /// TODO: refuse what the gateway would refuse.
    pub fn validate(&self) -> Result<(), BuildError> {
        Ok(())
    }

    /// TODO: the parameters to send, without `appid`, `timestamp` and `sign`.
    fn params(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Every shape the gateway answers with.
#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    error_response: Option<TopError>,
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: Option<serde_json::Value>,
}

impl Endpoint for {{Name}} {
    type Context = Fw199Context;
    /// TODO: replace with a typed output.
    type Output = serde_json::Value;

    fn name(&self) -> &'static str {
        "fw199.{{name}}"
    }

    fn request(&self, ctx: &Fw199Context) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        if ctx.credentials.appid.trim().is_empty() {
            return Err(BuildError::new("appid", "the fw199 appid is empty"));
        }
        let mut params: Vec<(&str, String)> = vec![
            ("appid", ctx.credentials.appid.clone()),
            ("timestamp", ctx.timestamp.as_second().to_string()),
        ];
        params.extend(self.params());
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let signature = sign(&borrowed, &ctx.credentials.secret);
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &borrowed {
            form.append_pair(key, value);
        }
        form.append_pair("sign", &signature);
        let form = form.finish();
{{fw199_request}}
            .map_err(|e| BuildError::new("base_url", e.to_string()))
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<serde_json::Value, Error> {
        let body = *response.body();
        if !response.status().is_success() {
            return Err(Error::http(response.status(), body));
        }
        let answer: Answer = review_model::from_slice(body)
            .map_err(|e| Error::Decode(DecodeFailure::new(&e, body)))?;
        if let Some(top) = answer.error_response {
            return Err(Error::Api(ApiError {
                platform: Platform::Taobao,
                code: ApiCode::Top {
                    code: top.code,
                    sub_code: top.sub_code,
                },
                message: top.sub_msg.unwrap_or(top.msg),
            }));
        }
        let code = match &answer.code {
            None => 0,
            Some(serde_json::Value::Number(n)) => n.as_i64().unwrap_or(-1),
            Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(-1),
            Some(_) => -1,
        };
        if code != 0 {
            return Err(Error::Api(ApiError {
                platform: Platform::Taobao,
                code: ApiCode::Fw199(code),
                message: answer.message.unwrap_or_default(),
            }));
        }
        Ok(answer.data.unwrap_or(serde_json::Value::Null))
    }

    fn idempotent(&self) -> bool {
        {{idempotent}}
    }
}
"#;

/// The end of an fw199 GET request: the signed parameters in the query.
pub(crate) const FW199_GET: &str = r#"        http::Request::get(format!("{}?{form}", ctx.base_url.join("{{path}}")))
            .header(ACCEPT, "application/json")
            .body(Vec::new())"#;

/// The end of an fw199 POST request: the signed parameters as a form.
pub(crate) const FW199_POST: &str = r#"        http::Request::post(ctx.base_url.join("{{path}}"))
            .header(ACCEPT, "application/json")
            .header(
                CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(form.into_bytes())"#;

/// A fixture: `{{description}}`, `{{request}}` and `{{response_body}}` are filled in.
pub(crate) const FIXTURE: &str = r#"{
  "description": "{{description}}",
  "request": {
{{request}}
  },
  "response": {
    "status": 200,
    "headers": {
      "content-type": "application/json; charset=utf-8"
    },
    "body": {{response_body}}
  }
}
"#;

/// The client method, one line of the `endpoint_methods!` macro.
pub(crate) const CLIENT_METHOD: &str = r#"        /// TODO: what `{{name}}` does ({{METHOD}} `{{path}}`); scaffolded, returns the raw JSON until
        /// the endpoint has a typed output.
        pub $($async)? fn {{name}}(&self, request: &review_protocol::{{platform}}::{{Name}}) -> Result<<review_protocol::{{platform}}::{{Name}} as review_protocol::Endpoint>::Output, crate::ClientError> {
            self.{{platform}}(request)$($await)*
        }
"#;

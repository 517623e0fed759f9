//! The files `new-endpoint` writes, with `{{placeholders}}` filled by `fill`.

/// A WeChat endpoint module.
pub(crate) const WECHAT_MODULE: &str = r#"//! `{{METHOD}} {{path}}`: TODO: say what it does in one line.

use super::{WechatContext, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

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

    const METADATA: Metadata = Metadata {
        name: "wechat.{{name}}",
        method: Method::{{Method}},
        path: "{{path}}",
        idempotent: {{idempotent}},
        access: Access::AccessToken,
    };

    fn request(&self, ctx: &WechatContext) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
{{wechat_request}}
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<serde_json::Value, Error> {
        wire::parse::<serde_json::Value>(&response)
    }
}
"#;

/// The body of a WeChat GET request.
pub(crate) const WECHAT_GET: &str = r#"        // TODO: the query parameters.
        let params: [(&str, &str); 0] = [];
        wire::get(ctx, Self::METADATA.path, &params)"#;

/// The body of a WeChat POST request.
pub(crate) const WECHAT_POST: &str = r#"        // TODO: the JSON body, as a type in `review_model::wechat`.
        let body = serde_json::json!({});
        wire::post(ctx, Self::METADATA.path, &body)"#;

/// A Taobao endpoint module, through the fw199 gateway's shared wire shape.
pub(crate) const TAOBAO_MODULE: &str = r#"//! `{{METHOD}} {{path}}`: TODO: say what it does in one line.

use super::fw199::{Fw199Context, wire};
use crate::{Access, BuildError, Endpoint, Error, Metadata, Method};

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

    /// TODO: the parameters to send, without `appid`, `timestamp` and `sign` (the gateway's).
    fn params(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

impl Endpoint for {{Name}} {
    type Context = Fw199Context;
    /// TODO: replace with a typed output.
    type Output = serde_json::Value;

    const METADATA: Metadata = Metadata {
        name: "taobao.{{name}}",
        method: Method::{{Method}},
        path: "{{path}}",
        idempotent: {{idempotent}},
        access: Access::Signature,
    };

    fn request(&self, ctx: &Fw199Context) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.validate()?;
        wire::{{signed}}(ctx, Self::METADATA.path, &self.params())
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<serde_json::Value, Error> {
        wire::parse(&response)
    }
}
"#;

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

/// The operation's entry in `fixtures/manifest.json`: raw JSON output, not emulated yet.
pub(crate) const MANIFEST_ENTRY: &str = r#"    {
      "platform": "{{platform}}",
      "operation": "{{name}}",
      "endpoint": "{{Name}}",
      "output": "json",
      "replay": "not_emulated"
    }"#;

/// The client method, one line of the `endpoint_methods!` macro.
pub(crate) const CLIENT_METHOD: &str = r#"        /// TODO: what `{{name}}` does ({{METHOD}} `{{path}}`); scaffolded, returns the raw JSON until
        /// the endpoint has a typed output.
        pub $($async)? fn {{name}}(&self, request: &review_protocol::{{platform}}::{{Name}}) -> Result<<review_protocol::{{platform}}::{{Name}} as review_protocol::Endpoint>::Output, crate::ClientError> {
            self.{{driver}}(request)$($await)*
        }
"#;

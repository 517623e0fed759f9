//! Seeds: the request and response bodies of `fixtures/**/*.json`.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use super::Target;

/// The seeds of each target.
#[derive(Default)]
pub(super) struct Corpus {
    /// `query\nbody` of the push fixtures, plus `query\n<Encrypt value>`.
    push: Vec<Vec<u8>>,
    /// WeChat response bodies.
    wechat: Vec<Vec<u8>>,
    /// fw199 response bodies.
    fw199_responses: Vec<Vec<u8>>,
    /// fw199 request bodies (forms).
    fw199_forms: Vec<Vec<u8>>,
}

impl Corpus {
    /// The seeds for `target`.
    pub(super) fn for_target(&self, target: Target) -> Vec<Vec<u8>> {
        match target {
            Target::Push => self.push.clone(),
            Target::WechatResponses => self.wechat.clone(),
            Target::Fw199Responses => self.fw199_responses.clone(),
            Target::Fw199Form => self.fw199_forms.clone(),
            Target::All => [
                &self.push[..],
                &self.wechat[..],
                &self.fw199_responses[..],
                &self.fw199_forms[..],
            ]
            .concat(),
        }
    }
}

/// Loads every fixture under `dir` (a missing directory gives no seeds).
pub(super) fn load(dir: &Path) -> Result<Corpus> {
    let mut corpus = Corpus::default();
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    for file in files {
        let text = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        let Ok(fixture) = serde_json::from_slice::<Value>(&text) else {
            continue;
        };
        let path = file.to_string_lossy().replace('\\', "/");
        let request = fixture.get("request");
        let response_body = fixture.get("response").and_then(body);
        let request_body = request.and_then(body);
        if path.contains("/wechat/push/") {
            let query = request
                .and_then(|r| r.get("query"))
                .and_then(Value::as_object)
                .map(|q| {
                    q.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join("&")
                })
                .unwrap_or_default();
            if let Some(body) = request_body {
                let mut seed = format!("{query}\n").into_bytes();
                seed.extend_from_slice(&body);
                corpus.push.push(seed);
                if let Some(encrypt) = encrypt_value(&body) {
                    corpus.push.push(format!("{query}\n{encrypt}").into_bytes());
                }
            }
        } else if path.contains("/taobao/") {
            corpus.fw199_forms.extend(request_body);
            corpus.fw199_responses.extend(response_body);
        } else if path.contains("/wechat/") {
            corpus.wechat.extend(response_body);
        }
    }
    Ok(corpus)
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    Ok(())
}

/// A fixture half's body: `body` (JSON, serialized) or `body_text`.
fn body(half: &Value) -> Option<Vec<u8>> {
    if let Some(text) = half.get("body_text").and_then(Value::as_str) {
        return Some(text.as_bytes().to_vec());
    }
    half.get("body").and_then(|b| serde_json::to_vec(b).ok())
}

/// The `Encrypt` of an XML or JSON safe-mode envelope.
fn encrypt_value(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    if let Some(start) = text.find("<Encrypt><![CDATA[") {
        let rest = text.get(start + "<Encrypt><![CDATA[".len()..)?;
        return rest.split("]]>").next().map(str::to_owned);
    }
    let json: Value = serde_json::from_str(text).ok()?;
    json.get("Encrypt")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

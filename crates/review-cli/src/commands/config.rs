//! `reviews config show`: every setting in force, where it came from, secrets masked.
//!
//! A secret is shown as `***` and where it comes from, never its value nor a part of it; a
//! referenced secret is not even read. A Redis URL is shown without its password, a token
//! command by its program alone (its arguments may hold a credential of the token service).

use std::io::Write;

use serde_json::{Map, Value, json};

use crate::cli::ShowFormat;
use crate::error::CliResult;
use crate::settings::{Origin, SecretValue, Setting, Settings};

/// One line of the report.
struct Line {
    name: &'static str,
    /// `None`: not set.
    value: Option<String>,
    origin: Origin,
    /// More about the origin (a secret's reference, a missing file).
    note: Option<String>,
}

/// A setting shown as `show` says.
fn line<T>(name: &'static str, setting: &Setting<T>, show: impl Fn(&T) -> String) -> Line {
    Line {
        name,
        value: setting.get().map(show),
        origin: setting.origin.clone(),
        note: None,
    }
}

/// A secret: `***` and its reference.
fn secret(name: &'static str, key: &str, setting: &Setting<SecretValue>) -> Line {
    Line {
        note: setting.get().and_then(|s| s.via(key)),
        ..line(name, setting, |_| "***".to_owned())
    }
}

/// A command by its program alone.
fn program(command: &str) -> String {
    let mut words = command.split_whitespace();
    let first = words.next().unwrap_or_default();
    let first = crate::time::shown(first);
    if words.next().is_some() {
        format!("{first} …")
    } else {
        first
    }
}

fn lines(settings: &Settings) -> Vec<Line> {
    let plain = |s: &String| s.clone();
    let config_note = settings
        .config
        .get()
        .filter(|path| !path.exists())
        .map(|_| "no such file".to_owned());
    let dir = settings.token_dir.get().map(|d| d.as_path());
    vec![
        Line {
            note: config_note,
            ..line("config", &settings.config, |p| p.display().to_string())
        },
        line("profile", &settings.profile, plain),
        line("wechat-base-url", &settings.wechat_base_url, plain),
        line("wechat-appid", &settings.wechat_appid, plain),
        secret("wechat-secret", "wechat_secret", &settings.wechat_secret),
        line(
            "wechat-token-command",
            &settings.wechat_token_command,
            |c| program(c),
        ),
        line("wechat-access-token", &settings.wechat_access_token, |_| {
            "***".to_owned()
        }),
        line("fw199-base-url", &settings.fw199_base_url, plain),
        line("fw199-appid", &settings.fw199_appid, plain),
        secret("fw199-secret", "fw199_secret", &settings.fw199_secret),
        line("seller-nick", &settings.seller_nick, plain),
        line("token-mode", &settings.token_mode, |m| m.name().to_owned()),
        line("token-store", &settings.token_store, |s| s.describe(dir)),
        line("token-dir", &settings.token_dir, |d| {
            d.display().to_string()
        }),
        line("sandbox", &settings.sandbox, bool::to_string),
        line("db", &settings.db, |url| {
            url.parse::<review_store::MirrorUrl>()
                .map_or_else(|_| "(not a mirror URL)".to_owned(), |url| url.redacted())
        }),
    ]
}

/// Prints the report.
pub(crate) fn show(settings: &Settings, format: ShowFormat) -> CliResult {
    let lines = lines(settings);
    let text = match format {
        ShowFormat::Text => text(&lines),
        ShowFormat::Json => json(&lines),
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(crate::output::write_error(&err))
        }
        _ => Ok(()),
    }
}

/// `name = value (origin)`, one a line.
fn text(lines: &[Line]) -> String {
    let width = lines.iter().map(|l| l.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for l in lines {
        let shown = match &l.value {
            Some(value) => {
                let from = match &l.note {
                    Some(note) => format!("{}, {note}", l.origin),
                    None => l.origin.to_string(),
                };
                format!("{value} ({from})")
            }
            None => "(not set)".to_owned(),
        };
        text.push_str(&format!("{:width$} = {shown}\n", l.name));
    }
    text
}

/// One JSON object: name to `{"value", "source"}` (and `"via"` for a reference).
fn json(lines: &[Line]) -> String {
    let mut map = Map::new();
    for l in lines {
        let mut entry = json!({
            "value": l.value,
            "source": l.value.as_ref().map(|_| l.origin.to_string()),
        });
        if let (Some(note), Some(object)) = (&l.note, entry.as_object_mut()) {
            object.insert("via".to_owned(), Value::String(note.clone()));
        }
        map.insert(l.name.to_owned(), entry);
    }
    let mut text = Value::Object(map).to_string();
    text.push('\n');
    text
}

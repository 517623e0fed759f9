//! The config file: TOML, one table of settings per profile.
//!
//! ```toml
//! [profiles.default]
//! wechat_appid = "wx1234567890abcdef"
//! wechat_secret_env = "WX_SECRET"        # or wechat_secret_command = "pass show wx"
//! token_store = "redis://127.0.0.1:6379/0"
//!
//! [profiles.shop]
//! fw199_appid = "partner"
//! fw199_secret_command = "pass show fw199"
//! seller_nick = "shop-nick"
//! ```
//!
//! Secrets are named by reference (`*_secret_env`, `*_secret_command`); one written inline
//! (`wechat_secret`, `fw199_secret`) is accepted only from a file that neither the group nor
//! others may read, as ssh does for its keys. Unknown keys are refused, naming the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use review_model::Secret;
use serde::Deserialize;

use super::origin::ProfileRef;
use super::secret::SecretValue;
use crate::error::{CliError, CliResult};

/// The file: profiles by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Contents {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One profile: every key a setting of its own name. No `Debug`: it may hold a secret.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    pub(crate) wechat_base_url: Option<String>,
    pub(crate) wechat_appid: Option<String>,
    wechat_secret: Option<String>,
    wechat_secret_env: Option<String>,
    wechat_secret_command: Option<String>,
    pub(crate) wechat_token_command: Option<String>,
    pub(crate) fw199_base_url: Option<String>,
    pub(crate) fw199_appid: Option<String>,
    fw199_secret: Option<String>,
    fw199_secret_env: Option<String>,
    fw199_secret_command: Option<String>,
    pub(crate) seller_nick: Option<String>,
    pub(crate) token_mode: Option<String>,
    pub(crate) token_store: Option<String>,
    pub(crate) token_dir: Option<PathBuf>,
    pub(crate) db: Option<String>,
}

impl Profile {
    /// The WeChat secret of the profile, or how to get it.
    pub(crate) fn wechat_secret(&self) -> Option<SecretValue> {
        secret(
            self.wechat_secret.as_ref(),
            self.wechat_secret_env.as_ref(),
            self.wechat_secret_command.as_ref(),
        )
    }

    /// The fw199 secret of the profile, or how to get it.
    pub(crate) fn fw199_secret(&self) -> Option<SecretValue> {
        secret(
            self.fw199_secret.as_ref(),
            self.fw199_secret_env.as_ref(),
            self.fw199_secret_command.as_ref(),
        )
    }

    /// The inline secrets' keys.
    fn inline_secrets(&self) -> impl Iterator<Item = &'static str> {
        [
            ("wechat_secret", self.wechat_secret.is_some()),
            ("fw199_secret", self.fw199_secret.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
    }

    /// Refuses two ways of giving one secret.
    fn check(&self, name: &str, path: &Path) -> CliResult {
        for (key, ways) in [
            (
                "wechat_secret",
                [
                    self.wechat_secret.is_some(),
                    self.wechat_secret_env.is_some(),
                    self.wechat_secret_command.is_some(),
                ],
            ),
            (
                "fw199_secret",
                [
                    self.fw199_secret.is_some(),
                    self.fw199_secret_env.is_some(),
                    self.fw199_secret_command.is_some(),
                ],
            ),
        ] {
            if ways.iter().filter(|set| **set).count() > 1 {
                return Err(CliError::usage(format!(
                    "profile {name} in {} gives {key} more than one way ({key}, {key}_env, {key}_command): keep one",
                    path.display()
                )));
            }
        }
        Ok(())
    }
}

fn secret(
    inline: Option<&String>,
    env: Option<&String>,
    command: Option<&String>,
) -> Option<SecretValue> {
    inline
        .map(|s| SecretValue::Given(Secret::new(s.clone())))
        .or_else(|| env.map(|var| SecretValue::Env(var.clone())))
        .or_else(|| command.map(|c| SecretValue::Command(c.clone())))
}

/// Where the file is and how it was chosen.
#[derive(Debug, Clone)]
pub(crate) struct FileChoice {
    pub(crate) path: PathBuf,
    /// `--config` or `REVIEWS_CONFIG` named it: it must exist.
    pub(crate) explicit: bool,
}

/// The default file: `reviews/config.toml` under the user's config directory.
pub(crate) fn default_path() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|dirs| dirs.config_dir().join("reviews").join("config.toml"))
}

/// A config file read and parsed once: a fleet resolves each of its profiles from it rather
/// than parsing the file again per profile (which made a fleet's start quadratic).
pub(crate) struct Parsed {
    /// `None`: there is no file, and none was named.
    contents: Option<Contents>,
}

impl Parsed {
    /// Reads and checks `file`; a missing file is an error only when it was named.
    pub(crate) fn read(file: &FileChoice) -> CliResult<Self> {
        let path = &file.path;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && !file.explicit => {
                return Ok(Self { contents: None });
            }
            Err(err) => {
                return Err(CliError::usage(format!(
                    "cannot read the config file {}: {err}: fix the path (--config, REVIEWS_CONFIG)",
                    path.display()
                )));
            }
        };
        let contents: Contents =
            toml::from_str(&text).map_err(|err| parse_error(path, &text, &err))?;
        check_private(path, &contents)?;
        Ok(Self {
            contents: Some(contents),
        })
    }

    /// The names of the file's profiles, sorted (the order of a fleet of `--all-profiles`);
    /// none when there is no file (and none was named).
    pub(crate) fn profile_names(&self) -> Option<Vec<String>> {
        self.contents
            .as_ref()
            .map(|contents| contents.profiles.keys().cloned().collect())
    }
}

/// The profile chosen from the file: `wanted` (which must be there), else `default` if it
/// is there, else none. `wanted_from` says where `wanted` came from, for messages. The file
/// is read here unless `parsed` already holds it.
pub(crate) fn load(
    file: Option<&FileChoice>,
    parsed: Option<&Parsed>,
    wanted: Option<&str>,
    wanted_from: &str,
) -> CliResult<Option<(Arc<ProfileRef>, Profile)>> {
    let Some(file) = file else {
        return match wanted {
            Some(name) => Err(CliError::usage(format!(
                "profile {name} ({wanted_from}) needs a config file, and no config directory is known: pass --config FILE"
            ))),
            None => Ok(None),
        };
    };
    let path = &file.path;
    let read;
    let parsed = match parsed {
        Some(parsed) => parsed,
        None => {
            read = Parsed::read(file)?;
            &read
        }
    };
    let Some(contents) = &parsed.contents else {
        return match wanted {
            Some(name) => Err(CliError::usage(format!(
                "profile {name} ({wanted_from}): there is no config file at {}: create it or pass --config FILE",
                path.display()
            ))),
            None => Ok(None),
        };
    };
    let name = match wanted {
        Some(name) => name.to_owned(),
        None if contents.profiles.contains_key("default") => "default".to_owned(),
        None => return Ok(None),
    };
    let Some(profile) = contents.profiles.get(&name).cloned() else {
        let known: Vec<&str> = contents.profiles.keys().map(String::as_str).collect();
        let known = if known.is_empty() {
            "it has none".to_owned()
        } else {
            format!("it has {}", known.join(", "))
        };
        return Err(CliError::usage(format!(
            "profile {name} ({wanted_from}) is not in {} ({known}): add [profiles.{name}] or pick another",
            path.display()
        )));
    };
    profile.check(&name, path)?;
    let at = Arc::new(ProfileRef {
        name,
        file: path.clone(),
    });
    Ok(Some((at, profile)))
}

/// toml's message without its excerpt of the file (which could show a secret), and the
/// line; a quoted value in it is masked too.
fn parse_error(path: &Path, text: &str, err: &toml::de::Error) -> CliError {
    let line = err
        .span()
        .and_then(|span| text.get(..span.start))
        .map(|before| before.matches('\n').count() + 1);
    let at = match line {
        Some(line) => format!("{} line {line}", path.display()),
        None => path.display().to_string(),
    };
    CliError::usage(format!(
        "{at}: {}: fix the config file",
        mask_quoted(err.message().trim()).replacen("unknown field", "unknown key", 1)
    ))
}

/// `text` with every `"..."` replaced by `"…"`: serde quotes a value it did not expect.
fn mask_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        if c == '"' {
            if inside {
                out.push('…');
            }
            inside = !inside;
            out.push(c);
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// Refuses a secret written inline in a file the group or others may read.
#[cfg(unix)]
fn check_private(path: &Path, contents: &Contents) -> CliResult {
    use std::os::unix::fs::PermissionsExt;

    let Some((name, key)) = contents
        .profiles
        .iter()
        .find_map(|(name, p)| p.inline_secrets().next().map(|key| (name, key)))
    else {
        return Ok(());
    };
    let mode = std::fs::metadata(path)
        .map_err(|err| {
            CliError::usage(format!(
                "cannot read the config file {}: {err}",
                path.display()
            ))
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o044 != 0 {
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        );
        return Err(CliError::usage(format!(
            "{file} is readable by others (mode {mode:04o}) and holds {key} in profile {name}: chmod 600 {} or reference the secret with {key}_env",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _contents: &Contents) -> CliResult {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::mask_quoted;

    #[test]
    fn quoted_values_are_masked() {
        assert_eq!(
            mask_quoted(r#"invalid type: string "s3cr3t", expected struct Profile"#),
            r#"invalid type: string "…", expected struct Profile"#
        );
        assert_eq!(mask_quoted("unknown field `x`"), "unknown field `x`");
    }
}

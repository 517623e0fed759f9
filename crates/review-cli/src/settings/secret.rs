//! A secret and where to get it: given (a flag, the environment, a profile of a private
//! file), or by reference from a profile: another environment variable, or a command.
//!
//! A referenced secret is read only when a command needs it: `config show` runs nothing.

use review_model::Secret;

use crate::error::{CliError, CliResult};
use crate::shell;

/// A secret, or how to get it.
#[derive(Debug, Clone)]
pub(crate) enum SecretValue {
    /// The value itself.
    Given(Secret),
    /// The value of this environment variable (a profile's `*_secret_env`).
    Env(String),
    /// The output of this command (a profile's `*_secret_command`).
    Command(String),
}

impl SecretValue {
    /// The secret. `key` names the setting (`wechat_secret`) in messages.
    pub(crate) fn reveal(&self, key: &str) -> CliResult<Secret> {
        match self {
            Self::Given(secret) => Ok(secret.clone()),
            Self::Env(var) => match std::env::var(var) {
                Ok(value) if !value.is_empty() => Ok(Secret::new(value)),
                _ => Err(CliError::usage(format!(
                    "{key}_env names {}, which is not set: export it or change the profile",
                    crate::time::shown(var)
                ))),
            },
            Self::Command(command) => shell::output(command, shell::TIMEOUT)
                .map(Secret::new)
                .map_err(|failure| {
                    CliError::runtime(failure.describe(&format!("the {key}_command")))
                }),
        }
    }

    /// Where `config show` says it comes from, beyond its origin: the reference, never
    /// the value.
    pub(crate) fn via(&self, key: &str) -> Option<String> {
        match self {
            Self::Given(_) => None,
            Self::Env(var) => {
                let set = std::env::var_os(var).is_some_and(|v| !v.is_empty());
                Some(if set {
                    format!("by {key}_env {var}")
                } else {
                    format!("by {key}_env {var}, which is not set")
                })
            }
            Self::Command(_) => Some(format!("by {key}_command")),
        }
    }
}

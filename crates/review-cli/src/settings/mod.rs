//! Every setting a platform command runs with, and where it came from: flags beat the
//! environment, which beats the profile of the config file, which beats the defaults.

mod file;
mod fleet;
mod origin;
mod secret;

use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueEnum;
use review_model::AccessToken;

pub(crate) use self::fleet::{FleetTenant, fleet};
use self::origin::ProfileRef;
pub(crate) use self::origin::{Origin, Sources, env_names};
pub(crate) use self::secret::SecretValue;
use crate::cli::{Cli, Command, TokenMode, WebhookCommand};
use crate::error::{CliError, CliResult};
use crate::tokens::{self, StoreChoice, external::TOKEN_ENV};

/// A value, if any, and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Setting<T> {
    pub(crate) value: Option<T>,
    pub(crate) origin: Origin,
}

impl<T> Setting<T> {
    fn unset() -> Self {
        Self {
            value: None,
            origin: Origin::Default,
        }
    }

    /// The value, with its origin.
    pub(crate) fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }
}

/// The settings in force.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The config file read (if any).
    pub(crate) config: Setting<PathBuf>,
    /// The profile used (if any).
    pub(crate) profile: Setting<String>,
    pub(crate) wechat_base_url: Setting<String>,
    pub(crate) wechat_appid: Setting<String>,
    pub(crate) wechat_secret: Setting<SecretValue>,
    pub(crate) wechat_token_command: Setting<String>,
    /// `REVIEWS_WECHAT_ACCESS_TOKEN` (no flag: a flag shows in the process list).
    pub(crate) wechat_access_token: Setting<AccessToken>,
    pub(crate) fw199_base_url: Setting<String>,
    pub(crate) fw199_appid: Setting<String>,
    pub(crate) fw199_secret: Setting<SecretValue>,
    pub(crate) seller_nick: Setting<String>,
    pub(crate) token_mode: Setting<TokenMode>,
    pub(crate) token_store: Setting<StoreChoice>,
    /// The file store's directory.
    pub(crate) token_dir: Setting<PathBuf>,
    pub(crate) sandbox: Setting<bool>,
    /// The mirror (`--db` of sync, inbox and webhook serve), as written: it may hold a
    /// password, so it is shown only redacted.
    pub(crate) db: Setting<String>,
}

/// The `--db` of the command, if it has one and it was given.
fn db_given(cli: &Cli) -> Option<String> {
    match &cli.command {
        Command::Sync(args) => args.db.db.clone(),
        Command::Inbox(args) => args.db.db.clone(),
        Command::Webhook(WebhookCommand::Serve { db, .. }) => db.clone(),
        _ => None,
    }
}

/// Picks a value: the command line's or the environment's, else the profile's, else clap's
/// default (`given` with no source), else none.
fn pick<T>(
    given: Option<T>,
    id: &str,
    sources: &Sources,
    profile: Option<T>,
    at: Option<&Arc<ProfileRef>>,
) -> Setting<T> {
    if let (Some(origin), Some(_)) = (sources.given(id), &given) {
        return Setting {
            value: given,
            origin: origin.clone(),
        };
    }
    if let (Some(value), Some(at)) = (profile, at) {
        return Setting {
            value: Some(value),
            origin: Origin::Profile(Arc::clone(at)),
        };
    }
    Setting {
        value: given,
        origin: Origin::Default,
    }
}

/// The config file: `--config` (or `REVIEWS_CONFIG`), else the default path.
fn config_file(cli: &Cli, sources: &Sources) -> Setting<PathBuf> {
    match (&cli.profile.config, sources.given("config")) {
        (Some(path), Some(origin)) => Setting {
            value: Some(path.clone()),
            origin: origin.clone(),
        },
        _ => Setting {
            value: file::default_path(),
            origin: Origin::Default,
        },
    }
}

/// The file to read and whether it was named (then it must exist).
fn file_choice(config: &Setting<PathBuf>) -> Option<file::FileChoice> {
    config.get().map(|path| file::FileChoice {
        path: path.clone(),
        explicit: config.origin != Origin::Default,
    })
}

/// How messages name where `--profile` came from.
fn profile_from(sources: &Sources) -> String {
    sources.given("profile").map_or_else(
        || "--profile".to_owned(),
        |o| named(o, "--profile", "profile"),
    )
}

/// Where a value came from, as a message names it: the option, the variable, or the key.
fn named(origin: &Origin, option: &str, key: &str) -> String {
    match origin {
        Origin::Flag | Origin::Default => option.to_owned(),
        Origin::Env(var) => var.clone(),
        Origin::Profile(at) => format!("{key} in profile {} of {}", at.name, at.file.display()),
    }
}

impl Settings {
    /// Resolves every setting of `cli`, `sources` saying which the command line or the
    /// environment gave, reading the config file.
    /// A list of profiles (`--profile a,b`) is refused: only `export` and `sync` run over
    /// several, through [`fleet::fleet`].
    pub(crate) fn resolve(cli: &Cli, sources: &Sources) -> CliResult<Self> {
        let wanted = cli.profile.profile.as_deref();
        let wanted_from = profile_from(sources);
        if let Some(list) = wanted.filter(|w| w.contains(',')) {
            return Err(CliError::usage(format!(
                "{wanted_from} is {}, a list of profiles: only export and sync run over several; name one profile",
                crate::time::shown(list)
            )));
        }
        Self::resolve_profile(cli, sources, wanted, None)
    }

    /// Resolves the settings of `cli` with profile `wanted` of the config file (or its
    /// default profile, for none); the file is read unless `parsed` holds it already.
    pub(crate) fn resolve_profile(
        cli: &Cli,
        sources: &Sources,
        wanted: Option<&str>,
        parsed: Option<&file::Parsed>,
    ) -> CliResult<Self> {
        let config = config_file(cli, sources);
        let choice = file_choice(&config);
        let wanted_from = profile_from(sources);
        let loaded = file::load(choice.as_ref(), parsed, wanted, &wanted_from)?;
        let (at, p) = match loaded {
            Some((at, profile)) => (Some(at), profile),
            None => (None, file::Profile::default()),
        };
        let at = at.as_ref();
        let (wechat_secret, fw199_secret) = (p.wechat_secret(), p.fw199_secret());
        let profile = match (wanted, sources.given("profile"), at) {
            // A tenant of a fleet: the profile comes from the list (or --all-profiles).
            (Some(name), Some(_), Some(at)) if cli.profile.profile.as_deref() != Some(name) => {
                Setting {
                    value: Some(name.to_owned()),
                    origin: Origin::Profile(Arc::clone(at)),
                }
            }
            (Some(name), Some(origin), _) => Setting {
                value: Some(name.to_owned()),
                origin: origin.clone(),
            },
            (_, _, Some(at)) => Setting {
                value: Some(at.name.clone()),
                origin: Origin::Default,
            },
            _ => Setting::unset(),
        };
        let args = &cli.platforms;
        let tokens_args = &cli.tokens;

        let token_mode = pick(
            Some(tokens_args.token_mode.name().to_owned()),
            "token_mode",
            sources,
            p.token_mode,
            at,
        );
        let token_mode = match &token_mode.value {
            Some(text) => {
                let mode = TokenMode::from_str(text, false).map_err(|_| {
                    CliError::usage(format!(
                        "{} is {}: use plain or stable",
                        named(&token_mode.origin, "--token-mode", "token_mode"),
                        crate::time::shown(text)
                    ))
                })?;
                Setting {
                    value: Some(mode),
                    origin: token_mode.origin.clone(),
                }
            }
            None => Setting::unset(),
        };
        let token_store = pick(
            Some(tokens_args.token_store.clone()),
            "token_store",
            sources,
            p.token_store,
            at,
        );
        let token_store = match &token_store.value {
            Some(text) => Setting {
                value: Some(StoreChoice::parse(
                    text,
                    &named(&token_store.origin, "--token-store", "token_store"),
                )?),
                origin: token_store.origin.clone(),
            },
            None => Setting::unset(),
        };
        let mut token_dir = pick(
            tokens_args.token_dir.clone(),
            "token_dir",
            sources,
            p.token_dir,
            at,
        );
        if token_dir.value.is_none() {
            token_dir = Setting {
                value: tokens::default_dir(),
                origin: Origin::Default,
            };
        }
        let wechat_access_token = match std::env::var(TOKEN_ENV) {
            Ok(token) if !token.trim().is_empty() => Setting {
                value: Some(AccessToken::new(token.trim())),
                origin: Origin::Env(TOKEN_ENV.to_owned()),
            },
            _ => Setting::unset(),
        };
        let given_secret = |value: &Option<String>| {
            value
                .clone()
                .map(|s| SecretValue::Given(review_model::Secret::new(s)))
        };
        Ok(Self {
            wechat_base_url: pick(
                Some(args.wechat_base_url.clone()),
                "wechat_base_url",
                sources,
                p.wechat_base_url,
                at,
            ),
            wechat_appid: pick(
                args.wechat_appid.clone(),
                "wechat_appid",
                sources,
                p.wechat_appid,
                at,
            ),
            wechat_secret: pick(
                given_secret(&args.wechat_secret),
                "wechat_secret",
                sources,
                wechat_secret,
                at,
            ),
            wechat_token_command: pick(
                tokens_args.wechat_token_command.clone(),
                "wechat_token_command",
                sources,
                p.wechat_token_command,
                at,
            ),
            wechat_access_token,
            fw199_base_url: pick(
                Some(args.fw199_base_url.clone()),
                "fw199_base_url",
                sources,
                p.fw199_base_url,
                at,
            ),
            fw199_appid: pick(
                args.fw199_appid.clone(),
                "fw199_appid",
                sources,
                p.fw199_appid,
                at,
            ),
            fw199_secret: pick(
                given_secret(&args.fw199_secret),
                "fw199_secret",
                sources,
                fw199_secret,
                at,
            ),
            seller_nick: pick(
                args.seller_nick.clone(),
                "seller_nick",
                sources,
                p.seller_nick,
                at,
            ),
            token_mode,
            token_store,
            token_dir,
            sandbox: pick(Some(args.use_sandbox), "use_sandbox", sources, None, at),
            db: match (&cli.command, std::env::var("REVIEWS_DB")) {
                // `config show` has no --db of its own: it reports the variable the others read.
                (Command::Config(_), Ok(url)) if !url.trim().is_empty() => Setting {
                    value: Some(url),
                    origin: Origin::Env("REVIEWS_DB".to_owned()),
                },
                _ => pick(db_given(cli), "db", sources, p.db, at),
            },
            config,
            profile,
        })
    }

    /// Whether `--sandbox` (or `REVIEWS_SANDBOX=1`) is set.
    pub(crate) fn use_sandbox(&self) -> bool {
        self.sandbox.value == Some(true)
    }
}

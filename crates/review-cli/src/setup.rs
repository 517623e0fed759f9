//! From options and environment to ready clients, starting the embedded sandbox for any
//! platform without credentials.

use std::sync::Arc;

use jiff::tz::{Offset, TimeZone};
use review_client::{ClientConfig, ClientError, MemoryBackend, TokenBackend, WechatTokens};
use review_model::AppId;
use review_protocol::BaseUrl;
use review_protocol::redact::url_for_message;
use review_protocol::wechat::token_cache::RefreshKind;
use review_sandbox::Sandbox;

use crate::cli::{PlatformChoice, TokenMode};
use crate::error::{CliError, CliResult};
use crate::settings::{SecretValue, Settings};
use crate::tokens::external::{ExternalTokens, TOKEN_ENV};
use crate::tokens::{self};

/// Which platforms a command needs, and whether it writes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Need {
    pub(crate) wechat: bool,
    pub(crate) fw199: bool,
    /// Writes go to the embedded sandbox only when `--sandbox` says so.
    pub(crate) writes: bool,
}

impl Need {
    /// The reads of `--platform` (`export`, `sync`): WeChat, Taobao or both, no writes.
    pub(crate) fn reads(platform: PlatformChoice) -> Self {
        Self {
            wechat: matches!(platform, PlatformChoice::Wechat | PlatformChoice::All),
            fw199: matches!(platform, PlatformChoice::Taobao | PlatformChoice::All),
            writes: false,
        }
    }
}

/// A WeChat client and the host it talks to (for error messages).
pub(crate) struct Wechat {
    pub(crate) client: review_ureq::Client,
    pub(crate) host: String,
    /// The mini program's AppID, which names its rows in a mirror (with tokens from the
    /// merchant's service and no `--wechat-appid`: the API's host).
    pub(crate) appid: String,
    /// Tokens from the merchant's service, whose failures say more than the call's error.
    external: Option<Arc<ExternalTokens>>,
}

impl Wechat {
    /// The one line for a failed call: why the merchant's token service gave no token, if
    /// that is why; else the call's error.
    pub(crate) fn error(&self, err: &ClientError) -> CliError {
        match self.external.as_ref().and_then(|e| e.failure()) {
            Some(failure) => CliError::runtime(failure),
            None => CliError::client(err, &self.host),
        }
    }
}

/// An fw199 client, the host, and the seller.
pub(crate) struct Fw199 {
    pub(crate) client: review_ureq::Client,
    pub(crate) host: String,
    pub(crate) seller_nick: String,
}

/// Everything a command runs with. Holds the embedded sandbox alive while it runs.
pub(crate) struct Session {
    pub(crate) tz: TimeZone,
    pub(crate) wechat: Option<Wechat>,
    pub(crate) fw199: Option<Fw199>,
    _sandbox: Option<Sandbox>,
}

impl Session {
    /// The WeChat side; the command asked for it, so it is there.
    pub(crate) fn wechat(&self) -> CliResult<&Wechat> {
        self.wechat
            .as_ref()
            .ok_or_else(|| CliError::usage("this command needs WeChat"))
    }

    /// The fw199 side.
    pub(crate) fn fw199(&self) -> CliResult<&Fw199> {
        self.fw199
            .as_ref()
            .ok_or_else(|| CliError::usage("this command needs fw199"))
    }
}

/// Parses `--tz`: an IANA name, `UTC`, or an offset like `+08:00`.
pub(crate) fn time_zone(text: &str) -> CliResult<TimeZone> {
    let bad = || {
        CliError::usage(format!(
            "--tz {} is not a time zone: use an IANA name (Asia/Shanghai) or an offset (+08:00)",
            crate::time::shown(text)
        ))
    };
    if let Some(rest) = text.strip_prefix(['+', '-']) {
        let negative = text.starts_with('-');
        let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
        let hours: i32 = hours.parse().map_err(|_| bad())?;
        let minutes: i32 = minutes.parse().map_err(|_| bad())?;
        if !(0..=14).contains(&hours) || !(0..60).contains(&minutes) {
            return Err(bad());
        }
        let seconds = (hours * 3600 + minutes * 60) * if negative { -1 } else { 1 };
        return Offset::from_seconds(seconds)
            .map(TimeZone::fixed)
            .map_err(|_| bad());
    }
    TimeZone::get(text).map_err(|_| bad())
}

fn base_url(text: &str, option: &str) -> CliResult<BaseUrl> {
    text.parse()
        .map_err(|e| CliError::usage(format!("{option}: {e}")))
}

fn host(url: &BaseUrl) -> String {
    url.as_str()
        .split("://")
        .nth(1)
        .unwrap_or(url.as_str())
        .to_owned()
}

fn client_config() -> ClientConfig {
    ClientConfig::new()
}

/// Builds the session, starting the sandbox for the platforms that have no credentials.
pub(crate) fn session(settings: &Settings, tz: &str, need: Need) -> CliResult<Session> {
    let tz = time_zone(tz)?;
    let forced = settings.use_sandbox();
    let (wechat_creds, fw199_creds) = if forced {
        (None, None)
    } else {
        credentials(settings, need)?
    };
    let wechat_sandbox = need.wechat && wechat_creds.is_none();
    let fw199_sandbox = need.fw199 && fw199_creds.is_none();
    if need.writes && wechat_sandbox && !forced {
        return Err(CliError::usage(
            "this command writes to WeChat but no WeChat credentials are set: set REVIEWS_WECHAT_APPID and REVIEWS_WECHAT_SECRET (or --wechat-appid and --wechat-secret, or a profile), or pass --sandbox (REVIEWS_SANDBOX=1) to write to the embedded sandbox",
        ));
    }
    let sandbox = if wechat_sandbox || fw199_sandbox {
        let sandbox = Sandbox::builder()
            .start("127.0.0.1:0")
            .map_err(|e| CliError::runtime(format!("cannot start the embedded sandbox: {e}")))?;
        let which = match (wechat_sandbox, fw199_sandbox) {
            (true, true) => "WeChat and fw199",
            (true, false) => "WeChat",
            _ => "fw199",
        };
        let why = if forced {
            "--sandbox".to_owned()
        } else {
            format!("no {which} credentials")
        };
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "reviews: {why}: using the embedded sandbox at {} (seed {})",
                sandbox.base_url(),
                review_sandbox::DEFAULT_SEED
            );
        }
        Some(sandbox)
    } else {
        None
    };
    clients(settings, need, tz, (wechat_creds, fw199_creds), sandbox)
}

/// The session of one tenant of a fleet: the clients of the platforms `asked` for which the
/// profile has credentials (a mini program without a shop reads WeChat alone), never the
/// embedded sandbox; a profile with credentials for none of them is an error.
pub(crate) fn tenant_session(settings: &Settings, asked: Need) -> CliResult<Session> {
    let (wechat_creds, fw199_creds) = credentials(settings, asked)?;
    let need = Need {
        wechat: asked.wechat && wechat_creds.is_some(),
        fw199: asked.fw199 && fw199_creds.is_some(),
        writes: false,
    };
    if !need.wechat && !need.fw199 {
        let which = match (asked.wechat, asked.fw199) {
            (true, true) => "WeChat or fw199",
            (true, false) => "WeChat",
            _ => "fw199",
        };
        return Err(CliError::usage(format!(
            "the profile has no {which} credentials: add them to it, or leave it out of the fleet"
        )));
    }
    clients(
        settings,
        need,
        TimeZone::UTC,
        (wechat_creds, fw199_creds),
        None,
    )
}

/// Who we are to WeChat.
enum WechatCreds {
    /// An app's AppID and secret: tokens fetched from WeChat.
    App(String, SecretValue),
    /// Tokens from the merchant's own service.
    External(Arc<ExternalTokens>),
}

/// fw199's appid, secret and seller nick.
type Fw199Creds = (String, SecretValue, String);

/// WeChat's and fw199's credentials, each complete or absent.
type Credentials = (Option<WechatCreds>, Option<Fw199Creds>);

/// The credentials given, refusing half a set and a custom base URL without any. Secrets by
/// reference are not read here: only for a platform the command needs.
fn credentials(settings: &Settings, need: Need) -> CliResult<Credentials> {
    let command = settings.wechat_token_command.get();
    let env_token = settings.wechat_access_token.get();
    let wechat_creds = match (command, env_token) {
        (Some(_), Some(_)) => {
            return Err(CliError::usage(format!(
                "both a WeChat token command ({}) and {TOKEN_ENV} are set: unset one",
                settings.wechat_token_command.origin
            )));
        }
        (Some(command), None) => Some(WechatCreds::External(Arc::new(ExternalTokens::command(
            command.clone(),
        )))),
        (None, Some(token)) => Some(WechatCreds::External(Arc::new(ExternalTokens::env(
            token.clone(),
        )))),
        (None, None) => match (settings.wechat_appid.get(), settings.wechat_secret.get()) {
            (Some(appid), Some(secret)) => Some(WechatCreds::App(appid.clone(), secret.clone())),
            (Some(_), None) => {
                return Err(CliError::usage(
                    "--wechat-appid is set but --wechat-secret is not (REVIEWS_WECHAT_SECRET, or wechat_secret_env in a profile)",
                ));
            }
            (None, Some(_)) => {
                return Err(CliError::usage(
                    "--wechat-secret is set but --wechat-appid is not (REVIEWS_WECHAT_APPID, or wechat_appid in a profile)",
                ));
            }
            (None, None) => None,
        },
    };
    let fw199_creds = match (
        settings.fw199_appid.get(),
        settings.fw199_secret.get(),
        settings.seller_nick.get(),
    ) {
        (Some(appid), Some(secret), Some(nick)) => {
            Some((appid.clone(), secret.clone(), nick.clone()))
        }
        (None, None, None) => None,
        _ => {
            return Err(CliError::usage(
                "fw199 needs --fw199-appid, --fw199-secret and --seller-nick together (REVIEWS_FW199_APPID, REVIEWS_FW199_SECRET, REVIEWS_TAOBAO_SELLER_NICK, or a profile)",
            ));
        }
    };
    let wechat_url = settings
        .wechat_base_url
        .get()
        .map_or(BaseUrl::WECHAT_STR, String::as_str);
    if need.wechat && wechat_creds.is_none() && wechat_url != BaseUrl::WECHAT_STR {
        return Err(CliError::usage(format!(
            "--wechat-base-url is {} but no WeChat credentials are set: pass --wechat-appid and --wechat-secret (or a token with --wechat-token-command), or leave the base URL unset to use the embedded sandbox",
            url_for_message(wechat_url)
        )));
    }
    let fw199_url = settings
        .fw199_base_url
        .get()
        .map_or(BaseUrl::FW199_STR, String::as_str);
    if need.fw199 && fw199_creds.is_none() && fw199_url != BaseUrl::FW199_STR {
        return Err(CliError::usage(format!(
            "--fw199-base-url is {} but no fw199 credentials are set: pass --fw199-appid, --fw199-secret and --seller-nick, or leave the base URL unset to use the embedded sandbox",
            url_for_message(fw199_url)
        )));
    }
    Ok((wechat_creds, fw199_creds))
}

/// The kind of token `--token-mode` asks for.
fn refresh_kind(settings: &Settings) -> RefreshKind {
    match settings.token_mode.get() {
        Some(TokenMode::Plain) => RefreshKind::Plain,
        Some(TokenMode::Stable) | None => RefreshKind::Stable,
    }
}

/// The backend `--token-store` names.
fn token_backend(settings: &Settings) -> CliResult<Arc<dyn TokenBackend>> {
    match settings.token_store.get() {
        Some(choice) => tokens::backend(choice, settings.token_dir.get().map(|d| d.as_path())),
        None => Ok(Arc::new(MemoryBackend::new())),
    }
}

/// The clients: of the credentials given, or of the sandbox for a platform without them.
fn clients(
    settings: &Settings,
    need: Need,
    tz: TimeZone,
    (wechat_creds, fw199_creds): Credentials,
    sandbox: Option<Sandbox>,
) -> CliResult<Session> {
    let wechat = if need.wechat {
        let kind = refresh_kind(settings);
        let (url, config, external, appid) = match (wechat_creds, &sandbox) {
            (Some(WechatCreds::App(appid, secret)), _) => {
                let url = base_url(wechat_url(settings), "--wechat-base-url")?;
                let secret = secret.reveal("wechat_secret")?;
                let tokens = WechatTokens::new(kind).backend(token_backend(settings)?);
                let config = client_config().wechat_tokens(
                    url.clone(),
                    AppId::new(appid.clone()),
                    secret,
                    tokens,
                );
                (url, config, None, appid)
            }
            (Some(WechatCreds::External(store)), _) => {
                let url = base_url(wechat_url(settings), "--wechat-base-url")?;
                let config = client_config().wechat_with_store(url.clone(), store.clone());
                let appid = settings
                    .wechat_appid
                    .get()
                    .cloned()
                    .unwrap_or_else(|| host(&url));
                (url, config, Some(store), appid)
            }
            (None, Some(sandbox)) => {
                let url = base_url(sandbox.base_url(), "sandbox")?;
                // The embedded sandbox's tokens die with this process, so a shared store
                // (a file, Redis) would only keep dead tokens: memory, whatever
                // --token-store says.
                let tokens = WechatTokens::new(kind).backend(Arc::new(MemoryBackend::new()));
                let config = client_config().wechat_tokens(
                    url.clone(),
                    sandbox.wechat().appid.clone(),
                    sandbox.wechat().secret.clone(),
                    tokens,
                );
                (url, config, None, sandbox.wechat().appid.to_string())
            }
            (None, None) => return Err(CliError::usage("no WeChat credentials")),
        };
        let host = host(&url);
        let client = review_ureq::client(config);
        Some(Wechat {
            client,
            host,
            appid,
            external,
        })
    } else {
        None
    };
    let fw199 = if need.fw199 {
        let (url, appid, secret, nick) = match (fw199_creds, &sandbox) {
            (Some((appid, secret, nick)), _) => {
                let url = settings
                    .fw199_base_url
                    .get()
                    .map_or(BaseUrl::FW199_STR, String::as_str);
                (
                    base_url(url, "--fw199-base-url")?,
                    appid,
                    secret.reveal("fw199_secret")?,
                    nick,
                )
            }
            (None, Some(sandbox)) => {
                let f = sandbox.taobao();
                (
                    base_url(sandbox.base_url(), "sandbox")?,
                    f.gateway.appid.clone(),
                    f.gateway.secret.clone(),
                    f.seller_nick.clone(),
                )
            }
            (None, None) => return Err(CliError::usage("no fw199 credentials")),
        };
        let host = host(&url);
        let client = review_ureq::client(client_config().fw199(url, appid, secret, nick.clone()));
        Some(Fw199 {
            client,
            host,
            seller_nick: nick,
        })
    } else {
        None
    };
    Ok(Session {
        tz,
        wechat,
        fw199,
        _sandbox: sandbox,
    })
}

fn wechat_url(settings: &Settings) -> &str {
    settings
        .wechat_base_url
        .get()
        .map_or(BaseUrl::WECHAT_STR, String::as_str)
}

//! From options and environment to ready clients, starting the embedded sandbox for any
//! platform without credentials.

use jiff::tz::{Offset, TimeZone};
use review_client::ClientConfig;
use review_model::{AppId, Secret};
use review_protocol::BaseUrl;
use review_protocol::redact::url_for_message;
use review_sandbox::Sandbox;

use crate::cli::PlatformArgs;
use crate::error::{CliError, CliResult};

/// Which platforms a command needs, and whether it writes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Need {
    pub(crate) wechat: bool,
    pub(crate) fw199: bool,
    /// Writes go to the embedded sandbox only when `--sandbox` says so.
    pub(crate) writes: bool,
}

/// A WeChat client and the host it talks to (for error messages).
pub(crate) struct Wechat {
    pub(crate) client: review_ureq::Client,
    pub(crate) host: String,
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
pub(crate) fn session(args: &PlatformArgs, tz: &str, need: Need) -> CliResult<Session> {
    let tz = time_zone(tz)?;
    let forced = args.use_sandbox;
    let (wechat_creds, fw199_creds) = if forced {
        (None, None)
    } else {
        credentials(args, need)?
    };
    let wechat_sandbox = need.wechat && wechat_creds.is_none();
    let fw199_sandbox = need.fw199 && fw199_creds.is_none();
    if need.writes && wechat_sandbox && !forced {
        return Err(CliError::usage(
            "this command writes to WeChat but no WeChat credentials are set: set REVIEWS_WECHAT_APPID and REVIEWS_WECHAT_SECRET (or --wechat-appid and --wechat-secret), or pass --sandbox (REVIEWS_SANDBOX=1) to write to the embedded sandbox",
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
    clients(args, need, tz, &(wechat_creds, fw199_creds), sandbox)
}

/// WeChat's (appid, secret) and fw199's (appid, secret, seller nick), each complete or absent.
type Credentials = (Option<(String, String)>, Option<(String, String, String)>);

/// The credentials given, refusing half a set and a custom base URL without any.
fn credentials(args: &PlatformArgs, need: Need) -> CliResult<Credentials> {
    let wechat_creds = match (&args.wechat_appid, &args.wechat_secret) {
        (Some(appid), Some(secret)) => Some((appid.clone(), secret.clone())),
        (Some(_), None) => {
            return Err(CliError::usage(
                "--wechat-appid is set but --wechat-secret is not (REVIEWS_WECHAT_SECRET)",
            ));
        }
        (None, Some(_)) => {
            return Err(CliError::usage(
                "--wechat-secret is set but --wechat-appid is not (REVIEWS_WECHAT_APPID)",
            ));
        }
        (None, None) => None,
    };
    let fw199_creds = match (&args.fw199_appid, &args.fw199_secret, &args.seller_nick) {
        (Some(appid), Some(secret), Some(nick)) => {
            Some((appid.clone(), secret.clone(), nick.clone()))
        }
        (None, None, None) => None,
        _ => {
            return Err(CliError::usage(
                "fw199 needs --fw199-appid, --fw199-secret and --seller-nick together (REVIEWS_FW199_APPID, REVIEWS_FW199_SECRET, REVIEWS_TAOBAO_SELLER_NICK)",
            ));
        }
    };
    if need.wechat && wechat_creds.is_none() && args.wechat_base_url != BaseUrl::WECHAT_STR {
        return Err(CliError::usage(format!(
            "--wechat-base-url is {} but no WeChat credentials are set: pass --wechat-appid and --wechat-secret, or leave the base URL unset to use the embedded sandbox",
            url_for_message(&args.wechat_base_url)
        )));
    }
    if need.fw199 && fw199_creds.is_none() && args.fw199_base_url != BaseUrl::FW199_STR {
        return Err(CliError::usage(format!(
            "--fw199-base-url is {} but no fw199 credentials are set: pass --fw199-appid, --fw199-secret and --seller-nick, or leave the base URL unset to use the embedded sandbox",
            url_for_message(&args.fw199_base_url)
        )));
    }
    Ok((wechat_creds, fw199_creds))
}

/// The clients: of the credentials given, or of the sandbox for a platform without them.
fn clients(
    args: &PlatformArgs,
    need: Need,
    tz: TimeZone,
    (wechat_creds, fw199_creds): &Credentials,
    sandbox: Option<Sandbox>,
) -> CliResult<Session> {
    let wechat = if need.wechat {
        let (url, appid, secret) = match (wechat_creds, &sandbox) {
            (Some((appid, secret)), _) => (
                base_url(&args.wechat_base_url, "--wechat-base-url")?,
                AppId::new(appid.clone()),
                Secret::new(secret.clone()),
            ),
            (None, Some(sandbox)) => (
                base_url(sandbox.base_url(), "sandbox")?,
                sandbox.wechat().appid.clone(),
                sandbox.wechat().secret.clone(),
            ),
            (None, None) => return Err(CliError::usage("no WeChat credentials")),
        };
        let host = host(&url);
        let client = review_ureq::client(client_config().wechat(url, appid, secret));
        Some(Wechat { client, host })
    } else {
        None
    };
    let fw199 = if need.fw199 {
        let (url, appid, secret, nick) = match (fw199_creds, &sandbox) {
            (Some((appid, secret, nick)), _) => (
                base_url(&args.fw199_base_url, "--fw199-base-url")?,
                appid.clone(),
                Secret::new(secret.clone()),
                nick.clone(),
            ),
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

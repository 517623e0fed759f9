//! From `reviews sandbox`'s options to a checked [`SandboxBuilder`]: every bad value is refused
//! here with exit 2, so that only a failure to bind is left for run time (exit 1).

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use review_protocol::wechat::push::{EncodingAesKey, Format, PushConfig};
use review_sandbox::{PushTarget, Sandbox, SandboxBuilder, SandboxError};

use crate::cli::SandboxArgs;
use crate::error::{CliError, CliResult};

/// A builder and the address it will listen on.
pub(super) struct Start {
    builder: SandboxBuilder,
    addr: String,
    resolved: Vec<SocketAddr>,
}

impl Start {
    /// Binds and starts serving on a thread of its own.
    pub(super) fn start(self) -> CliResult<Sandbox> {
        let addr = self.addr;
        self.builder
            .start(self.resolved.as_slice())
            .map_err(|err| match err {
                SandboxError::Bind { source, .. } => CliError::runtime(format!(
                    "cannot listen on {addr}: {source}; pick another --addr (127.0.0.1:0 picks a free port)"
                )),
                // Every other setting was checked already: what is left is the push URL.
                SandboxError::Setting(message) => CliError::usage(format!("--push-url: {message}")),
                // The parser checks the same ranges; should one differ, it is still bad input.
                err @ SandboxError::OutOfRange { .. } => CliError::usage(err.to_string()),
                other => CliError::runtime(other.to_string()),
            })
    }
}

/// Checks every option and builds the sandbox's configuration.
pub(super) fn from_args(args: &SandboxArgs) -> CliResult<Start> {
    let resolved = resolve(&args.addr)?;
    totals(args)?;
    let mut builder = Sandbox::builder()
        .seed(args.seed)
        .comments(args.comments)
        .rates(args.rates)
        .plain_token_daily_quota(args.plain_token_quota)
        .faults(args.faults)
        .latency(Duration::from_millis(args.latency))
        .quota_window(Duration::from_millis(args.quota_window_ms))
        .tenants(args.tenants);
    if let Some(calls) = args.quota_per_minute {
        builder = builder.quota_per_minute(calls);
    }
    if let Some(url) = &args.push_url {
        builder = builder.push(push_target(args, url)?);
        // The ranges of the sizes, rates and intervals were checked when parsing (cli.rs).
        if let Some(seconds) = args.push_every {
            builder = builder.push_every(Duration::from_secs(seconds));
        }
    }
    Ok(Start {
        builder,
        addr: args.addr.clone(),
        resolved,
    })
}

/// Every tenant holds its own comments and rates: the totals have the single maxima.
fn totals(args: &SandboxArgs) -> CliResult {
    let all = [
        (
            "--comments",
            "comments",
            args.comments,
            review_sandbox::MAX_COMMENTS,
        ),
        ("--rates", "rates", args.rates, review_sandbox::MAX_RATES),
    ];
    for (option, what, each, max) in all {
        let total = args.tenants.saturating_mul(each);
        if total > max {
            return Err(CliError::usage(format!(
                "--tenants {} × {option} {each} is {total} {what} in all, above the {max} the sandbox holds: lower {option} or --tenants",
                args.tenants
            )));
        }
    }
    Ok(())
}

/// `--addr` as socket addresses; a malformed address is bad input, not a run-time failure.
fn resolve(addr: &str) -> CliResult<Vec<SocketAddr>> {
    let bad = || {
        CliError::usage(format!(
            "--addr {addr:?} is not an address: use HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free one)"
        ))
    };
    let resolved: Vec<SocketAddr> = addr.to_socket_addrs().map_err(|_| bad())?.collect();
    if resolved.is_empty() {
        return Err(bad());
    }
    Ok(resolved)
}

/// The push target of `--push-*`. The token and key are checked here, so the message names the
/// option; the URL is checked when the sandbox starts (a refusal there is bad input too).
fn push_target(args: &SandboxArgs, url: &str) -> CliResult<PushTarget> {
    let format = match args.push_format.to_ascii_lowercase().as_str() {
        "xml" => Format::Xml,
        "json" => Format::Json,
        _ => {
            return Err(CliError::usage(format!(
                "--push-format {:?} is not a format: use xml or json",
                args.push_format
            )));
        }
    };
    PushConfig::new(args.push_token.as_str())
        .map_err(|e| CliError::usage(format!("--push-token: {e}")))?;
    let target = PushTarget::new(url, args.push_token.clone()).format(format);
    Ok(match &args.push_aes_key {
        Some(key) => {
            EncodingAesKey::parse(key)
                .map_err(|e| CliError::usage(format!("--push-aes-key: {e}")))?;
            target.safe_mode(key.clone())
        }
        None => target,
    })
}

//! The command line (a contract: see docs/contracts.md). Every platform, credential and server
//! option has an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Manage WeChat Mini Program evaluations and Taobao trade rates. Without credentials, every
/// command runs against an embedded sandbox.
#[derive(Debug, Parser)]
#[command(name = "reviews", version, about, propagate_version = true)]
#[command(
    after_help = "Examples:\n  reviews export --since 30d --out reviews.jsonl\n  reviews wechat list --filter bad\n  reviews taobao search --result bad --since 2026-11-01\n  reviews sandbox --addr 127.0.0.1:8080"
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) platforms: PlatformArgs,

    #[command(flatten)]
    pub(crate) tokens: TokenArgs,

    #[command(flatten)]
    pub(crate) profile: ProfileArgs,

    /// Time zone for tables: an IANA name (Asia/Shanghai) or an offset (+08:00).
    #[arg(long, global = true, env = "REVIEWS_TZ", default_value = "+08:00")]
    pub(crate) tz: String,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the platforms are and who we are to them.
#[derive(Debug, Args)]
pub(crate) struct PlatformArgs {
    /// WeChat API base URL.
    #[arg(
        long,
        global = true,
        env = "REVIEWS_WECHAT_BASE_URL",
        hide_env_values = true,
        default_value = "https://api.weixin.qq.com"
    )]
    pub(crate) wechat_base_url: String,
    /// WeChat mini program AppID.
    #[arg(long, global = true, env = "REVIEWS_WECHAT_APPID")]
    pub(crate) wechat_appid: Option<String>,
    /// WeChat app secret. Prefer the environment variable: a flag is visible to every user
    /// of the machine in the process list and lands in shell history.
    #[arg(
        long,
        global = true,
        env = "REVIEWS_WECHAT_SECRET",
        hide_env_values = true
    )]
    pub(crate) wechat_secret: Option<String>,
    /// fw199 gateway base URL.
    #[arg(
        long,
        global = true,
        env = "REVIEWS_FW199_BASE_URL",
        hide_env_values = true,
        default_value = "https://kf.fw199.com"
    )]
    pub(crate) fw199_base_url: String,
    /// fw199 partner AppId.
    #[arg(long, global = true, env = "REVIEWS_FW199_APPID")]
    pub(crate) fw199_appid: Option<String>,
    /// fw199 partner secret. Prefer the environment variable: a flag is visible to every user
    /// of the machine in the process list and lands in shell history.
    #[arg(
        long,
        global = true,
        env = "REVIEWS_FW199_SECRET",
        hide_env_values = true
    )]
    pub(crate) fw199_secret: Option<String>,
    /// Taobao seller login nick (not the shop name).
    #[arg(long, global = true, env = "REVIEWS_TAOBAO_SELLER_NICK")]
    pub(crate) seller_nick: Option<String>,
    /// Use the embedded sandbox for every platform, whatever credentials are set. Reads
    /// without credentials use it anyway; writes without credentials need this flag, so that
    /// a missing or misspelt variable never sends a reply nowhere.
    #[arg(
        long = "sandbox",
        global = true,
        env = "REVIEWS_SANDBOX",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::SetTrue
    )]
    pub(crate) use_sandbox: bool,
}

/// How WeChat access tokens are fetched and where they are kept.
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// stable (`/cgi-bin/stable_token`, shared by every process of the app) or plain
    /// (`/cgi-bin/token`: each fetch ends the previous plain token, so only for an app whose
    /// plain token nothing else uses).
    #[arg(
        long,
        global = true,
        env = "REVIEWS_TOKEN_MODE",
        value_enum,
        default_value = "stable"
    )]
    pub(crate) token_mode: TokenMode,
    /// Where tokens are shared between runs and processes: file (under --token-dir), memory
    /// (this process only) or redis://HOST:PORT/DB (a fleet).
    #[arg(
        long,
        global = true,
        env = "REVIEWS_TOKEN_STORE",
        hide_env_values = true,
        value_name = "STORE",
        default_value = "file"
    )]
    // Checked after parsing, by `StoreChoice::parse`: clap would echo a bad value whole, and a
    // Redis URL may hold a password.
    pub(crate) token_store: String,
    /// The file store's directory (default: tokens under the user's cache directory).
    #[arg(long, global = true, env = "REVIEWS_TOKEN_DIR", value_name = "DIR")]
    pub(crate) token_dir: Option<PathBuf>,
    /// Take WeChat access tokens from this command of the merchant's own token service, run
    /// with `sh -c`: it prints a token (taken as valid for 2 hours) or
    /// {"access_token":"...","expires_in":N}. With it (or with a token in
    /// REVIEWS_WECHAT_ACCESS_TOKEN) no WeChat AppID or secret is needed.
    #[arg(
        long,
        global = true,
        env = "REVIEWS_WECHAT_TOKEN_COMMAND",
        hide_env_values = true,
        value_name = "CMD"
    )]
    pub(crate) wechat_token_command: Option<String>,
}

/// Which kind of WeChat access token to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TokenMode {
    /// `POST /cgi-bin/stable_token`.
    Stable,
    /// `GET /cgi-bin/token`.
    Plain,
}

impl TokenMode {
    /// The name on the command line and in the config file.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::Plain => "plain",
        }
    }
}

/// The config file and the profile in it.
#[derive(Debug, Args)]
pub(crate) struct ProfileArgs {
    /// The TOML config file of profiles (default: reviews/config.toml under the user's config
    /// directory; a missing default file is no error).
    #[arg(long, global = true, env = "REVIEWS_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// The profile of the config file to use (default: [profiles.default], if there is one).
    /// `export` and `sync` also take a comma list (`shop-a,shop-b`): one run over those
    /// tenants, each with its own credentials, tokens and pacing.
    #[arg(
        long,
        global = true,
        env = "REVIEWS_PROFILE",
        value_name = "NAME[,NAME...]"
    )]
    pub(crate) profile: Option<String>,
}

/// A run over several tenants (profiles) at once: `export` and `sync` only.
#[derive(Debug, Clone, Args)]
pub(crate) struct FleetArgs {
    /// Run over every profile of the config file, in the order of their names (as --profile
    /// with all of them).
    #[arg(
        long,
        env = "REVIEWS_ALL_PROFILES",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::SetTrue
    )]
    pub(crate) all_profiles: bool,
    /// Tenants read at once when there are several, 1 to 256; each has its own
    /// --concurrency per platform.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 8,
        env = "REVIEWS_TENANTS_IN_FLIGHT",
        value_parser = tenants_in_flight,
        allow_negative_numbers = true
    )]
    pub(crate) tenants_in_flight: usize,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// WeChat Mini Program evaluations.
    #[command(
        subcommand,
        after_help = "Examples:\n  reviews wechat list --filter awaiting-reply\n  reviews wechat reply 2797755680173111111 '感谢您的反馈'"
    )]
    Wechat(WechatCommand),
    /// Taobao trade rates through fw199.
    #[command(
        subcommand,
        after_help = "Examples:\n  reviews taobao search --result bad --since 7d"
    )]
    Taobao(TaobaoCommand),
    /// Export reviews of both platforms as the unified record.
    #[command(
        after_help = "Examples:\n  reviews export\n  reviews export --platform taobao --since 2026-06-01 --format csv --out rates.csv"
    )]
    Export(ExportArgs),
    /// Bring the local mirror up to date: new reviews, replies, revisions, process steps.
    #[command(
        after_help = "Examples:\n  reviews sync\n  reviews sync --db postgres://reviews@db.internal/reviews --changes -\n  reviews sync --platform wechat --since 2026-06-01 --lookback 30d"
    )]
    Sync(SyncArgs),
    /// What needs an answer, oldest first, from the mirror alone (no API call).
    #[command(
        after_help = "Examples:\n  reviews inbox\n  reviews inbox --format jsonl | jq .id\n  reviews inbox --view pending-settlement"
    )]
    Inbox(InboxArgs),
    /// Receive WeChat's pushes.
    #[command(
        subcommand,
        after_help = "Examples:\n  reviews webhook serve --addr 0.0.0.0:8080 --token PushToken123"
    )]
    Webhook(WebhookCommand),
    /// Serve the emulator of both platforms.
    #[command(
        after_help = "Examples:\n  reviews sandbox\n  reviews sandbox --addr 127.0.0.1:8080 --seed 7 --faults 0.2"
    )]
    Sandbox(SandboxArgs),
    /// Show the settings in force.
    #[command(
        subcommand,
        after_help = "Examples:\n  reviews config show\n  reviews --profile prod config show --format json"
    )]
    Config(ConfigCommand),
    /// Print shell completions.
    #[command(
        after_help = "Examples:\n  reviews completions bash > /etc/bash_completion.d/reviews"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print every setting, where it came from, and secrets masked.
    #[command(
        after_help = "Examples:\n  reviews config show\n  REVIEWS_PROFILE=prod reviews config show --format json"
    )]
    Show {
        /// text (one setting a line) or json.
        #[arg(long, value_enum, default_value = "text")]
        format: ShowFormat,
    },
}

/// Output formats of `config show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// `name = value (source)`, one a line.
    Text,
    /// One JSON object: name to value and source.
    Json,
}

/// Output formats of listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// A table (the default on a terminal).
    Table,
    /// One JSON object per line (the default in a pipe).
    Json,
    /// Comma-separated values with a header.
    Csv,
}

/// Output formats of exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// One unified record per line.
    Jsonl,
    /// Comma-separated values with a header.
    Csv,
}

/// Which platforms to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlatformChoice {
    /// WeChat only.
    Wechat,
    /// Taobao only.
    Taobao,
    /// Both.
    All,
}

/// A time window: `T` is RFC 3339, a date (China Standard Time midnight), Unix seconds, or a
/// span back from now (`7d`, `12h`).
#[derive(Debug, Clone, Args)]
pub(crate) struct Window {
    /// Start of the window (default: 30 days ago).
    #[arg(long, value_name = "T")]
    pub(crate) since: Option<String>,
    /// End of the window (default: now).
    #[arg(long, value_name = "T")]
    pub(crate) until: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum WechatCommand {
    /// List evaluations.
    #[command(
        after_help = "Examples:\n  reviews wechat list --filter bad --since 7d\n  reviews wechat list --format csv > comments.csv"
    )]
    List {
        /// bad | positive | pending-compromise | awaiting-reply | revised | all
        #[arg(long, default_value = "all")]
        filter: String,
        #[command(flatten)]
        window: Window,
        /// table, json or csv (default: table on a terminal, json otherwise).
        #[arg(long)]
        format: Option<ListFormat>,
    },
    /// Show one evaluation in full.
    #[command(after_help = "Examples:\n  reviews wechat show 2797755680173111111")]
    Show {
        /// The comment id.
        id: String,
        /// table or json.
        #[arg(long)]
        format: Option<ListFormat>,
    },
    /// Show the reply thread of an evaluation.
    #[command(after_help = "Examples:\n  reviews wechat thread 2797755680173111111")]
    Thread {
        /// The comment id.
        id: String,
        /// table or json.
        #[arg(long)]
        format: Option<ListFormat>,
    },
    /// Reply to an evaluation, or follow up under the first reply with --to.
    #[command(
        after_help = "Examples:\n  reviews wechat reply 2797755680173111111 '非常抱歉,马上为您处理'\n  reviews wechat reply 2797755680173111111 '已补发' --to 1"
    )]
    Reply {
        /// The comment id.
        id: String,
        /// The text.
        text: String,
        /// Follow up under this first reply instead.
        #[arg(long, value_name = "REPLY_ID")]
        to: Option<String>,
    },
    /// Delete the first reply (and its follow-ups), or one follow-up with --comment-reply.
    #[command(
        after_help = "Examples:\n  reviews wechat delete-reply 2797755680173111111 1\n  reviews wechat delete-reply 2797755680173111111 1 --comment-reply 2"
    )]
    DeleteReply {
        /// The comment id.
        id: String,
        /// The first reply's id.
        reply_id: String,
        /// Delete only this follow-up.
        #[arg(long, value_name = "ID")]
        comment_reply: Option<String>,
    },
    /// Open a customer-service session with the author of a bad review.
    #[command(after_help = "Examples:\n  reviews wechat kf-reset 2797755680173111111")]
    KfReset {
        /// The comment id.
        id: String,
    },
    /// Send a customer-service text message.
    #[command(
        after_help = "Examples:\n  reviews wechat message oQ3Xv5Gh9Ij2Kl5Mn8Op1Qr4St7U '您好,退款已处理'"
    )]
    Message {
        /// The user's openid.
        openid: String,
        /// The text.
        text: String,
    },
    /// Confirm a settlement with the author of a bad review.
    #[command(
        after_help = "Examples:\n  reviews wechat compromise 2797755680173111111 --text '已退款' --pic refund.png"
    )]
    Compromise {
        /// The comment id.
        id: String,
        /// The settlement text.
        #[arg(long)]
        text: Option<String>,
        /// A picture (JPEG, PNG, GIF or BMP), uploaded first; repeat for several.
        #[arg(long, value_name = "FILE")]
        pic: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum TaobaoCommand {
    /// Search the shop's trade rates.
    #[command(
        after_help = "Examples:\n  reviews taobao search --result bad --since 7d\n  reviews taobao search --rate-type give --role seller --format json"
    )]
    Search {
        /// good | neutral | bad
        #[arg(long)]
        result: Option<String>,
        /// get | give (default get)
        #[arg(long, default_value = "get")]
        rate_type: String,
        /// buyer | seller (default buyer)
        #[arg(long, default_value = "buyer")]
        role: String,
        #[command(flatten)]
        window: Window,
        /// table, json or csv (default: table on a terminal, json otherwise).
        #[arg(long)]
        format: Option<ListFormat>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// wechat, taobao or all.
    #[arg(long, value_enum, default_value = "all")]
    pub(crate) platform: PlatformChoice,
    #[command(flatten)]
    pub(crate) window: Window,
    /// jsonl or csv.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub(crate) format: ExportFormat,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) pace: PaceArgs,
    #[command(flatten)]
    pub(crate) fleet: FleetArgs,
}

/// How hard a walk may press the platforms.
#[derive(Debug, Clone, Args)]
pub(crate) struct PaceArgs {
    /// Requests in flight per platform at most (1 reads one page at a time). A throttle
    /// (WeChat 45011 or -1) halves it and waits; answers grow it back.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 8,
        env = "REVIEWS_CONCURRENCY",
        value_parser = concurrency,
        allow_negative_numbers = true
    )]
    pub(crate) concurrency: usize,
    /// The platforms' quota window in milliseconds (a spent quota waits for the next one),
    /// 10 to 86400000; WeChat's is a minute. For tests and benchmarks against a sandbox with
    /// a shorter --quota-window-ms.
    #[arg(
        long,
        value_name = "MS",
        env = "REVIEWS_QUOTA_WINDOW_MS",
        default_value_t = 60_000,
        value_parser = quota_window_ms,
        allow_negative_numbers = true,
        hide = true
    )]
    pub(crate) quota_window_ms: u64,
}

impl PaceArgs {
    /// The walks' bounds.
    pub(crate) fn settings(&self) -> review_protocol::concurrent::Concurrency {
        review_protocol::concurrent::Concurrency::new(self.concurrency)
            .quota_window(std::time::Duration::from_millis(self.quota_window_ms))
    }
}

/// Where the local mirror is.
#[derive(Debug, Clone, Args)]
pub(crate) struct DbArgs {
    /// The mirror: sqlite:PATH or postgres://USER@HOST:PORT/DB (default: mirror.sqlite3 under
    /// the user's data directory, e.g. ~/.local/share/reviews/mirror.sqlite3).
    #[arg(long, env = "REVIEWS_DB", value_name = "URL", hide_env_values = true)]
    pub(crate) db: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// wechat, taobao or all.
    #[arg(long, value_enum, default_value = "all")]
    pub(crate) platform: PlatformChoice,
    /// Where a first sync starts (default 180d); given later, an earlier time backfills.
    /// `T` as for export.
    #[arg(long, value_name = "T")]
    pub(crate) since: Option<String>,
    /// How far before the last sync's bookmark to read again, to catch replies, revisions
    /// and process steps of recent reviews.
    #[arg(
        long,
        value_name = "D",
        default_value = "14d",
        env = "REVIEWS_SYNC_LOOKBACK"
    )]
    pub(crate) lookback: String,
    /// Write each new or changed review here as a JSON line (the unified record plus
    /// "change"); `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) changes: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) pace: PaceArgs,
    #[command(flatten)]
    pub(crate) fleet: FleetArgs,
}

#[derive(Debug, Args)]
pub(crate) struct InboxArgs {
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// What to list.
    #[arg(long, value_enum, default_value = "unanswered")]
    pub(crate) view: InboxChoice,
    /// wechat, taobao or all.
    #[arg(long, value_enum, default_value = "all")]
    pub(crate) platform: PlatformChoice,
    /// table, jsonl or csv (default: a table on a terminal, JSON lines in a pipe).
    #[arg(long, value_enum)]
    pub(crate) format: Option<InboxFormat>,
}

/// The inbox's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InboxChoice {
    /// WeChat 1-2 star reviews and Taobao bad or neutral rates with no merchant reply.
    Unanswered,
    /// WeChat bad reviews not settled yet (the pending-compromise listing).
    PendingSettlement,
    /// WeChat bad reviews replied to but not settled yet.
    RepliedUnsettled,
}

/// Output formats of the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InboxFormat {
    /// A table for the terminal.
    Table,
    /// One JSON object a line, with the unified record's keys.
    Jsonl,
    /// CSV with a header.
    Csv,
}

#[derive(Debug, Subcommand)]
pub(crate) enum WebhookCommand {
    /// Answer WeChat's URL check and print each verified push as one JSON line.
    #[command(
        after_help = "Examples:\n  reviews webhook serve --addr 0.0.0.0:8080 --token PushToken123\n  reviews webhook serve --addr 0.0.0.0:8080 --token PushToken123 --aes-key <43 chars> --appid wx1234567890abcdef"
    )]
    Serve {
        /// Where to listen.
        #[arg(long, env = "REVIEWS_WEBHOOK_ADDR")]
        addr: SocketAddr,
        /// The push token set on the WeChat console (prefer REVIEWS_WEBHOOK_TOKEN: a flag shows
        /// in the process list).
        #[arg(long, env = "REVIEWS_WEBHOOK_TOKEN", hide_env_values = true)]
        token: String,
        /// The EncodingAESKey: safe mode, encrypted pushes only (prefer
        /// REVIEWS_WEBHOOK_AES_KEY: a flag shows in the process list).
        #[arg(
            long,
            env = "REVIEWS_WEBHOOK_AES_KEY",
            hide_env_values = true,
            requires = "appid"
        )]
        aes_key: Option<String>,
        /// The mini program's AppID (with --aes-key).
        #[arg(long, env = "REVIEWS_WEBHOOK_APPID", requires = "aes_key")]
        appid: Option<String>,
        /// With --aes-key, also accept plaintext pushes. Their `signature` covers the token,
        /// timestamp and nonce but not the body: whoever sees one push URL can post other
        /// bodies under it for the 5-minute replay window. Without --aes-key every push is
        /// plaintext, with that weakness.
        #[arg(
            long,
            env = "REVIEWS_WEBHOOK_ALLOW_PLAINTEXT",
            requires = "aes_key",
            value_parser = clap::builder::BoolishValueParser::new(),
            action = clap::ArgAction::SetTrue
        )]
        allow_plaintext: bool,
        /// The largest body accepted, in bytes, 256 to 16777216 (WeChat's pushes are a few KB).
        #[arg(
            long,
            default_value_t = 64 * 1024,
            value_parser = max_body,
            allow_negative_numbers = true
        )]
        max_body: usize,
        /// Commit each push to this mirror's `push_events` before answering 200: `sqlite:PATH`
        /// or `postgres://USER@HOST/DB` (prefer REVIEWS_DB when it holds a password). With
        /// WeChat credentials (--wechat-appid/--wechat-secret or a profile) each bad review's
        /// detail is fetched into the mirror's `reviews` table too.
        #[arg(long, env = "REVIEWS_DB", hide_env_values = true, value_name = "URL")]
        db: Option<String>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Where to listen.
    #[arg(long, env = "REVIEWS_SANDBOX_ADDR", default_value = "127.0.0.1:0")]
    pub(crate) addr: String,
    /// The seed of every id, text and fault, 0 to 18446744073709551615.
    #[arg(
        long,
        default_value_t = review_sandbox::DEFAULT_SEED,
        value_parser = seed,
        allow_negative_numbers = true
    )]
    pub(crate) seed: u64,
    /// WeChat comments to generate, 0 to 500000.
    #[arg(long, default_value_t = 240, value_parser = comments, allow_negative_numbers = true)]
    pub(crate) comments: usize,
    /// Taobao rates to generate, 0 to 1000000.
    #[arg(long, default_value_t = 2400, value_parser = rates, allow_negative_numbers = true)]
    pub(crate) rates: usize,
    /// Plain `/cgi-bin/token` calls allowed a day, as WeChat's 2000 (then 45009), 0 to 1000000.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 2000,
        value_parser = token_quota,
        allow_negative_numbers = true
    )]
    pub(crate) plain_token_quota: u32,
    /// Share of API calls that fail, from 0 (none) to 1 (every call).
    #[arg(
        long,
        value_name = "RATE",
        default_value_t = 0.0,
        value_parser = fault_rate,
        allow_negative_numbers = true
    )]
    pub(crate) faults: f64,
    /// Push bad reviews to this URL.
    #[arg(long, value_name = "URL")]
    pub(crate) push_url: Option<String>,
    /// The push token (with --push-url).
    #[arg(long, requires = "push_url", default_value = "PushToken123")]
    pub(crate) push_token: String,
    /// Push in safe mode with this EncodingAESKey.
    #[arg(long, requires = "push_url")]
    pub(crate) push_aes_key: Option<String>,
    /// Push as xml or json.
    #[arg(long, default_value = "xml")]
    pub(crate) push_format: String,
    /// Create and push a bad review every N seconds, 1 to 86400.
    #[arg(
        long,
        value_name = "SECONDS",
        requires = "push_url",
        value_parser = push_every,
        allow_negative_numbers = true
    )]
    pub(crate) push_every: Option<u64>,
    /// Delay every WeChat and fw199 answer by about MS milliseconds (0.8 to 1.2 times it,
    /// seeded), 0 to 60000; concurrent requests overlap as on a real network.
    #[arg(
        long,
        value_name = "MS",
        env = "REVIEWS_SANDBOX_LATENCY_MS",
        default_value_t = 0,
        value_parser = latency_ms,
        allow_negative_numbers = true
    )]
    pub(crate) latency: u64,
    /// Grant each tenant at most N review-API calls a minute per platform (then WeChat 45011,
    /// fw199 code 10007 until the next minute), 1 to 10000000; unset: no quota.
    #[arg(
        long,
        value_name = "N",
        env = "REVIEWS_SANDBOX_QUOTA_PER_MINUTE",
        value_parser = quota_per_minute,
        allow_negative_numbers = true
    )]
    pub(crate) quota_per_minute: Option<u32>,
    /// The quota's window in milliseconds instead of a minute, 10 to 86400000 (for tests).
    #[arg(
        long,
        value_name = "MS",
        env = "REVIEWS_SANDBOX_QUOTA_WINDOW_MS",
        default_value_t = 60_000,
        value_parser = quota_window_ms,
        allow_negative_numbers = true,
        hide = true
    )]
    pub(crate) quota_window_ms: u64,
    /// Serve N tenants (mini programs and shops), each with its own credentials and its own
    /// --comments and --rates, 1 to 10000; tenant 0 is the one of the readiness line, the
    /// others are at GET /sandbox/tenants.
    #[arg(
        long,
        value_name = "N",
        env = "REVIEWS_SANDBOX_TENANTS",
        default_value_t = 1,
        value_parser = tenants,
        allow_negative_numbers = true
    )]
    pub(crate) tenants: usize,
}

/// A whole number in `range`, or a message that says what the option takes.
fn count_in(text: &str, range: std::ops::RangeInclusive<u64>, what: &str) -> Result<u64, String> {
    let shown = crate::time::shown(text);
    let out_of_range = || {
        format!(
            "{shown} is not {what}: use a whole number from {} to {}",
            range.start(),
            range.end()
        )
    };
    let value: u64 = text.trim().parse().map_err(|_| out_of_range())?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(out_of_range())
    }
}

fn concurrency(text: &str) -> Result<usize, String> {
    count_in(text, 1..=64, "a number of requests in flight").map(|n| n as usize)
}

fn tenants_in_flight(text: &str) -> Result<usize, String> {
    count_in(text, 1..=256, "a number of tenants in flight").map(|n| n as usize)
}

fn comments(text: &str) -> Result<usize, String> {
    let max = review_sandbox::MAX_COMMENTS as u64;
    count_in(text, 0..=max, "a number of comments").map(|n| n as usize)
}

fn rates(text: &str) -> Result<usize, String> {
    let max = review_sandbox::MAX_RATES as u64;
    count_in(text, 0..=max, "a number of rates").map(|n| n as usize)
}

fn token_quota(text: &str) -> Result<u32, String> {
    let max = u64::from(review_sandbox::MAX_TOKEN_DAILY_QUOTA);
    count_in(text, 0..=max, "a number of calls a day").map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn latency_ms(text: &str) -> Result<u64, String> {
    let max = u64::try_from(review_sandbox::MAX_LATENCY.as_millis()).unwrap_or(u64::MAX);
    count_in(text, 0..=max, "a latency in milliseconds")
}

fn quota_per_minute(text: &str) -> Result<u32, String> {
    let max = u64::from(review_sandbox::MAX_QUOTA_PER_MINUTE);
    count_in(text, 1..=max, "a number of calls a minute")
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn quota_window_ms(text: &str) -> Result<u64, String> {
    let millis = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let range = millis(review_sandbox::MIN_QUOTA_WINDOW)..=millis(review_sandbox::MAX_QUOTA_WINDOW);
    count_in(text, range, "a window in milliseconds")
}

fn tenants(text: &str) -> Result<usize, String> {
    let max = review_sandbox::MAX_TENANTS as u64;
    count_in(text, 1..=max, "a number of tenants").map(|n| n as usize)
}

fn seed(text: &str) -> Result<u64, String> {
    count_in(text, 0..=u64::MAX, "a seed")
}

fn max_body(text: &str) -> Result<usize, String> {
    count_in(text, 256..=16 * 1024 * 1024, "a body size in bytes").map(|n| n as usize)
}

fn push_every(text: &str) -> Result<u64, String> {
    count_in(text, 1..=86_400, "an interval in seconds")
}

/// `--faults`: a share from 0 to 1.
fn fault_rate(text: &str) -> Result<f64, String> {
    let bad = || {
        format!(
            "{} is not a rate: use a number from 0 (no faults) to 1 (every call fails)",
            crate::time::shown(text)
        )
    };
    let rate: f64 = text.trim().parse().map_err(|_| bad())?;
    if (0.0..=review_sandbox::MAX_FAULT_RATE).contains(&rate) {
        Ok(rate)
    } else {
        Err(bad())
    }
}

//! Profiles and `reviews config show`: flags beat the environment, which beats the config
//! file, which beats the defaults; secrets by reference or (from a private file) inline;
//! unknown keys refused; and no secret in anything `config show` prints. Runs the built binary.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use review_sandbox::Sandbox;
use serde_json::Value;
use tempfile::TempDir;

use common::{json, json_lines, one_line_failure, reviews_std, start_sandbox, stderr, stdout};

/// A config file in a directory of its own, with `mode`.
fn config_file(text: &str, mode: u32) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    (dir, path)
}

/// `reviews --config FILE ARGS` with `env`.
fn run(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    reviews_std()
        .arg("--config")
        .arg(config)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// `config show --format json`, parsed.
fn show(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut all = args.to_vec();
    all.extend(["config", "show", "--format", "json"]);
    let output = run(config, &all, env);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    json(&stdout(&output))
}

/// The value and the source of `name` in a `config show` report.
fn setting(report: &Value, name: &str) -> (String, String) {
    let entry = &report[name];
    (
        entry["value"].as_str().unwrap_or("(not set)").to_owned(),
        entry["source"].as_str().unwrap_or("").to_owned(),
    )
}

const PROFILES: &str = r#"
[profiles.default]
wechat_appid = "wxfromfile"
token_mode = "plain"
seller_nick = "default-shop"

[profiles.other]
wechat_appid = "wxother"
token_store = "memory"
"#;

#[test]
fn flags_beat_the_environment_which_beats_the_file() {
    let (_dir, path) = config_file(PROFILES, 0o644);
    let file = format!("profile default in {}", path.display());

    let report = show(&path, &[], &[]);
    assert_eq!(
        setting(&report, "wechat-appid"),
        ("wxfromfile".into(), file.clone())
    );
    // A default of clap's gives way to the file.
    assert_eq!(
        setting(&report, "token-mode"),
        ("plain".into(), file.clone())
    );
    assert_eq!(setting(&report, "fw199-base-url").1, "default");

    let env = [
        ("REVIEWS_WECHAT_APPID", "wxfromenv"),
        ("REVIEWS_TOKEN_MODE", "stable"),
    ];
    let report = show(&path, &[], &env);
    assert_eq!(
        setting(&report, "wechat-appid"),
        ("wxfromenv".into(), "env REVIEWS_WECHAT_APPID".into())
    );
    assert_eq!(
        setting(&report, "token-mode"),
        ("stable".into(), "env REVIEWS_TOKEN_MODE".into())
    );
    assert_eq!(
        setting(&report, "seller-nick"),
        ("default-shop".into(), file)
    );

    // After the subcommand too: global options.
    let output = run(
        &path,
        &[
            "config",
            "show",
            "--wechat-appid",
            "wxfromflag",
            "--token-mode",
            "plain",
            "--format",
            "json",
        ],
        &env,
    );
    let report = json(&stdout(&output));
    assert_eq!(
        setting(&report, "wechat-appid"),
        ("wxfromflag".into(), "flag".into())
    );
    assert_eq!(
        setting(&report, "token-mode"),
        ("plain".into(), "flag".into())
    );
    let config = setting(&report, "config");
    assert_eq!(config, (path.display().to_string(), "flag".into()));
}

#[test]
fn the_text_report_is_one_setting_a_line_with_its_source() {
    let (_dir, path) = config_file(PROFILES, 0o644);
    let output = run(
        &path,
        &["config", "show"],
        &[("REVIEWS_WECHAT_APPID", "wxenv1")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_owned()
    };
    assert!(
        line("wechat-appid").ends_with("= wxenv1 (env REVIEWS_WECHAT_APPID)"),
        "{text}"
    );
    assert!(
        line("token-mode").ends_with(&format!("= plain (profile default in {})", path.display())),
        "{text}"
    );
    assert!(line("fw199-base-url").ends_with("(default)"), "{text}");
    assert!(line("fw199-appid").ends_with("= (not set)"), "{text}");
    assert!(line("token-store").contains("memory"), "{text}");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn a_profile_is_chosen_by_name_or_default() {
    let (_dir, path) = config_file(PROFILES, 0o644);
    let report = show(&path, &[], &[]);
    assert_eq!(
        setting(&report, "profile"),
        ("default".into(), "default".into())
    );

    let report = show(&path, &["--profile", "other"], &[]);
    assert_eq!(setting(&report, "profile"), ("other".into(), "flag".into()));
    let (appid, source) = setting(&report, "wechat-appid");
    assert_eq!(appid, "wxother");
    assert!(source.starts_with("profile other in "), "{source}");
    // Nothing of the default profile leaks into another.
    assert_eq!(setting(&report, "seller-nick").0, "(not set)");
    assert_eq!(
        setting(&report, "token-mode"),
        ("stable".into(), "default".into())
    );

    let report = show(&path, &[], &[("REVIEWS_PROFILE", "other")]);
    assert_eq!(
        setting(&report, "profile"),
        ("other".into(), "env REVIEWS_PROFILE".into())
    );

    let output = run(&path, &["--profile", "prod", "config", "show"], &[]);
    let line = one_line_failure(&output, 2, "an unknown profile");
    assert!(
        line.contains("prod") && line.contains("default, other"),
        "{line}"
    );

    // Without a default profile, none is used.
    let (_dir, path) = config_file("[profiles.only]\nwechat_appid = \"wx1\"\n", 0o644);
    let report = show(&path, &[], &[]);
    assert_eq!(setting(&report, "profile").0, "(not set)");
    assert_eq!(setting(&report, "wechat-appid").0, "(not set)");
}

#[test]
fn a_missing_config_file_is_an_error_only_when_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let line = one_line_failure(&run(&missing, &["config", "show"], &[]), 2, "--config");
    assert!(line.contains("nope.toml"), "{line}");
    let output = reviews_std()
        .args(["config", "show"])
        .env("REVIEWS_CONFIG", &missing)
        .output()
        .unwrap();
    one_line_failure(&output, 2, "REVIEWS_CONFIG");

    // The default file may be missing...
    let output = reviews_std().args(["config", "show"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("no such file"),
        "{}",
        stdout(&output)
    );
    // ...unless a profile is asked for.
    let output = reviews_std()
        .args(["--profile", "prod", "config", "show"])
        .output()
        .unwrap();
    let line = one_line_failure(&output, 2, "a profile without a file");
    assert!(line.contains("prod") && line.contains("--config"), "{line}");

    // The default file is the user's config dir's reviews/config.toml.
    let home = tempfile::tempdir().unwrap();
    fs::create_dir(home.path().join("reviews")).unwrap();
    fs::write(home.path().join("reviews/config.toml"), PROFILES).unwrap();
    let output = reviews_std()
        .args(["config", "show", "--format", "json"])
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    let report = json(&stdout(&output));
    assert_eq!(setting(&report, "wechat-appid").0, "wxfromfile");
    assert_eq!(setting(&report, "config").1, "default");
}

#[test]
fn unknown_keys_are_refused_by_name_without_their_values() {
    let (_dir, path) = config_file(
        "[profiles.default]\nwechat_secrte = \"Hunter2Typo\"\n",
        0o600,
    );
    let output = run(&path, &["config", "show"], &[]);
    let line = one_line_failure(&output, 2, "an unknown key");
    assert!(
        line.contains("wechat_secrte") && line.contains("line 2"),
        "{line}"
    );
    assert!(!line.contains("Hunter2Typo"), "{line}");

    let (_dir, path) = config_file("colour = \"blue\"\n", 0o600);
    let line = one_line_failure(&run(&path, &["config", "show"], &[]), 2, "a top-level key");
    assert!(line.contains("colour"), "{line}");

    // A value of the wrong kind is named, not quoted.
    let (_dir, path) = config_file("[profiles]\ndefault = \"Hunter2Kind\"\n", 0o600);
    let line = one_line_failure(&run(&path, &["config", "show"], &[]), 2, "a wrong kind");
    assert!(!line.contains("Hunter2Kind"), "{line}");

    // Bad values of known keys are named.
    let (_dir, path) = config_file("[profiles.default]\ntoken_mode = \"fast\"\n", 0o600);
    let line = one_line_failure(&run(&path, &["config", "show"], &[]), 2, "a bad mode");
    assert!(
        line.contains("token_mode") && line.contains("plain or stable"),
        "{line}"
    );
    let (_dir, path) = config_file("[profiles.default]\ntoken_store = \"disk\"\n", 0o600);
    let output = reviews_std()
        .arg("--config")
        .arg(&path)
        .args(["config", "show"])
        .env_remove("REVIEWS_TOKEN_STORE")
        .output()
        .unwrap();
    let line = one_line_failure(&output, 2, "a bad store");
    assert!(
        line.contains("token_store") && line.contains("redis://"),
        "{line}"
    );
}

#[test]
fn two_ways_of_giving_one_secret_are_refused() {
    let text =
        "[profiles.default]\nwechat_secret_env = \"A\"\nwechat_secret_command = \"echo b\"\n";
    let (_dir, path) = config_file(text, 0o600);
    let line = one_line_failure(&run(&path, &["config", "show"], &[]), 2, "two ways");
    assert!(
        line.contains("wechat_secret") && line.contains("keep one"),
        "{line}"
    );
}

const INLINE_SECRET: &str = "Inl1neS3cretValue";

/// A profile of `sandbox`'s WeChat credentials with the secret given as `secret_line`.
fn sandbox_profile(sandbox: &Sandbox, secret_line: &str) -> String {
    format!(
        "[profiles.default]\nwechat_base_url = \"{}\"\nwechat_appid = \"{}\"\n{secret_line}\n",
        sandbox.base_url(),
        sandbox.wechat().appid.as_str()
    )
}

fn lists(path: &Path, env: &[(&str, &str)]) -> Output {
    run(
        path,
        &["wechat", "list", "--format", "json", "--since", "179d"],
        env,
    )
}

fn assert_listed(output: &Output, what: &str) {
    assert_eq!(output.status.code(), Some(0), "{what}: {}", stderr(output));
    assert!(!json_lines(&stdout(output)).is_empty(), "{what}");
    // Not the embedded sandbox: the profile's credentials were used.
    assert!(
        !stderr(output).contains("embedded sandbox"),
        "{what}: {}",
        stderr(output)
    );
}

#[test]
fn an_inline_secret_needs_a_private_file() {
    let sandbox = start_sandbox(Sandbox::builder().comments(20));
    let text = sandbox_profile(
        &sandbox,
        &format!(
            "wechat_secret = \"{}\"",
            sandbox.wechat().secret.expose_secret()
        ),
    );
    let (_dir, path) = config_file(&text, 0o644);
    let output = lists(&path, &[]);
    let line = one_line_failure(&output, 2, "a readable file");
    assert!(
        line.contains("readable by others (mode 0644)")
            && line.contains("chmod 600")
            && line.contains("wechat_secret_env"),
        "{line}"
    );
    assert!(
        !line.contains(sandbox.wechat().secret.expose_secret()),
        "{line}"
    );
    let output = run(&path, &["config", "show"], &[]);
    one_line_failure(&output, 2, "config show of a readable file");

    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    assert_listed(&lists(&path, &[]), "a private file");
}

#[test]
fn a_secret_by_reference_is_read_from_the_variable_or_the_command() {
    let sandbox = start_sandbox(Sandbox::builder().comments(20));
    let secret = sandbox.wechat().secret.expose_secret().to_owned();

    let text = sandbox_profile(&sandbox, "wechat_secret_env = \"MY_WECHAT_SECRET\"");
    let (_dir, path) = config_file(&text, 0o644);
    assert_listed(
        &lists(&path, &[("MY_WECHAT_SECRET", &secret)]),
        "by variable",
    );
    let output = lists(&path, &[]);
    let line = one_line_failure(&output, 2, "an unset variable");
    assert!(
        line.contains("MY_WECHAT_SECRET") && line.contains("not set"),
        "{line}"
    );

    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("secret");
    fs::write(&secret_file, format!("{secret}\n")).unwrap();
    let text = sandbox_profile(
        &sandbox,
        &format!("wechat_secret_command = \"cat {}\"", secret_file.display()),
    );
    let (_dir, path) = config_file(&text, 0o644);
    assert_listed(&lists(&path, &[]), "by command");

    let text = sandbox_profile(&sandbox, "wechat_secret_command = \"echo Leaked1; exit 7\"");
    let (_dir, path) = config_file(&text, 0o644);
    let line = one_line_failure(&lists(&path, &[]), 1, "a failing secret command");
    assert!(
        line.contains("wechat_secret_command") && line.contains("status 7"),
        "{line}"
    );
    assert!(!line.contains("Leaked1"), "{line}");
    // The environment beats the profile's reference: the command does not even run.
    let output = lists(&path, &[("REVIEWS_WECHAT_SECRET", &secret)]);
    assert_listed(&output, "the environment over the profile");
}

#[test]
fn config_show_masks_every_secret() {
    let secrets = [
        "FlagS3cretValue1",
        "EnvFw199S3cret2",
        "EnvRefS3cret3",
        "EnvAccessT0ken4",
        "RedisPassw0rd5",
    ];
    let text = format!(
        "[profiles.default]\nwechat_secret = \"{INLINE_SECRET}\"\nfw199_secret_env = \"REF_VAR\"\n"
    );
    let (_dir, path) = config_file(&text, 0o600);
    let redis = format!("redis://:{}@127.0.0.1:6379/0", secrets[4]);
    let env = [
        ("REVIEWS_FW199_SECRET", secrets[1]),
        ("REF_VAR", secrets[2]),
        ("REVIEWS_WECHAT_ACCESS_TOKEN", secrets[3]),
        ("REVIEWS_TOKEN_STORE", redis.as_str()),
    ];
    for format in ["text", "json"] {
        for args in [
            vec!["--wechat-secret", secrets[0]],
            // The inline one and the reference, from the profile.
            vec![],
        ] {
            let mut all = args.clone();
            all.extend(["config", "show", "--format", format]);
            let envs: &[(&str, &str)] = if args.is_empty() { &env[2..] } else { &env };
            let output = run(&path, &all, envs);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            let (out, err) = (stdout(&output), stderr(&output));
            for secret in secrets.iter().chain([&INLINE_SECRET]) {
                assert!(
                    !out.contains(secret) && !err.contains(secret),
                    "{secret}: {out}{err}"
                );
            }
            assert!(out.contains("***"), "{out}");
            assert!(out.contains("redis://***@127.0.0.1:6379/0"), "{out}");
            if args.is_empty() {
                assert!(out.contains("REF_VAR"), "the reference is named: {out}");
            }
        }
    }
    let report = show(&path, &[], &[("REVIEWS_WECHAT_ACCESS_TOKEN", secrets[3])]);
    assert_eq!(
        setting(&report, "wechat-access-token"),
        ("***".into(), "env REVIEWS_WECHAT_ACCESS_TOKEN".into())
    );
    assert_eq!(setting(&report, "wechat-secret").0, "***");
}

#[test]
fn config_show_describes_the_token_store() {
    let (_dir, path) = config_file("", 0o644);
    let report = show(
        &path,
        &["--token-store", "file", "--token-dir", "/srv/tokens"],
        &[],
    );
    assert_eq!(
        setting(&report, "token-store"),
        ("file in /srv/tokens".into(), "flag".into())
    );
    assert_eq!(
        setting(&report, "token-dir"),
        ("/srv/tokens".into(), "flag".into())
    );
    // Without a --token-dir, the user's cache directory.
    let cache = tempfile::tempdir().unwrap();
    let output = reviews_std()
        .args(["config", "show", "--format", "json"])
        .env_remove("REVIEWS_TOKEN_STORE")
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    let report = json(&stdout(&output));
    let (store, source) = setting(&report, "token-store");
    assert_eq!(source, "default");
    assert!(
        store.starts_with(&format!("file in {}", cache.path().display())),
        "{store}"
    );
    // The token command is shown by its program alone: its arguments may hold a credential.
    let report = show(
        &path,
        &[
            "--wechat-token-command",
            "curl -H 'X-Key: K3yOfTheService' http://tokens",
        ],
        &[],
    );
    let (command, source) = setting(&report, "wechat-token-command");
    assert_eq!(source, "flag");
    assert!(
        command.contains("curl") && !command.contains("K3yOfTheService"),
        "{command}"
    );
}

#[test]
fn a_profile_names_its_mirror_and_the_flag_still_wins() {
    let mirror_dir = tempfile::tempdir().unwrap();
    let mirror = mirror_dir.path().join("shop-a.sqlite3");
    let text = format!(
        "[profiles.a]\ndb = \"sqlite:{}\"\n[profiles.pg]\ndb = \"postgres://reviews:hunter2-secret@127.0.0.1:1/reviews\"\n",
        mirror.display()
    );
    let (_dir, path) = config_file(&text, 0o600);

    let report = show(&path, &["--profile", "a"], &[]);
    assert_eq!(
        setting(&report, "db").0,
        format!("sqlite:{}", mirror.display())
    );
    // The profile's mirror is the one `inbox` reads (and creates, empty).
    let output = run(
        &path,
        &["--profile", "a", "inbox", "--format", "jsonl"],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(mirror.exists());
    // A password in the profile's URL is never shown.
    let report = show(&path, &["--profile", "pg"], &[]);
    let (value, source) = setting(&report, "db");
    assert!(
        !value.contains("hunter2-secret") && value.contains("127.0.0.1:1"),
        "{value}"
    );
    assert!(source.contains("profile pg"), "{source}");
    // The flag beats the profile.
    let other = mirror_dir.path().join("flag.sqlite3");
    let flag = format!("sqlite:{}", other.display());
    let report = show(
        &path,
        &["--profile", "pg"],
        &[("REVIEWS_DB", flag.as_str())],
    );
    assert_eq!(
        setting(&report, "db"),
        (flag.clone(), "env REVIEWS_DB".to_owned())
    );
    let output = run(&path, &["--profile", "pg", "inbox", "--db", &flag], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(other.exists());
}

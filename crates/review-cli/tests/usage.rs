//! The whole command line's manners: help with examples, shell completions, and bad input
//! anywhere answered with exit 2 and exactly one line on stderr that names the problem (an
//! unreachable server: exit 1, naming the host). Runs the built binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::process::{Output, Stdio};

use common::{one_line_failure, reviews_std};

/// Every command a user can run, as its words after `reviews`.
const COMMANDS: &[&[&str]] = &[
    &["wechat"],
    &["wechat", "list"],
    &["wechat", "show"],
    &["wechat", "thread"],
    &["wechat", "reply"],
    &["wechat", "delete-reply"],
    &["wechat", "kf-reset"],
    &["wechat", "message"],
    &["wechat", "compromise"],
    &["taobao"],
    &["taobao", "search"],
    &["export"],
    &["webhook"],
    &["webhook", "serve"],
    &["sandbox"],
    &["completions"],
    &["config"],
    &["config", "show"],
];

fn run(args: &[&str]) -> Output {
    reviews_std().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts `code`, nothing on stdout, and exactly one line on stderr; returns the line.
fn one_line(args: &[&str], env: &[(&str, &str)], code: i32) -> String {
    let output = reviews_std()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    one_line_failure(&output, code, &format!("{args:?}"))
}

#[test]
fn help_shows_examples_for_every_command() {
    let top = run(&["--help"]);
    assert!(top.status.success());
    let top = text(&top.stdout);
    assert!(top.contains("Examples:"), "{top}");
    for command in [
        "wechat",
        "taobao",
        "export",
        "webhook",
        "sandbox",
        "completions",
        "config",
    ] {
        assert!(top.contains(command), "`reviews --help` lists {command}");
    }
    for words in COMMANDS {
        let output = reviews_std().args(*words).arg("--help").output().unwrap();
        let help = text(&output.stdout);
        assert!(
            output.status.success(),
            "{words:?}: {}",
            text(&output.stderr)
        );
        let examples = help.split("Examples:").nth(1).unwrap_or_else(|| {
            panic!(
                "`reviews {} --help` has no Examples:\n{help}",
                words.join(" ")
            )
        });
        let invocation = format!("reviews {}", words.join(" "));
        assert!(
            examples.contains(&invocation),
            "the examples of `{invocation} --help` run it:\n{examples}"
        );
    }
}

#[test]
fn version_is_printed() {
    let output = run(&["--version"]);
    assert!(output.status.success());
    assert!(text(&output.stdout).starts_with("reviews "));
}

#[test]
fn completions_are_printed_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "_reviews()"),
        ("zsh", "#compdef reviews"),
        ("fish", "complete -c reviews"),
    ] {
        let output = run(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {}", text(&output.stderr));
        let script = text(&output.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("export") && script.contains("webhook"),
            "{shell} completes subcommands"
        );
        assert!(
            output.stderr.is_empty(),
            "{shell}: {}",
            text(&output.stderr)
        );
    }
    let line = one_line(&["completions", "tcsh"], &[], 2);
    assert!(line.contains("tcsh"), "{line}");
}

#[test]
fn a_closed_stdout_is_a_quiet_stop_for_completions() {
    // `reviews completions bash | head -1`: the reader leaves early.
    let mut child = reviews_std()
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", text(&output.stderr));
}

#[test]
fn a_missing_argument_is_named() {
    let line = one_line(&["wechat", "show"], &[], 2);
    assert!(line.contains("<ID>"), "{line}");
    let line = one_line(&["wechat", "reply", "2797755680173111111"], &[], 2);
    assert!(line.contains("<TEXT>"), "{line}");
    let line = one_line(&["webhook", "serve", "--addr", "127.0.0.1:0"], &[], 2);
    assert!(line.contains("--token"), "{line}");
}

#[test]
fn an_unknown_subcommand_or_option_is_named() {
    let line = one_line(&["frobnicate"], &[], 2);
    assert!(line.contains("frobnicate"), "{line}");
    let line = one_line(&["wechat", "frobnicate"], &[], 2);
    assert!(line.contains("frobnicate"), "{line}");
    let line = one_line(&["export", "--colour"], &[], 2);
    assert!(line.contains("--colour"), "{line}");
    let line = one_line(&["export", "--format", "xml"], &[], 2);
    assert!(line.contains("xml") && line.contains("jsonl"), "{line}");
}

#[test]
fn half_a_set_of_credentials_is_named() {
    let line = one_line(
        &["--wechat-appid", "wx1a2b3c4d5e6f7a8b", "wechat", "list"],
        &[],
        2,
    );
    assert!(line.contains("--wechat-secret"), "{line}");
    let line = one_line(
        &["wechat", "list"],
        &[("REVIEWS_WECHAT_SECRET", "s3cr3tValue42")],
        2,
    );
    assert!(line.contains("--wechat-appid"), "{line}");
    assert!(!line.contains("s3cr3tValue42"), "{line}");
    let line = one_line(&["--fw199-appid", "sbx1", "taobao", "search"], &[], 2);
    assert!(
        line.contains("--fw199-secret") && line.contains("--seller-nick"),
        "{line}"
    );
}

#[test]
fn a_base_url_without_credentials_is_named() {
    let line = one_line(
        &["--wechat-base-url", "http://127.0.0.1:9", "wechat", "list"],
        &[],
        2,
    );
    assert!(
        line.contains("--wechat-base-url") && line.contains("credentials"),
        "{line}"
    );
    let line = one_line(
        &["--fw199-base-url", "http://127.0.0.1:9", "taobao", "search"],
        &[],
        2,
    );
    assert!(
        line.contains("--fw199-base-url") && line.contains("credentials"),
        "{line}"
    );
}

#[test]
fn an_invalid_time_zone_is_named() {
    for tz in ["Mars/Olympus", "+25:00", "eight"] {
        let line = one_line(&["--tz", tz, "wechat", "list"], &[], 2);
        assert!(line.contains("--tz") && line.contains(tz), "{line}");
    }
}

#[test]
fn bad_values_of_the_commands_are_named() {
    let cases: [(&[&str], &str); 6] = [
        (&["wechat", "list", "--filter", "nope"], "nope"),
        (&["wechat", "list", "--since", "yesterday"], "--since"),
        (
            &["wechat", "list", "--since", "1d", "--until", "2d"],
            "--since",
        ),
        (&["taobao", "search", "--result", "great"], "great"),
        (&["export", "--until", "soon"], "--until"),
        (
            &[
                "wechat",
                "compromise",
                "2797755680173111111",
                "--pic",
                "/no/such/file.png",
            ],
            "/no/such/file.png",
        ),
    ];
    for (args, named) in cases {
        let line = one_line(args, &[], 2);
        assert!(line.contains(named), "{args:?}: {line}");
    }
}

#[test]
fn an_unreachable_server_is_a_runtime_failure_naming_the_host() {
    let env = [
        ("REVIEWS_WECHAT_BASE_URL", "http://127.0.0.1:9"),
        ("REVIEWS_WECHAT_APPID", "wx1"),
        ("REVIEWS_WECHAT_SECRET", "s3cr3tValue42"),
    ];
    let line = one_line(&["wechat", "list"], &env, 1);
    assert!(line.contains("127.0.0.1:9"), "{line}");
    assert!(!line.contains("s3cr3tValue42"), "{line}");
}

/// `--concurrency` takes 1 to 64 requests in flight, by flag or by `REVIEWS_CONCURRENCY`; a
/// bad value is usage, named, before anything starts.
#[test]
fn concurrency_out_of_range_is_refused() {
    for (args, env) in [
        (&["export", "--concurrency", "0"][..], &[][..]),
        (&["export", "--concurrency", "65"][..], &[][..]),
        (&["sync", "--concurrency", "eight"][..], &[][..]),
        (&["export"][..], &[("REVIEWS_CONCURRENCY", "-1")][..]),
    ] {
        let line = one_line(args, env, 2);
        assert!(
            line.contains("--concurrency") && line.contains("from 1 to 64"),
            "{args:?} {env:?}: {line}"
        );
        assert!(
            !line.contains("sandbox"),
            "refused before the sandbox starts: {line}"
        );
    }
}

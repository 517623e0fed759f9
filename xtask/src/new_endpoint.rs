//! `cargo xtask new-endpoint <wechat|taobao> <name> --method GET|POST --path /...`: scaffolds an
//! endpoint through every layer (protocol module registered in its platform's `ENDPOINTS`, a
//! fixture pair and its `fixtures/manifest.json` entry, client methods) and prints what is left
//! to fill. The workspace's tests pass right after it: the manifest marks the endpoint's output
//! raw JSON and the sandbox not emulating it yet, and the tests read the manifest.

mod templates;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::manifest::Manifest;

/// The platform an endpoint belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Platform {
    /// The WeChat mini-program comment API (`review_protocol::wechat`).
    Wechat,
    /// Taobao through the fw199 gateway (`review_protocol::taobao`).
    #[value(alias = "fw199")]
    Taobao,
}

impl Platform {
    /// The protocol module, the fixture directory and the prefix of `Metadata::name`.
    fn module(self) -> &'static str {
        match self {
            Self::Wechat => "wechat",
            Self::Taobao => "taobao",
        }
    }

    /// The client's generic driver method.
    fn driver(self) -> &'static str {
        match self {
            Self::Wechat => "wechat",
            Self::Taobao => "fw199",
        }
    }
}

/// The HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Method {
    /// A read: idempotent.
    #[value(name = "GET", alias = "get")]
    Get,
    /// A write: never repeated after an ambiguous failure.
    #[value(name = "POST", alias = "post")]
    Post,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }

    /// The `review_protocol::Method` variant.
    fn variant(self) -> &'static str {
        match self {
            Self::Get => "Get",
            Self::Post => "Post",
        }
    }
}

/// The options.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// `wechat` or `taobao` (fw199).
    platform: Platform,
    /// The operation in snake_case (`penalty_list`): the module, the fixture directory, the
    /// operation in `Metadata::name` and the client method.
    name: String,
    /// The HTTP method.
    #[arg(long, value_enum)]
    method: Method,
    /// The path on the platform's host, starting with `/`.
    #[arg(long)]
    path: String,
}

/// Runs the task in the workspace this xtask was built from.
pub(crate) fn run(args: &Args) -> Result<()> {
    let root = crate::cargo::workspace_root();
    let plan = Plan::new(args)?;
    plan.check(&root)?;
    plan.write(&root)?;
    let mut todo = plan.todo();
    if let Err(e) = plan.format(&root) {
        let _ = writeln!(todo, "(not formatted: {e:#}; run `cargo fmt --all`)");
    }
    std::io::Write::write_all(&mut std::io::stdout().lock(), todo.as_bytes())
        .context("printing what is left to fill")?;
    Ok(())
}

/// What one invocation generates.
struct Plan {
    platform: Platform,
    method: Method,
    name: String,
    type_name: String,
    path: String,
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "unsafe", "use", "where", "while", "yield",
];

/// Whether `name` is lower snake_case that can name a module and a method.
fn is_snake_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.ends_with('_')
        && !name.contains("__")
        && !KEYWORDS.contains(&name)
}

/// `penalty_list` -> `PenaltyList`.
fn camel_case(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

impl Plan {
    fn new(args: &Args) -> Result<Self> {
        if !is_snake_case(&args.name) {
            bail!(
                "the name `{}` is not snake_case (lowercase letters, digits and single underscores, \
                 starting with a letter, not a keyword): try `penalty_list`",
                args.name
            );
        }
        if !args.path.starts_with('/') {
            bail!("the path `{}` does not start with `/`", args.path);
        }
        if args
            .path
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\\' || c == '?')
        {
            bail!(
                "the path `{}` has whitespace, a quote, a backslash or a query",
                args.path
            );
        }
        Ok(Self {
            platform: args.platform,
            method: args.method,
            name: args.name.clone(),
            type_name: camel_case(&args.name),
            path: args.path.clone(),
        })
    }

    fn module_dir(&self, root: &Path) -> PathBuf {
        root.join("crates/review-protocol/src")
            .join(self.platform.module())
    }

    fn module_file(&self, root: &Path) -> PathBuf {
        self.module_dir(root).join(format!("{}.rs", self.name))
    }

    fn fixture_dir(&self, root: &Path) -> PathBuf {
        root.join("fixtures")
            .join(self.platform.module())
            .join(&self.name)
    }

    fn manifest(root: &Path) -> PathBuf {
        root.join("fixtures/manifest.json")
    }

    fn methods(root: &Path) -> PathBuf {
        root.join("crates/review-client/src/methods.rs")
    }

    /// Refuses to overwrite anything.
    fn check(&self, root: &Path) -> Result<()> {
        let module = self.module_file(root);
        if module.exists() {
            bail!("the module {} already exists", module.display());
        }
        let fixtures = self.fixture_dir(root);
        if fixtures.exists() {
            bail!(
                "the fixture directory {} already exists",
                fixtures.display()
            );
        }
        let mod_rs = read(&self.module_dir(root).join("mod.rs"))?;
        if mod_rs.contains(&format!("{}::{}", self.name, self.type_name))
            || mod_rs.contains(&format!(" {};", self.type_name))
        {
            bail!("`{}` is already exported", self.type_name);
        }
        let methods = read(&Self::methods(root))?;
        if methods.contains(&format!("fn {}(", self.name)) {
            bail!("the client already has a method `{}`", self.name);
        }
        Ok(())
    }

    fn fill(&self, template: &str) -> String {
        let (wechat_request, signed) = match self.method {
            Method::Get => (templates::WECHAT_GET, "signed_get"),
            Method::Post => (templates::WECHAT_POST, "signed_post"),
        };
        template
            .replace("{{wechat_request}}", wechat_request)
            .replace("{{signed}}", signed)
            .replace("{{Name}}", &self.type_name)
            .replace("{{name}}", &self.name)
            .replace("{{platform}}", self.platform.module())
            .replace("{{driver}}", self.platform.driver())
            .replace("{{METHOD}}", self.method.as_str())
            .replace("{{Method}}", self.method.variant())
            .replace("{{path}}", &self.path)
            .replace("{{idempotent}}", &(self.method == Method::Get).to_string())
    }

    fn write(&self, root: &Path) -> Result<()> {
        // Read and edit everything first, so a file that does not look as expected stops the
        // task before anything is written.
        let mod_path = self.module_dir(root).join("mod.rs");
        let mod_rs = register(&read(&mod_path)?, &self.name, &self.type_name)
            .and_then(|m| add_to_endpoints(&m, &self.type_name))
            .with_context(|| format!("registering the module in {}", mod_path.display()))?;
        let manifest_path = Self::manifest(root);
        let manifest = add_manifest_entry(
            &read(&manifest_path)?,
            self.platform.module(),
            &self.name,
            &self.fill(templates::MANIFEST_ENTRY),
        )
        .with_context(|| format!("adding the operation to {}", manifest_path.display()))?;
        let methods_path = Self::methods(root);
        let methods =
            add_client_method(&read(&methods_path)?, &self.fill(templates::CLIENT_METHOD))
                .with_context(|| format!("adding the method to {}", methods_path.display()))?;

        let template = match self.platform {
            Platform::Wechat => templates::WECHAT_MODULE,
            Platform::Taobao => templates::TAOBAO_MODULE,
        };
        write(&self.module_file(root), &self.fill(template))?;
        write(&mod_path, &mod_rs)?;
        let dir = self.fixture_dir(root);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        write(&dir.join("ok.json"), &self.fixture(true))?;
        write(&dir.join("error_todo.json"), &self.fixture(false))?;
        write(&manifest_path, &manifest)?;
        write(&methods_path, &methods)?;
        Ok(())
    }

    /// Formats the Rust files written (the `ENDPOINTS` list is laid out as rustfmt wants it);
    /// `methods.rs` is a macro body, which rustfmt leaves alone, so its template is laid out by
    /// hand.
    fn format(&self, root: &Path) -> Result<()> {
        let status = std::process::Command::new("rustfmt")
            .args(["--edition", "2024"])
            .arg(self.module_file(root))
            .arg(self.module_dir(root).join("mod.rs"))
            .current_dir(root)
            .status()
            .context("could not start rustfmt")?;
        if !status.success() {
            bail!("rustfmt failed ({status})");
        }
        Ok(())
    }

    fn fixture(&self, ok: bool) -> String {
        let description = if ok {
            format!(
                "TODO: a recorded success of {} {} (scaffolded).",
                self.method.as_str(),
                self.path
            )
        } else {
            format!(
                "TODO: a recorded refusal of {} {} (scaffolded).",
                self.method.as_str(),
                self.path
            )
        };
        let request = match (self.platform, self.method) {
            (Platform::Wechat, Method::Get) => format!(
                "    \"method\": \"GET\",\n    \"path\": \"{}\",\n    \"query\": {{\n      \"access_token\": \"ACCESS_TOKEN\"\n    }}",
                self.path
            ),
            (Platform::Wechat, Method::Post) => format!(
                "    \"method\": \"POST\",\n    \"path\": \"{}\",\n    \"query\": {{\n      \"access_token\": \"ACCESS_TOKEN\"\n    }},\n    \"headers\": {{\n      \"content-type\": \"application/json\"\n    }},\n    \"body\": {{}}",
                self.path
            ),
            (Platform::Taobao, Method::Get) => format!(
                "    \"method\": \"GET\",\n    \"path\": \"{}\",\n    \"query\": {{\n      \"appid\": \"APPID\",\n      \"timestamp\": \"1700000000\",\n      \"sign\": \"TODO\"\n    }}",
                self.path
            ),
            (Platform::Taobao, Method::Post) => format!(
                "    \"method\": \"POST\",\n    \"path\": \"{}\",\n    \"body_text\": \"appid=APPID&timestamp=1700000000&sign=TODO\"",
                self.path
            ),
        };
        let response = match (self.platform, ok) {
            (Platform::Wechat, true) => "{\n      \"errcode\": 0,\n      \"errmsg\": \"ok\"\n    }",
            (Platform::Wechat, false) => {
                "{\n      \"errcode\": -10001,\n      \"errmsg\": \"invalid param rid: TODO\"\n    }"
            }
            (Platform::Taobao, true) => {
                "{\n      \"code\": 0,\n      \"message\": \"ok\",\n      \"trace_id\": \"\",\n      \"data\": {}\n    }"
            }
            (Platform::Taobao, false) => {
                "{\n      \"code\": 40001,\n      \"message\": \"TODO: the gateway's message\",\n      \"trace_id\": \"\"\n    }"
            }
        };
        templates::FIXTURE
            .replace("{{description}}", &description)
            .replace("{{request}}", &request)
            .replace("{{response_body}}", response)
    }

    fn todo(&self) -> String {
        let platform = self.platform.module();
        let name = &self.name;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Scaffolded `{platform}::{}` ({} {}). Left to fill:",
            self.type_name,
            self.method.as_str(),
            self.path
        );
        let model = self.platform.module();
        let steps = [
            format!(
                "crates/review-protocol/src/{platform}/{name}.rs: the doc comments (every `TODO`), the \
                 request's fields, `new`, `validate` and the request parameters"
            ),
            format!(
                "fixtures/{platform}/{name}/ok.json and error_todo.json: real bodies, descriptions and \
                 case names (a refusal's name starts with `error_`)"
            ),
            format!(
                "the typed output: a type in review_model::{model} replacing `Output = \
                 serde_json::Value` (the client method follows it); then in fixtures/manifest.json \
                 set \"output\": \"typed\" for {platform}/{name}, give it a decoding arm in \
                 crates/review-model/tests/fixtures.rs{}, run `cargo insta test --accept` and read \
                 the new snapshots",
                if self.platform == Platform::Wechat {
                    " and a line in crates/review-protocol/tests/responses.rs"
                } else {
                    ""
                }
            ),
            format!(
                "crates/review-client/src/methods.rs: the method's doc comment and, if wanted, plain \
                 arguments instead of `&{}`",
                self.type_name
            ),
            format!(
                "the sandbox (crates/review-sandbox): an emulation of {platform}.{name} and its \
                 replay in tests/conformance.rs; then set \"replay\": \"replayed\" in \
                 fixtures/manifest.json (until then the conformance test names it as skipped)"
            ),
        ];
        for (i, step) in steps.iter().enumerate() {
            let _ = writeln!(out, "  {}. {step}", i + 1);
        }
        out
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Adds `mod name;` and `pub use name::Type;` to a `mod.rs`, each in sorted position.
fn register(mod_rs: &str, name: &str, type_name: &str) -> Result<String> {
    let mut lines: Vec<String> = mod_rs.lines().map(str::to_owned).collect();

    let mods: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("mod ") && l.ends_with(';'))
        .map(|(i, _)| i)
        .collect();
    let Some(&last_mod) = mods.last() else {
        bail!("no `mod ...;` lines");
    };
    let at = mods
        .iter()
        .copied()
        .find(|&i| {
            lines
                .get(i)
                .and_then(|l| l.strip_prefix("mod "))
                .is_some_and(|m| m.trim_end_matches(';') > name)
        })
        .unwrap_or(last_mod + 1);
    lines.insert(at, format!("mod {name};"));

    let uses: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("pub use "))
        .map(|(i, _)| i)
        .collect();
    let Some(&last_use) = uses.last() else {
        bail!("no `pub use ...;` lines");
    };
    let module_of = |line: &str| {
        line.strip_prefix("pub use ")
            .and_then(|rest| rest.split("::").next())
            .map(str::to_owned)
    };
    let at = match uses.iter().copied().find(|&i| {
        lines
            .get(i)
            .and_then(|l| module_of(l))
            .is_some_and(|m| m.as_str() > name)
    }) {
        Some(at) => at,
        None => {
            // After the last statement, which may span lines.
            let mut end = last_use;
            while lines.get(end).is_some_and(|l| !l.trim_end().ends_with(';')) {
                end += 1;
            }
            end + 1
        }
    };
    lines.insert(at, format!("pub use {name}::{type_name};"));
    Ok(lines.join("\n") + "\n")
}

/// Adds `Type::METADATA` at the end of the platform's `ENDPOINTS` list.
fn add_to_endpoints(mod_rs: &str, type_name: &str) -> Result<String> {
    const START: &str = "pub const ENDPOINTS: &[Metadata] = &[";
    let Some(start) = mod_rs.find(START) else {
        bail!("no `{START}` list");
    };
    let open = start + START.len();
    let Some(len) = mod_rs.get(open..).and_then(|rest| rest.find("];")) else {
        bail!("the `ENDPOINTS` list does not end with `];`");
    };
    let items: Vec<&str> = mod_rs
        .get(open..open + len)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect();
    let entry = format!("{type_name}::METADATA");
    if items.contains(&entry.as_str()) {
        bail!("`{entry}` is already in `ENDPOINTS`");
    }
    let mut out = String::with_capacity(mod_rs.len() + entry.len() + 8);
    out.push_str(mod_rs.get(..open).unwrap_or_default());
    for item in items.iter().copied().chain([entry.as_str()]) {
        let _ = write!(out, "\n    {item},");
    }
    out.push('\n');
    out.push_str(mod_rs.get(open + len..).unwrap_or_default());
    Ok(out)
}

/// Appends `entry` to the manifest's `operations`, refusing a manifest that already lists
/// `platform/operation` and checking that the result still reads.
fn add_manifest_entry(
    manifest: &str,
    platform: &str,
    operation: &str,
    entry: &str,
) -> Result<String> {
    let before = Manifest::parse(manifest).map_err(|e| anyhow!(e))?;
    if before.get(platform, operation).is_some() {
        bail!("{platform}/{operation} is already listed");
    }
    let Some(end) = manifest.trim_end().strip_suffix('}').map(str::trim_end) else {
        bail!("it does not end with `}}`");
    };
    let Some(list) = end.strip_suffix(']').map(str::trim_end) else {
        bail!("`operations` is not its last member");
    };
    let separator = if list.ends_with('[') { "" } else { "," };
    let out = format!("{list}{separator}\n{entry}\n  ]\n}}\n");
    let after = Manifest::parse(&out).map_err(|e| anyhow!("the edited manifest: {e}"))?;
    if after.operations.len() != before.operations.len() + 1 {
        bail!("`operations` is not its last member");
    }
    Ok(out)
}

/// Adds a method at the end of the `endpoint_methods!` macro.
fn add_client_method(methods: &str, method: &str) -> Result<String> {
    let Some(macro_start) = methods.find("macro_rules! endpoint_methods") else {
        bail!("no `endpoint_methods!` macro");
    };
    let Some(end) = methods
        .get(macro_start..)
        .and_then(|rest| rest.find("\n    };\n}"))
    else {
        bail!("the macro does not end with `    }};` and `}}`");
    };
    let at = macro_start + end + 1;
    let mut out = String::with_capacity(methods.len() + method.len() + 1);
    out.push_str(methods.get(..at).unwrap_or_default());
    out.push('\n');
    out.push_str(method);
    out.push_str(methods.get(at..).unwrap_or_default());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_snake_case("penalty_list"));
        assert!(is_snake_case("list2"));
        for bad in [
            "PenaltyList",
            "penalty-list",
            "_x",
            "x_",
            "a__b",
            "",
            "2x",
            "type",
        ] {
            assert!(!is_snake_case(bad), "{bad}");
        }
        assert_eq!(camel_case("penalty_list"), "PenaltyList");
    }

    #[test]
    fn appends_to_endpoints() {
        let one = "use x;\n\npub const ENDPOINTS: &[Metadata] = &[A::METADATA];\n\nfn f() {}\n";
        assert_eq!(
            add_to_endpoints(one, "B").unwrap(),
            "use x;\n\npub const ENDPOINTS: &[Metadata] = &[\n    A::METADATA,\n    B::METADATA,\n];\n\nfn f() {}\n"
        );
        let many =
            "pub const ENDPOINTS: &[Metadata] = &[\n    A::METADATA,\n    B::METADATA,\n];\n";
        assert_eq!(
            add_to_endpoints(many, "C").unwrap(),
            "pub const ENDPOINTS: &[Metadata] = &[\n    A::METADATA,\n    B::METADATA,\n    C::METADATA,\n];\n"
        );
        assert!(add_to_endpoints(many, "B").is_err());
        assert!(add_to_endpoints("const X: u8 = 1;", "B").is_err());
    }

    #[test]
    fn appends_to_the_manifest() {
        let entry = r#"    {"platform": "wechat", "operation": "x", "endpoint": "X", "output": "json", "replay": "not_emulated"}"#;
        let empty = "{\n  \"operations\": [\n  ]\n}\n";
        let one = add_manifest_entry(empty, "wechat", "x", entry).unwrap();
        assert_eq!(Manifest::parse(&one).unwrap().operations.len(), 1);
        let err = add_manifest_entry(&one, "wechat", "x", entry).unwrap_err();
        assert!(err.to_string().contains("already listed"), "{err}");
        let two =
            add_manifest_entry(&one, "wechat", "y", &entry.replace("\"x\"", "\"y\"")).unwrap();
        let names: Vec<String> = Manifest::parse(&two)
            .unwrap()
            .operations
            .iter()
            .map(|o| o.name())
            .collect();
        assert_eq!(names, ["wechat.x", "wechat.y"]);
        let later = "{\"operations\": [], \"other\": 1}";
        assert!(add_manifest_entry(later, "wechat", "x", entry).is_err());
    }

    #[test]
    fn registers_sorted() {
        let before = "//! doc\n\nmod alpha;\nmod zeta;\n\npub use alpha::Alpha;\npub use zeta::{A,\n    Zeta};\n";
        let after = register(before, "mid", "Mid").unwrap();
        assert_eq!(
            after,
            "//! doc\n\nmod alpha;\nmod mid;\nmod zeta;\n\npub use alpha::Alpha;\npub use mid::Mid;\npub use zeta::{A,\n    Zeta};\n"
        );
        let last = register(before, "zz", "Zz").unwrap();
        assert!(last.ends_with("mod zeta;\nmod zz;\n\npub use alpha::Alpha;\npub use zeta::{A,\n    Zeta};\npub use zz::Zz;\n"));
    }
}

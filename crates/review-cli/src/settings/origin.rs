//! Where a setting came from: the command line, the environment, a profile or a default.
//!
//! clap says which of the first three gave an option's value ([`ArgMatches::value_source`]);
//! a value clap took from its default gives way to the profile's.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use clap::ArgMatches;
use clap::parser::ValueSource;

/// A profile of a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProfileRef {
    pub(crate) name: String,
    pub(crate) file: PathBuf,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A command-line option.
    Flag,
    /// This environment variable.
    Env(String),
    /// The profile.
    Profile(Arc<ProfileRef>),
    /// Nobody set it: the built-in default (or nothing).
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag => f.write_str("flag"),
            Self::Env(name) => write!(f, "env {name}"),
            Self::Profile(profile) => {
                write!(f, "profile {} in {}", profile.name, profile.file.display())
            }
            Self::Default => f.write_str("default"),
        }
    }
}

/// Which options the command line or the environment set, by clap's id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sources(HashMap<String, Origin>);

impl Sources {
    /// Reads them from the top-level matches (global options are propagated to it) and every
    /// subcommand's, the deepest last. `env` names each option's variable, by id.
    pub(crate) fn from_matches(matches: &ArgMatches, env: &[(String, String)]) -> Self {
        let mut sources = HashMap::new();
        let mut level = Some(matches);
        while let Some(m) = level {
            for (id, var) in env {
                let origin = match m.try_contains_id(id) {
                    Ok(true) => m.value_source(id),
                    _ => None,
                };
                match origin {
                    Some(ValueSource::CommandLine) => {
                        sources.insert(id.clone(), Origin::Flag);
                    }
                    Some(ValueSource::EnvVariable) => {
                        sources
                            .entry(id.clone())
                            .or_insert_with(|| Origin::Env(var.clone()));
                    }
                    _ => {}
                }
            }
            level = m.subcommand().map(|(_, sub)| sub);
        }
        Self(sources)
    }

    /// Where the command line or the environment set `id`, if either did.
    pub(crate) fn given(&self, id: &str) -> Option<&Origin> {
        self.0.get(id)
    }
}

/// The top-level (global) options that have an environment variable, and the subcommands'
/// `--db`: (id, variable).
pub(crate) fn env_names(command: &clap::Command) -> Vec<(String, String)> {
    command
        .get_arguments()
        .filter_map(|arg| {
            let var = arg.get_env()?.to_string_lossy().into_owned();
            Some((arg.get_id().as_str().to_owned(), var))
        })
        .chain(std::iter::once(("db".to_owned(), "REVIEWS_DB".to_owned())))
        .collect()
}

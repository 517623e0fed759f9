//! The tenants of a fleet: `--profile a,b,c` or `--all-profiles` on `export` and `sync`, each
//! profile's settings resolved as a single profile's are (flags beat the environment, which
//! beats the profile), all before anything starts, so that a bad list is one line and exit 2.

use std::collections::HashSet;

use super::{Origin, Settings, Sources, config_file, file, file_choice, profile_from};
use crate::cli::{Cli, FleetArgs};
use crate::error::{CliError, CliResult};
use crate::time::shown;

/// One tenant of a fleet: a profile and the settings it runs with.
pub(crate) struct FleetTenant {
    /// The profile's name, which marks its records (`"tenant"`).
    pub(crate) name: String,
    pub(crate) settings: Settings,
}

/// The tenants `--profile a,b,c` (in that order) or `--all-profiles` (every profile of the
/// config file, sorted by name) name; `None` when the command runs over one profile, as it
/// always did (`--profile a` alone is not a fleet).
pub(crate) fn fleet(
    cli: &Cli,
    sources: &Sources,
    args: &FleetArgs,
) -> CliResult<Option<Vec<FleetTenant>>> {
    // The config file is parsed once for every profile of the fleet.
    let config = config_file(cli, sources);
    let choice = file_choice(&config);
    let read = || choice.as_ref().map(file::Parsed::read).transpose();
    let (names, parsed) = if args.all_profiles {
        if sources.given("profile") == Some(&Origin::Flag) {
            return Err(CliError::usage(
                "--all-profiles and --profile both choose profiles: pass one of them",
            ));
        }
        let Some(path) = choice.as_ref().map(|choice| &choice.path) else {
            return Err(CliError::usage(
                "--all-profiles needs a config file, and no config directory is known: pass --config FILE",
            ));
        };
        let parsed = read()?;
        match parsed.as_ref().and_then(file::Parsed::profile_names) {
            None => {
                return Err(CliError::usage(format!(
                    "--all-profiles needs a config file: there is none at {}: create it or pass --config FILE",
                    path.display()
                )));
            }
            Some(names) if names.is_empty() => {
                return Err(CliError::usage(format!(
                    "--all-profiles: {} has no profiles: add [profiles.NAME] tables",
                    path.display()
                )));
            }
            Some(names) => (names, parsed),
        }
    } else {
        match cli.profile.profile.as_deref() {
            Some(list) if list.contains(',') => {
                (list_names(list, &profile_from(sources))?, read()?)
            }
            _ => return Ok(None),
        }
    };
    let tenants = names
        .into_iter()
        .map(|name| {
            let settings = Settings::resolve_profile(cli, sources, Some(&name), parsed.as_ref())?;
            Ok(FleetTenant { name, settings })
        })
        .collect::<CliResult<Vec<_>>>()?;
    if tenants.iter().any(|t| t.settings.use_sandbox()) {
        return Err(CliError::usage(
            "--sandbox serves one tenant, and a fleet reads each profile's own credentials: drop --sandbox or name one profile",
        ));
    }
    Ok(Some(tenants))
}

/// The names of `a,b,c`, refusing an empty one and one named twice.
fn list_names(list: &str, from: &str) -> CliResult<Vec<String>> {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    for name in list.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(CliError::usage(format!(
                "{from} is {}: a name in the list is empty; separate names with single commas",
                shown(list)
            )));
        }
        if !seen.insert(name) {
            return Err(CliError::usage(format!(
                "{from} names profile {} twice: name each tenant once",
                shown(name)
            )));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

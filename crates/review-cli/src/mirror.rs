//! The `--db` option: which mirror, opened with one clear line when it cannot be.

use review_store::{Mirror, MirrorUrl};

use crate::error::{CliError, CliResult};
use crate::settings::{Origin, Setting};

/// The mirror `--db` (or `REVIEWS_DB`, or the profile's `db`) names, or the default file under
/// the user's data directory. A URL of neither form is bad usage (exit 2); the message names
/// where it came from and never repeats a password.
pub(crate) fn url(db: &Setting<String>) -> CliResult<MirrorUrl> {
    match db.get() {
        Some(text) => text.parse::<MirrorUrl>().map_err(|e| {
            let from = match &db.origin {
                Origin::Profile(_) => "the profile's db".to_owned(),
                Origin::Env(var) => var.clone(),
                _ => "--db".to_owned(),
            };
            CliError::usage(format!("{from}: {e}"))
        }),
        None => MirrorUrl::default_sqlite().ok_or_else(|| {
            CliError::usage(
                "no home directory to keep the mirror in: pass --db sqlite:PATH (or REVIEWS_DB)",
            )
        }),
    }
}

/// Opens (and migrates) the mirror; a failure is a runtime error naming it, redacted.
pub(crate) fn open(url: &MirrorUrl) -> CliResult<Mirror> {
    Mirror::open(url)
        .map_err(|e| CliError::runtime(format!("cannot open the mirror {}: {e}", url.redacted())))
}

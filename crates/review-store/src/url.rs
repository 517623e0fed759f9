//! Where the mirror lives: a parsed `--db` value that never shows its password.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::StoreError;

/// A mirror location: `sqlite:PATH` (also `sqlite://PATH`), `sqlite::memory:`, or
/// `postgres://...` / `postgresql://...`.
///
/// `Display` and `Debug` show it [redacted](MirrorUrl::redacted), so it can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct MirrorUrl {
    pub(crate) kind: UrlKind,
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) enum UrlKind {
    SqliteMemory,
    SqliteFile(PathBuf),
    Postgres(String),
}

impl MirrorUrl {
    /// The per-user default: `mirror.sqlite3` in the platform's data directory for `reviews`
    /// (`~/.local/share/reviews` on Linux). `None` when the system names no home directory.
    pub fn default_sqlite() -> Option<MirrorUrl> {
        let dirs = directories::ProjectDirs::from("", "", "reviews")?;
        Some(MirrorUrl {
            kind: UrlKind::SqliteFile(dirs.data_dir().join("mirror.sqlite3")),
        })
    }

    /// The URL with any password replaced by `***` (in the user info and in a `password=`
    /// query parameter), fit for logs and error messages.
    pub fn redacted(&self) -> String {
        match &self.kind {
            UrlKind::SqliteMemory => "sqlite::memory:".to_owned(),
            UrlKind::SqliteFile(path) => format!("sqlite:{}", path.display()),
            UrlKind::Postgres(url) => redact(url),
        }
    }

    /// Whether this is a PostgreSQL URL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, UrlKind::Postgres(_))
    }
}

impl fmt::Display for MirrorUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for MirrorUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MirrorUrl").field(&self.redacted()).finish()
    }
}

impl FromStr for MirrorUrl {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, StoreError> {
        let text = text.trim();
        if text == "sqlite::memory:" || text == "sqlite://:memory:" {
            return Ok(Self {
                kind: UrlKind::SqliteMemory,
            });
        }
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(url_error("sqlite: needs a file path"));
            }
            return Ok(Self {
                kind: UrlKind::SqliteFile(PathBuf::from(path)),
            });
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            // Let the driver validate it now, so a bad URL fails before any connection. Its
            // message may quote the text: give only our own words.
            if postgres::Config::from_str(text).is_err() {
                return Err(url_error(&format!(
                    "{} is not a valid PostgreSQL URL",
                    redact(text)
                )));
            }
            return Ok(Self {
                kind: UrlKind::Postgres(text.to_owned()),
            });
        }
        let scheme = text.split_once(':').map_or("", |(scheme, _)| scheme);
        let reason = if scheme.is_empty() {
            "no scheme".to_owned()
        } else {
            format!("unsupported scheme {scheme:?}")
        };
        Err(url_error(&reason))
    }
}

fn url_error(reason: &str) -> StoreError {
    StoreError::Url {
        reason: reason.to_owned(),
    }
}

/// `scheme://user:***@host/db?password=***`: the password in the user info and in the query
/// replaced; everything else kept.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".to_owned();
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let authority_end = before_query.find('/').unwrap_or(before_query.len());
    let (authority, path) = before_query.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let mut out = format!("{scheme}://{authority}{path}");
    if let Some(query) = query {
        let parts: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&parts.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://user:s3cret@db.example:5432/reviews"),
            "postgres://user:***@db.example:5432/reviews"
        );
        assert_eq!(
            redact("postgresql://u@h/db?password=s3cret&sslmode=disable"),
            "postgresql://u@h/db?password=***&sslmode=disable"
        );
        assert_eq!(redact("postgres://h"), "postgres://h");
    }
}

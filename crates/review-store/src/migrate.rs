//! Versioned migrations (`migrations/NNNN_name.sql`), applied on open in one transaction; on
//! PostgreSQL under a transaction-scoped advisory lock, so two processes opening a fresh
//! database at once apply them once. A database newer than this build is refused.

use jiff::Timestamp;

use crate::StoreError;
use crate::backend::{Backend, Value, in_tx};

/// One migration: its version, name and SQL (with the per-backend type tokens).
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "init",
    sql: include_str!("../migrations/0001_init.sql"),
}];

/// The newest version this build knows.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The advisory lock key of the mirror's migrations (any fixed number: "reviews" in ASCII).
const LOCK_KEY: i64 = 0x0072_6576_6965_7773;

/// The type tokens for one backend.
fn render(sql: &str, postgres: bool) -> String {
    let tokens: [(&str, &str, &str); 4] = [
        ("{{ts}}", "TEXT", "TIMESTAMPTZ"),
        ("{{bool}}", "INTEGER", "BOOLEAN"),
        ("{{json}}", "TEXT", "JSONB"),
        (
            "{{serial}}",
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        ),
    ];
    tokens
        .iter()
        .fold(sql.to_owned(), |sql, (token, sqlite, pg)| {
            sql.replace(token, if postgres { pg } else { sqlite })
        })
}

/// Brings the schema up to [`latest`].
pub(crate) fn run(backend: &mut dyn Backend, now: Timestamp) -> Result<(), StoreError> {
    in_tx(backend, |db| {
        if db.is_postgres() {
            db.execute(
                "advisory lock",
                "SELECT pg_advisory_xact_lock($1)",
                &[Value::Int(LOCK_KEY)],
            )
            .map_err(migrate_error("advisory lock"))?;
        }
        let ts = if db.is_postgres() {
            "TIMESTAMPTZ"
        } else {
            "TEXT"
        };
        db.batch(
            "schema_migrations",
            &format!(
                "CREATE TABLE IF NOT EXISTS schema_migrations (\
                 version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at {ts} NOT NULL)"
            ),
        )
        .map_err(migrate_error("schema_migrations"))?;
        let mut applied = Vec::new();
        db.query(
            "schema versions",
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
            &mut |row| {
                applied.push(row.int(0)?);
                Ok(())
            },
        )?;
        if let Some(&found) = applied.iter().max()
            && found > latest()
        {
            return Err(StoreError::SchemaTooNew {
                found,
                known: latest(),
            });
        }
        for migration in MIGRATIONS {
            if applied.contains(&migration.version) {
                continue;
            }
            let step = format!("{:04}_{}", migration.version, migration.name);
            db.batch("migration", &render(migration.sql, db.is_postgres()))
                .map_err(|err| migrate_error_named(&step, err))?;
            db.execute(
                "record migration",
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[
                    Value::Int(migration.version),
                    Value::Text(migration.name),
                    Value::Ts(now),
                ],
            )
            .map_err(|err| migrate_error_named(&step, err))?;
        }
        Ok(())
    })
}

fn migrate_error(step: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |err| migrate_error_named(step, err)
}

fn migrate_error_named(step: &str, err: StoreError) -> StoreError {
    match err {
        StoreError::Query { source, .. } => StoreError::Migrate {
            step: step.to_owned(),
            source,
        },
        other => other,
    }
}

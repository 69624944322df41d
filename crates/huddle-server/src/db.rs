//! Database access: one SQL text for both backends through sqlx's `Any` driver (`$1`
//! placeholders work on SQLite and PostgreSQL), one migrations folder per backend.
//!
//! SQLite gets a dedicated single-connection writer pool: writes are serialized by the pool
//! instead of failing with `SQLITE_BUSY` when two deferred transactions both try to upgrade.

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Transaction};
use std::time::Duration;

pub type Tx = Transaction<'static, sqlx::Any>;
pub type Row = AnyRow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub backend: Backend,
    read: AnyPool,
    write: AnyPool,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    pub async fn connect(url: &str, sqlite_synchronous: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            let sync = sqlite_synchronous.to_ascii_uppercase();
            let pragmas = format!(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync}; PRAGMA foreign_keys=ON; \
                 PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32000;"
            );
            let make = |max: u32| {
                let pragmas = pragmas.clone();
                AnyPoolOptions::new()
                    .max_connections(max)
                    .min_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(move |conn, _| {
                        let pragmas = pragmas.clone();
                        Box::pin(async move {
                            conn.execute(pragmas.as_str()).await?;
                            Ok(())
                        })
                    })
            };
            let write = make(1)
                .connect(url)
                .await
                .with_context(|| format!("opening SQLite database {url}"))?;
            let read = make(8).connect(url).await?;
            SQLITE_MIGRATIONS
                .run(&write)
                .await
                .context("applying SQLite migrations")?;
            Ok(Self {
                backend: Backend::Sqlite,
                read,
                write,
            })
        } else {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await
                .context("connecting to PostgreSQL")?;
            POSTGRES_MIGRATIONS
                .run(&pool)
                .await
                .context("applying PostgreSQL migrations")?;
            Ok(Self {
                backend: Backend::Postgres,
                read: pool.clone(),
                write: pool,
            })
        }
    }

    /// Pool for reads that need no transaction.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Pool for single-statement writes outside a transaction.
    pub fn writer(&self) -> &AnyPool {
        &self.write
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.write.begin().await
    }

    /// Starts a read-only consistent snapshot (a transaction on the read pool).
    pub async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        self.read.begin().await
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// Placeholders for a statement built at run time with one bound value per placeholder, in
/// order of appearance: `?` on SQLite, `$1, $2, …` on PostgreSQL.
///
/// Why not `$N` everywhere: SQLite names `$N` parameters, and binding by name looks each name up
/// in a list, which makes binding a statement with thousands of parameters quadratic. Anonymous
/// `?` parameters bind by position.
pub struct Placeholders {
    backend: Backend,
    count: usize,
}

impl Placeholders {
    pub fn new(backend: Backend) -> Self {
        Self { backend, count: 0 }
    }

    /// Appends the next placeholder to `sql`.
    pub fn push(&mut self, sql: &mut String) {
        self.count += 1;
        match self.backend {
            Backend::Sqlite => sql.push('?'),
            Backend::Postgres => {
                use std::fmt::Write;
                let _ = write!(sql, "${}", self.count);
            }
        }
    }

    /// Appends `(p, p, …)` with `n` placeholders.
    pub fn push_tuple(&mut self, sql: &mut String, n: usize) {
        sql.push('(');
        for i in 0..n {
            if i > 0 {
                sql.push_str(", ");
            }
            self.push(sql);
        }
        sql.push(')');
    }

    /// Appends `(a = p AND b = p) OR (a = p AND b = p) …` matching any of `n` pairs.
    pub fn push_any_pair(&mut self, sql: &mut String, (a, b): (&str, &str), n: usize) {
        for i in 0..n {
            if i > 0 {
                sql.push_str(" OR ");
            }
            sql.push('(');
            sql.push_str(a);
            sql.push_str(" = ");
            self.push(sql);
            sql.push_str(" AND ");
            sql.push_str(b);
            sql.push_str(" = ");
            self.push(sql);
            sql.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_positional_on_sqlite_and_numbered_on_postgres() {
        for (backend, want) in [
            (
                Backend::Sqlite,
                "x = ? AND (?, ?) AND ((a = ? AND b = ?) OR (a = ? AND b = ?))",
            ),
            (
                Backend::Postgres,
                "x = $1 AND ($2, $3) AND ((a = $4 AND b = $5) OR (a = $6 AND b = $7))",
            ),
        ] {
            let mut p = Placeholders::new(backend);
            let mut sql = String::from("x = ");
            p.push(&mut sql);
            sql.push_str(" AND ");
            p.push_tuple(&mut sql, 2);
            sql.push_str(" AND (");
            p.push_any_pair(&mut sql, ("a", "b"), 2);
            sql.push(')');
            assert_eq!(sql, want);
        }
    }
}

//! The seeded data sets, cached outside the repo (a SQLite file, a PostgreSQL dump) under a
//! key made of the seed parameters and the hash of the backend's FIRST migration (the schema
//! the seeder writes into). A cached set made before later migrations is brought up to date
//! by the store's own migrations before the measurement (the upgrade path a deployed server
//! takes), so adding a migration does not cost a reseed (about 20 minutes on 2 cores); a set
//! that no longer migrates (an edited migration) is reseeded.

use crate::SeedSpec;
use crate::seed;
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use social_store::{Store, StoreOptions};
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Bumped when the seeder's content changes, to invalidate old caches.
const SEED_VERSION: u32 = 1;
const PG_DATABASE: &str = "social_bench";

pub struct Cache {
    dir: PathBuf,
    migrations: PathBuf,
    spec: SeedSpec,
}

impl Cache {
    /// Uses `dir`, or `~/.cache/social-bench` when `dir` cannot be created (not root).
    pub fn new(dir: &Path, migrations: &Path, spec: SeedSpec) -> anyhow::Result<Self> {
        let dir = match std::fs::create_dir_all(dir) {
            Ok(()) => dir.to_path_buf(),
            Err(e) => {
                let home = std::env::var_os("HOME").context("no HOME for the fallback cache")?;
                let fallback = PathBuf::from(home).join(".cache/social-bench");
                eprintln!(
                    "cannot use {} ({e}); caching in {}",
                    dir.display(),
                    fallback.display()
                );
                std::fs::create_dir_all(&fallback)
                    .with_context(|| format!("creating {}", fallback.display()))?;
                fallback
            }
        };
        Ok(Self {
            dir,
            migrations: migrations.to_path_buf(),
            spec,
        })
    }

    /// `sqlite-<hash>` / `postgres-<hash>`.
    fn key(&self, backend: &str) -> anyhow::Result<String> {
        let mut hash = Sha256::new();
        let s = self.spec;
        hash.update(format!(
            "v{SEED_VERSION} {backend} accounts={} posts={} follows={}\n",
            s.accounts, s.posts, s.follows
        ));
        let own = self.migrations.join(backend);
        let root = if own.is_dir() {
            own
        } else {
            self.migrations.clone()
        };
        let mut files = Vec::new();
        collect_files(&root, &mut files)
            .with_context(|| format!("reading the migrations in {}", root.display()))?;
        files.sort();
        // Later migrations are applied to the cached set when it is used (`migrate_forward`).
        files.truncate(1);
        for file in files {
            hash.update(
                file.strip_prefix(&root)
                    .unwrap_or(&file)
                    .to_string_lossy()
                    .as_bytes(),
            );
            hash.update(std::fs::read(&file).with_context(|| format!("{}", file.display()))?);
        }
        let digest = hash.finalize();
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Ok(format!("{backend}-{hex}"))
    }

    /// A private copy of the SQLite data set in `dest`; returns its database URL.
    pub async fn sqlite(&self, dest: &Path) -> anyhow::Result<String> {
        let cached = self.dir.join(format!("{}.db", self.key("sqlite")?));
        match self.sqlite_copy(&cached, dest).await {
            Err(e) if cached.exists() => {
                eprintln!("SQLite data set: the cached set does not migrate ({e:#}); reseeding");
                std::fs::remove_file(&cached).context("removing the stale cached set")?;
                self.sqlite_copy(&cached, dest).await
            }
            result => result,
        }
    }

    /// `sqlite`, once: seeds `cached` if missing, copies it to `dest` and migrates the copy.
    async fn sqlite_copy(&self, cached: &Path, dest: &Path) -> anyhow::Result<String> {
        if cached.exists() {
            eprintln!("SQLite data set: cached {}", cached.display());
        } else {
            let partial = self.dir.join(format!("{}.partial.db", self.key("sqlite")?));
            remove_sqlite_files(&partial);
            let url = format!("sqlite://{}", partial.display());
            eprintln!(
                "SQLite data set: seeding {} (cached for later runs)",
                cached.display()
            );
            let started = Instant::now();
            let store = open(&url).await?;
            seed::seed(&store, self.spec, 4).await?;
            store.close().await;
            checkpoint_sqlite(&url).await?;
            remove_sqlite_files_but_db(&partial);
            std::fs::rename(&partial, cached).context("storing the seeded SQLite file")?;
            eprintln!("SQLite data set: seeded in {:.0?}", started.elapsed());
        }
        std::fs::create_dir_all(dest)?;
        let copy = dest.join("social.db");
        remove_sqlite_files(&copy);
        std::fs::copy(cached, &copy).context("copying the cached SQLite file")?;
        let url = format!("sqlite://{}", copy.display());
        migrate_forward(&url).await?;
        checkpoint_sqlite(&url).await?;
        Ok(url)
    }

    /// (Re)creates the database `social_bench` on the server of `admin_url` with the data set,
    /// from the cached dump when there is one; returns its URL.
    pub async fn postgres(&self, admin_url: &str, pg_bin: &Path) -> anyhow::Result<String> {
        let dump = self.dir.join(format!("{}.dump", self.key("postgres")?));
        match self.postgres_once(admin_url, pg_bin, &dump).await {
            Err(e) if dump.exists() => {
                eprintln!(
                    "PostgreSQL data set: the cached set does not migrate ({e:#}); reseeding"
                );
                std::fs::remove_file(&dump).context("removing the stale cached dump")?;
                self.postgres_once(admin_url, pg_bin, &dump).await
            }
            result => result,
        }
    }

    /// `postgres`, once: restores `dump` (seeding and dumping first if missing) and migrates.
    async fn postgres_once(
        &self,
        admin_url: &str,
        pg_bin: &Path,
        dump: &Path,
    ) -> anyhow::Result<String> {
        let url = with_database(admin_url, PG_DATABASE)?;
        recreate_database(admin_url).await?;
        let started = Instant::now();
        if dump.exists() {
            eprintln!("PostgreSQL data set: restoring cached {}", dump.display());
            run(Command::new(pg_bin.join("pg_restore"))
                .args(["--no-owner", "--jobs=2", "--dbname", &url])
                .arg(dump))?;
        } else {
            eprintln!(
                "PostgreSQL data set: seeding {} (cached for later runs)",
                dump.display()
            );
            let store = open(&url).await?;
            seed::seed(&store, self.spec, 16).await?;
            store.close().await;
            let partial = dump.with_extension("partial");
            run(Command::new(pg_bin.join("pg_dump"))
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&partial)
                .arg(&url))?;
            std::fs::rename(&partial, dump).context("storing the dump")?;
        }
        migrate_forward(&url).await?;
        let mut conn = sqlx::PgConnection::connect(&url)
            .await
            .context("connecting")?;
        sqlx::raw_sql("VACUUM ANALYZE")
            .execute(&mut conn)
            .await
            .context("VACUUM ANALYZE")?;
        // The server may run with asynchronous commit for the seeding; sociald's sessions
        // commit durably, as on the appliance, since the posting run measures writes.
        sqlx::raw_sql(&format!(
            "ALTER DATABASE {PG_DATABASE} SET synchronous_commit TO on"
        ))
        .execute(&mut conn)
        .await
        .context("synchronous_commit")?;
        conn.close().await.ok();
        eprintln!("PostgreSQL data set: ready in {:.0?}", started.elapsed());
        Ok(url)
    }
}

/// Applies the migrations newer than the cached set (opening the store migrates).
async fn migrate_forward(url: &str) -> anyhow::Result<()> {
    open(url).await?.close().await;
    Ok(())
}

async fn open(url: &str) -> anyhow::Result<Store> {
    let options = StoreOptions {
        database_url: url.to_owned(),
        max_connections: 0,
        redis_url: None,
    };
    Store::open(options)
        .await
        .with_context(|| format!("opening the store at {url}"))
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn sidecars(db: &Path) -> [PathBuf; 2] {
    let name = db.as_os_str().to_os_string();
    let mut wal = name.clone();
    wal.push("-wal");
    let mut shm = name;
    shm.push("-shm");
    [PathBuf::from(wal), PathBuf::from(shm)]
}

fn remove_sqlite_files(db: &Path) {
    std::fs::remove_file(db).ok();
    remove_sqlite_files_but_db(db);
}

fn remove_sqlite_files_but_db(db: &Path) {
    for f in sidecars(db) {
        std::fs::remove_file(f).ok();
    }
}

/// Folds the WAL into the main file so the single cached file holds everything.
async fn checkpoint_sqlite(url: &str) -> anyhow::Result<()> {
    let mut conn = sqlx::SqliteConnection::connect(url)
        .await
        .context("reopening SQLite")?;
    sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

async fn recreate_database(admin_url: &str) -> anyhow::Result<()> {
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .with_context(|| format!("connecting to {admin_url}"))?;
    sqlx::raw_sql(&format!(
        "DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"
    ))
    .execute(&mut conn)
    .await?;
    sqlx::raw_sql(&format!("CREATE DATABASE {PG_DATABASE}"))
        .execute(&mut conn)
        .await?;
    conn.close().await.ok();
    Ok(())
}

/// `postgres://u@h:p/postgres?x` → `postgres://u@h:p/NAME?x`.
fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let Some(after_scheme) = base.find("://").map(|i| i + 3) else {
        bail!("not a postgres:// URL: {url}");
    };
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_swapped_in_urls() {
        let swap = |u| with_database(u, "social_bench").expect("valid url");
        assert_eq!(
            swap("postgres://p@127.0.0.1:5/postgres"),
            "postgres://p@127.0.0.1:5/social_bench"
        );
        assert_eq!(
            swap("postgres://p@h:5/postgres?sslmode=disable"),
            "postgres://p@h:5/social_bench?sslmode=disable"
        );
        assert_eq!(swap("postgres://p@h:5"), "postgres://p@h:5/social_bench");
    }
}

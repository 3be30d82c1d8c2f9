//! Test databases: a fresh SQLite file in a temp dir, or a fresh PostgreSQL database (random
//! name, dropped at the end) when `SOCIAL_TEST_DATABASE_URL` is set.

use rand::Rng;
use social_store::{Store, StoreOptions};
use std::path::PathBuf;

pub struct TestDb {
    pub store: Store,
    dir: Option<PathBuf>,
    pg: Option<(String, String)>,
}

fn random_name(prefix: &str) -> String {
    let n: u64 = rand::thread_rng().r#gen();
    format!("{prefix}{n:016x}")
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(random_name("social-store-test-"));
        let url = format!("sqlite://{}/nested/social.db", dir.display());
        let store = Store::open(StoreOptions {
            database_url: url,
            max_connections: 0,
            redis_url: None,
        })
        .await
        .expect("open sqlite store");
        TestDb {
            store,
            dir: Some(dir),
            pg: None,
        }
    }

    /// None when `SOCIAL_TEST_DATABASE_URL` is unset (the PostgreSQL run is skipped).
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = std::env::var("SOCIAL_TEST_DATABASE_URL").ok()?;
        let name = random_name("social_test_");
        let admin = sqlx::PgPool::connect(&admin_url)
            .await
            .expect("connect admin url");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create db");
        admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        let store = Store::open(StoreOptions {
            database_url: url,
            max_connections: 5,
            redis_url: None,
        })
        .await
        .expect("open postgres store");
        Some(TestDb {
            store,
            dir: None,
            pg: Some((admin_url, name)),
        })
    }

    /// The PostgreSQL database's URL (None on SQLite), for checks below the Store API.
    pub fn pg_url(&self) -> Option<String> {
        let (admin_url, name) = self.pg.as_ref()?;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b);
        Some(format!("{base}/{name}"))
    }

    /// The SQLite database file (None on PostgreSQL), for writes behind the store's back.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join("nested/social.db"))
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin_url, name)) = self.pg {
            let admin = sqlx::PgPool::connect(&admin_url)
                .await
                .expect("connect admin url");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&admin)
                .await
                .expect("drop db");
            admin.close().await;
        }
    }
}

/// Generates, for each case `cases::<module>::<name>(&Store)`, a SQLite test (always) and a
/// PostgreSQL test (skipped without `SOCIAL_TEST_DATABASE_URL`).
#[macro_export]
macro_rules! contract_tests {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::harness::TestDb::sqlite().await;
                    $crate::$module::$name(&db.store).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::harness::TestDb::postgres().await else { return };
                    $crate::$module::$name(&db.store).await;
                    db.finish().await;
                }
            )*
        }
    };
}

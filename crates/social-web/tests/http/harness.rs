//! Test rig: a server per scenario on a fresh database, and a cookie-keeping client that knows
//! how to find CSRF tokens and post IDs in the HTML.

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use social_core::{AccountId, AccountStatus, RegistrationMode, Role};
use social_store::{AccountInsert, Store, StoreOptions};
use social_web::{AppState, WebConfig, router};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

/// Which database (and cache) a scenario runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres {
        admin_url: String,
        redis_url: Option<String>,
    },
}

/// SQLite always; PostgreSQL (+ Redis) when the test command provides them.
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    if let Ok(admin_url) = std::env::var("SOCIAL_TEST_DATABASE_URL") {
        let redis_url = std::env::var("SOCIAL_TEST_REDIS_URL").ok();
        list.push(Backend::Postgres {
            admin_url,
            redis_url,
        });
    }
    list
}

/// Runs `scenario` once per backend, naming the backend if it panics.
#[macro_export]
macro_rules! each_backend {
    ($scenario:expr) => {
        for backend in $crate::harness::backends() {
            eprintln!("--- backend {backend:?}");
            let app = $crate::harness::TestApp::spawn(&backend, Default::default()).await;
            $scenario(app).await;
        }
    };
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// A running server on its own fresh database.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    #[allow(dead_code)]
    pub addr: SocketAddr,
    /// Where this server keeps uploaded media.
    #[allow(dead_code)]
    pub media_dir: std::path::PathBuf,
    /// The database this server uses (tests that must change rows the API cannot).
    #[allow(dead_code)]
    pub database_url: String,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    pub async fn spawn(backend: &Backend, config: WebConfig) -> TestApp {
        Self::spawn_with(backend, config, None).await
    }

    /// `redis_override`: use this Redis URL instead of the backend's (cache tests).
    pub async fn spawn_with(
        backend: &Backend,
        config: WebConfig,
        redis_override: Option<String>,
    ) -> TestApp {
        Self::spawn_full(backend, config, redis_override, None).await
    }

    /// With e-mail through `mail` (its `link_base_url` replaced by this server's address).
    #[allow(dead_code)]
    pub async fn spawn_with_mail(
        backend: &Backend,
        config: WebConfig,
        mail: social_web::mail::MailSettings,
    ) -> TestApp {
        Self::spawn_full(backend, config, None, Some(mail)).await
    }

    async fn spawn_full(
        backend: &Backend,
        mut config: WebConfig,
        redis_override: Option<String>,
        mail: Option<social_web::mail::MailSettings>,
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        config.media_dir = dir.path().join("media");
        let media_dir = config.media_dir.clone();
        let (database_url, redis_url) = match backend {
            Backend::Sqlite => (format!("sqlite://{}/social.db", dir.path().display()), None),
            Backend::Postgres {
                admin_url,
                redis_url,
            } => (fresh_pg_database(admin_url).await, redis_url.clone()),
        };
        let options = StoreOptions {
            database_url: database_url.clone(),
            max_connections: 0,
            redis_url: redis_override.or(redis_url),
        };
        let store = Store::open(options).await.expect("store opens");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut state = AppState::new(config, store.clone());
        if let Some(mut mail) = mail {
            mail.link_base_url = format!("http://{addr}");
            state = state.with_mailer(social_web::mail::Mailer::start(mail).expect("mailer"));
        }
        let app = router(state);
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        TestApp {
            base: format!("http://{addr}"),
            store,
            addr,
            media_dir,
            database_url,
            _dir: dir,
            server,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    pub async fn set_mode(&self, mode: RegistrationMode) {
        self.store.put_registration_mode(mode).await.unwrap();
    }

    /// Creates an active account directly in the store.
    pub async fn account(&self, username: &str, role: Role) -> AccountId {
        self.store
            .create_account(AccountInsert {
                username: username.into(),
                password: password_of(username),
                role,
                status: AccountStatus::Active,
                signup_reason: String::new(),
                invite_code: None,
            })
            .await
            .unwrap()
            .id
    }

    /// An active user, logged in through the real login form.
    pub async fn user(&self, username: &str) -> Client {
        self.account(username, Role::User).await;
        self.login(username).await
    }

    pub async fn admin(&self, username: &str) -> Client {
        self.account(username, Role::Admin).await;
        self.login(username).await
    }

    pub async fn login(&self, username: &str) -> Client {
        let mut client = self.client();
        let resp = client.login(username, &password_of(username)).await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "login of {username}: {}",
            resp.body
        );
        client.name = username.to_owned();
        client
    }
}

/// Every test account's password.
pub fn password_of(username: &str) -> String {
    format!("pw-of-{username}-123")
}

async fn fresh_pg_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = unique_name("social_it");
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("postgres admin connection");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("admin url has a database name");
    format!("{base}/{name}")
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn assert_status(&self, status: StatusCode) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in page: {}",
            self.body
        );
        self
    }

    pub fn assert_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.body.contains(needle),
            "did not expect {needle:?} in page: {}",
            self.body
        );
        self
    }

    /// The hidden CSRF token in the first form of the page.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\"")
            .expect("page has a csrf field");
        let tag_start = self.body[..at].rfind('<').unwrap();
        let tag_end = at + self.body[at..].find('>').unwrap();
        let tag = &self.body[tag_start..tag_end];
        let v = tag.find("value=\"").expect("csrf field has a value") + 7;
        tag[v..v + tag[v..].find('"').unwrap()].to_owned()
    }

    /// IDs of the posts on the page, in page order, found by their permalinks `/@name/ID`.
    pub fn post_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = Vec::new();
        for (i, _) in self.body.match_indices("href=\"/@") {
            let rest = &self.body[i + 8..];
            let end = rest.find('"').unwrap_or(0);
            let id = rest[..end]
                .split_once('/')
                .and_then(|(_, id)| id.parse::<i64>().ok());
            if let Some(id) = id.filter(|id| !ids.contains(id)) {
                ids.push(id);
            }
        }
        ids
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests assert them).
pub struct Client {
    pub base: String,
    /// The signed-in user's name; empty when anonymous.
    pub name: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Self::with_headers(base, reqwest::header::HeaderMap::new())
    }

    /// A client that sends `headers` with every request (`X-Forwarded-For` through a trusted
    /// proxy, say).
    pub fn with_headers(base: &str, headers: reqwest::header::HeaderMap) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        Client {
            base: base.into(),
            name: String::new(),
            http,
        }
    }

    async fn read(resp: reqwest::Response) -> Resp {
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.text().await.unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        Self::read(
            self.http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&'static str, &str)]) -> Resp {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, HeaderValue::from_str(v).unwrap());
        }
        Self::read(req.send().await.unwrap()).await
    }

    /// POSTs a form exactly as given (no CSRF token added).
    pub async fn post_raw(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        Self::read(req.send().await.unwrap()).await
    }

    pub async fn post_body(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&'static str, &str)],
    ) -> Resp {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, HeaderValue::from_str(v).unwrap());
        }
        Self::read(req.send().await.unwrap()).await
    }

    /// POSTs a form with the CSRF token of the page at `token_page` added.
    pub async fn post_from(&self, token_page: &str, path: &str, form: &[(&str, &str)]) -> Resp {
        let token = self.get(token_page).await.csrf();
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf", &token));
        self.post_raw(path, &fields).await
    }

    /// POSTs a form as a signed-in user (token from the settings page).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.post_from("/settings/profile", path, form).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Resp {
        self.post_from(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Posts a text and returns the new post's ID (the newest on the author's profile).
    pub async fn new_post(&self, text: &str, visibility: &str) -> i64 {
        self.reply(text, visibility, None).await
    }

    pub async fn reply(&self, text: &str, visibility: &str, to: Option<i64>) -> i64 {
        let to = to.map(|id| id.to_string()).unwrap_or_default();
        let mut form = vec![("text", text), ("visibility", visibility)];
        if !to.is_empty() {
            form.push(("in_reply_to_id", &to));
        }
        let resp = self.post("/posts", &form).await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "posting failed: {}",
            resp.body
        );
        let profile = self.get(&format!("/@{}", self.name)).await;
        *profile
            .post_ids()
            .iter()
            .max()
            .expect("new post on own profile")
    }
}

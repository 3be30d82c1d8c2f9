//! Seeds the benchmark data set through the public `Store` API (the same writes the site does:
//! password hashing, fan-out, mentions, tags), with several writers at once.

use crate::SeedSpec;
use anyhow::Context;
use social_core::{AccountId, AccountStatus, PostId, Role, Visibility};
use social_store::{AccountInsert, PostInsert, Store};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Instant;

/// The account the benchmark logs in as; it follows `spec.follows` others like everyone.
pub const BENCH_USER: &str = "bench";
/// Every seeded account's password: a fixture of a throw-away local data set, not a secret.
pub const PASSWORD: &str = "bench-seeded-password";

pub fn username(i: usize) -> String {
    if i == 0 {
        BENCH_USER.to_owned()
    } else {
        format!("user{i:04}")
    }
}

pub async fn seed(store: &Store, spec: SeedSpec, writers: usize) -> anyhow::Result<()> {
    let accounts = parallel("accounts", spec.accounts, writers, {
        let store = store.clone();
        move |i| {
            let store = store.clone();
            async move {
                let insert = AccountInsert {
                    username: username(i),
                    password: PASSWORD.to_owned(),
                    role: Role::User,
                    status: AccountStatus::Active,
                    signup_reason: String::new(),
                    invite_code: None,
                };
                let account = store
                    .create_account(insert)
                    .await
                    .context("create_account")?;
                Ok(account.id)
            }
        }
    })
    .await?;
    let accounts = Arc::new(accounts);

    // Account i follows i+1, i+1+stride, ...: `follows` distinct others, never itself.
    let n = spec.accounts;
    let stride = ((n - 1) / spec.follows.max(1)).max(1);
    parallel("follows", n * spec.follows, writers, {
        let (store, accounts) = (store.clone(), accounts.clone());
        move |j| {
            let (store, accounts) = (store.clone(), accounts.clone());
            async move {
                let (i, k) = (j / spec.follows, j % spec.follows);
                let target = (i + 1 + k * stride) % n;
                store
                    .follow(accounts[i], accounts[target])
                    .await
                    .context("follow")?;
                Ok(())
            }
        }
    })
    .await?;

    let ids: Arc<Vec<AtomicI64>> = Arc::new((0..spec.posts).map(|_| AtomicI64::new(0)).collect());
    parallel("posts", spec.posts, writers, {
        let (store, accounts) = (store.clone(), accounts.clone());
        move |i| {
            let (store, accounts, ids) = (store.clone(), accounts.clone(), ids.clone());
            async move {
                let insert = post(i, n, &accounts, &ids);
                let created = store.create_post(insert).await.context("create_post")?;
                ids[i].store(created.id.0, Ordering::Relaxed);
                Ok(())
            }
        }
    })
    .await?;
    Ok(())
}

/// Post `i`: mostly public, some unlisted and followers-only; tags, mentions, links, and
/// replies to the previous (public) post when it already exists.
fn post(i: usize, n: usize, accounts: &[AccountId], ids: &[AtomicI64]) -> PostInsert {
    let author = i % n;
    let mut text = format!(
        "Post {i} by {}: the quick brown fox jumps over the lazy dog while the timeline \
         keeps going. #topic{}",
        username(author),
        i % 40
    );
    if i % 20 == 7 {
        text.push_str(&format!(" cc @{}", username((author + 1) % n)));
    }
    if i.is_multiple_of(7) {
        text.push_str(&format!(" https://example.org/notes/{i}"));
    }
    let visibility = if i.is_multiple_of(25) {
        Visibility::Private
    } else if i.is_multiple_of(10) {
        Visibility::Unlisted
    } else {
        Visibility::Public
    };
    // i % 5 == 3 replies to i - 1, whose i % 5 == 2 makes it public.
    let in_reply_to_id = (i % 5 == 3)
        .then(|| ids[i - 1].load(Ordering::Relaxed))
        .filter(|id| *id != 0)
        .map(PostId);
    PostInsert {
        author_id: accounts[author],
        text,
        visibility,
        in_reply_to_id,
        spoiler_text: String::new(),
        sensitive: false,
        media_ids: Vec::new(),
    }
}

/// Runs `job(0..count)` on `workers` tasks; returns the results in index order.
async fn parallel<T, F, Fut>(
    what: &str,
    count: usize,
    workers: usize,
    job: F,
) -> anyhow::Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<T>> + Send,
{
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (next, done, job) = (next.clone(), done.clone(), job.clone());
        let what = what.to_owned();
        tasks.spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(out);
                }
                out.push((i, job(i).await.with_context(|| format!("item {i}"))?));
                let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                if count >= 10 && finished % (count / 10) == 0 {
                    eprintln!("  {what}: {finished}/{count}");
                }
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(result) = tasks.join_next().await {
        all.extend(result.context("seed task panicked")??);
    }
    all.sort_by_key(|(i, _)| *i);
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "seeded {count} {what} in {secs:.1}s ({:.0}/s)",
        count as f64 / secs.max(1e-9)
    );
    Ok(all.into_iter().map(|(_, v)| v).collect())
}

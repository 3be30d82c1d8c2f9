//! Storage contract tests: the same cases against SQLite (always) and PostgreSQL (when
//! `SOCIAL_TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used)]

use social_store::Page;

#[path = "contract/accounts.rs"]
mod accounts;
#[path = "contract/api.rs"]
mod api;
#[path = "contract/api_write.rs"]
mod api_write;
#[path = "contract/email.rs"]
mod email;
#[path = "contract/fixtures.rs"]
mod fixtures;
#[path = "contract/harness.rs"]
mod harness;
#[path = "contract/media.rs"]
mod media;
#[path = "contract/moderation.rs"]
mod moderation;
#[path = "contract/oauth.rs"]
mod oauth;
#[path = "contract/posts.rs"]
mod posts;
#[path = "contract/rules.rs"]
mod rules;
#[path = "contract/security.rs"]
mod security;
#[path = "contract/social.rs"]
mod social;
#[path = "contract/spam.rs"]
mod spam;
#[path = "contract/timelines.rs"]
mod timelines;

contract_tests!(
    email::addresses_tokens_and_blocks,
    accounts::usernames_unique_ignoring_case,
    accounts::password_verification,
    accounts::statuses_roles_profile,
    accounts::sessions,
    accounts::session_of_disabled_account,
    accounts::registration_mode,
    accounts::invites,
    oauth::apps,
    oauth::codes_are_single_use,
    oauth::tokens_and_revocation,
    posts::mentions_tags_and_reply_counts,
    posts::direct_needs_a_mention,
    posts::favourites_idempotent,
    posts::boosts_idempotent_and_visibility,
    posts::deletion_cascades,
    posts::blocked_cannot_interact,
    posts::concurrent_posts_succeed_or_fail_alone,
    timelines::visibility_matrix,
    timelines::threads,
    timelines::reply_fan_out_like_mastodon,
    timelines::pagination,
    timelines::home_shows_rows_changed_after_they_were_read,
    social::follow_counts_and_backfill,
    social::locked_account_requests,
    social::block_effects,
    social::mute_effects,
    social::notifications_and_unread,
    api::search_accounts_and_tags,
    api::favourited_and_reblogged_by,
    api_write::bookmarks,
    api_write::favourites_list,
    api_write::content_warnings,
    api_write::idempotent_create,
    api_write::markers,
    api_write::notification_get_dismiss_clear,
    media::owner_only,
    media::attach_checks,
    media::hydrated_everywhere,
    media::deletion_and_orphan_sweep,
    moderation::reports_validated_and_queued,
    moderation::actions_audit_and_effects,
    moderation::notices_and_appeals,
    moderation::unmoderated_server_stops_open_registrations,
    moderation::suspended_accounts_purged_after_grace,
    moderation::suspended_session_reaches_only_the_appeal,
    security::totp_enrolment_and_single_use,
    security::sessions_listed_and_revoked,
    rules::held_posts_lifecycle,
    rules::filters_cache_and_blocks,
    spam::spam_context_counts,
    spam::classifier_learns_from_held_decisions,
);

/// The PostgreSQL schema itself refuses to change or delete audit entries (its trigger; the
/// SQLite twin is a unit test in `src/moderation.rs`).
#[tokio::test]
async fn postgres_audit_log_is_append_only_in_the_schema() {
    let Some(db) = harness::TestDb::postgres().await else {
        return;
    };
    let pool = sqlx::PgPool::connect(&db.pg_url().unwrap()).await.unwrap();
    sqlx::query(
        "INSERT INTO audit_log (id, actor_id, action, reason, created_at) \
         VALUES (1, 2, 'warn', 'why', 3)",
    )
    .execute(&pool)
    .await
    .unwrap();
    for sql in [
        "UPDATE audit_log SET reason = 'other'",
        "DELETE FROM audit_log",
    ] {
        let e = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE reason = 'why'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
    pool.close().await;
    db.finish().await;
}

/// PostgreSQL's home pages kept in memory (`pages.rs`) are served only while nothing
/// changed: a write through the store shows on the very next read, and a write made behind
/// the store's back (another process, `psql`) within one poll of the database's snapshot.
#[tokio::test]
async fn postgres_home_pages_kept_in_memory_follow_every_write() {
    let Some(db) = harness::TestDb::postgres().await else {
        return;
    };
    let store = &db.store;
    let author = fixtures::alice(store).await;
    let viewer = fixtures::bob(store).await;
    let fan = fixtures::carol(store).await;
    store.follow(viewer.id, author.id).await.unwrap();
    fixtures::post_by(&author).text("first").create(store).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    // Reads both home pages until each was served from memory once.
    let served = || async {
        for unread in [false, true] {
            let before = store.home_page_counts().0;
            loop {
                if unread {
                    store.home_page(viewer.id, Page::first(20)).await.unwrap();
                } else {
                    store
                        .home_timeline(viewer.id, Page::first(20))
                        .await
                        .unwrap();
                }
                if store.home_page_counts().0 > before {
                    break;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "no page served from memory"
                );
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        }
    };

    // Own writes: each shows on the next read, however warm the pages were.
    for n in 0..5 {
        served().await;
        let post = fixtures::post_by(&author)
            .text(&format!("post {n}"))
            .create(store)
            .await;
        let page = store
            .home_timeline(viewer.id, Page::first(20))
            .await
            .unwrap();
        assert_eq!(
            page[0].post.id, post.id,
            "own write {n} missing from the API page"
        );
        served().await;
        store.favourite(fan.id, post.id).await.unwrap();
        let (page, _) = store.home_page(viewer.id, Page::first(20)).await.unwrap();
        assert_eq!(
            page[0].post.favourites_count, 1,
            "favourite {n} missing from the web page"
        );
    }

    // A write behind the store's back.
    served().await;
    let pool = sqlx::PgPool::connect(&db.pg_url().unwrap()).await.unwrap();
    sqlx::query("UPDATE accounts SET display_name = 'Renamed outside' WHERE id = $1")
        .bind(author.id.0)
        .execute(&pool)
        .await
        .unwrap();
    let changed = std::time::Instant::now();
    for unread in [false, true] {
        loop {
            let page = if unread {
                store.home_page(viewer.id, Page::first(20)).await.unwrap().0
            } else {
                store
                    .home_timeline(viewer.id, Page::first(20))
                    .await
                    .unwrap()
            };
            if page[0].author.display_name == "Renamed outside" {
                break;
            }
            assert!(
                changed.elapsed() < std::time::Duration::from_secs(2),
                "a page older than the database served for 2 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }
    pool.close().await;
    db.finish().await;
}

/// SQLite's home pages remembered per read connection (`fast.rs`) hold only until any
/// commit by another connection: a write from another process shows on the next read.
#[tokio::test]
async fn sqlite_home_pages_show_writes_of_other_processes_at_once() {
    let db = harness::TestDb::sqlite().await;
    let store = &db.store;
    let author = fixtures::alice(store).await;
    let viewer = fixtures::bob(store).await;
    store.follow(viewer.id, author.id).await.unwrap();
    fixtures::post_by(&author).text("first").create(store).await;
    for _ in 0..3 {
        let page = store
            .home_timeline(viewer.id, Page::first(20))
            .await
            .unwrap();
        assert_eq!(page[0].author.display_name, author.display_name);
    }
    let outside =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", db.sqlite_path().unwrap().display()))
            .await
            .unwrap();
    sqlx::query("UPDATE accounts SET display_name = 'Renamed outside' WHERE id = $1")
        .bind(author.id.0)
        .execute(&outside)
        .await
        .unwrap();
    outside.close().await;
    let page = store
        .home_timeline(viewer.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(page[0].author.display_name, "Renamed outside");
    db.finish().await;
}

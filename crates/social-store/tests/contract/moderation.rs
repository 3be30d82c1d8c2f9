//! Moderation: reports, actions with their audit rows, visibility effects, notices, appeals.

use crate::fixtures::{self, post_by};
use crate::timelines::{ids_home, ids_local, ids_profile};
use social_core::{AccountStatus, ModAction, PostId, ReportCategory, Role};
use social_store::{ModerationInput, Page, ReportInsert, Store, StoreError};

fn report(
    reporter: &social_core::Account,
    target: &social_core::Account,
    posts: &[PostId],
) -> ReportInsert {
    ReportInsert {
        reporter: reporter.id,
        target: target.id,
        post_ids: posts.to_vec(),
        category: ReportCategory::Spam,
        comment: "buy now".into(),
    }
}

fn act(
    actor: &social_core::Account,
    action: ModAction,
    target: &social_core::Account,
    report: Option<i64>,
) -> ModerationInput {
    ModerationInput {
        actor: actor.id,
        action,
        target: target.id,
        report_id: report,
        reason: format!("because {action}"),
        message: "please stop".into(),
    }
}

pub async fn reports_validated_and_queued(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let bobs = post_by(&bob).create(store).await;
    let alices = post_by(&alice).create(store).await;
    let r = store
        .create_report(report(&alice, &bob, &[bobs.id, bobs.id]))
        .await
        .unwrap();
    assert_eq!(r.post_ids, vec![bobs.id]);
    assert!(r.open);
    assert_eq!(r.category, ReportCategory::Spam);
    // Someone else's post, oneself, an unknown account.
    let e = store
        .create_report(report(&alice, &bob, &[alices.id]))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(v) if v.field == "status_ids"));
    let e = store
        .create_report(report(&alice, &alice, &[]))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(v) if v.field == "account_id"));
    let mut ghost = bob.clone();
    ghost.id = social_core::AccountId(1);
    let e = store
        .create_report(report(&alice, &ghost, &[]))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound));

    let second = store
        .create_report(report(&bob, &alice, &[]))
        .await
        .unwrap();
    let queue = store.list_open_reports(Page::first(10)).await.unwrap();
    assert_eq!(
        queue.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second.id, r.id]
    );
    let older = store
        .list_open_reports(Page {
            max_id: Some(second.id),
            min_id: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(store.get_report(r.id).await.unwrap().unwrap(), r);
}

pub async fn actions_audit_and_effects(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    let mut moderator = fixtures::account(store, "mod").await;
    store
        .set_account_role(moderator.id, Role::Moderator)
        .await
        .unwrap();
    moderator.role = Role::Moderator;
    store.follow(carol.id, bob.id).await.unwrap();
    let p1 = post_by(&bob).create(store).await;
    let p2 = post_by(&bob).create(store).await;

    // Dismiss resolves; a second action on the same report conflicts.
    let r = store
        .create_report(report(&alice, &bob, &[p1.id]))
        .await
        .unwrap();
    let e = store
        .moderate(act(&moderator, ModAction::Dismiss, &bob, Some(r.id)))
        .await
        .unwrap();
    assert_eq!(e.action, ModAction::Dismiss);
    let r = store.get_report(r.id).await.unwrap().unwrap();
    assert!(!r.open);
    assert_eq!(r.resolved_by, Some(moderator.id));
    assert!(matches!(
        store
            .moderate(act(&moderator, ModAction::Dismiss, &bob, Some(r.id)))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    // A report of another account, staff targets, missing report.
    let r2 = store
        .create_report(report(&alice, &bob, &[p1.id]))
        .await
        .unwrap();
    assert!(matches!(
        store
            .moderate(act(&moderator, ModAction::DeletePosts, &carol, Some(r2.id)))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .moderate(act(&moderator, ModAction::Suspend, &moderator, None))
            .await,
        Err(StoreError::Forbidden { .. })
    ));
    assert!(matches!(
        store
            .moderate(act(&moderator, ModAction::DeletePosts, &bob, None))
            .await,
        Err(StoreError::Invalid(_))
    ));

    // Delete the reported post.
    store
        .moderate(act(&moderator, ModAction::DeletePosts, &bob, Some(r2.id)))
        .await
        .unwrap();
    assert!(store.get_post(p1.id).await.unwrap().is_none());
    assert_eq!(ids_profile(store, None, bob.id).await, vec![p2.id]);

    // Limit: gone from the local timeline and from strangers' view of the profile.
    store
        .moderate(act(&moderator, ModAction::Limit, &bob, None))
        .await
        .unwrap();
    assert!(store.moderation_state(bob.id).await.unwrap().limited);
    assert!(!ids_local(store, Some(alice.id)).await.contains(&p2.id));
    assert!(ids_profile(store, Some(alice.id), bob.id).await.is_empty());
    assert_eq!(
        ids_profile(store, Some(carol.id), bob.id).await,
        vec![p2.id]
    );
    assert_eq!(ids_profile(store, Some(bob.id), bob.id).await, vec![p2.id]);
    assert!(matches!(
        store
            .moderate(act(&moderator, ModAction::Limit, &bob, None))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    store
        .moderate(act(&moderator, ModAction::Unlimit, &bob, None))
        .await
        .unwrap();
    assert!(ids_local(store, Some(alice.id)).await.contains(&p2.id));

    // Suspend: no login, no posts anywhere; unsuspend brings everything back.
    store
        .moderate(act(&moderator, ModAction::Suspend, &bob, None))
        .await
        .unwrap();
    let b = store.get_account_by_id(bob.id).await.unwrap().unwrap();
    assert_eq!(b.status, AccountStatus::Disabled);
    assert!(ids_home(store, carol.id).await.is_empty());
    assert!(ids_local(store, None).await.is_empty());
    assert!(ids_profile(store, Some(carol.id), bob.id).await.is_empty());
    assert!(matches!(
        store.get_post_view(Some(carol.id), p2.id).await,
        Err(StoreError::NotFound)
    ));
    store
        .moderate(act(&moderator, ModAction::Unsuspend, &bob, None))
        .await
        .unwrap();
    let b = store.get_account_by_id(bob.id).await.unwrap().unwrap();
    assert_eq!(b.status, AccountStatus::Active);
    assert_eq!(ids_home(store, carol.id).await, vec![p2.id]);

    // The audit log has every action, newest first, with who and why.
    let log = store.list_audit_log(Page::first(40)).await.unwrap();
    let actions: Vec<ModAction> = log.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        vec![
            ModAction::Unsuspend,
            ModAction::Suspend,
            ModAction::Unlimit,
            ModAction::Limit,
            ModAction::DeletePosts,
            ModAction::Dismiss,
        ]
    );
    assert!(log.iter().all(|e| e.actor_id == moderator.id
        && e.target_account_id == Some(bob.id)
        && e.reason == format!("because {}", e.action)));
    assert_eq!(log[4].target_report_id, Some(r2.id));
}

pub async fn notices_and_appeals(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let mut admin = fixtures::account(store, "admin").await;
    store.set_account_role(admin.id, Role::Admin).await.unwrap();
    admin.role = Role::Admin;
    store
        .moderate(act(&admin, ModAction::Warn, &bob, None))
        .await
        .unwrap();
    store
        .moderate(act(&admin, ModAction::Limit, &bob, None))
        .await
        .unwrap();
    let notices = store.list_notices(bob.id).await.unwrap();
    assert_eq!(notices.len(), 2);
    assert_eq!(notices[0].action, ModAction::Limit);
    assert_eq!(notices[1].message, "please stop");
    assert!(store.list_notices(alice.id).await.unwrap().is_empty());
    let limit = notices[0].id;

    // One appeal per notice, only by its account.
    assert!(matches!(
        store.appeal(alice.id, limit, "not me").await,
        Err(StoreError::NotFound)
    ));
    store.appeal(bob.id, limit, "I was hacked").await.unwrap();
    assert!(matches!(
        store.appeal(bob.id, limit, "again").await,
        Err(StoreError::Conflict { .. })
    ));
    let open = store.list_open_appeals().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].appeal_text.as_deref(), Some("I was hacked"));

    // Accepting reverts the limit; deciding twice conflicts; an unappealed notice is unknown.
    let e = store
        .decide_appeal(admin.id, limit, true, "fair")
        .await
        .unwrap();
    assert_eq!(e.action, ModAction::AcceptAppeal);
    assert!(!store.moderation_state(bob.id).await.unwrap().limited);
    assert!(matches!(
        store.decide_appeal(admin.id, limit, false, "no").await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .decide_appeal(admin.id, notices[1].id, false, "no")
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store.list_open_appeals().await.unwrap().is_empty());
    let n = &store.list_notices(bob.id).await.unwrap()[0];
    assert_eq!(n.appeal_accepted, Some(true));
}

/// The moderator-inactivity switch: open registrations become approval ones after a week
/// without staff at work (an admin's creation, session use or audit entry all count); other
/// modes are never touched.
pub async fn unmoderated_server_stops_open_registrations(store: &Store) {
    use social_core::RegistrationMode;
    use social_core::instance::UNMODERATED_AFTER_MS as IDLE;
    const DAY: i64 = 24 * 3600 * 1000;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // No staff at all: an open server switches a week after it was opened.
    let alice = fixtures::alice(store).await;
    store
        .put_registration_mode(RegistrationMode::Open)
        .await
        .unwrap();
    assert_eq!(store.last_staff_activity_ms().await.unwrap(), None);
    assert!(
        !store
            .close_registrations_if_unmoderated(now + 6 * DAY, IDLE)
            .await
            .unwrap()
    );
    assert!(
        store
            .close_registrations_if_unmoderated(now + 8 * DAY, IDLE)
            .await
            .unwrap()
    );
    assert_eq!(
        store.get_registration_mode().await.unwrap(),
        RegistrationMode::Approval
    );
    // Approval (and invite, closed) stay as they are.
    assert!(
        !store
            .close_registrations_if_unmoderated(now + 30 * DAY, IDLE)
            .await
            .unwrap()
    );

    // A moderator appears: activity is their creation, then their session, then their action.
    let moderator = fixtures::account(store, "mod").await;
    store
        .set_account_role(moderator.id, Role::Moderator)
        .await
        .unwrap();
    store
        .put_registration_mode(RegistrationMode::Open)
        .await
        .unwrap();
    let created = store
        .last_staff_activity_ms()
        .await
        .unwrap()
        .expect("staff");
    assert!(
        (now - 60_000..=now + 60_000).contains(&created),
        "{created} vs {now}"
    );
    // Six days later: still open.
    assert!(
        !store
            .close_registrations_if_unmoderated(created + 6 * DAY, IDLE)
            .await
            .unwrap()
    );
    store.create_session(moderator.id, "test").await.unwrap();
    let warned = store
        .moderate(act(&moderator, ModAction::Warn, &alice, None))
        .await;
    assert!(warned.is_ok(), "{warned:?}");
    let last = store
        .last_staff_activity_ms()
        .await
        .unwrap()
        .expect("staff");
    assert!(last >= created, "{last} < {created}");
    // A plain user's session is not moderator activity.
    store.create_session(alice.id, "test").await.unwrap();
    assert_eq!(store.last_staff_activity_ms().await.unwrap(), Some(last));
    // A week and a minute after the last activity: switched, once.
    assert!(
        store
            .close_registrations_if_unmoderated(last + IDLE + 60_000, IDLE)
            .await
            .unwrap()
    );
    assert_eq!(
        store.get_registration_mode().await.unwrap(),
        RegistrationMode::Approval
    );
    assert!(
        !store
            .close_registrations_if_unmoderated(last + IDLE + 60_000, IDLE)
            .await
            .unwrap()
    );
}

/// The purge of accounts suspended past the grace period: their posts, boosts, favourites,
/// follows and profile text go, every counter they touched is set right, the account row
/// and the audit log stay, and it happens once; a purged account cannot be unsuspended.
pub async fn suspended_accounts_purged_after_grace(store: &Store) {
    use social_store::ProfileUpdate;
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let mut moderator = fixtures::account(store, "mod").await;
    store
        .set_account_role(moderator.id, Role::Moderator)
        .await
        .unwrap();
    moderator.role = Role::Moderator;
    store
        .update_profile(
            alice.id,
            ProfileUpdate {
                display_name: "Alice".into(),
                bio: "hello".into(),
                locked: false,
            },
        )
        .await
        .unwrap();
    let bobs = post_by(&bob).text("bob's post").create(store).await;
    let own = post_by(&alice).text("alice's post").create(store).await;
    let reply = post_by(&alice)
        .text("a reply to bob")
        .reply_to(bobs.id)
        .create(store)
        .await;
    store.boost(alice.id, bobs.id).await.unwrap();
    store.favourite(alice.id, bobs.id).await.unwrap();
    store.follow(alice.id, bob.id).await.unwrap();
    store.follow(bob.id, alice.id).await.unwrap();
    store.favourite(bob.id, own.id).await.unwrap();
    let bobs_boost = store.boost(bob.id, own.id).await.unwrap();
    let counted = store.get_post(bobs.id).await.unwrap().unwrap();
    assert_eq!(
        (
            counted.replies_count,
            counted.reblogs_count,
            counted.favourites_count
        ),
        (1, 1, 1)
    );

    store
        .moderate(act(&moderator, ModAction::Suspend, &alice, None))
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // Within the grace period: nothing.
    let none = store.purge_suspended_accounts(now - 60_000, 100).await;
    assert_eq!(none.unwrap(), Vec::new());
    assert!(store.get_post(own.id).await.unwrap().is_some());
    // Past it: alice, once.
    let purged = store.purge_suspended_accounts(now + 60_000, 100).await;
    assert_eq!(purged.unwrap(), vec![alice.id]);
    assert_eq!(
        store
            .purge_suspended_accounts(now + 60_000, 100)
            .await
            .unwrap(),
        Vec::new()
    );
    for gone in [own.id, reply.id, bobs_boost.id] {
        assert!(store.get_post(gone).await.unwrap().is_none(), "{gone:?}");
    }
    let bobs_now = store
        .get_post(bobs.id)
        .await
        .unwrap()
        .expect("bob's post stays");
    assert_eq!(
        (
            bobs_now.replies_count,
            bobs_now.reblogs_count,
            bobs_now.favourites_count
        ),
        (0, 0, 0)
    );
    let bob_now = store.get_account_by_id(bob.id).await.unwrap().unwrap();
    assert_eq!((bob_now.followers_count, bob_now.following_count), (0, 0));
    assert_eq!(ids_home(store, bob.id).await, vec![bobs.id]);
    let tomb = store
        .get_account_by_id(alice.id)
        .await
        .unwrap()
        .expect("row stays");
    assert_eq!(tomb.status, AccountStatus::Disabled);
    assert_eq!((tomb.display_name.as_str(), tomb.bio.as_str()), ("", ""));
    assert_eq!((tomb.posts_count, tomb.followers_count), (0, 0));
    // The suspension stays on record, and can no longer be lifted.
    let audit = store.list_audit_log(Page::first(10)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == ModAction::Suspend));
    let lifted = store
        .moderate(act(&moderator, ModAction::Unsuspend, &alice, None))
        .await;
    assert!(
        matches!(lifted, Err(StoreError::Conflict { .. })),
        "{lifted:?}"
    );
}

/// A suspended account's session reaches its appeal only; unsuspended it is whole again; a
/// purged account has none (the purge deletes them, and a new one is not honoured).
pub async fn suspended_session_reaches_only_the_appeal(store: &Store) {
    use social_core::WebAccess;
    let alice = fixtures::alice(store).await;
    let mut moderator = fixtures::account(store, "mod").await;
    store
        .set_account_role(moderator.id, Role::Moderator)
        .await
        .unwrap();
    moderator.role = Role::Moderator;
    let session = store.create_session(alice.id, "test").await.unwrap();
    let access =
        |token: String| async move { store.get_session(&token).await.unwrap().map(|s| s.access) };
    assert_eq!(access(session.token.clone()).await, Some(WebAccess::Full));
    let suspend = act(&moderator, ModAction::Suspend, &alice, None);
    store.moderate(suspend.clone()).await.unwrap();
    assert_eq!(
        access(session.token.clone()).await,
        Some(WebAccess::AppealOnly)
    );
    let unsuspend = act(&moderator, ModAction::Unsuspend, &alice, None);
    store.moderate(unsuspend).await.unwrap();
    assert_eq!(access(session.token.clone()).await, Some(WebAccess::Full));
    store.moderate(suspend).await.unwrap();
    let st = store.moderation_state(alice.id).await.unwrap();
    assert!(st.suspended_at_ms.is_some() && st.purged_at_ms.is_none());
    let later = st.suspended_at_ms.unwrap() + 60_000;
    assert_eq!(
        store.purge_suspended_accounts(later, 100).await.unwrap(),
        vec![alice.id]
    );
    let st = store.moderation_state(alice.id).await.unwrap();
    assert!(st.purged_at_ms.is_some());
    assert_eq!(access(session.token).await, None, "the purge ends sessions");
    let after = store.create_session(alice.id, "test").await.unwrap();
    assert_eq!(access(after.token).await, None, "a purged account has none");
}

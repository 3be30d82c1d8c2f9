//! Storage contract tests: the same cases against SQLite (always) and PostgreSQL (when
//! `SOCIAL_TEST_DATABASE_URL` is set).

#[path = "contract/accounts.rs"]
mod accounts;
#[path = "contract/fixtures.rs"]
mod fixtures;
#[path = "contract/harness.rs"]
mod harness;

contract_tests!(
    accounts::usernames_unique_ignoring_case,
    accounts::password_verification,
    accounts::statuses_roles_profile,
    accounts::sessions,
    accounts::session_of_disabled_account,
    accounts::registration_mode,
    accounts::invites,
);

//! HTTP integration suite: drives the real router over real HTTP on 127.0.0.1, on SQLite and —
//! when `SOCIAL_TEST_DATABASE_URL` (and `SOCIAL_TEST_REDIS_URL`) are set — on PostgreSQL with
//! Redis. Each scenario runs once per backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;
mod mail_support;
mod redis_server;

mod accounts;
mod api_blocks;
mod api_favourites;
mod api_oauth;
mod api_read;
mod api_read_auth;
mod api_support;
mod api_write;
mod api_write_support;
mod bad_input;
mod cache;
mod content_warnings;
mod email;
mod eviction;
mod graph;
mod held;
mod media;
mod moderation;
mod notifications;
mod posts;
mod ratelimit;
mod registration;
mod rules;
mod sessions;
mod signup_pow;
mod spam;
mod spam_wave;
mod suspension_appeal;
mod timelines;
mod two_factor;

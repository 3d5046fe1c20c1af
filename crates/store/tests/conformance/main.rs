//! Store conformance suite: one behaviour, two engines.
//!
//! Every test runs on the engine `testing::fresh()` picks: SQLite (a temp file) by
//! default, PostgreSQL (a brand-new database per test) when
//! `FRONTLINE_TEST_DATABASE_URL=postgres://…` is set. CI runs this suite once per engine.
//!
//!     cargo test -p frontline-store --test conformance
//!     FRONTLINE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!         cargo test -p frontline-store --test conformance

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests stop loudly"
)]

mod case;
mod common;
mod decision;

mod audit;
mod auth;
mod board;
mod engine;
mod follow_up;
mod incident;
mod incident_lifecycle;
mod org;
mod outbox;
mod penalty;
mod period;
mod search;
mod stats;

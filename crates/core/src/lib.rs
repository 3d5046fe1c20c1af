//! Frontline domain rules: pure, synchronous, no I/O.
//!
//! Everything here is deterministic given its inputs (time comes in as a value),
//! so the rules are tested fast and exhaustively without a database.
//!
//! Shared rules sit at the root (identifiers, time, errors, authorization, audit chain,
//! organisation); each capability is one folder (`incident/`, `period/`, `penalty/`).

pub mod audit;
pub mod authz;
pub mod case;
pub mod error;
pub mod ident;
pub mod incident;
pub mod org;
pub mod outbox;
pub mod password;
pub mod penalty;
pub mod period;
pub mod purpose;
pub mod request;
pub mod search;
pub mod text;
pub mod throttle;
pub mod time;
pub mod totp;

pub use error::{FieldError, Lang};

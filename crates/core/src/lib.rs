//! Frontline domain rules: pure, synchronous, no I/O.
//!
//! Everything here is deterministic given its inputs (time comes in as a value),
//! so the rules are tested fast and exhaustively without a database.

pub mod audit;
pub mod authz;
pub mod category;
pub mod error;
pub mod ident;
pub mod incident;
pub mod org;
pub mod penalty;
pub mod period;
pub mod request;

pub use error::{FieldError, Lang};

//! The audit log as a use case: checking that its hash chain is intact.

mod verify;

pub use verify::{AuditBreak, AuditReport, verify_audit};

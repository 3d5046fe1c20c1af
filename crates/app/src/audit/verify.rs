//! `audit verify`: walks the whole hash chain in `seq` order and checks the stored head,
//! stopping at the first bad entry. Reads only; needs no actor (an operator on the
//! server runs it, with or without a running [`App`]).

use frontline_core::audit::{ChainBreak, Verifier};
use frontline_store::Store;

use crate::{App, Result};

/// Entries read per store call (keeps memory flat on long logs).
const BATCH: i64 = 10_000;

/// The first problem found in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBreak {
    /// The entry whose check failed; `None` when the entries are intact but the stored
    /// head does not match the last of them.
    pub seq: Option<i64>,
    pub reason: ChainBreak,
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// Entries checked and found intact (before the break, if any).
    pub checked: u64,
    pub broken: Option<AuditBreak>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// One line for an operator, as `frontline audit verify` prints it.
impl std::fmt::Display for AuditReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.broken {
            None => write!(f, "audit chain intact: {} entries", self.checked),
            Some(AuditBreak {
                seq: Some(seq),
                reason,
            }) => write!(f, "audit chain BROKEN at entry {seq}: {reason}"),
            Some(AuditBreak { seq: None, reason }) => write!(f, "audit chain BROKEN: {reason}"),
        }
    }
}

/// Checks the audit chain of `store`.
pub async fn verify_audit(store: &Store) -> Result<AuditReport> {
    let mut v = Verifier::default();
    let mut after = 0;
    loop {
        let batch = store.audit_entries(after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.record.seq;
        for row in &batch {
            if let Err(reason) = v.check(&row.record, &row.hash) {
                return Ok(AuditReport {
                    checked: v.checked,
                    broken: Some(AuditBreak {
                        seq: Some(row.record.seq),
                        reason,
                    }),
                });
            }
        }
    }
    let broken = v
        .finish(store.audit_head().await?)
        .err()
        .map(|reason| AuditBreak { seq: None, reason });
    Ok(AuditReport {
        checked: v.checked,
        broken,
    })
}

impl App {
    /// Checks this application's audit chain.
    pub async fn verify_audit(&self) -> Result<AuditReport> {
        verify_audit(&self.store).await
    }
}

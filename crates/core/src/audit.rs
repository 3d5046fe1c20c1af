//! Tamper-evident audit chain.
//!
//! Each entry's hash covers its own fields and the previous entry's hash, so editing,
//! deleting or reordering any entry breaks every later link; the stored head (last seq
//! and hash) catches truncation of the tail.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The hash that precedes the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored. `at` is kept to the microsecond by both engines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub purpose: Option<String>,
    pub detail: String,
}

fn field(h: &mut Sha256, bytes: &[u8]) {
    // Length prefixes make the encoding unambiguous ("ab"+"c" ≠ "a"+"bc").
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// hash_n = SHA-256(hash_{n-1} ‖ fields of entry n), hex encoded.
pub fn chain_hash(prev_hash: &str, r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    field(&mut h, prev_hash.as_bytes());
    h.update(r.seq.to_be_bytes());
    h.update(r.at.timestamp_micros().to_be_bytes());
    field(
        &mut h,
        r.actor_id
            .map(|u| *u.as_bytes())
            .unwrap_or_default()
            .as_slice(),
    );
    field(&mut h, r.actor.as_bytes());
    field(&mut h, r.action.as_bytes());
    field(&mut h, r.object_type.as_bytes());
    field(&mut h, r.object_id.as_bytes());
    match &r.purpose {
        Some(p) => {
            h.update([1u8]);
            field(&mut h, p.as_bytes());
        }
        None => h.update([0u8]),
    }
    field(&mut h, r.detail.as_bytes());
    hex::encode(h.finalize())
}

/// What `audit verify` reports about the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// An entry is missing (deleted) or entries were reordered.
    Gap { expected_seq: i64, found_seq: i64 },
    /// An entry's content or its link to the previous entry was changed.
    HashMismatch { seq: i64 },
    /// The stored head does not match the last entry (tail deleted or head edited).
    Head { head_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Gap {
                expected_seq,
                found_seq,
            } => write!(
                f,
                "audit entry {expected_seq} is missing or out of order (found {found_seq})"
            ),
            ChainBreak::HashMismatch { seq } => {
                write!(f, "audit entry {seq} was altered (hash does not match)")
            }
            ChainBreak::Head { head_seq, last_seq } => write!(
                f,
                "audit head names entry {head_seq} but the log ends at entry {last_seq}"
            ),
        }
    }
}

/// Streaming verifier: feed entries in `seq` order, then `finish` with the stored head.
#[derive(Debug)]
pub struct Verifier {
    next_seq: i64,
    prev_hash: String,
    pub checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            next_seq: 1,
            prev_hash: GENESIS.to_string(),
            checked: 0,
        }
    }
}

impl Verifier {
    pub fn check(&mut self, r: &AuditRecord, stored_hash: &str) -> Result<(), ChainBreak> {
        if r.seq != self.next_seq {
            return Err(ChainBreak::Gap {
                expected_seq: self.next_seq,
                found_seq: r.seq,
            });
        }
        if chain_hash(&self.prev_hash, r) != stored_hash {
            return Err(ChainBreak::HashMismatch { seq: r.seq });
        }
        self.prev_hash = stored_hash.to_string();
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }

    pub fn finish(&self, head: Option<(i64, String)>) -> Result<(), ChainBreak> {
        let last_seq = self.next_seq - 1;
        match head {
            None if last_seq == 0 => Ok(()),
            None => Err(ChainBreak::Head {
                head_seq: 0,
                last_seq,
            }),
            Some((head_seq, hash)) => {
                if head_seq != last_seq || hash != self.prev_hash {
                    Err(ChainBreak::Head { head_seq, last_seq })
                } else {
                    Ok(())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: i64, action: &str) -> AuditRecord {
        AuditRecord {
            seq,
            at: DateTime::from_timestamp_micros(1_700_000_000_000_000 + seq).unwrap_or_default(),
            actor_id: None,
            actor: "s1.desk".into(),
            action: action.into(),
            object_type: "incident".into(),
            object_id: format!("obj{seq}"),
            purpose: None,
            detail: "{}".into(),
        }
    }

    fn chain(n: i64) -> Vec<(AuditRecord, String)> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let r = rec(i, "incident.create");
                prev = chain_hash(&prev, &r);
                (r, prev.clone())
            })
            .collect()
    }

    fn verify(
        entries: &[(AuditRecord, String)],
        head: Option<(i64, String)>,
    ) -> Result<(), ChainBreak> {
        let mut v = Verifier::default();
        for (r, h) in entries {
            v.check(r, h)?;
        }
        v.finish(head)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let head = Some((5, c[4].1.clone()));
        assert_eq!(verify(&c, head), Ok(()));
        assert_eq!(verify(&[], None), Ok(()));
    }

    #[test]
    fn edit_delete_reorder_and_truncation_are_detected() {
        let c = chain(5);
        let head = Some((5, c[4].1.clone()));

        let mut edited = c.clone();
        edited[2].0.action = "incident.delete".into();
        assert_eq!(
            verify(&edited, head.clone()),
            Err(ChainBreak::HashMismatch { seq: 3 })
        );

        let mut purpose = c.clone();
        purpose[1].0.purpose = Some("x".into());
        assert_eq!(
            verify(&purpose, head.clone()),
            Err(ChainBreak::HashMismatch { seq: 2 })
        );

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, head.clone()),
            Err(ChainBreak::Gap {
                expected_seq: 2,
                found_seq: 3
            })
        );

        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert!(verify(&swapped, head.clone()).is_err());

        // Renumbering a swapped pair still breaks the hash chain.
        let mut renumbered = c.clone();
        renumbered.swap(1, 2);
        renumbered[1].0.seq = 2;
        renumbered[2].0.seq = 3;
        assert_eq!(
            verify(&renumbered, head.clone()),
            Err(ChainBreak::HashMismatch { seq: 2 })
        );

        let truncated = &c[..4];
        assert_eq!(
            verify(truncated, head),
            Err(ChainBreak::Head {
                head_seq: 5,
                last_seq: 4
            })
        );
    }
}

//! Microsecond precision everywhere, so both engines store the same instant.

use chrono::{DateTime, Utc};

pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

pub fn truncate_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    from_micros(micros(t))
}

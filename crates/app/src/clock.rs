//! Injected time, so tests control "now".

use chrono::{DateTime, Utc};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stays where a test puts it.
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(t: DateTime<Utc>) -> FixedClock {
        FixedClock(Mutex::new(t))
    }
    pub fn set(&self, t: DateTime<Utc>) {
        if let Ok(mut g) = self.0.lock() {
            *g = t;
        }
    }
    pub fn advance(&self, d: chrono::Duration) {
        if let Ok(mut g) = self.0.lock() {
            *g += d;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|g| *g).unwrap_or_else(|_| Utc::now())
    }
}

/// RFC 3339 in Beijing time (+08:00), to the second: how every answer shows an instant.
pub fn rfc3339_bj(t: DateTime<Utc>) -> String {
    t.with_timezone(&frontline_core::time::BEIJING)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// 00:00 of a Beijing date, as an instant.
pub fn bj_midnight(d: chrono::NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    frontline_core::time::BEIJING
        .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .single()
        .map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc))
}

//! Sign-in back-off: after a number of free failures, each further attempt must wait a
//! delay that doubles per failure up to a cap. Nothing is ever locked for good: the
//! right password after the delay still signs in, so an attacker who guesses wrong on
//! purpose cannot keep the real officer out for longer than the cap.

use std::net::{IpAddr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};

/// One counter's rule (one for usernames, a looser one for client addresses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures that cost nothing; the next attempt after these waits `base`.
    pub free_failures: u32,
    /// The first delay; it doubles with each further failure.
    pub base: Duration,
    /// The longest delay.
    pub cap: Duration,
    /// A counter that saw no failure for this long starts again from zero.
    pub window: Duration,
}

/// What a counter holds: failures since it last started, and when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last_at: DateTime<Utc>,
}

impl Policy {
    /// The wait after `count` failures (zero while they are free).
    pub fn delay(&self, count: u32) -> Duration {
        let Some(over) = count.checked_sub(self.free_failures) else {
            return Duration::zero();
        };
        // 2^over, without overflow: past 2^20 every sane base is beyond any cap.
        let factor = 1_i32.checked_shl(over.min(20)).unwrap_or(i32::MAX);
        self.base
            .checked_mul(factor)
            .unwrap_or(self.cap)
            .min(self.cap)
    }

    /// The count as it stands at `now`: a counter quiet for a whole window is zero.
    pub fn current(&self, f: Option<Failures>, now: DateTime<Utc>) -> u32 {
        match f {
            Some(f) if now - f.last_at < self.window => f.count,
            _ => 0,
        }
    }

    /// How long an attempt at `now` must still wait (None: it may go ahead).
    pub fn wait(&self, f: Option<Failures>, now: DateTime<Utc>) -> Option<Duration> {
        let f = f?;
        let delay = self.delay(self.current(Some(f), now));
        let until = f.last_at + delay;
        (until > now).then(|| until - now)
    }
}

/// The counter key of a client address: an IPv4 address as it is, an IPv6 address by
/// its /64 network (one subscriber gets a whole /64 and can hop inside it at will), an
/// IPv4-mapped IPv6 address as the IPv4 one. Anything else is kept as given.
pub fn client_key(addr: &str) -> String {
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
        Err(_) => addr.to_string(),
    }
}

/// Seconds for a `Retry-After` header: whole seconds, rounded up, at least one.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let ms = wait.num_milliseconds().max(0);
    u64::try_from(ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) > 0))
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            free_failures: 5,
            base: Duration::seconds(30),
            cap: Duration::minutes(15),
            window: Duration::hours(1),
        }
    }

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    #[test]
    fn the_delay_doubles_after_the_free_failures_up_to_the_cap() {
        let p = policy();
        let secs: Vec<i64> = (0..13).map(|n| p.delay(n).num_seconds()).collect();
        assert_eq!(secs, [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(p.delay(u32::MAX), Duration::minutes(15));
    }

    #[test]
    fn an_attempt_waits_out_the_delay_from_the_last_failure() {
        let p = policy();
        let f = Some(Failures {
            count: 6,
            last_at: t(0),
        });
        assert_eq!(p.wait(f, t(10)), Some(Duration::seconds(50)));
        assert_eq!(
            p.wait(f, t(60)),
            None,
            "after the delay the attempt goes ahead"
        );
        assert_eq!(p.wait(None, t(0)), None);
        let few = Some(Failures {
            count: 4,
            last_at: t(0),
        });
        assert_eq!(p.wait(few, t(0)), None, "free failures cost nothing");
    }

    #[test]
    fn a_counter_quiet_for_a_window_starts_again() {
        let p = policy();
        let f = Some(Failures {
            count: 40,
            last_at: t(0),
        });
        assert_eq!(p.current(f, t(3599)), 40);
        assert_eq!(p.current(f, t(3600)), 0);
        assert_eq!(p.wait(f, t(3600)), None);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_network() {
        assert_eq!(client_key("203.0.113.5"), "203.0.113.5");
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(client_key("::ffff:198.51.100.7"), "198.51.100.7");
        assert_eq!(client_key("unknown"), "unknown");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::milliseconds(1)), 1);
        assert_eq!(retry_after_secs(Duration::milliseconds(1500)), 2);
        assert_eq!(retry_after_secs(Duration::seconds(30)), 30);
        assert_eq!(retry_after_secs(Duration::zero()), 1);
    }
}

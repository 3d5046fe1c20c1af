//! Outbox delivery rules: how long to wait before retrying a failed message, and when
//! to give up. Exponential back-off from 5 s, capped at an hour; 16 attempts span about
//! six hours, enough to ride out a gateway outage of a working shift.

use chrono::Duration;

/// Attempts before a message is given up (kept, marked dead, never retried).
pub const MAX_ATTEMPTS: i32 = 16;

/// How long a claimed message stays with its claimer; after that another takes it.
pub const LEASE: Duration = Duration::seconds(60);

/// The wait after the `attempts`-th failed attempt, or `None` to give up.
pub fn retry_delay(attempts: i32) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exp = attempts.clamp(1, 20) - 1;
    let secs = 5i64.saturating_mul(1i64 << exp).min(3600);
    Some(Duration::seconds(secs))
}

/// A delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The in-app inbox (the bell).
    Inbox,
    /// A text message through the configured SMS gateway.
    Sms,
    /// A JSON POST to the configured webhook.
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Inbox => "inbox",
            Channel::Sms => "sms",
            Channel::Webhook => "webhook",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        [Channel::Inbox, Channel::Sms, Channel::Webhook]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_caps_and_gives_up() {
        assert_eq!(retry_delay(1), Some(Duration::seconds(5)));
        assert_eq!(retry_delay(2), Some(Duration::seconds(10)));
        assert_eq!(retry_delay(4), Some(Duration::seconds(40)));
        assert_eq!(retry_delay(11), Some(Duration::seconds(3600)));
        assert_eq!(retry_delay(MAX_ATTEMPTS), None);
        let total: i64 = (1..MAX_ATTEMPTS)
            .filter_map(retry_delay)
            .map(|d| d.num_seconds())
            .sum();
        assert!((5 * 3600..8 * 3600).contains(&total), "{total}");
        for c in ["inbox", "sms", "webhook"] {
            assert_eq!(Channel::parse(c).map(Channel::as_str), Some(c));
        }
        assert_eq!(Channel::parse("fax"), None);
    }
}

//! Invented names and phone numbers.

use super::data::Words;
use super::rng::Rng;

pub(super) fn person_name(r: &mut Rng, w: &Words) -> String {
    let surname = r.pick_front(&w.surnames);
    let pool = if r.chance(0.55) {
        &w.given_m
    } else {
        &w.given_f
    };
    let first = r.pick(pool);
    if r.chance(0.6) {
        let second = r.pick(pool);
        format!("{surname}{first}{second}")
    } else {
        format!("{surname}{first}")
    }
}

pub(super) fn mobile(r: &mut Rng, w: &Words) -> String {
    let prefix = r.pick(&w.mobile_prefixes);
    format!("{prefix}{:08}", r.below(100_000_000))
}

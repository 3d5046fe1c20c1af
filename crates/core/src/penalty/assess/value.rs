//! Values inside a range: the recommended penalty, moved by steps, mapped between
//! tiers and versions, and reduced below a minimum.

use super::super::catalog::{Form, Tier};
use super::super::standard::Situation;
use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Val {
    pub(super) warning: bool,
    pub(super) fine: u64,
    pub(super) det: u32,
}

impl Val {
    pub(super) fn rec(self, executed: bool) -> Recommended {
        Recommended {
            warning: self.warning,
            fine_yuan: self.fine,
            detention_days: self.det,
            detention_executed: executed && self.det > 0,
        }
    }
    const ZERO: Val = Val {
        warning: false,
        fine: 0,
        det: 0,
    };
}

/// Maps `v` from [lo, hi] onto [lo2, hi2] by relative position (rounded).
pub(super) fn map_pos(v: u64, lo: u64, hi: u64, lo2: u64, hi2: u64) -> u64 {
    if hi <= lo {
        return lo2;
    }
    let v = v.clamp(lo, hi);
    let num = (v - lo) * (hi2 - lo2) + (hi - lo) / 2;
    lo2 + num / (hi - lo)
}

pub(super) fn add_signed_u64(v: u64, d: i64) -> u64 {
    if d >= 0 {
        v.saturating_add(d.unsigned_abs())
    } else {
        v.saturating_sub(d.unsigned_abs())
    }
}

pub(super) fn add_signed_u32(v: u32, d: i64) -> u32 {
    let r = i64::from(v) + d;
    u32::try_from(r.max(0)).unwrap_or(u32::MAX)
}

/// The lowest lawful fine of a clause's fine branch (no statutory minimum: the step).
pub(super) fn fine_floor(t: &Tier, step: u64) -> u64 {
    match t.fine_yuan {
        Some([lo, hi]) => {
            if t.fine_min_statutory {
                lo
            } else {
                no_min_floor(hi, step)
            }
        }
        None => 0,
    }
}

/// The lowest fine the engine recommends where the text gives only a maximum: a
/// twentieth of the maximum (at least 1 yuan, at most one step).
pub(super) fn no_min_floor(hi: u64, step: u64) -> u64 {
    (hi / 20).clamp(1, step.max(1))
}

/// The effective fine range of a tier (第27条: multiple of the gains).
pub(super) fn fine_range(t: &Tier, gains: Option<u64>) -> Option<[u64; 2]> {
    let r = t.fine_yuan?;
    if let Some(m) = &t.fine_multiplier
        && let Some(g) = gains
        && g >= m.fallback_below_yuan
    {
        return Some([g.saturating_mul(m.min_times), g.saturating_mul(m.max_times)]);
    }
    Some(r)
}

/// Key ordering statutory ranges by severity (lower is lighter): the longest detention,
/// the detention that must be imposed, the largest fine, the fine that must be imposed,
/// and whether a warning is unavailable.
pub(super) fn severity_key(t: &Tier) -> (u32, u32, u64, u64, bool) {
    let d_max = t.detention_days.map_or(0, |d| d[1]);
    let d_min = if t.form.detention_mandatory() {
        t.detention_days.map_or(0, |d| d[0])
    } else {
        0
    };
    let f_max = t.fine_yuan.map_or(0, |f| f[1]);
    let f_min = if t.form.fine_mandatory() {
        t.fine_yuan.map_or(0, |f| f[0])
    } else {
        0
    };
    (d_max, d_min, f_max, f_min, !t.warning)
}

/// Bounds for a value: detention [lo, hi], fine [lo, hi] (per branch).
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    pub(super) det: Option<[u32; 2]>,
    pub(super) fine: Option<[u64; 2]>,
}

pub(super) fn sit_bounds(s: &Situation, scale: &dyn Fn(u64) -> u64) -> Bounds {
    Bounds {
        det: s.detention_days,
        fine: s.fine_yuan.map(|f| [scale(f[0]), scale(f[1])]),
    }
}

pub(super) fn tier_bounds(t: &Tier, fine: Option<[u64; 2]>, step: u64) -> Bounds {
    let floor = match fine {
        Some(f) if t.fine_min_statutory => f[0],
        Some(f) => no_min_floor(f[1], step),
        None => 0,
    };
    Bounds {
        det: t.detention_days,
        fine: fine.map(|f| [floor, f[1]]),
    }
}

/// Moves the active components by `steps` and keeps them within `b`.
pub(super) fn apply_steps(v: &mut Val, steps: i64, det_step: i64, fine_step: i64, b: Bounds) {
    if v.det > 0 {
        let d = add_signed_u32(v.det, steps.saturating_mul(det_step));
        v.det = match b.det {
            Some([lo, hi]) => d.clamp(lo, hi),
            None => d,
        };
    }
    let fine_active = v.fine > 0 || (v.det == 0 && !v.warning && b.fine.is_some());
    if fine_active {
        let f = add_signed_u64(v.fine, steps.saturating_mul(fine_step));
        v.fine = match b.fine {
            Some([lo, hi]) => f.clamp(lo, hi),
            None => f,
        };
    }
}

/// Carries a 2025 value over to a 2012 tier by relative position (see module docs).
pub(super) fn map_to_tier(
    v: Val,
    new: &Tier,
    new_fine: Option<[u64; 2]>,
    old: &Tier,
    step: u64,
) -> Val {
    let floor = fine_floor(old, step);
    let lightest = || -> Val {
        if old.warning {
            Val {
                warning: true,
                ..Val::ZERO
            }
        } else if old.form.detention_mandatory() {
            let det = old.detention_days.map_or(0, |d| d[0]);
            let fine = if old.form.fine_mandatory() { floor } else { 0 };
            Val {
                warning: false,
                fine,
                det,
            }
        } else {
            Val {
                warning: false,
                fine: floor,
                det: 0,
            }
        }
    };
    if v.warning {
        return lightest();
    }
    let pos_det = |d: u32| -> Option<u32> {
        let [lo, hi] = new.detention_days?;
        let [olo, ohi] = old.detention_days?;
        u32::try_from(map_pos(
            u64::from(d),
            u64::from(lo),
            u64::from(hi),
            u64::from(olo),
            u64::from(ohi),
        ))
        .ok()
    };
    let pos_fine = |f: u64| -> Option<u64> {
        let [lo, hi] = new_fine?;
        let [olo, ohi] = old.fine_yuan?;
        Some(map_pos(f, lo, hi, olo, ohi))
    };
    if v.det > 0 {
        if let Some(det) = pos_det(v.det) {
            let fine = if old.form.fine_mandatory() {
                if v.fine > 0 {
                    pos_fine(v.fine).unwrap_or(floor).max(floor)
                } else {
                    floor
                }
            } else if old.form == Form::DetentionOptFine && v.fine > 0 {
                pos_fine(v.fine).unwrap_or(0)
            } else {
                0
            };
            return Val {
                warning: false,
                fine,
                det,
            };
        }
        // No detention in the old tier: its fine (or warning) at the same position.
        if let (Some([lo, hi]), Some([olo, ohi])) = (new.detention_days, old.fine_yuan) {
            let f = map_pos(
                u64::from(v.det),
                u64::from(lo),
                u64::from(hi),
                olo.max(floor.min(ohi)),
                ohi,
            );
            return Val {
                warning: false,
                fine: f,
                det: 0,
            };
        }
        return lightest();
    }
    if v.fine > 0 {
        if old.form.has_fine() {
            let f = pos_fine(v.fine).unwrap_or(floor);
            if old.form.detention_mandatory() {
                let f = if old.form.fine_mandatory() {
                    f.max(floor)
                } else {
                    f
                };
                let det = old.detention_days.map_or(0, |d| d[0]);
                let fine = if old.form.fine_mandatory() || old.form == Form::DetentionOptFine {
                    f
                } else {
                    0
                };
                return Val {
                    warning: false,
                    fine,
                    det,
                };
            }
            return Val {
                warning: false,
                fine: f.max(floor),
                det: 0,
            };
        }
        return lightest();
    }
    lightest()
}

/// 减轻: one notch below the lightest lawful option of the tier. Returns (value, exempted).
pub(super) fn reduce_below(t: &Tier, b: Bounds, step: u64) -> (Val, bool) {
    if t.warning {
        // Nothing is lighter than a warning: no penalty (上海规则②).
        return (Val::ZERO, true);
    }
    let warning = (
        Val {
            warning: true,
            ..Val::ZERO
        },
        false,
    );
    if !t.form.detention_mandatory() {
        // The fine branch is the lightest.
        return match b.fine {
            Some([lo, _]) if t.fine_min_statutory && lo > step => (
                Val {
                    fine: lo - step,
                    ..Val::ZERO
                },
                false,
            ),
            _ => warning,
        };
    }
    match t.detention_days {
        Some([lo, _]) if t.detention_min_statutory && lo > 1 => {
            let fine = match (t.form, b.fine) {
                (Form::DetentionAndFine, Some([flo, _])) => {
                    if t.fine_min_statutory {
                        flo.saturating_sub(step)
                    } else {
                        flo
                    }
                }
                _ => 0,
            };
            (
                Val {
                    warning: false,
                    fine,
                    det: lo - 1,
                },
                false,
            )
        }
        _ => warning,
    }
}

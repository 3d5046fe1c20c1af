//! The planned incidents: when, where, what, and who called.

use chrono::{DateTime, Datelike, Days, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc};
use frontline_core::incident::category::{Category, CategoryTree};

use super::data::{DemoData, StationDef, Words};
use super::mix::{
    LOCAL_OFFSET_HOURS, MONTHLY, hour_bucket, hourly_for, is_dry_month, leaf_weight, mix_factor,
    root_share,
};
use super::narrative;
use super::org::station_key;
use super::people::{mobile, person_name};
use super::plan::PlanIncident;
use super::rng::{Rng, Weighted};

const CN_DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Where an incident happened, chosen from the station's area (and district).
pub(super) struct Loc {
    pub(super) road: &'static str,
    pub(super) road2: &'static str,
    pub(super) compound: &'static str,
    pub(super) village: &'static str,
    pub(super) rural: bool,
    pub(super) num: u32,
    pub(super) building: u32,
    pub(super) entrance: u32,
    pub(super) floor: u32,
    pub(super) room: u32,
    pub(super) group: u32,
}

pub(super) fn pick_at<S: AsRef<str>>(xs: &[S], i: usize) -> &str {
    if xs.is_empty() {
        return "";
    }
    xs.get(i % xs.len()).map(AsRef::as_ref).unwrap_or("")
}

fn locate(r: &mut Rng, st: &'static StationDef, district: Option<usize>) -> Loc {
    let (road, compound, village, rural) = match (st.class, district) {
        // Urban beat: mostly its own road and compound.
        (1, Some(d)) => {
            let road = if r.chance(0.7) {
                pick_at(&st.roads, d)
            } else {
                r.pick(&st.roads)
            };
            let compound = if r.chance(0.75) {
                pick_at(&st.compounds, d)
            } else {
                r.pick(&st.compounds)
            };
            (road, compound, r.pick(&st.villages), false)
        }
        // Township centre.
        (_, Some(0)) => (
            r.pick(&st.roads),
            r.pick(&st.compounds),
            r.pick(&st.villages),
            false,
        ),
        // Village beat.
        (_, Some(d)) => (
            r.pick(&st.roads),
            r.pick(&st.compounds),
            pick_at(&st.villages, d - 1),
            true,
        ),
        // Outside any beat: the rural fringe.
        (_, None) => (
            r.pick(&st.roads),
            r.pick(&st.compounds),
            r.pick(&st.villages),
            true,
        ),
    };
    let mut road2 = r.pick(&st.roads);
    if road2 == road {
        road2 = pick_at(&st.roads, r.below(st.roads.len()) + 1);
    }
    let floor = r.range(1, 18);
    Loc {
        road,
        road2,
        compound,
        village,
        rural,
        num: r.range(1, 320),
        building: r.range(1, 16),
        entrance: r.range(1, 4),
        floor,
        room: r.range(1, 4),
        group: r.range(1, 9),
    }
}

pub(super) struct Ctx<'a> {
    pub(super) st: &'a StationDef,
    pub(super) w: &'a Words,
    pub(super) loc: Loc,
    /// e.g. "晚上8时30分许"
    pub(super) when: String,
}

impl Ctx<'_> {
    /// Home address: flat in a compound, or a village house.
    pub(super) fn addr_home(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!(
                "{}{}{}组{}号",
                self.st.area,
                l.village,
                l.group,
                l.num % 60 + 1
            )
        } else {
            format!(
                "{}{}号{}{}栋{}单元{}0{}",
                l.road, l.num, l.compound, l.building, l.entrance, l.floor, l.room
            )
        }
    }

    /// The compound (or village) itself.
    pub(super) fn addr_compound(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}{}组", self.st.area, l.village, l.group)
        } else {
            format!("{}{}号{}", l.road, l.num, l.compound)
        }
    }

    pub(super) fn addr_road(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}{}组附近", self.st.area, l.village, l.group)
        } else {
            format!("{}{}号附近", l.road, l.num)
        }
    }

    pub(super) fn addr_crossing(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}{}路段", self.st.area, l.road, l.village)
        } else {
            format!("{}与{}交叉口", l.road, l.road2)
        }
    }

    pub(super) fn addr_shop(&self, shop: &str) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}{}", self.st.area, l.village, shop)
        } else {
            format!("{}{}号{}", l.road, l.num, shop)
        }
    }

    /// A public place in the area, e.g. "人民路菜市场".
    pub(super) fn spot(&self, r: &mut Rng) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}村委会附近", l.village)
        } else {
            format!("{}{}", l.road, r.pick(&self.w.public_spots))
        }
    }

    /// Where someone lives, for narratives: compound or village.
    pub(super) fn home_place(&self) -> String {
        let l = &self.loc;
        if l.rural {
            format!("{}{}组", l.village, l.group)
        } else {
            l.compound.to_string()
        }
    }
}

/// "晚上8时30分许" for a local hour/minute, a little before the report.
fn when_phrase(r: &mut Rng, hour: u32, minute: u32) -> String {
    let lag = r.below(3) as u32;
    let h = hour.saturating_sub(lag);
    let (period, shown) = match h {
        0..=5 => ("凌晨", h),
        6..=8 => ("早上", h),
        9..=11 => ("上午", h),
        12 => ("中午", 12),
        13..=17 => ("下午", h - 12),
        _ => ("晚上", h - 12),
    };
    let m = if lag == 0 {
        minute / 10 * 10
    } else {
        r.range(0, 5) * 10
    };
    if m == 0 || r.chance(0.4) {
        format!("{period}{shown}时许")
    } else {
        format!("{period}{shown}时{m}分许")
    }
}

pub(super) fn cn_small(n: u32) -> &'static str {
    CN_DIGITS.get(n as usize).copied().unwrap_or("几")
}

pub(super) fn incidents(
    d: &'static DemoData,
    r: &mut Rng,
    end: DateTime<Utc>,
    span_days: u32,
    count: usize,
    categories: &CategoryTree,
) -> Vec<PlanIncident> {
    let leaves: Vec<(&Category, &str)> = categories
        .roots()
        .iter()
        .flat_map(|root| root.children.iter().map(move |c| (c, root.code.as_str())))
        .collect();
    if leaves.is_empty() || count == 0 {
        return Vec::new();
    }
    // Base weight of each leaf: the root's share split by the leaves' relative weights.
    let base: Vec<f64> = leaves
        .iter()
        .map(|(leaf, root)| {
            let siblings: f64 = categories
                .get(root)
                .map(|r| r.children.iter().map(|c| leaf_weight(&c.code)).sum())
                .unwrap_or(1.0);
            root_share(root) * leaf_weight(&leaf.code) / siblings.max(f64::MIN_POSITIVE)
        })
        .collect();
    // Category mix tables by (station class, time bucket, dry season).
    let mut mix: Vec<Weighted> = Vec::with_capacity(12);
    for class in [1u8, 2] {
        for bucket in 0..3 {
            for dry in [false, true] {
                mix.push(Weighted::new(leaves.iter().zip(&base).map(
                    |((leaf, _), b)| b * mix_factor(&leaf.code, bucket, dry, class),
                )));
            }
        }
    }
    let mix_index = |class: u8, bucket: usize, dry: bool| {
        usize::from(class == 2) * 6 + bucket * 2 + usize::from(dry)
    };

    let station_w = Weighted::new(d.stations.iter().map(|s| s.weight));
    let district_w: Vec<Weighted> = d
        .stations
        .iter()
        .map(|s| {
            Weighted::new((0..s.districts.len()).map(|d| {
                [1.6, 1.2, 1.0, 0.9, 0.8, 0.7]
                    .get(d)
                    .copied()
                    .unwrap_or(0.7)
            }))
        })
        .collect();

    // Days (local calendar) from `end`'s date back `span_days`, weighted by month and
    // weekday.
    let offset = TimeDelta::hours(LOCAL_OFFSET_HOURS);
    let start = end - TimeDelta::days(i64::from(span_days));
    let end_date = (end.naive_utc() + offset).date();
    let hourly: Vec<[f64; 24]> = (0..7).map(hourly_for).collect();
    let hour_w: Vec<Weighted> = hourly
        .iter()
        .map(|h| Weighted::new(h.iter().copied()))
        .collect();
    let days: Vec<chrono::NaiveDate> = (0..=u64::from(span_days))
        .filter_map(|k| end_date.checked_sub_days(Days::new(k)))
        .collect();
    let day_w = Weighted::new(days.iter().map(|d| {
        let month = MONTHLY.get(d.month0() as usize).copied().unwrap_or(1.0);
        let wd = d.weekday().num_days_from_monday() as usize;
        month * hourly.get(wd).map(|h| h.iter().sum::<f64>()).unwrap_or(1.0)
    }));

    let sample_time = |r: &mut Rng| -> (DateTime<Utc>, NaiveDateTime) {
        for _ in 0..32 {
            let Some(date) = days.get(day_w.sample(r)) else {
                continue;
            };
            let wd = date.weekday().num_days_from_monday() as usize;
            let Some(hw) = hour_w.get(wd) else { continue };
            let h = hw.sample(r) as u32;
            let Some(local) = date.and_hms_opt(h, r.below(60) as u32, r.below(60) as u32) else {
                continue;
            };
            let utc = Utc.from_utc_datetime(&(local - offset));
            if utc > start && utc <= end {
                return (utc, local);
            }
        }
        // Practically unreachable: a uniform instant in the window.
        let utc = end - TimeDelta::seconds(r.below(span_days as usize * 86_400) as i64);
        (utc, utc.naive_utc() + offset)
    };

    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let (reported_at, local) = sample_time(r);
        let si = station_w.sample(r);
        let Some(st) = d.stations.get(si) else {
            continue;
        };
        let district_index = if r.chance(0.04) {
            None
        } else {
            district_w.get(si).map(|w| w.sample(r))
        };
        let table = mix_index(
            st.class,
            hour_bucket(local.hour()),
            is_dry_month(local.month()),
        );
        let Some(&(leaf, root)) = mix.get(table).and_then(|w| leaves.get(w.sample(r))) else {
            continue;
        };
        let ctx = Ctx {
            st,
            w: &d.words,
            loc: locate(r, st, district_index),
            when: when_phrase(r, local.hour(), local.minute()),
        };
        let (mut narrative, address) = narrative::compose(r, &leaf.code, &leaf.name_zh, &ctx);
        if let Some(extra) = narrative::closing(r, &leaf.code, root) {
            narrative.push_str(extra);
        }
        out.push(PlanIncident {
            station_key: station_key(si),
            district_index,
            reported_at,
            category: leaf.code.clone(),
            address,
            caller_name: person_name(r, &d.words),
            caller_phone: mobile(r, &d.words),
            narrative,
        });
    }
    out.sort_by_key(|i| i.reported_at);
    out
}

//! Incident volume and mix: by hour, weekday, month, station class and season.

pub(super) const LOCAL_OFFSET_HOURS: i64 = 8; // Asia/Shanghai, no DST

/// Relative call volume by local hour: quiet 3–6 am, peaks late morning and evening.
pub(super) const HOURLY: [f64; 24] = [
    2.2, 1.5, 1.0, 0.6, 0.5, 0.6, 1.2, 2.4, 3.6, 4.6, 5.4, 5.6, 4.8, 4.3, 4.6, 4.8, 5.0, 5.3, 5.8,
    6.2, 6.4, 5.8, 4.6, 3.2,
];

/// Slight seasonality by month (Jan..Dec): more around Spring Festival and in summer.
pub(super) const MONTHLY: [f64; 12] = [
    1.06, 1.08, 0.92, 0.95, 1.0, 1.03, 1.1, 1.1, 1.0, 1.02, 0.95, 1.0,
];

/// Hourly weights for a weekday (0 = Monday): Friday and Saturday evenings are
/// busier, and so are the small hours of Saturday and Sunday.
pub(super) fn hourly_for(weekday: usize) -> [f64; 24] {
    let mut w = HOURLY;
    for (h, x) in w.iter_mut().enumerate() {
        if (weekday == 4 || weekday == 5) && h >= 18 {
            *x *= 1.35;
        }
        if (weekday == 5 || weekday == 6) && h <= 2 {
            *x *= 1.5;
        }
        if weekday >= 5 && (9..=17).contains(&h) {
            *x *= 1.05;
        }
    }
    w
}

/// Share of each top-level category, in percent.
pub(super) fn root_share(root: &str) -> f64 {
    match root {
        "dispute" => 22.0,
        "assistance" => 19.0,
        "public_order" => 17.0,
        "criminal" => 15.0,
        "traffic" => 12.0,
        "other" => 7.0,
        "lost_missing" => 6.5,
        "fire" => 1.5,
        _ => 2.0,
    }
}

/// Relative weight of a sub-category within its parent (unknown codes: 1.0).
pub(super) fn leaf_weight(code: &str) -> f64 {
    match code {
        "criminal.theft" => 3.0,
        "criminal.burglary" => 1.2,
        "criminal.vehicle_theft" => 2.2,
        "criminal.fraud" => 3.5,
        "criminal.robbery" => 0.4,
        "criminal.injury" => 0.8,
        "criminal.damage" => 0.7,
        "criminal.other" => 0.6,
        "public_order.fight" => 3.0,
        "public_order.disturbance" => 1.2,
        "public_order.noise" => 2.0,
        "public_order.gambling" => 0.8,
        "public_order.drunk" => 1.5,
        "public_order.other" => 0.8,
        "traffic.accident_property" => 5.0,
        "traffic.accident_injury" => 1.5,
        "traffic.hit_and_run" => 0.6,
        "traffic.illegal_parking" => 2.0,
        "traffic.drunk_driving" => 0.5,
        "traffic.other" => 0.5,
        "dispute.neighbour" => 3.0,
        "dispute.family" => 3.0,
        "dispute.labour" => 1.5,
        "dispute.consumer" => 2.0,
        "dispute.debt" => 1.2,
        "dispute.land" => 0.8,
        "assistance.locked_out" => 2.0,
        "assistance.medical" => 1.5,
        "assistance.animal" => 0.8,
        "assistance.facility" => 0.8,
        "assistance.other" => 1.2,
        "lost_missing.lost_item" => 3.0,
        "lost_missing.found_item" => 1.5,
        "lost_missing.missing_child" => 0.8,
        "fire.vehicle" => 0.6,
        "fire.wildland" => 0.4,
        "fire.outdoor_burning" => 1.2,
        "fire.other" => 0.4,
        "other.consultation" => 3.0,
        "other.misdial" => 1.5,
        "other.harassing_call" => 0.6,
        "other.non_police" => 2.0,
        _ => 1.0,
    }
}

/// Time-of-day bucket: 0 night (22–5), 1 day (6–17), 2 evening (18–21).
pub(super) fn hour_bucket(h: u32) -> usize {
    match h {
        6..=17 => 1,
        18..=21 => 2,
        _ => 0,
    }
}

/// Multiplier of a sub-category's weight by time of day, season and station class.
pub(super) fn mix_factor(code: &str, bucket: usize, dry_season: bool, class: u8) -> f64 {
    let time = match (bucket, code) {
        (0, "public_order.fight" | "public_order.drunk" | "public_order.noise") => 2.0,
        (0, "public_order.disturbance") => 1.6,
        (0, "traffic.drunk_driving" | "assistance.drunk_person") => 3.0,
        (0, "criminal.burglary") => 1.5,
        (0, "assistance.locked_out") => 1.3,
        (0, "other.consultation" | "dispute.labour" | "traffic.congestion") => 0.3,
        (0, "dispute.consumer") => 0.5,
        (0, c) if c.starts_with("lost_missing.") => 0.5,
        (1, "traffic.congestion") => 1.5,
        (1, "dispute.labour" | "other.consultation") => 1.3,
        (1, "public_order.noise" | "public_order.drunk") => 0.4,
        (1, "public_order.fight") => 0.7,
        (1, "traffic.drunk_driving" | "assistance.drunk_person") => 0.2,
        (2, "public_order.fight" | "public_order.drunk" | "dispute.family") => 1.3,
        (2, "traffic.drunk_driving") => 1.5,
        _ => 1.0,
    };
    let season = match (dry_season, code) {
        (true, "fire.wildland") => 2.5,
        (true, "fire.outdoor_burning") => 2.0,
        (true, "fire.building") => 1.3,
        (true, "dispute.labour") => 1.3,
        (false, "fire.wildland") => 0.4,
        (false, "fire.outdoor_burning") => 0.6,
        _ => 1.0,
    };
    let place = match (class, code) {
        (2, "dispute.land") => 3.0,
        (2, "fire.wildland") => 2.5,
        (2, "fire.outdoor_burning") => 2.0,
        (2, "public_order.gambling") => 1.5,
        (2, "dispute.property_mgmt") => 0.3,
        (2, "public_order.noise" | "criminal.fraud") => 0.7,
        (2, "traffic.congestion") => 0.5,
        (1, "dispute.land" | "fire.wildland") => 0.3,
        _ => 1.0,
    };
    time * season * place
}

/// November to April: dry season, fields are burnt, hills catch fire.
pub(super) fn is_dry_month(month: u32) -> bool {
    !(5..=10).contains(&month)
}

//! `frontline demo`: loads the fictional jurisdiction of [`plan`] once, with
//! deterministic ids, so every demo database looks the same.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use frontline_core::org::{AreaType, Role, UnitKind, child_path};
use frontline_store::{AuditDraft, BulkLoad, DistrictRow, NewIncident, OfficerRow, UnitRow};
use sha2::{Digest, Sha256};
use uuid::Uuid;

mod case;
mod data;
mod decision;
mod follow_up;
mod incident;
mod lifecycle;
mod mix;
mod narrative;
mod org;
mod people;
pub mod plan;
mod rng;

use self::plan::DemoPlan;
use crate::{App, AppError, Result};

pub const DEMO_PASSWORD: &str = frontline_core::password::DEMO_PASSWORD;
pub const DEMO_SEED: u64 = 20_261_122;
const LOADED_KEY: &str = "demo.loaded";
/// Incidents per transaction when loading many (keeps memory flat for large loads).
const CHUNK: usize = 20_000;
/// Incidents of one demo year: a city's. A larger load spans more years (up to
/// `MAX_YEARS`), so 10,000,000 are a city's five years and each day holds what a day
/// of a large city holds, not five times that.
const PER_YEAR: usize = 2_000_000;
const MAX_YEARS: usize = 5;

/// The days the demo's incidents span for `incident_count` of them.
fn span_days(incident_count: usize) -> u32 {
    let years = incident_count.div_ceil(PER_YEAR).clamp(1, MAX_YEARS);
    plan::YEAR_DAYS * years as u32
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded {
        units: usize,
        officers: usize,
        incidents: usize,
    },
    AlreadyLoaded,
}

/// A UUIDv7 whose time part is `at` and whose other bits come from `key`, so ids are
/// time-ordered like live ones yet the same on every load.
/// The incident counts whose demo gets cases.
pub const DEMO_CASES_FOR: std::ops::RangeInclusive<usize> = 5_000..=100_000;

fn det_uuid(at: DateTime<Utc>, key: &str) -> Uuid {
    let h = Sha256::digest(key.as_bytes());
    let mut rand = [0u8; 10];
    for (r, b) in rand.iter_mut().zip(h.iter()) {
        *r = *b;
    }
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &rand)
        .into_uuid()
}

/// Plan unit key → (id, path, code).
type UnitIndex = HashMap<String, (Uuid, String, String)>;

/// The officer of each station whose username ends with `suffix` (`.desk`, `.chief`).
fn staff_of(
    plan: &DemoPlan,
    units: &UnitIndex,
    t0: DateTime<Utc>,
    suffix: &str,
) -> HashMap<Uuid, (Uuid, String)> {
    plan.officers
        .iter()
        .filter(|o| o.username.ends_with(suffix))
        .filter_map(|o| {
            let (unit_id, _, _) = units.get(&o.unit_key)?;
            Some((
                *unit_id,
                (
                    det_uuid(t0, &format!("officer:{}", o.username)),
                    o.display_name.clone(),
                ),
            ))
        })
        .collect()
}

fn org_rows(
    plan: &DemoPlan,
    t0: DateTime<Utc>,
    password_hash: &str,
) -> Result<(BulkLoad, UnitIndex)> {
    let mut units = UnitIndex::new();
    let mut load = BulkLoad::default();
    for u in std::iter::once(&plan.bureau).chain(plan.units.iter()) {
        let parent = match &u.parent_key {
            Some(k) => Some(units.get(k).cloned().ok_or_else(|| {
                AppError::Internal(format!("demo unit {} before its parent {k}", u.key))
            })?),
            None => None,
        };
        let id = det_uuid(t0, &format!("unit:{}", u.key));
        let path = child_path(parent.as_ref().map(|p| p.1.as_str()), &u.code);
        load.units.push(UnitRow {
            id,
            parent_id: parent.as_ref().map(|p| p.0),
            kind: UnitKind::parse(u.kind).ok_or_else(|| {
                AppError::Internal(format!("demo unit {} has unknown kind {}", u.key, u.kind))
            })?,
            station_class: u.station_class.map(i16::from),
            code: u.code.clone(),
            name: u.name.clone(),
            path: path.clone(),
        });
        units.insert(u.key.clone(), (id, path, u.code.clone()));
    }
    // Station k's residents belong to street office k; a station's districts share its
    // community officers in turn.
    let partner_of = |station_key: &str| {
        station_key
            .strip_prefix('s')
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| format!("street{n}"))
    };
    let community: HashMap<&str, Vec<Uuid>> = plan
        .officers
        .iter()
        .filter(|o| o.roles.contains(&"community_officer"))
        .fold(HashMap::new(), |mut m, o| {
            m.entry(o.unit_key.as_str())
                .or_default()
                .push(det_uuid(t0, &format!("officer:{}", o.username)));
            m
        });
    let mut nth: HashMap<&str, usize> = HashMap::new();
    for d in &plan.districts {
        let Some((unit_id, _, _)) = units.get(&d.station_key) else {
            return Err(AppError::Internal(format!(
                "district {} of unknown station",
                d.code
            )));
        };
        load.districts.push(DistrictRow {
            id: det_uuid(t0, &format!("district:{}:{}", d.station_key, d.code)),
            unit_id: *unit_id,
            code: d.code.clone(),
            name: d.name.clone(),
            area_type: d.area_type,
            partner_unit_id: partner_of(&d.station_key)
                .and_then(|k| units.get(&k))
                .map(|u| u.0),
            community_officer_id: community.get(d.station_key.as_str()).and_then(|list| {
                let i = nth.entry(d.station_key.as_str()).or_default();
                *i += 1;
                list.get((*i - 1) % list.len().max(1)).copied()
            }),
        });
    }
    for o in &plan.officers {
        let Some((unit_id, _, _)) = units.get(&o.unit_key) else {
            return Err(AppError::Internal(format!(
                "officer {} of unknown unit",
                o.username
            )));
        };
        load.officers.push(OfficerRow {
            id: det_uuid(t0, &format!("officer:{}", o.username)),
            username: o.username.clone(),
            display_name: o.display_name.clone(),
            unit_id: *unit_id,
            roles: o
                .roles
                .iter()
                .map(|r| {
                    Role::parse(r).ok_or_else(|| {
                        AppError::Internal(format!(
                            "demo officer {} has unknown role {r}",
                            o.username
                        ))
                    })
                })
                .collect::<Result<_>>()?,
            auxiliary: o.auxiliary,
            badge_no: o.badge_no.clone(),
            password_hash: password_hash.to_string(),
            disabled: false,
            created_at: t0,
            must_change_password: false,
            totp_enrolled: false,
        });
    }
    Ok((load, units))
}

impl App {
    /// Loads the demo jurisdiction unless it is already there. `end` is the last day of
    /// the twelve months of incidents (normally now); more than `PER_YEAR` incidents
    /// span more years.
    pub async fn load_demo(
        &self,
        end: DateTime<Utc>,
        incident_count: usize,
    ) -> Result<DemoOutcome> {
        if self.store.get_setting(LOADED_KEY).await?.is_some() {
            return Ok(DemoOutcome::AlreadyLoaded);
        }
        if !self.org.is_empty() {
            return Err(AppError::Conflict(
                "this database already holds an organisation that is not the demo; use an empty data directory".into(),
            ));
        }
        // One hash for every demo account: they share the published demo password, and
        // 200 argon2 runs would make the first start slow for nothing.
        let cfg = (*self.config).clone();
        let password_hash = self
            .hashing(move || crate::auth::hash_password_blocking(&cfg, DEMO_PASSWORD))
            .await??;
        let span = span_days(incident_count);
        let first = plan::plan_over(
            DEMO_SEED,
            end,
            span,
            incident_count.min(CHUNK),
            &self.categories,
        )?;
        let t0 = end - Duration::days(i64::from(span) + 1);
        let (mut load, units) = org_rows(&first, t0, &password_hash)?;
        let desk_of: HashMap<String, Uuid> = first
            .officers
            .iter()
            .filter(|o| o.username.ends_with(".desk"))
            .map(|o| {
                (
                    o.unit_key.clone(),
                    det_uuid(t0, &format!("officer:{}", o.username)),
                )
            })
            .collect();
        let districts_by_station: HashMap<String, Vec<(Uuid, AreaType)>> =
            first.districts.iter().fold(HashMap::new(), |mut m, d| {
                m.entry(d.station_key.clone()).or_default().push((
                    det_uuid(t0, &format!("district:{}:{}", d.station_key, d.code)),
                    d.area_type,
                ));
                m
            });
        // Each station's officers who answer calls, and its desk officer's name.
        let mut crews: HashMap<String, (String, Vec<(Uuid, String)>)> = HashMap::new();
        for o in &first.officers {
            let id = det_uuid(t0, &format!("officer:{}", o.username));
            let e = crews.entry(o.unit_key.clone()).or_default();
            if o.username.ends_with(".desk") {
                e.0 = o.display_name.clone();
            }
            if o.roles.iter().any(|r| {
                [
                    "desk_officer",
                    "community_officer",
                    "case_officer",
                    "station_chief",
                ]
                .contains(r)
            }) {
                e.1.push((id, o.display_name.clone()));
            }
        }
        let counts = (load.units.len(), load.officers.len());
        let to_rows = |plan: &DemoPlan, chunk_no: usize| -> Result<Vec<NewIncident>> {
            plan.incidents
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (unit_id, path, code) = units.get(&p.station_key).ok_or_else(|| {
                        AppError::Internal(format!("incident of unknown station {}", p.station_key))
                    })?;
                    let created_by = *desk_of.get(&p.station_key).ok_or_else(|| {
                        AppError::Internal(format!("no desk officer at {}", p.station_key))
                    })?;
                    let district = p.district_index.and_then(|di| {
                        districts_by_station
                            .get(&p.station_key)
                            .and_then(|v| v.get(di))
                            .copied()
                    });
                    let (desk_name, patrol) = crews
                        .get(&p.station_key)
                        .map(|(n, p)| (n.as_str(), p.as_slice()))
                        .unwrap_or(("", &[]));
                    // Registered while the call is on the line.
                    let created_at = p.reported_at + Duration::minutes(1);
                    let (state, events) = lifecycle::live(
                        DEMO_SEED ^ ((chunk_no as u64) << 32) ^ i as u64,
                        &p.category,
                        district.map_or(AreaType::Rural, |d| d.1),
                        created_at,
                        end,
                        &lifecycle::Crew {
                            desk: (created_by, desk_name),
                            patrol,
                        },
                    );
                    Ok(NewIncident {
                        id: det_uuid(p.reported_at, &format!("incident:{chunk_no}:{i}")),
                        unit_id: *unit_id,
                        unit_path: path.clone(),
                        unit_code: code.clone(),
                        reported_at: p.reported_at,
                        created_at,
                        category: p.category.clone(),
                        address: p.address.clone(),
                        district_id: district.map(|d| d.0),
                        caller_name: p.caller_name.clone(),
                        caller_phone: p.caller_phone.clone(),
                        caller_id_number: None,
                        narrative: p.narrative.clone(),
                        created_by,
                        state,
                        events,
                        follow_up: Default::default(),
                        // Counted all at once after the load (rebuild_statistics).
                        stats: Vec::new(),
                    })
                })
                .collect()
        };
        let unit_by_id: HashMap<Uuid, (&str, &str)> = load
            .units
            .iter()
            .map(|u| (u.id, (u.path.as_str(), u.name.as_str())))
            .collect();
        // A street office's account, by its unit: its name signs the demo's answers.
        let partner_staff: HashMap<Uuid, String> = load
            .officers
            .iter()
            .filter(|o| o.roles.contains(&Role::Partner))
            .map(|o| (o.unit_id, o.display_name.clone()))
            .collect();
        let staff = follow_up::Staff {
            desk: staff_of(&first, &units, t0, ".desk"),
            chief: staff_of(&first, &units, t0, ".chief"),
            pushes: load
                .districts
                .iter()
                .filter_map(|d| {
                    let partner = d.partner_unit_id?;
                    let (path, _) = unit_by_id.get(&partner)?;
                    Some((
                        d.id,
                        follow_up::PushTarget {
                            partner_id: partner,
                            partner_path: (*path).to_string(),
                            district_name: d.name.clone(),
                            community_officer: d.community_officer_id,
                            partner_staff: partner_staff.get(&partner).cloned().unwrap_or_default(),
                        },
                    ))
                })
                .collect(),
            station_names: unit_by_id
                .iter()
                .map(|(id, (_, name))| (*id, (*name).to_string()))
                .collect(),
            category_names: self
                .categories
                .leaves()
                .map(|c| (c.code.clone(), c.name_zh.clone()))
                .collect(),
        };
        let fill = |rows: &mut Vec<NewIncident>, chunk_no: usize| {
            follow_up::fill(
                rows,
                DEMO_SEED ^ 0xCA11_BAC4 ^ chunk_no as u64,
                end,
                &self.callback_rules,
                &self.repeat_rules,
                &staff,
            )
        };
        load.incidents = to_rows(&first, 0)?;
        fill(&mut load.incidents, 0);
        let mut loaded = load.incidents.len();
        load.settings = vec![("demo.seed".into(), DEMO_SEED.to_string())];
        let audit = |what: &str, n: usize| AuditDraft {
            at: self.now(),
            actor_id: None,
            actor: "system:demo".into(),
            action: what.into(),
            object_type: "bureau".into(),
            object_id: plan::COUNTY.into(),
            purpose: None,
            detail: serde_json::json!({ "incidents": n }).to_string(),
        };
        self.store
            .bulk_load(load, audit("demo.load", loaded))
            .await?;
        // Larger loads (benchmarks) come in further chunks, each its own transaction.
        let mut chunk_no = 1;
        while loaded < incident_count {
            let n = (incident_count - loaded).min(CHUNK);
            let plan =
                plan::plan_over(DEMO_SEED + chunk_no as u64, end, span, n, &self.categories)?;
            let mut rows = to_rows(&plan, chunk_no)?;
            fill(&mut rows, chunk_no);
            loaded += rows.len();
            self.store
                .bulk_load(
                    BulkLoad {
                        incidents: rows,
                        ..Default::default()
                    },
                    audit("demo.load_incidents", n),
                )
                .await?;
            chunk_no += 1;
        }
        self.store
            .bulk_load(
                BulkLoad {
                    settings: vec![(LOADED_KEY.into(), end.to_rfc3339())],
                    ..Default::default()
                },
                audit("demo.loaded", loaded),
            )
            .await?;
        self.org.reload(&self.store).await?;
        self.rebuild_statistics(true).await?;
        // The demo proper has cases; the small loads of the tests and the large ones of
        // the benchmarks do not (their checks count incidents, and case by case would
        // take minutes at millions).
        if DEMO_CASES_FOR.contains(&incident_count) {
            let cases = self.load_demo_cases(end).await?;
            tracing::info!(cases, "demo cases loaded");
        }
        Ok(DemoOutcome::Loaded {
            units: counts.0,
            officers: counts.1,
            incidents: loaded,
        })
    }
}

//! Legal periods: the deadline calculator, the rule catalog and the holiday
//! calendars, with administrators adding a calendar year without a release.
//!
//! The calendars (the years shipped with the binary, then every year stored by an
//! upload, which adds or replaces that year) and the rule catalog are loaded once when
//! the [`App`] starts. A valid upload is stored with its audit entry and swapped into
//! this instance's calendars at once. (Other instances on the same PostgreSQL database
//! see it at their next start.) A computation touches no record and is not audited.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use frontline_core::period::{Calendars, RuleCatalog, YearCalendar};
use frontline_store::Store;

use crate::{AppError, Result};

mod calendars;
mod compute;
mod request;
mod rules;
#[cfg(test)]
mod tests;

pub use calendars::{
    CALENDAR_DIR_ENV, CALENDAR_MAX_BYTES, CalendarList, CalendarYearView, HolidayView,
    RULES_FILE_ENV, calendar_field_error, calendar_list, calendar_view, read_calendar_dir,
};
pub use compute::{
    Computed, DeadlineAnswer, ExplainStep, RuleRef, compute, deadline_field_error, mode_code,
};
pub use request::{
    CalendarUploadRequest, Counted, DeadlineQuestion, DeadlineRequest, parse_start,
    period_field_error,
};
pub use rules::{
    BasisView, ExtensionView, RuleCatalogView, RuleView, rule_catalog_view, rule_view,
};

// ---------------------------------------------------------------------------
// The loaded calendars and rules
// ---------------------------------------------------------------------------

/// Who uploaded a stored calendar year, and when.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The calendars in use and where each uploaded year came from.
#[derive(Debug, Clone)]
pub struct LoadedCalendars {
    pub calendars: Calendars,
    /// Years that come from an upload.
    pub uploaded: HashMap<i32, Uploaded>,
    /// Years read from the calendar directory at start (`FRONTLINE_CALENDAR_DIR`), by file.
    pub from_files: HashMap<i32, String>,
    /// Stored years that no longer validate (skipped, logged).
    pub load_errors: Vec<String>,
}

impl LoadedCalendars {
    /// The calendars without a store (as the CLI reads them): the built-in years, then
    /// every `*.toml` of `dir` when given. A bad file stops the load with its name.
    pub fn from_dir(dir: Option<&Path>) -> std::result::Result<LoadedCalendars, String> {
        let mut calendars = Calendars::builtin().map_err(|e| e.to_string())?;
        let from_files = match dir {
            Some(dir) => read_calendar_dir(dir, &mut calendars)?,
            None => HashMap::new(),
        };
        Ok(LoadedCalendars {
            calendars,
            uploaded: HashMap::new(),
            from_files,
            load_errors: Vec::new(),
        })
    }
}

/// The rule catalog of `file`, else the built-in one; a bad file is named in the message.
pub fn load_rules(file: Option<&Path>) -> std::result::Result<RuleCatalog, String> {
    match file {
        None => RuleCatalog::builtin().map_err(|e| e.to_string()),
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            RuleCatalog::parse(&text).map_err(|e| format!("{}: {e}", f.display()))
        }
    }
}

/// Shared by every request; the calendars are swapped whole on upload.
#[derive(Debug)]
pub struct DeadlineState {
    calendars: RwLock<Arc<LoadedCalendars>>,
    pub rules: Arc<RuleCatalog>,
}

impl DeadlineState {
    /// The calendars and rules as the CLI reads them: the built-in years, then the
    /// `*.toml` files of `FRONTLINE_CALENDAR_DIR` when set, then every year stored by an
    /// upload (validated again); the rule catalog of `FRONTLINE_DEADLINE_RULES` when
    /// set, else the built-in one. A bad file in the directory or a bad rule file stops
    /// the start with its name in the message.
    pub async fn load(store: &Store) -> Result<DeadlineState> {
        let dir = std::env::var_os(CALENDAR_DIR_ENV).map(PathBuf::from);
        let rules_file = std::env::var_os(RULES_FILE_ENV).map(PathBuf::from);
        DeadlineState::load_from(store, dir.as_deref(), rules_file.as_deref()).await
    }

    pub async fn load_from(
        store: &Store,
        calendar_dir: Option<&Path>,
        rules_file: Option<&Path>,
    ) -> Result<DeadlineState> {
        let files = LoadedCalendars::from_dir(calendar_dir).map_err(AppError::Internal)?;
        let rules = load_rules(rules_file).map_err(AppError::Internal)?;
        let LoadedCalendars {
            mut calendars,
            from_files,
            ..
        } = files;
        let mut uploaded = HashMap::new();
        let mut load_errors = Vec::new();
        for row in store.list_calendars().await? {
            match YearCalendar::parse(&format!("stored {}", row.year), &row.text) {
                Ok(cal) if cal.year == row.year => {
                    calendars.insert(cal);
                    uploaded.insert(
                        row.year,
                        Uploaded {
                            by: row.uploaded_by_name,
                            at: row.uploaded_at,
                        },
                    );
                }
                Ok(cal) => load_errors.push(format!(
                    "stored calendar {} describes year {}",
                    row.year, cal.year
                )),
                Err(e) => {
                    tracing::error!(year = row.year, error = %e, "a stored calendar does not load");
                    load_errors.push(e.to_string());
                }
            }
        }
        Ok(DeadlineState {
            calendars: RwLock::new(Arc::new(LoadedCalendars {
                calendars,
                uploaded,
                from_files,
                load_errors,
            })),
            rules: Arc::new(rules),
        })
    }

    pub fn current(&self) -> Arc<LoadedCalendars> {
        match self.calendars.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Reads the stored years again and takes in those uploaded (on any instance) after
    /// the version this instance holds. Returns whether anything changed.
    pub async fn refresh(&self, store: &Store) -> Result<bool> {
        let rows = store.list_calendars().await?;
        let cur = self.current();
        let mut changed = false;
        for row in rows {
            if cur.uploaded.get(&row.year).map(|u| u.at) == Some(row.uploaded_at) {
                continue;
            }
            match YearCalendar::parse(&format!("stored {}", row.year), &row.text) {
                Ok(cal) if cal.year == row.year => {
                    self.add(
                        cal,
                        Uploaded {
                            by: row.uploaded_by_name,
                            at: row.uploaded_at,
                        },
                    );
                    changed = true;
                }
                Ok(_) | Err(_) => {
                    tracing::error!(year = row.year, "a stored calendar does not load");
                }
            }
        }
        Ok(changed)
    }

    /// Adds (or replaces) a validated year in place, under the write lock so that two
    /// uploads at once both survive.
    fn add(&self, cal: YearCalendar, by: Uploaded) {
        let apply = |cur: &Arc<LoadedCalendars>| {
            let mut next = LoadedCalendars::clone(cur);
            next.uploaded.insert(cal.year, by.clone());
            next.calendars.insert(cal.clone());
            Arc::new(next)
        };
        match self.calendars.write() {
            Ok(mut g) => *g = apply(&g),
            Err(p) => {
                let mut g = p.into_inner();
                *g = apply(&g);
            }
        }
    }
}

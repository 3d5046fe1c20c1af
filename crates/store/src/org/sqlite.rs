use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row, params};
use uuid::Uuid;

use super::{
    BRIEF_COLS, BulkLoad, DISTRICT_COLS, DistrictRow, OfficerBrief, UNIT_COLS, UnitRow, parse_area,
    parse_kind,
};
use crate::audit::sqlite::append;
use crate::auth::sqlite::insert_officer_row;
use crate::engine::sqlite::SqliteStore;
use crate::incident::sqlite::insert_incident;
use crate::{AuditDraft, Result};

fn unit_from_row(r: &Row<'_>) -> rusqlite::Result<UnitRow> {
    Ok(UnitRow {
        id: r.get(0)?,
        parent_id: r.get(1)?,
        kind: parse_kind(r.get_ref(2)?.as_str()?)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, Type::Text, Box::new(e)))?,
        station_class: r.get(3)?,
        code: r.get(4)?,
        name: r.get(5)?,
        path: r.get(6)?,
    })
}

fn district_from_row(r: &Row<'_>) -> rusqlite::Result<DistrictRow> {
    Ok(DistrictRow {
        id: r.get(0)?,
        unit_id: r.get(1)?,
        code: r.get(2)?,
        name: r.get(3)?,
        area_type: parse_area(r.get_ref(4)?.as_str()?)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, Type::Text, Box::new(e)))?,
        partner_unit_id: r.get(5)?,
        community_officer_id: r.get(6)?,
    })
}

impl SqliteStore {
    pub(crate) async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_string();
        self.read(move |c| {
            Ok(
                c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })
        .await
    }

    pub(crate) async fn list_units(&self) -> Result<Vec<UnitRow>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached(&format!("SELECT {UNIT_COLS} FROM units ORDER BY path"))?;
            let rows = st.query_map([], unit_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn list_districts(&self) -> Result<Vec<DistrictRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {DISTRICT_COLS} FROM districts ORDER BY unit_id, code"
            ))?;
            let rows = st.query_map([], district_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn unit_officers(&self, unit_id: Uuid) -> Result<Vec<OfficerBrief>> {
        self.read(move |c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {BRIEF_COLS} FROM officers WHERE unit_id = ?1 AND disabled = 0
                 ORDER BY auxiliary, display_name, id"
            ))?;
            let rows = st.query_map([unit_id], |r| {
                Ok(OfficerBrief {
                    id: r.get(0)?,
                    unit_id: r.get(1)?,
                    display_name: r.get(2)?,
                    badge_no: r.get(3)?,
                    auxiliary: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn bulk_load(&self, load: BulkLoad, audit: AuditDraft) -> Result<()> {
        self.write_standalone(move |c, head| {
            for u in &load.units {
                c.prepare_cached(&format!(
                    "INSERT INTO units ({UNIT_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7)"
                ))?
                .execute(params![
                    u.id,
                    u.parent_id,
                    u.kind.as_str(),
                    u.station_class,
                    u.code,
                    u.name,
                    u.path
                ])?;
            }
            for d in &load.districts {
                c.prepare_cached(&format!(
                    "INSERT INTO districts ({DISTRICT_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7)"
                ))?
                .execute(params![
                    d.id,
                    d.unit_id,
                    d.code,
                    d.name,
                    d.area_type.as_str(),
                    d.partner_unit_id,
                    d.community_officer_id
                ])?;
            }
            for o in &load.officers {
                insert_officer_row(c, o)?;
            }
            for n in &load.incidents {
                insert_incident(c, n)?;
            }
            for (k, v) in &load.settings {
                c.prepare_cached(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![k, v])?;
            }
            append(c, head, &audit)?;
            Ok(())
        })
        .await
    }
}

use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    BRIEF_COLS, BulkLoad, DISTRICT_COLS, DistrictRow, OfficerBrief, UNIT_COLS, UnitRow, parse_area,
    parse_kind,
};
use crate::audit::pg::append;
use crate::auth::pg::insert_officer_row;
use crate::engine::pg::PgStore;
use crate::incident::pg::insert_incident;
use crate::{AuditDraft, Result, StoreError};

fn unit_from_row(r: &Row) -> Result<UnitRow> {
    Ok(UnitRow {
        id: r.try_get(0)?,
        parent_id: r.try_get(1)?,
        kind: parse_kind(r.try_get(2)?).map_err(StoreError::db_from)?,
        station_class: r.try_get(3)?,
        code: r.try_get(4)?,
        name: r.try_get(5)?,
        path: r.try_get(6)?,
    })
}

fn district_from_row(r: &Row) -> Result<DistrictRow> {
    Ok(DistrictRow {
        id: r.try_get(0)?,
        unit_id: r.try_get(1)?,
        code: r.try_get(2)?,
        name: r.try_get(3)?,
        area_type: parse_area(r.try_get(4)?).map_err(StoreError::db_from)?,
        partner_unit_id: r.try_get(5)?,
        community_officer_id: r.try_get(6)?,
    })
}

impl PgStore {
    pub(crate) async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        let c = self.pool.get().await?;
        c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
            .await?
            .map(|r| r.try_get(0).map_err(Into::into))
            .transpose()
    }

    pub(crate) async fn list_units(&self) -> Result<Vec<UnitRow>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(&format!("SELECT {UNIT_COLS} FROM units ORDER BY path"), &[])
            .await?;
        rows.iter().map(unit_from_row).collect()
    }

    pub(crate) async fn list_districts(&self) -> Result<Vec<DistrictRow>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                &format!("SELECT {DISTRICT_COLS} FROM districts ORDER BY unit_id, code"),
                &[],
            )
            .await?;
        rows.iter().map(district_from_row).collect()
    }

    pub(crate) async fn unit_officers(&self, unit_id: Uuid) -> Result<Vec<OfficerBrief>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT {BRIEF_COLS} FROM officers WHERE unit_id = $1 AND NOT disabled
                     ORDER BY auxiliary, display_name COLLATE \"C\", id"
                ),
                &[&unit_id],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(OfficerBrief {
                    id: r.try_get(0)?,
                    unit_id: r.try_get(1)?,
                    display_name: r.try_get(2)?,
                    badge_no: r.try_get(3)?,
                    auxiliary: r.try_get(4)?,
                })
            })
            .collect()
    }

    pub(crate) async fn bulk_load(&self, load: BulkLoad, audit: AuditDraft) -> Result<()> {
        self.write(true, move |tx, head| {
            Box::pin(async move {
                for u in &load.units {
                    tx.execute(
                        &format!("INSERT INTO units ({UNIT_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7)"),
                        &[
                            &u.id,
                            &u.parent_id,
                            &u.kind.as_str(),
                            &u.station_class,
                            &u.code,
                            &u.name,
                            &u.path,
                        ],
                    )
                    .await?;
                }
                for d in &load.districts {
                    tx.execute(
                        &format!(
                            "INSERT INTO districts ({DISTRICT_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7)"
                        ),
                        &[
                            &d.id,
                            &d.unit_id,
                            &d.code,
                            &d.name,
                            &d.area_type.as_str(),
                            &d.partner_unit_id,
                            &d.community_officer_id,
                        ],
                    )
                    .await?;
                }
                for o in &load.officers {
                    insert_officer_row(tx, o).await?;
                }
                for n in &load.incidents {
                    insert_incident(tx, n).await?;
                }
                for (k, v) in &load.settings {
                    tx.execute(
                        "INSERT INTO settings (key, value) VALUES ($1, $2) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        &[k, v],
                    )
                    .await?;
                }
                append(tx, head, &audit).await?;
                Ok(())
            })
        })
        .await
    }
}

//! 导出: the incidents a list selects, as rows for a CSV file.

use frontline_core::FieldError;
use frontline_store::AuditDraft;
use frontline_store::IncidentRow;

use super::ListQuery;
use crate::auth::Session;
use crate::{App, AppError, Result};

impl App {
    /// 导出: every incident the list's filters select (not one page), newest first, for
    /// a CSV file. Refused above `export_max_rows` rather than cut short, and audited
    /// (filters and row count): the file leaves the system with callers' names in it.
    /// A role that reads no incidents is refused (403); a session that has not proved
    /// its holder within the window is `ReauthenticationRequired`.
    pub async fn export_incidents(
        &self,
        session: &Session,
        q: &ListQuery,
    ) -> Result<Vec<IncidentRow>> {
        let actor = &session.actor;
        let (mut filter, _, _, terms) = self.incident_filter(actor, q)?;
        self.require_recent_authentication(session).await?;
        // Never above what one store query returns: a longer file would be cut short.
        let max = self
            .config
            .export_max_rows
            .min(frontline_store::MAX_ROWS_PER_QUERY);
        filter.limit = max;
        filter.offset = 0;
        let p = self.incident_page(filter, terms).await?;
        if p.total > max {
            return Err(AppError::field(FieldError::new(
                "",
                "export.too_many",
                format!(
                    "筛选结果共 {} 条，一次最多导出 {} 条，请缩小时间范围或选择类别、单位后再导出",
                    p.total, max
                ),
                format!(
                    "The filters select {} incidents; at most {} can be exported at once. Narrow the dates, category or unit",
                    p.total, max
                ),
            )));
        }
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        self.store
            .append_audit(AuditDraft {
                at: self.now(),
                actor_id: Some(actor.officer_id),
                actor: actor.username.clone(),
                action: "incident.export".into(),
                object_type: "incident_list".into(),
                object_id: String::new(),
                purpose: None,
                detail: serde_json::json!({
                    "from": blank(&q.from),
                    "to": blank(&q.to),
                    "category": blank(&q.category),
                    "unit_id": blank(&q.unit_id),
                    "sort": blank(&q.sort),
                    "status": blank(&q.status),
                    "q": blank(&q.q),
                    "rows": p.items.len(),
                })
                .to_string(),
            })
            .await?;
        Ok(p.items)
    }
}

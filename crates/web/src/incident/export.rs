//! CSV files of lists: UTF-8 with a byte-order mark (so that Excel, which most offices
//! open them with, reads the Chinese text right), identifiers masked as on screen, and
//! any cell a spreadsheet would run as a formula defused with a leading apostrophe.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use frontline_app::App;
use frontline_app::incident::IncidentRow;
use frontline_core::Lang;
use frontline_core::time::BEIJING;

use crate::i18n;
use crate::pages::fmt::bj_minutes;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Column headings (message keys) of the incident export, in order.
const INCIDENT_COLUMNS: [&str; 10] = [
    "list.col_number",
    "list.col_reported",
    "list.col_category",
    "list.col_address",
    "list.col_unit",
    "detail.district",
    "intake.caller_name",
    "intake.caller_phone",
    "intake.caller_id_number",
    "intake.narrative",
];

/// The incidents as CSV, one row each, in the given order.
pub fn incidents_csv(app: &App, rows: &[IncidentRow], lang: Lang) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + rows.len() * 256);
    out.extend_from_slice(BOM);
    let mut w = csv::Writer::from_writer(out);
    // Writing into a Vec cannot fail, so the results are not interesting.
    let _ = w.write_record(INCIDENT_COLUMNS.iter().map(|k| i18n::t(lang, k)));
    for r in rows {
        let v = app.incident_view(r, lang);
        let record = [
            v.number,
            bj_minutes(r.reported_at),
            v.category_name,
            v.address,
            v.unit_name,
            v.district_name.unwrap_or_default(),
            v.caller.name,
            v.caller.phone,
            v.caller.id_number.unwrap_or_default(),
            v.narrative,
        ];
        for cell in &record {
            let _ = w.write_field(defuse(cell).as_bytes());
        }
        let _ = w.write_record(None::<&[u8]>);
    }
    w.into_inner().unwrap_or_default()
}

/// A cell starting with `= + - @` (also after leading spaces, also in their full-width
/// forms, or with a tab, carriage return or line feed) could be read by a spreadsheet as
/// a formula; typed text such as an address must never run.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = matches!(cell.chars().next(), Some('\t' | '\r' | '\n'))
        || matches!(
            cell.trim_start().chars().next(),
            Some('=' | '+' | '-' | '@' | '＝' | '＋' | '－' | '＠')
        );
    if risky {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// An export is a GET that writes an audit entry and a file: a link on another site
/// must not make a signed-in officer's browser run one (SameSite=Lax still sends the
/// cookie on top-level navigation). Browsers say where a request comes from in
/// `Sec-Fetch-Site`; bearer clients carry their own token and are not at risk.
pub fn cross_site_cookie_request(headers: &axum::http::HeaderMap) -> bool {
    headers.get(header::AUTHORIZATION).is_none()
        && headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site")
}

/// A CSV download named `<stem>-YYYYMMDD-HHMM.csv` (Beijing time); never cached.
pub fn csv_response(bytes: Vec<u8>, stem: &str, now: DateTime<Utc>) -> Response {
    let stamp = now.with_timezone(&BEIJING).format("%Y%m%d-%H%M");
    let disposition = format!("attachment; filename=\"{stem}-{stamp}.csv\"");
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused_and_others_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("+86 138"), "'+86 138");
        assert_eq!(defuse("-1"), "'-1");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("  =1+1"), "'  =1+1");
        assert_eq!(defuse("＝1+1"), "'＝1+1");
        assert_eq!(defuse("\nx"), "'\nx");
        assert_eq!(defuse("青禾县城关镇=1号"), "青禾县城关镇=1号");
        assert_eq!(defuse(""), "");
    }
}

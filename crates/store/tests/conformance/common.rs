//! Helpers: time, a small organisation, factories, raw database access, audit.

pub(crate) use chrono::{DateTime, Duration, Timelike, Utc};
pub(crate) use frontline_core::audit::{AuditRecord, ChainBreak, GENESIS, Verifier};
pub(crate) use frontline_core::org::{AreaType, Role, UnitKind};
pub(crate) use frontline_store::testing::{self, TestDb};
pub(crate) use frontline_store::{
    AuditDraft, AuditRow, BulkLoad, CalendarRow, DbConfig, DistrictRow, IncidentEvent,
    IncidentFilter, IncidentPage, IncidentRow, IncidentState, NewIncident, NewPenaltyStandard,
    OfficerRow, PathRange, PenaltyStandardRow, SessionRow, SignInFailures, Store, StoreError,
    TransitionWrite, UnitRow, truncate_micros,
};
pub(crate) use uuid::Uuid;

/// Migrations applied to a new database (0001 foundation, 0002 penalty standards,
/// 0003 holiday calendars, 0004 category index, 0005 incident lifecycle, 0006 sign-in
/// throttle and sessions, 0007 outbox, 0008 TOTP, 0009 incident change log, 0010 callbacks,
/// review and dispute push).
pub(crate) const SCHEMA_VERSION: i64 = 14;
/// Rows in `schema_migrations` (one per migration).
pub(crate) const MIGRATIONS_APPLIED: i64 = 14;

pub(crate) fn ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// "Now" with sub-microsecond digits, so every round trip exercises the truncation
/// to microseconds that both engines promise.
pub(crate) fn now_ns() -> DateTime<Utc> {
    let t = Utc::now();
    t.with_nanosecond(t.nanosecond() / 1000 * 1000 + 789)
        .unwrap()
}

pub(crate) fn unit(
    parent: Option<&UnitRow>,
    kind: &str,
    station_class: Option<i16>,
    code: &str,
    name: &str,
    path: &str,
) -> UnitRow {
    // The literal path is what the tests reason about; it must agree with core's rule.
    assert_eq!(
        frontline_core::org::child_path(parent.map(|p| p.path.as_str()), code),
        path,
        "test org: path of {code}"
    );
    UnitRow {
        id: Uuid::now_v7(),
        parent_id: parent.map(|p| p.id),
        kind: UnitKind::parse(kind).unwrap(),
        station_class,
        code: code.into(),
        name: name.into(),
        path: path.into(),
    }
}

pub(crate) fn officer(
    unit: &UnitRow,
    username: &str,
    roles: &[Role],
    auxiliary: bool,
    badge_no: Option<&str>,
) -> OfficerRow {
    OfficerRow {
        id: Uuid::now_v7(),
        username: username.into(),
        display_name: format!("Officer {username}"),
        unit_id: unit.id,
        roles: roles.to_vec(),
        auxiliary,
        badge_no: badge_no.map(Into::into),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$fake${username}"),
        disabled: false,
        created_at: now_ns(),
        must_change_password: false,
        totp_enrolled: false,
    }
}

/// The test jurisdiction: a bureau, three stations (S010 sits next to S01 to catch
/// prefix bugs: "/QC/S010/" must not be inside "/QC/S01/"), a department with a team
/// two levels down, districts, and officers.
pub(crate) struct Org {
    pub(crate) bureau: UnitRow,
    pub(crate) s01: UnitRow,
    pub(crate) s010: UnitRow,
    pub(crate) s02: UnitRow,
    pub(crate) xz: UnitRow,
    pub(crate) xz1: UnitRow,
    pub(crate) districts: Vec<DistrictRow>,
    pub(crate) chief: OfficerRow,
    pub(crate) desk01: OfficerRow,
    pub(crate) desk02: OfficerRow,
}

impl Org {
    pub(crate) fn build() -> Org {
        let bureau = unit(None, "bureau", None, "QC", "Qingcheng PSB", "/QC/");
        let s01 = unit(
            Some(&bureau),
            "station",
            Some(1),
            "S01",
            "Station One",
            "/QC/S01/",
        );
        let s010 = unit(
            Some(&bureau),
            "station",
            Some(3),
            "S010",
            "Station Ten",
            "/QC/S010/",
        );
        let s02 = unit(
            Some(&bureau),
            "station",
            Some(2),
            "S02",
            "Station Two",
            "/QC/S02/",
        );
        let xz = unit(
            Some(&bureau),
            "department",
            None,
            "XZ",
            "Criminal Investigation",
            "/QC/XZ/",
        );
        let xz1 = unit(Some(&xz), "team", None, "XZ1", "Team One", "/QC/XZ/XZ1/");
        let district = |u: &UnitRow, code: &str| DistrictRow {
            id: Uuid::now_v7(),
            unit_id: u.id,
            code: code.into(),
            name: format!("District {code} of {}", u.code),
            area_type: AreaType::Urban,
            partner_unit_id: None,
            community_officer_id: None,
        };
        let districts = vec![
            district(&s01, "D2"),
            district(&s01, "D1"),
            district(&s02, "D1"),
        ];
        let chief = officer(
            &bureau,
            "qc.chief",
            &[Role::BureauLeader, Role::Admin],
            false,
            Some("000001"),
        );
        let desk01 = officer(
            &s01,
            "s01.desk",
            &[Role::DeskOfficer],
            false,
            Some("010001"),
        );
        let desk02 = officer(
            &s02,
            "s02.aux",
            &[Role::DeskOfficer, Role::CommunityOfficer],
            true,
            None,
        );
        Org {
            bureau,
            s01,
            s010,
            s02,
            xz,
            xz1,
            districts,
            chief,
            desk01,
            desk02,
        }
    }

    /// Insertion order: parents first, siblings deliberately not in path order.
    pub(crate) fn units(&self) -> Vec<UnitRow> {
        vec![
            self.bureau.clone(),
            self.s02.clone(),
            self.xz.clone(),
            self.s010.clone(),
            self.s01.clone(),
            self.xz1.clone(),
        ]
    }

    pub(crate) fn officers(&self) -> Vec<OfficerRow> {
        vec![self.chief.clone(), self.desk01.clone(), self.desk02.clone()]
    }

    pub(crate) fn load(&self) -> BulkLoad {
        BulkLoad {
            units: self.units(),
            districts: self.districts.clone(),
            officers: self.officers(),
            incidents: vec![],
            settings: vec![("jurisdiction".into(), "QC".into())],
        }
    }
}

pub(crate) fn draft(action: &str, object_type: &str, object_id: &str) -> AuditDraft {
    AuditDraft {
        at: now_ns(),
        actor_id: None,
        actor: "conformance".into(),
        action: action.into(),
        object_type: object_type.into(),
        object_id: object_id.into(),
        purpose: None,
        detail: "{}".into(),
    }
}

/// A NewIncident factory; everything but unit, time and category is filler.
pub(crate) fn new_incident(
    unit: &UnitRow,
    by: &OfficerRow,
    reported_at: DateTime<Utc>,
    category: &str,
) -> NewIncident {
    NewIncident {
        id: Uuid::now_v7(),
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        unit_code: unit.code.clone(),
        reported_at,
        created_at: now_ns(),
        category: category.into(),
        address: "1 Renmin Road".into(),
        district_id: None,
        caller_name: "Zhang San".into(),
        caller_phone: "13800000000".into(),
        caller_id_number: Some("110101199003070000".into()),
        narrative: "A bicycle was taken from outside the shop.".into(),
        created_by: by.id,
        state: IncidentState::registered(),
        events: vec![IncidentEvent::registration(
            reported_at,
            by.id,
            &by.display_name,
        )],
        follow_up: Default::default(),
        stats: Vec::new(),
    }
}

pub(crate) fn incident_draft(n: &NewIncident) -> AuditDraft {
    let mut d = draft("incident.create", "incident", &n.id.to_string());
    d.actor_id = Some(n.created_by);
    d
}

pub(crate) async fn create(store: &Store, n: &NewIncident) -> IncidentRow {
    store
        .create_incident(n.clone(), incident_draft(n))
        .await
        .unwrap()
}

/// What the store must return for `n` once numbered.
pub(crate) fn expected_row(n: &NewIncident, year: i32, seq: i64) -> IncidentRow {
    IncidentRow {
        id: n.id,
        number: format!("{}-{year}-{seq:06}", n.unit_code),
        unit_id: n.unit_id,
        unit_path: n.unit_path.clone(),
        year,
        seq,
        reported_at: truncate_micros(n.reported_at),
        created_at: truncate_micros(n.created_at),
        category: n.category.clone(),
        address: n.address.clone(),
        district_id: n.district_id,
        caller_name: n.caller_name.clone(),
        caller_phone: n.caller_phone.clone(),
        caller_id_number: n.caller_id_number.clone(),
        narrative: n.narrative.clone(),
        created_by: n.created_by,
        state: n.state.clone(),
        follow_up: frontline_store::FollowUp {
            repeat_count: n.follow_up.repeats.len() as i64,
            ..n.follow_up.state.clone()
        },
    }
}

pub(crate) fn truncated_officer(o: &OfficerRow) -> OfficerRow {
    OfficerRow {
        created_at: truncate_micros(o.created_at),
        ..o.clone()
    }
}

pub(crate) fn session_for(o: &OfficerRow, token_hash: &str) -> SessionRow {
    let created_at = now_ns();
    SessionRow {
        token_hash: token_hash.into(),
        id: Uuid::now_v7(),
        officer_id: o.id,
        csrf_token: format!("csrf-{token_hash}"),
        created_at,
        expires_at: created_at + Duration::hours(8),
        last_seen_at: created_at,
        client: "10.0.0.1".into(),
        user_agent: format!("agent of {token_hash}"),
        authenticated_at: created_at,
        second_factor_pending: false,
    }
}

pub(crate) fn truncated_session(s: &SessionRow) -> SessionRow {
    SessionRow {
        created_at: truncate_micros(s.created_at),
        expires_at: truncate_micros(s.expires_at),
        last_seen_at: truncate_micros(s.last_seen_at),
        authenticated_at: truncate_micros(s.authenticated_at),
        ..s.clone()
    }
}

pub(crate) async fn fresh_store() -> (TestDb, Store) {
    let db = testing::fresh().await.expect("fresh test database");
    let store = Store::open(&db.config).await.expect("open store");
    (db, store)
}

/// A fresh store with the test organisation loaded (audit entry 1 is that load).
pub(crate) async fn with_org() -> (TestDb, Store, Org) {
    let (db, store) = fresh_store().await;
    let org = Org::build();
    store
        .bulk_load(org.load(), draft("org.load", "org", "QC"))
        .await
        .unwrap();
    (db, store, org)
}

pub(crate) async fn pg_client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}

/// Runs one statement directly on the database, behind the store's back. Returns
/// the number of rows changed. The SQL must be valid on both engines.
pub(crate) async fn raw_execute(cfg: &DbConfig, sql: &str) -> u64 {
    match cfg {
        DbConfig::Sqlite { path } => {
            let (path, sql) = (path.clone(), sql.to_string());
            tokio::task::spawn_blocking(move || {
                let c = rusqlite::Connection::open(path).unwrap();
                c.execute(&sql, []).unwrap() as u64
            })
            .await
            .unwrap()
        }
        DbConfig::Postgres { url } => pg_client(url).await.execute(sql, &[]).await.unwrap(),
    }
}

/// `SELECT COUNT(*) …` directly on the database.
pub(crate) async fn raw_count(cfg: &DbConfig, sql: &str) -> i64 {
    match cfg {
        DbConfig::Sqlite { path } => {
            let (path, sql) = (path.clone(), sql.to_string());
            tokio::task::spawn_blocking(move || {
                let c = rusqlite::Connection::open(path).unwrap();
                c.query_row(&sql, [], |r| r.get(0)).unwrap()
            })
            .await
            .unwrap()
        }
        DbConfig::Postgres { url } => pg_client(url)
            .await
            .query_one(sql, &[])
            .await
            .unwrap()
            .get(0),
    }
}

/// The head as (seq, hash), with the genesis pair for an empty log.
pub(crate) async fn head(store: &Store) -> (i64, String) {
    store
        .audit_head()
        .await
        .unwrap()
        .unwrap_or((0, GENESIS.to_string()))
}

/// The whole log, read in small pages (which also exercises `after`/`limit`).
pub(crate) async fn all_audit(store: &Store) -> Vec<AuditRow> {
    let mut out: Vec<AuditRow> = Vec::new();
    loop {
        let after = out.last().map(|e| e.record.seq).unwrap_or(0);
        let page = store.audit_entries(after, 7).await.unwrap();
        assert!(
            page.len() <= 7,
            "audit_entries returned more than the limit"
        );
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

/// Checks every entry, then the stored head, like `frontline audit verify`.
pub(crate) async fn verify_chain(store: &Store) -> Result<u64, ChainBreak> {
    let entries = all_audit(store).await;
    let mut v = Verifier::default();
    for e in &entries {
        v.check(&e.record, &e.hash)?;
    }
    v.finish(store.audit_head().await.unwrap())?;
    Ok(v.checked)
}

/// Asserts that exactly one entry was appended since `before` and that it carries
/// `expect` (the draft as the store should have recorded it). Returns the new head.
pub(crate) async fn assert_appended_one(
    store: &Store,
    before: &(i64, String),
    expect: &AuditDraft,
) -> (i64, String) {
    let after = head(store).await;
    assert_eq!(
        after.0,
        before.0 + 1,
        "head must advance by exactly one for {}",
        expect.action
    );
    let new = store.audit_entries(before.0, 100).await.unwrap();
    assert_eq!(new.len(), 1, "exactly one new entry for {}", expect.action);
    let e = &new[0];
    assert_eq!(
        e.record,
        AuditRecord {
            seq: before.0 + 1,
            at: truncate_micros(expect.at),
            actor_id: expect.actor_id,
            actor: expect.actor.clone(),
            action: expect.action.clone(),
            object_type: expect.object_type.clone(),
            object_id: expect.object_id.clone(),
            purpose: expect.purpose.clone(),
            detail: expect.detail.clone(),
        }
    );
    assert_eq!(e.prev_hash, before.1, "entry links to the previous head");
    assert_eq!(e.hash, after.1, "head names the new entry's hash");
    assert_eq!(
        e.hash,
        frontline_core::audit::chain_hash(&before.1, &e.record)
    );
    after
}

pub(crate) fn filter(scope: Option<PathRange>) -> IncidentFilter {
    IncidentFilter {
        scope,
        limit: 100,
        ..Default::default()
    }
}

/// Rows in list order: reported_at descending, then id descending.
pub(crate) fn listed<'a>(rows: impl IntoIterator<Item = &'a IncidentRow>) -> Vec<IncidentRow> {
    let mut v: Vec<IncidentRow> = rows.into_iter().cloned().collect();
    v.sort_by(|a, b| b.reported_at.cmp(&a.reported_at).then(b.id.cmp(&a.id)));
    v
}

pub(crate) fn numbers(page: &IncidentPage) -> Vec<String> {
    page.items.iter().map(|r| r.number.clone()).collect()
}

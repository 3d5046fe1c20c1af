//! Store conformance suite: one behaviour, two engines.
//!
//! Every test runs on the engine `testing::fresh()` picks: SQLite (a temp file) by
//! default, PostgreSQL (a brand-new database per test) when
//! `FRONTLINE_TEST_DATABASE_URL=postgres://…` is set. CI runs this file once per engine.
//!
//!     cargo test -p frontline-store --test conformance
//!     FRONTLINE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!         cargo test -p frontline-store --test conformance

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, Timelike, Utc};
use frontline_core::audit::{AuditRecord, ChainBreak, GENESIS, Verifier};
use frontline_core::org::Role;
use frontline_store::testing::{self, TestDb};
use frontline_store::{
    AuditDraft, AuditRow, BulkLoad, CalendarRow, DbConfig, DistrictRow, IncidentFilter,
    IncidentPage, IncidentRow, NewIncident, NewPenaltyStandard, OfficerRow, PathRange,
    PenaltyStandardRow, SessionRow, Store, StoreError, UnitRow, truncate_micros,
};
use uuid::Uuid;

/// Migrations applied to a new database (0001 foundation, 0002 penalty standards,
/// 0003 holiday calendars).
const SCHEMA_VERSION: i64 = 4;

// ============================================================================
// Helpers: time, a small organisation, factories, raw database access, audit.
// ============================================================================

fn ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// "Now" with sub-microsecond digits, so every round trip exercises the truncation
/// to microseconds that both engines promise.
fn now_ns() -> DateTime<Utc> {
    let t = Utc::now();
    t.with_nanosecond(t.nanosecond() / 1000 * 1000 + 789)
        .unwrap()
}

fn unit(
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
        kind: kind.into(),
        station_class,
        code: code.into(),
        name: name.into(),
        path: path.into(),
    }
}

fn officer(
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
        roles: Role::join(roles),
        auxiliary,
        badge_no: badge_no.map(Into::into),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$fake${username}"),
        disabled: false,
        created_at: now_ns(),
    }
}

/// The test jurisdiction: a bureau, three stations (S010 sits next to S01 to catch
/// prefix bugs: "/QC/S010/" must not be inside "/QC/S01/"), a department with a team
/// two levels down, districts, and officers.
struct Org {
    bureau: UnitRow,
    s01: UnitRow,
    s010: UnitRow,
    s02: UnitRow,
    xz: UnitRow,
    xz1: UnitRow,
    districts: Vec<DistrictRow>,
    chief: OfficerRow,
    desk01: OfficerRow,
    desk02: OfficerRow,
}

impl Org {
    fn build() -> Org {
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
    fn units(&self) -> Vec<UnitRow> {
        vec![
            self.bureau.clone(),
            self.s02.clone(),
            self.xz.clone(),
            self.s010.clone(),
            self.s01.clone(),
            self.xz1.clone(),
        ]
    }

    fn officers(&self) -> Vec<OfficerRow> {
        vec![self.chief.clone(), self.desk01.clone(), self.desk02.clone()]
    }

    fn load(&self) -> BulkLoad {
        BulkLoad {
            units: self.units(),
            districts: self.districts.clone(),
            officers: self.officers(),
            incidents: vec![],
            settings: vec![("jurisdiction".into(), "QC".into())],
        }
    }
}

fn draft(action: &str, object_type: &str, object_id: &str) -> AuditDraft {
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
fn new_incident(
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
    }
}

fn incident_draft(n: &NewIncident) -> AuditDraft {
    let mut d = draft("incident.create", "incident", &n.id.to_string());
    d.actor_id = Some(n.created_by);
    d
}

async fn create(store: &Store, n: &NewIncident) -> IncidentRow {
    store
        .create_incident(n.clone(), incident_draft(n))
        .await
        .unwrap()
}

/// What the store must return for `n` once numbered.
fn expected_row(n: &NewIncident, year: i32, seq: i64) -> IncidentRow {
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
    }
}

fn truncated_officer(o: &OfficerRow) -> OfficerRow {
    OfficerRow {
        created_at: truncate_micros(o.created_at),
        ..o.clone()
    }
}

fn session_for(o: &OfficerRow, token_hash: &str) -> SessionRow {
    let created_at = now_ns();
    SessionRow {
        token_hash: token_hash.into(),
        officer_id: o.id,
        csrf_token: format!("csrf-{token_hash}"),
        created_at,
        expires_at: created_at + Duration::hours(8),
    }
}

fn truncated_session(s: &SessionRow) -> SessionRow {
    SessionRow {
        created_at: truncate_micros(s.created_at),
        expires_at: truncate_micros(s.expires_at),
        ..s.clone()
    }
}

async fn fresh_store() -> (TestDb, Store) {
    let db = testing::fresh().await.expect("fresh test database");
    let store = Store::open(&db.config).await.expect("open store");
    (db, store)
}

/// A fresh store with the test organisation loaded (audit entry 1 is that load).
async fn with_org() -> (TestDb, Store, Org) {
    let (db, store) = fresh_store().await;
    let org = Org::build();
    store
        .bulk_load(org.load(), draft("org.load", "org", "QC"))
        .await
        .unwrap();
    (db, store, org)
}

async fn pg_client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}

/// Runs one statement directly on the database, behind the store's back. Returns
/// the number of rows changed. The SQL must be valid on both engines.
async fn raw_execute(cfg: &DbConfig, sql: &str) -> u64 {
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
async fn raw_count(cfg: &DbConfig, sql: &str) -> i64 {
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
async fn head(store: &Store) -> (i64, String) {
    store
        .audit_head()
        .await
        .unwrap()
        .unwrap_or((0, GENESIS.to_string()))
}

/// The whole log, read in small pages (which also exercises `after`/`limit`).
async fn all_audit(store: &Store) -> Vec<AuditRow> {
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
async fn verify_chain(store: &Store) -> Result<u64, ChainBreak> {
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
async fn assert_appended_one(
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

fn filter(scope: Option<PathRange>) -> IncidentFilter {
    IncidentFilter {
        scope,
        limit: 100,
        ..Default::default()
    }
}

/// Rows in list order: reported_at descending, then id descending.
fn listed<'a>(rows: impl IntoIterator<Item = &'a IncidentRow>) -> Vec<IncidentRow> {
    let mut v: Vec<IncidentRow> = rows.into_iter().cloned().collect();
    v.sort_by(|a, b| b.reported_at.cmp(&a.reported_at).then(b.id.cmp(&a.id)));
    v
}

fn numbers(page: &IncidentPage) -> Vec<String> {
    page.items.iter().map(|r| r.number.clone()).collect()
}

// ============================================================================
// 0. The suite runs on the engine CI asked for.
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_matches_environment() {
    let (db, store) = fresh_store().await;
    let want = if testing::pg_url_from_env().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(store.engine(), want);
    match (&db.config, want) {
        (DbConfig::Sqlite { .. }, "sqlite") | (DbConfig::Postgres { .. }, "postgres") => {}
        (cfg, _) => panic!("fresh() returned {cfg:?} for engine {want}"),
    }
}

// ============================================================================
// 1. Migrations
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_is_idempotent_and_schema_version_is_current() {
    let (db, first) = fresh_store().await;
    assert_eq!(first.schema_version().await.unwrap(), SCHEMA_VERSION);
    let org = Org::build();
    first
        .bulk_load(org.load(), draft("org.load", "org", "QC"))
        .await
        .unwrap();

    // A second open while the first is alive, then another after both are gone.
    let second = Store::open(&db.config).await.expect("second open");
    assert_eq!(second.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert_eq!(
        second.list_units().await.unwrap().len(),
        6,
        "second open kept the data"
    );
    drop(second);
    drop(first);
    let third = Store::open(&db.config).await.expect("third open");
    assert_eq!(third.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert_eq!(third.list_units().await.unwrap().len(), 6);
    assert_eq!(third.audit_head().await.unwrap().map(|h| h.0), Some(1));
    drop(third);

    assert_eq!(
        raw_count(&db.config, "SELECT COUNT(*) FROM schema_migrations").await,
        SCHEMA_VERSION
    );
    assert_eq!(
        raw_count(&db.config, "SELECT COUNT(*) FROM audit_head").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_open_migrates_once() {
    // Two instances starting at once on a new database (a server and a CLI command).
    for _ in 0..3 {
        let db = testing::fresh().await.unwrap();
        let (a, b, c) = tokio::join!(
            Store::open(&db.config),
            Store::open(&db.config),
            Store::open(&db.config)
        );
        for s in [a, b, c] {
            let s = s.expect("concurrent open");
            assert_eq!(s.schema_version().await.unwrap(), SCHEMA_VERSION);
        }
        assert_eq!(
            raw_count(&db.config, "SELECT COUNT(*) FROM schema_migrations").await,
            SCHEMA_VERSION
        );
    }
}

// ============================================================================
// 2. Organisation
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_round_trip() {
    let (_db, store, org) = with_org().await;

    let mut want_units = org.units();
    want_units.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let units = store.list_units().await.unwrap();
    assert_eq!(units, want_units);
    assert_eq!(
        units.iter().map(|u| u.path.as_str()).collect::<Vec<_>>(),
        [
            "/QC/",
            "/QC/S01/",
            "/QC/S010/",
            "/QC/S02/",
            "/QC/XZ/",
            "/QC/XZ/XZ1/"
        ]
    );
    let s01 = units.iter().find(|u| u.code == "S01").unwrap();
    assert_eq!(
        (s01.kind.as_str(), s01.station_class, s01.parent_id),
        ("station", Some(1), Some(org.bureau.id))
    );
    let xz1 = units.iter().find(|u| u.code == "XZ1").unwrap();
    assert_eq!(
        (xz1.kind.as_str(), xz1.station_class, xz1.parent_id),
        ("team", None, Some(org.xz.id))
    );

    let mut want_districts = org.districts.clone();
    want_districts.sort_by(|a, b| a.unit_id.cmp(&b.unit_id).then(a.code.cmp(&b.code)));
    assert_eq!(store.list_districts().await.unwrap(), want_districts);

    for o in org.officers() {
        let want = truncated_officer(&o);
        let by_name = store.officer_by_username(&o.username).await.unwrap();
        assert!(
            by_name == Some(want.clone()),
            "officer_by_username({}) = {by_name:?}",
            o.username
        );
        // Debug hides the hash; compare it explicitly so a mismatch is readable.
        assert_eq!(
            by_name.as_ref().map(|r| r.password_hash.as_str()),
            Some(o.password_hash.as_str())
        );
        assert_eq!(
            by_name.as_ref().map(|r| r.created_at),
            Some(truncate_micros(o.created_at))
        );
        let by_id = store.officer_by_id(o.id).await.unwrap();
        assert!(by_id == Some(want), "officer_by_id({})", o.id);
    }
    let aux = store.officer_by_username("s02.aux").await.unwrap().unwrap();
    assert!(aux.auxiliary && aux.badge_no.is_none() && !aux.disabled);
    assert_eq!(
        Role::split(&aux.roles),
        vec![Role::DeskOfficer, Role::CommunityOfficer]
    );

    assert!(store.officer_by_username("nobody").await.unwrap().is_none());
    assert!(
        store
            .officer_by_username("S01.DESK")
            .await
            .unwrap()
            .is_none(),
        "usernames are exact"
    );
    assert!(store.officer_by_id(Uuid::now_v7()).await.unwrap().is_none());

    assert_eq!(
        store.get_setting("jurisdiction").await.unwrap().as_deref(),
        Some("QC")
    );
    assert_eq!(store.get_setting("missing").await.unwrap(), None);
    assert_eq!(
        store.audit_head().await.unwrap().map(|h| h.0),
        Some(1),
        "one load, one entry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_load_with_one_bad_row_stores_nothing() {
    let (db, store) = fresh_store().await;
    let org = Org::build();

    // Duplicate username in the last row.
    let mut load = org.load();
    let mut dup = officer(
        &org.s02,
        &org.desk01.username,
        &[Role::DeskOfficer],
        false,
        None,
    );
    dup.badge_no = Some("020002".into());
    load.officers.push(dup);
    load.incidents.push(new_incident(
        &org.s01,
        &org.desk01,
        ts("2026-03-01T08:00:00Z"),
        "criminal.theft",
    ));
    let err = store
        .bulk_load(load, draft("org.load", "org", "QC"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "duplicate username: {err:?}"
    );
    assert!(
        store.list_units().await.unwrap().is_empty(),
        "no unit survives a failed load"
    );
    assert!(store.list_districts().await.unwrap().is_empty());
    assert!(
        store
            .officer_by_username(&org.desk01.username)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.officer_by_id(org.chief.id).await.unwrap().is_none());
    assert_eq!(store.count_incidents().await.unwrap(), 0);
    assert_eq!(store.get_setting("jurisdiction").await.unwrap(), None);
    assert_eq!(store.audit_head().await.unwrap(), None);
    assert!(store.audit_entries(0, 10).await.unwrap().is_empty());

    // A district pointing at a unit that does not exist (foreign key).
    let mut load = org.load();
    load.districts.push(DistrictRow {
        id: Uuid::now_v7(),
        unit_id: Uuid::now_v7(),
        code: "D9".into(),
        name: "Nowhere".into(),
    });
    let err = store
        .bulk_load(load, draft("org.load", "org", "QC"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "foreign key: {err:?}");
    assert!(store.list_units().await.unwrap().is_empty());
    assert_eq!(store.audit_head().await.unwrap(), None);

    // The good load still works afterwards, and its incident gets number 1: the
    // failed load consumed no number.
    let mut load = org.load();
    let n = new_incident(
        &org.s01,
        &org.desk01,
        ts("2026-03-01T08:00:00Z"),
        "criminal.theft",
    );
    load.incidents.push(n.clone());
    store
        .bulk_load(load, draft("org.load", "org", "QC"))
        .await
        .unwrap();
    assert_eq!(store.list_units().await.unwrap().len(), 6);
    assert!(store.incident(n.id).await.unwrap() == Some(expected_row(&n, 2026, 1)));

    // A second load that clashes with existing data (username taken) adds nothing.
    let s03 = unit(
        Some(&org.bureau),
        "station",
        Some(2),
        "S03",
        "Station Three",
        "/QC/S03/",
    );
    let clash = officer(
        &s03,
        &org.desk02.username,
        &[Role::DeskOfficer],
        false,
        None,
    );
    let before = head(&store).await;
    let err = store
        .bulk_load(
            BulkLoad {
                units: vec![s03.clone()],
                officers: vec![clash],
                ..Default::default()
            },
            draft("org.import", "org", "S03"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(
        store
            .list_units()
            .await
            .unwrap()
            .iter()
            .all(|u| u.code != "S03")
    );
    assert_eq!(head(&store).await, before);
    drop(store);
    assert_eq!(
        raw_count(&db.config, "SELECT COUNT(*) FROM units WHERE code = 'S03'").await,
        0
    );
}

// ============================================================================
// 3. Officers and sessions
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_insert_read_delete() {
    let (_db, store, org) = with_org().await;
    let s = session_for(&org.desk01, "tok-a");
    store
        .insert_session(s.clone(), draft("session.create", "session", "tok-a"))
        .await
        .unwrap();
    assert_eq!(
        store.session("tok-a").await.unwrap(),
        Some(truncated_session(&s))
    );
    assert_eq!(store.session("tok-b").await.unwrap(), None);

    let before = head(&store).await;
    let err = store
        .insert_session(
            session_for(&org.desk02, "tok-a"),
            draft("session.create", "session", "tok-a"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "duplicate token: {err:?}"
    );
    assert_eq!(
        store.session("tok-a").await.unwrap(),
        Some(truncated_session(&s)),
        "original kept"
    );

    let mut orphan = session_for(&org.desk01, "tok-orphan");
    orphan.officer_id = Uuid::now_v7();
    let err = store
        .insert_session(orphan, draft("session.create", "session", "tok-orphan"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "unknown officer: {err:?}");
    assert_eq!(store.session("tok-orphan").await.unwrap(), None);
    assert_eq!(
        head(&store).await,
        before,
        "failed writes leave no audit entry"
    );

    store
        .delete_session("tok-a", draft("session.delete", "session", "tok-a"))
        .await
        .unwrap();
    assert_eq!(store.session("tok-a").await.unwrap(), None);
    assert_eq!(head(&store).await.0, before.0 + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_officer_auth_and_disabling_ends_sessions() {
    let (_db, store, org) = with_org().await;
    for (o, t) in [
        (&org.desk01, "a1"),
        (&org.desk01, "a2"),
        (&org.desk02, "b1"),
    ] {
        store
            .insert_session(session_for(o, t), draft("session.create", "session", t))
            .await
            .unwrap();
    }

    // Password change only: sessions stay, disabled untouched.
    store
        .update_officer_auth(
            org.desk01.id,
            Some("new-hash".into()),
            None,
            draft("officer.password", "officer", "x"),
        )
        .await
        .unwrap();
    let o = store.officer_by_id(org.desk01.id).await.unwrap().unwrap();
    assert_eq!((o.password_hash.as_str(), o.disabled), ("new-hash", false));
    assert!(store.session("a1").await.unwrap().is_some());

    // Disable: that officer's sessions go, the others stay, the hash stays.
    store
        .update_officer_auth(
            org.desk01.id,
            None,
            Some(true),
            draft("officer.disable", "officer", "x"),
        )
        .await
        .unwrap();
    let o = store.officer_by_id(org.desk01.id).await.unwrap().unwrap();
    assert_eq!((o.password_hash.as_str(), o.disabled), ("new-hash", true));
    assert_eq!(store.session("a1").await.unwrap(), None);
    assert_eq!(store.session("a2").await.unwrap(), None);
    assert!(
        store.session("b1").await.unwrap().is_some(),
        "other officers keep their sessions"
    );

    // Re-enable: no sessions come back.
    store
        .update_officer_auth(
            org.desk01.id,
            None,
            Some(false),
            draft("officer.enable", "officer", "x"),
        )
        .await
        .unwrap();
    assert!(
        !store
            .officer_by_id(org.desk01.id)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    assert_eq!(store.session("a1").await.unwrap(), None);

    // Unknown officer: NotFound, nothing written.
    let before = head(&store).await;
    let err = store
        .update_officer_auth(
            Uuid::now_v7(),
            None,
            Some(true),
            draft("officer.disable", "officer", "?"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(head(&store).await, before);
    assert!(store.session("b1").await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_officer_round_trip_and_conflict() {
    let (_db, store, org) = with_org().await;
    let o = officer(
        &org.s010,
        "s010.case",
        &[Role::CaseOfficer],
        false,
        Some("030001"),
    );
    store
        .insert_officer(
            o.clone(),
            draft("officer.create", "officer", &o.id.to_string()),
        )
        .await
        .unwrap();
    assert!(store.officer_by_username("s010.case").await.unwrap() == Some(truncated_officer(&o)));

    let before = head(&store).await;
    let dup = officer(&org.s02, "s010.case", &[Role::CaseOfficer], false, None);
    let err = store
        .insert_officer(dup.clone(), draft("officer.create", "officer", "dup"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(store.officer_by_id(dup.id).await.unwrap().is_none());

    let mut same_id = officer(&org.s02, "another", &[Role::CaseOfficer], false, None);
    same_id.id = o.id;
    let err = store
        .insert_officer(same_id, draft("officer.create", "officer", "dup-id"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(
        store
            .officer_by_username("another")
            .await
            .unwrap()
            .is_none()
    );

    let mut no_unit = officer(&org.s02, "no.unit", &[Role::CaseOfficer], false, None);
    no_unit.unit_id = Uuid::now_v7();
    let err = store
        .insert_officer(no_unit, draft("officer.create", "officer", "no-unit"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "{err:?}");
    assert_eq!(
        head(&store).await,
        before,
        "failed inserts leave no audit entry"
    );
}

// ============================================================================
// 4. Incidents: numbering, atomicity, concurrency
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_numbers_per_unit_and_beijing_year() {
    let (_db, store, org) = with_org().await;
    let d = &org.desk01;

    let a = new_incident(&org.s01, d, ts("2026-03-01T08:00:00Z"), "criminal.theft");
    let b = new_incident(&org.s01, d, ts("2026-03-01T09:00:00Z"), "criminal.fraud");
    let c = new_incident(&org.s02, d, ts("2026-03-01T09:30:00Z"), "traffic.accident");
    // 2026-12-31T16:30Z is 2027-01-01 00:30 in Beijing.
    let next_year = new_incident(&org.s01, d, ts("2026-12-31T16:30:00Z"), "criminal.theft");
    // 2026-12-31T15:59:59Z is still 2026 in Beijing (23:59:59).
    let last_2026 = new_incident(&org.s01, d, ts("2026-12-31T15:59:59Z"), "criminal.theft");
    // 2025-12-31T16:00Z is 2026-01-01 00:00 in Beijing: year 2026.
    let first_2026 = new_incident(&org.s02, d, ts("2025-12-31T16:00:00Z"), "criminal.theft");
    // 2026-01-01T00:00Z is 08:00 in Beijing; reported at 2025-12-31T15:00Z → 2025.
    let in_2025 = new_incident(&org.s02, d, ts("2025-12-31T15:00:00Z"), "criminal.theft");
    let team = new_incident(&org.xz1, d, ts("2026-05-01T00:00:00Z"), "criminal.theft");

    let expect = [
        (&a, "S01-2026-000001", 2026, 1),
        (&b, "S01-2026-000002", 2026, 2),
        (&c, "S02-2026-000001", 2026, 1),
        (&next_year, "S01-2027-000001", 2027, 1),
        (&last_2026, "S01-2026-000003", 2026, 3),
        (&first_2026, "S02-2026-000002", 2026, 2),
        (&in_2025, "S02-2025-000001", 2025, 1),
        (&team, "XZ1-2026-000001", 2026, 1),
    ];
    for (n, number, year, seq) in expect {
        let row = create(&store, n).await;
        assert_eq!(row.number, number);
        assert!(
            row == expected_row(n, year, seq),
            "returned row for {number}: {row:?}"
        );
        let back = store.incident(n.id).await.unwrap();
        assert!(
            back == Some(row.clone()),
            "incident({number}) round trip: {back:?}"
        );
        // Every field, so a mismatch names the field (Debug hides personal data).
        let back = back.unwrap();
        assert_eq!(back.reported_at, truncate_micros(n.reported_at));
        assert_eq!(back.created_at, truncate_micros(n.created_at));
        assert_eq!(
            (
                &back.caller_name,
                &back.caller_phone,
                &back.caller_id_number,
                &back.narrative,
                &back.address
            ),
            (
                &n.caller_name,
                &n.caller_phone,
                &n.caller_id_number,
                &n.narrative,
                &n.address
            )
        );
    }
    assert_eq!(store.count_incidents().await.unwrap(), 8);
    assert!(store.incident(Uuid::now_v7()).await.unwrap().is_none());

    // Optional fields: a district and no ID number.
    let mut e = new_incident(&org.s01, d, now_ns(), "public_order.noise");
    e.district_id = Some(org.districts[0].id);
    e.caller_id_number = None;
    let row = create(&store, &e).await;
    assert!(store.incident(e.id).await.unwrap() == Some(row.clone()));
    assert_eq!(row.district_id, Some(org.districts[0].id));
    assert_eq!(row.caller_id_number, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_create_stores_nothing_and_consumes_no_number() {
    let (_db, store, org) = with_org().await;
    let t = ts("2026-04-01T02:00:00Z");
    let first = create(
        &store,
        &new_incident(&org.s01, &org.desk01, t, "criminal.theft"),
    )
    .await;
    assert_eq!(first.seq, 1);
    let before = head(&store).await;

    // created_by is not an officer: foreign key violation.
    let mut ghost = new_incident(&org.s01, &org.desk01, t, "criminal.theft");
    ghost.created_by = Uuid::now_v7();
    let err = store
        .create_incident(ghost.clone(), incident_draft(&ghost))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "unknown creator: {err:?}");
    assert!(store.incident(ghost.id).await.unwrap().is_none());

    // A district that does not exist.
    let mut bad_district = new_incident(&org.s01, &org.desk01, t, "criminal.theft");
    bad_district.district_id = Some(Uuid::now_v7());
    let err = store
        .create_incident(bad_district.clone(), incident_draft(&bad_district))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Db(_)),
        "unknown district: {err:?}"
    );

    // Same id as an existing incident: conflict.
    let mut dup = new_incident(&org.s01, &org.desk01, t, "criminal.fraud");
    dup.id = first.id;
    let err = store
        .create_incident(dup.clone(), incident_draft(&dup))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "duplicate id: {err:?}"
    );
    assert!(
        store.incident(first.id).await.unwrap() == Some(first.clone()),
        "original untouched"
    );

    assert_eq!(
        head(&store).await,
        before,
        "no audit entry for failed creates"
    );
    assert_eq!(store.count_incidents().await.unwrap(), 1);

    let next = create(
        &store,
        &new_incident(&org.s01, &org.desk01, t, "criminal.theft"),
    )
    .await;
    assert_eq!(
        (next.seq, next.number.as_str()),
        (2, "S01-2026-000002"),
        "no gap after failures"
    );
    assert_eq!(head(&store).await.0, before.0 + 1);
    assert_eq!(verify_chain(&store).await, Ok(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_number_without_gaps_or_duplicates() {
    let (_db, store, org) = with_org().await;
    let t0 = ts("2026-06-01T00:00:00Z");
    let mut tasks = Vec::new();
    for worker in 0..20 {
        let (store, s01, desk) = (store.clone(), org.s01.clone(), org.desk01.clone());
        tasks.push(tokio::spawn(async move {
            let mut rows = Vec::new();
            for i in 0..10 {
                let n = new_incident(
                    &s01,
                    &desk,
                    t0 + Duration::seconds(worker * 10 + i),
                    "criminal.theft",
                );
                rows.push(create(&store, &n).await);
            }
            rows
        }));
    }
    let mut rows = Vec::new();
    for t in tasks {
        rows.extend(t.await.unwrap());
    }
    let mut seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    let mut nums: Vec<&str> = rows.iter().map(|r| r.number.as_str()).collect();
    nums.sort_unstable();
    nums.dedup();
    assert_eq!(nums.len(), 200);
    for r in &rows {
        assert_eq!(r.number, format!("S01-2026-{:06}", r.seq));
        assert!(store.incident(r.id).await.unwrap() == Some(r.clone()));
    }
    assert_eq!(store.count_incidents().await.unwrap(), 200);
    assert_eq!(verify_chain(&store).await, Ok(201));
    // Every create's audit entry names its incident and number.
    let entries = all_audit(&store).await;
    for r in &rows {
        let e = entries
            .iter()
            .find(|e| e.record.object_id == r.id.to_string())
            .unwrap();
        let detail: serde_json::Value = serde_json::from_str(&e.record.detail).unwrap();
        assert_eq!(detail["number"], r.number.as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_failures_do_not_disturb_the_successes() {
    // On SQLite failing and succeeding requests share one group commit: each must
    // be rolled back to its own savepoint without touching its neighbours.
    let (_db, store, org) = with_org().await;
    let t0 = ts("2026-06-01T00:00:00Z");
    let mut tasks = Vec::new();
    for i in 0..80i64 {
        let (store, s01, desk) = (store.clone(), org.s01.clone(), org.desk01.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = new_incident(&s01, &desk, t0 + Duration::seconds(i), "criminal.theft");
            let bad = i % 4 == 3;
            if bad {
                n.created_by = Uuid::now_v7();
            }
            (
                bad,
                n.id,
                store.create_incident(n.clone(), incident_draft(&n)).await,
            )
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        let (bad, id, r) = t.await.unwrap();
        if bad {
            assert!(matches!(r, Err(StoreError::Db(_))), "bad row {id}: {r:?}");
            assert!(store.incident(id).await.unwrap().is_none());
        } else {
            seqs.push(r.unwrap().seq);
        }
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=60).collect::<Vec<_>>());
    assert_eq!(store.count_incidents().await.unwrap(), 60);
    assert_eq!(verify_chain(&store).await, Ok(61));
}

// ============================================================================
// 5. Listing: scope, unit, time, category, order, paging
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_incidents_scope_filters_order_and_paging() {
    let (_db, store, org) = with_org().await;
    let t0 = ts("2026-03-01T00:00:00Z");
    let h = |m: i64| t0 + Duration::minutes(m);
    let d = &org.desk01;
    let specs = [
        ('a', &org.s01, h(60), "criminal.theft"),
        ('b', &org.s01, h(120), "criminal.fraud"),
        ('c', &org.s01, h(180), "traffic.accident"),
        ('d', &org.s01, h(180), "criminal.theft"), // same instant as c: id breaks the tie
        ('e', &org.s010, h(240), "criminal.theft"),
        ('f', &org.s02, h(300), "criminal_x.other"),
        ('g', &org.s02, h(30), "criminal.theft"),
        ('h', &org.xz1, h(360), "public_order.noise"),
    ];
    let mut rows = std::collections::BTreeMap::new();
    for (k, u, t, cat) in specs {
        rows.insert(k, create(&store, &new_incident(u, d, t, cat)).await);
    }
    let pick = |keys: &str| listed(keys.chars().map(|k| &rows[&k]));
    let all = pick("abcdefgh");
    let check = |page: IncidentPage, want: Vec<IncidentRow>, what: &str| {
        assert_eq!(
            numbers(&page),
            want.iter().map(|r| r.number.clone()).collect::<Vec<_>>(),
            "{what}"
        );
        assert!(page.items == want, "{what}: rows differ");
        assert_eq!(page.total, want.len() as i64, "{what}: total");
    };
    // c and d share reported_at: d (created later, larger UUIDv7) comes first.
    assert!(rows[&'d'].id > rows[&'c'].id);

    // No scope: nothing, whatever else is asked.
    let p = store.list_incidents(filter(None)).await.unwrap();
    assert!(p.items.is_empty() && p.total == 0);
    let p = store
        .list_incidents(IncidentFilter {
            unit: Some(PathRange::all()),
            ..filter(None)
        })
        .await
        .unwrap();
    assert!(p.items.is_empty() && p.total == 0);

    let list = |f: IncidentFilter| {
        let store = store.clone();
        async move { store.list_incidents(f).await.unwrap() }
    };
    check(
        list(filter(Some(PathRange::all()))).await,
        all.clone(),
        "all",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/")))).await,
        all.clone(),
        "bureau subtree",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/S01/")))).await,
        pick("abcd"),
        "S01 (not S010)",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/S010/")))).await,
        pick("e"),
        "S010",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/XZ/")))).await,
        pick("h"),
        "department subtree",
    );
    check(
        list(filter(Some(PathRange::subtree("/QC/S03/")))).await,
        vec![],
        "empty unit",
    );

    // Unit filter intersected with scope.
    let scoped = |scope: &str, unit: &str| IncidentFilter {
        unit: Some(PathRange::subtree(unit)),
        ..filter(Some(PathRange::subtree(scope)))
    };
    check(
        list(scoped("/QC/", "/QC/S01/")).await,
        pick("abcd"),
        "bureau ∩ S01",
    );
    check(
        list(scoped("/QC/S01/", "/QC/S01/")).await,
        pick("abcd"),
        "S01 ∩ S01",
    );
    check(
        list(scoped("/QC/S01/", "/QC/S02/")).await,
        vec![],
        "S01 ∩ S02",
    );
    check(
        list(scoped("/QC/S01/", "/QC/")).await,
        pick("abcd"),
        "S01 ∩ bureau",
    );
    check(
        list(scoped("/QC/XZ/", "/QC/XZ/XZ1/")).await,
        pick("h"),
        "XZ ∩ XZ1",
    );

    // Time bounds: from inclusive, to exclusive.
    let timed = |from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| IncidentFilter {
        from,
        to,
        ..filter(Some(PathRange::all()))
    };
    check(
        list(timed(Some(h(120)), Some(h(240)))).await,
        pick("bcd"),
        "[2h, 4h)",
    );
    check(list(timed(Some(h(300)), None)).await, pick("fh"), "from 5h");
    check(
        list(timed(None, Some(h(60)))).await,
        pick("g"),
        "to 1h (exclusive)",
    );
    check(
        list(timed(Some(h(180)), Some(h(180)))).await,
        vec![],
        "empty interval",
    );
    check(
        list(timed(
            Some(h(180)),
            Some(h(180) + Duration::microseconds(1)),
        ))
        .await,
        pick("cd"),
        "one microsecond",
    );

    // Categories: a leaf is exact; a root is every leaf under it and nothing else.
    let cat = |c: &str| IncidentFilter {
        category: Some(c.into()),
        ..filter(Some(PathRange::all()))
    };
    check(
        list(cat("criminal.theft")).await,
        pick("adeg"),
        "leaf criminal.theft",
    );
    check(
        list(cat("criminal")).await,
        pick("abdeg"),
        "root criminal (not criminal_x)",
    );
    check(list(cat("criminal_x")).await, pick("f"), "root criminal_x");
    check(list(cat("traffic")).await, pick("c"), "root traffic");
    check(
        list(cat("criminal.the")).await,
        vec![],
        "a leaf prefix is not a match",
    );
    check(
        list(cat("crim")).await,
        vec![],
        "a root prefix is not a match",
    );

    // Everything at once.
    let combined = IncidentFilter {
        category: Some("criminal".into()),
        from: Some(h(120)),
        unit: Some(PathRange::subtree("/QC/S01/")),
        ..filter(Some(PathRange::subtree("/QC/")))
    };
    check(list(combined).await, pick("bd"), "combined");

    // Paging: pages concatenate to the full list; total ignores paging.
    let mut paged = Vec::new();
    for offset in [0, 3, 6] {
        let p = list(IncidentFilter {
            limit: 3,
            offset,
            ..filter(Some(PathRange::all()))
        })
        .await;
        assert_eq!(p.total, 8, "total at offset {offset}");
        assert_eq!(p.items.len(), if offset == 6 { 2 } else { 3 });
        paged.extend(p.items);
    }
    assert!(paged == all, "pages in order");
    let p = list(IncidentFilter {
        limit: 3,
        offset: 8,
        ..filter(Some(PathRange::all()))
    })
    .await;
    assert!(p.items.is_empty());
    assert_eq!(p.total, 8);
    let p = list(IncidentFilter {
        limit: 2,
        offset: 1,
        ..filter(Some(PathRange::subtree("/QC/S01/")))
    })
    .await;
    assert_eq!(p.total, 4);
    assert!(
        p.items == pick("abcd")[1..3].to_vec(),
        "page inside a scope"
    );
}

/// (id, reported_at, unit_path, category) of a loaded incident.
type Listed = (Uuid, DateTime<Utc>, String, String);

/// Past a few thousand matching rows a page is read differently (walking the time index
/// rather than sorting the matches); both ways give the same rows in the same order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_are_the_same_for_large_and_small_matches() {
    let (_db, store) = fresh_store().await;
    let org = Org::build();
    let mut load = org.load();
    let t0 = ts("2026-01-01T00:00:00Z");
    let cats = [
        "criminal.theft",
        "criminal.fraud",
        "dispute.neighbour",
        "traffic.accident",
    ];
    for i in 0..6_400i64 {
        // S01 holds 6,000 (over the threshold), S02 400; every 7th pair shares an instant.
        let unit = if i % 16 == 5 { &org.s02 } else { &org.s01 };
        let at = t0 + Duration::minutes(i - i % 7 * (i % 2));
        let cat = cats[(i as usize * 7 + i as usize / 3) % 4];
        load.incidents
            .push(new_incident(unit, &org.desk01, at, cat));
    }
    let all: Vec<Listed> = load
        .incidents
        .iter()
        .map(|n| (n.id, n.reported_at, n.unit_path.clone(), n.category.clone()))
        .collect();
    store
        .bulk_load(load, draft("org.load", "org", "QC"))
        .await
        .unwrap();
    let want = |keep: &dyn Fn(&Listed) -> bool| {
        let mut v: Vec<_> = all.iter().filter(|r| keep(r)).cloned().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        v.into_iter().map(|r| r.0).collect::<Vec<Uuid>>()
    };
    let s01 = org.s01.path.clone();
    let cases: Vec<(&str, IncidentFilter, Vec<Uuid>)> = vec![
        ("all", filter(Some(PathRange::all())), want(&|_| true)),
        (
            "S01",
            filter(Some(PathRange::subtree(&s01))),
            want(&|r| r.2 == s01),
        ),
        (
            "S02",
            filter(Some(PathRange::subtree(&org.s02.path))),
            want(&|r| r.2 == org.s02.path),
        ),
        (
            "S01 criminal",
            IncidentFilter {
                category: Some("criminal".into()),
                ..filter(Some(PathRange::subtree(&s01)))
            },
            want(&|r| r.2 == s01 && r.3.starts_with("criminal.")),
        ),
        (
            "S01 traffic.accident in a window",
            IncidentFilter {
                category: Some("traffic.accident".into()),
                from: Some(t0 + Duration::minutes(1000)),
                to: Some(t0 + Duration::minutes(3000)),
                ..filter(Some(PathRange::subtree(&s01)))
            },
            want(&|r| {
                r.2 == s01
                    && r.3 == "traffic.accident"
                    && r.1 >= t0 + Duration::minutes(1000)
                    && r.1 < t0 + Duration::minutes(3000)
            }),
        ),
    ];
    for (what, f, ids) in cases {
        let total = ids.len() as i64;
        for offset in [0, 40, total / 2, (total - 25).max(0)] {
            let p = store
                .list_incidents(IncidentFilter {
                    limit: 50,
                    offset,
                    ..f.clone()
                })
                .await
                .unwrap();
            assert_eq!(p.total, total, "{what}: total");
            let got: Vec<Uuid> = p.items.iter().map(|r| r.id).collect();
            let end = (offset as usize + 50).min(ids.len());
            let start = (offset as usize).min(end);
            assert_eq!(got, ids[start..end].to_vec(), "{what} at {offset}");
            let p = store
                .list_incidents(IncidentFilter {
                    limit: 50,
                    offset,
                    oldest_first: true,
                    ..f.clone()
                })
                .await
                .unwrap();
            let mut rev = ids.clone();
            rev.reverse();
            let got: Vec<Uuid> = p.items.iter().map(|r| r.id).collect();
            assert_eq!(
                got,
                rev[start..end].to_vec(),
                "{what} oldest first at {offset}"
            );
        }
    }
}

// ============================================================================
// 6. Audit chain
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_appends_exactly_one_entry() {
    let (_db, store) = fresh_store().await;
    assert_eq!(store.audit_head().await.unwrap(), None);
    assert!(store.audit_entries(0, 10).await.unwrap().is_empty());
    assert_eq!(verify_chain(&store).await, Ok(0));
    let org = Org::build();
    let mut h = head(&store).await;

    let d = draft("org.load", "org", "QC");
    store.bulk_load(org.load(), d.clone()).await.unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let o = officer(
        &org.s02,
        "s02.new",
        &[Role::CaseOfficer],
        false,
        Some("020009"),
    );
    let mut d = draft("officer.create", "officer", &o.id.to_string());
    d.actor_id = Some(org.chief.id);
    d.purpose = Some("onboarding".into());
    d.detail = r#"{"username":"s02.new"}"#.into();
    store.insert_officer(o.clone(), d.clone()).await.unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let d = draft("officer.password", "officer", &o.id.to_string());
    store
        .update_officer_auth(o.id, Some("h2".into()), None, d.clone())
        .await
        .unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let d = draft("session.create", "session", "tok");
    store
        .insert_session(session_for(&o, "tok"), d.clone())
        .await
        .unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let d = draft("session.delete", "session", "tok");
    store.delete_session("tok", d.clone()).await.unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    let n = new_incident(
        &org.s01,
        &org.desk01,
        ts("2026-02-02T02:02:02Z"),
        "criminal.theft",
    );
    let mut d = incident_draft(&n);
    d.detail = "ignored: the store records the number".into();
    let row = store.create_incident(n.clone(), d.clone()).await.unwrap();
    d.detail = serde_json::json!({ "number": row.number }).to_string();
    h = assert_appended_one(&store, &h, &d).await;

    let mut d = draft("incident.read", "incident", &n.id.to_string());
    d.actor_id = Some(org.chief.id);
    d.purpose = Some("case review".into());
    let seq = store.append_audit(d.clone()).await.unwrap();
    assert_eq!(seq, h.0 + 1, "append_audit returns the new seq");
    h = assert_appended_one(&store, &h, &d).await;

    let d = draft("officer.disable", "officer", &o.id.to_string());
    store
        .update_officer_auth(o.id, None, Some(true), d.clone())
        .await
        .unwrap();
    h = assert_appended_one(&store, &h, &d).await;

    // Failed writes of every kind: no entry.
    let bad = [
        store
            .bulk_load(org.load(), draft("org.load", "org", "QC"))
            .await
            .unwrap_err(),
        store
            .insert_officer(o.clone(), draft("officer.create", "officer", "dup"))
            .await
            .unwrap_err(),
        store
            .update_officer_auth(
                Uuid::now_v7(),
                None,
                Some(true),
                draft("officer.disable", "officer", "?"),
            )
            .await
            .unwrap_err(),
        store
            .insert_session(
                session_for(&Org::build().chief, "t2"),
                draft("session.create", "session", "t2"),
            )
            .await
            .unwrap_err(),
        store
            .create_incident(n.clone(), incident_draft(&n))
            .await
            .unwrap_err(),
    ];
    assert_eq!(bad.len(), 5);
    assert_eq!(head(&store).await, h, "failed writes appended nothing");

    let entries = all_audit(&store).await;
    assert_eq!(entries.len(), 8);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.record.seq, i as i64 + 1, "seq runs 1, 2, 3, …");
        let prev = if i == 0 {
            GENESIS
        } else {
            entries[i - 1].hash.as_str()
        };
        assert_eq!(
            e.prev_hash, prev,
            "entry {} links to its predecessor",
            e.record.seq
        );
    }
    assert_eq!(
        store
            .audit_entries(3, 2)
            .await
            .unwrap()
            .iter()
            .map(|e| e.record.seq)
            .collect::<Vec<_>>(),
        [4, 5]
    );
    assert!(store.audit_entries(8, 10).await.unwrap().is_empty());
    assert_eq!(verify_chain(&store).await, Ok(8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_keep_one_valid_chain() {
    let (_db, store, org) = with_org().await;
    let before = head(&store).await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let store = store.clone();
        let actor = org.chief.id;
        tasks.push(tokio::spawn(async move {
            let mut d = draft("incident.read", "incident", &format!("obj-{i}"));
            d.actor_id = Some(actor);
            store.append_audit(d).await.unwrap()
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (before.0 + 1..=before.0 + 100).collect::<Vec<_>>(),
        "distinct seqs, no gaps"
    );
    let entries = all_audit(&store).await;
    assert_eq!(entries.len() as i64, before.0 + 100);
    assert!(
        entries
            .windows(2)
            .all(|w| w[0].record.seq < w[1].record.seq)
    );
    assert_eq!(entries[0].record.seq, 1);
    let mut ids: Vec<&str> = entries[1..]
        .iter()
        .map(|e| e.record.object_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 100, "every append recorded once");
    assert_eq!(verify_chain(&store).await, Ok(before.0 as u64 + 100));
    assert_eq!(head(&store).await.1, entries.last().unwrap().hash);
}

/// A store with the org and nine more entries (ten in all), closed.
async fn ten_entries() -> TestDb {
    let (db, store, _org) = with_org().await;
    for i in 2..=10 {
        store
            .append_audit(draft("incident.read", "incident", &format!("obj-{i}")))
            .await
            .unwrap();
    }
    assert_eq!(verify_chain(&store).await, Ok(10));
    // SQLite: the writer caches the head; tamper only with the store closed.
    drop(store);
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_entry_is_reported_at_its_seq() {
    let db = ten_entries().await;
    let n = raw_execute(
        &db.config,
        "UPDATE audit_log SET action = 'incident.delete' WHERE seq = 5",
    )
    .await;
    assert_eq!(n, 1);
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainBreak::HashMismatch { seq: 5 })
    );

    // Another field of another entry (purpose NULL → a value), on a fresh copy.
    drop(store);
    let db = ten_entries().await;
    raw_execute(
        &db.config,
        "UPDATE audit_log SET purpose = 'x' WHERE seq = 8",
    )
    .await;
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainBreak::HashMismatch { seq: 8 })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_entry_is_reported_as_a_gap() {
    let db = ten_entries().await;
    assert_eq!(
        raw_execute(&db.config, "DELETE FROM audit_log WHERE seq = 4").await,
        1
    );
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainBreak::Gap {
            expected_seq: 4,
            found_seq: 5
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_tail_is_reported_by_the_head() {
    let db = ten_entries().await;
    assert_eq!(
        raw_execute(&db.config, "DELETE FROM audit_log WHERE seq >= 9").await,
        2
    );
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(
        verify_chain(&store).await,
        Err(ChainBreak::Head {
            head_seq: 10,
            last_seq: 8
        })
    );
}

// ============================================================================
// 7. Durability
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_and_chain_survive_reopen() {
    let (db, store, org) = with_org().await;
    let mut made = Vec::new();
    for i in 0..3 {
        let n = new_incident(
            &org.s01,
            &org.desk01,
            ts("2026-07-01T00:00:00Z") + Duration::hours(i),
            "criminal.theft",
        );
        made.push(create(&store, &n).await);
    }
    let s = session_for(&org.desk02, "tok-durable");
    store
        .insert_session(s.clone(), draft("session.create", "session", "tok-durable"))
        .await
        .unwrap();
    store
        .append_audit(draft("incident.read", "incident", "x"))
        .await
        .unwrap();
    let units = store.list_units().await.unwrap();
    let head_before = head(&store).await;
    let log_before = all_audit(&store).await;
    assert_eq!(head_before.0, 6);
    drop(store);

    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(store.list_units().await.unwrap(), units);
    assert!(
        store.officer_by_id(org.desk01.id).await.unwrap() == Some(truncated_officer(&org.desk01))
    );
    assert_eq!(
        store.session("tok-durable").await.unwrap(),
        Some(truncated_session(&s))
    );
    for r in &made {
        assert!(
            store.incident(r.id).await.unwrap() == Some(r.clone()),
            "{} survived",
            r.number
        );
    }
    let page = store
        .list_incidents(filter(Some(PathRange::all())))
        .await
        .unwrap();
    assert!(page.items == listed(&made));
    assert_eq!(head(&store).await, head_before);
    assert_eq!(all_audit(&store).await, log_before);

    // The chain continues from the persisted head.
    let d = draft("incident.read", "incident", "after-reopen");
    store.append_audit(d.clone()).await.unwrap();
    assert_appended_one(&store, &head_before, &d).await;
    // And the counters continue too.
    let next = create(
        &store,
        &new_incident(
            &org.s01,
            &org.desk01,
            ts("2026-07-02T00:00:00Z"),
            "criminal.theft",
        ),
    )
    .await;
    assert_eq!(next.number, "S01-2026-000004");
    assert_eq!(verify_chain(&store).await, Ok(8));

    // Once more, with writes still arriving right before the close.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .append_audit(draft("incident.read", "incident", &format!("burst-{i}")))
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let h = head(&store).await;
    drop(store);
    let store = Store::open(&db.config).await.unwrap();
    assert_eq!(head(&store).await, h);
    assert_eq!(verify_chain(&store).await, Ok(28));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_handles_on_one_database_share_the_chain() {
    // E.g. the server running while `frontline user add` writes from the CLI.
    let (db, a, org) = with_org().await;
    let b = Store::open(&db.config).await.unwrap();
    let mut expect_seq = 1;
    for round in 0..3 {
        for (name, s) in [("a", &a), ("b", &b)] {
            expect_seq += 1;
            let seq = s
                .append_audit(draft(
                    "incident.read",
                    "incident",
                    &format!("{name}-{round}"),
                ))
                .await
                .unwrap_or_else(|e| panic!("append via handle {name}, round {round}: {e}"));
            assert_eq!(seq, expect_seq, "handle {name}, round {round}");
            // A fixed report time: numbering restarts each Beijing year, and a run
            // crossing New Year must not change what this checks.
            let at = ts("2026-07-01T00:00:00Z") + Duration::seconds(expect_seq);
            let n = new_incident(&org.s01, &org.desk01, at, "criminal.theft");
            let row = s
                .create_incident(n.clone(), incident_draft(&n))
                .await
                .unwrap_or_else(|e| panic!("create via handle {name}, round {round}: {e}"));
            expect_seq += 1;
            assert_eq!(row.seq, expect_seq / 2, "numbers shared across handles");
        }
    }
    assert_eq!(verify_chain(&a).await, Ok(13));
    assert_eq!(verify_chain(&b).await, Ok(13));
}

// ============================================================================
// Penalty discretion standards
// ============================================================================

fn new_standard(by: &OfficerRow, name: &str, version: &str) -> NewPenaltyStandard {
    NewPenaltyStandard {
        id: Uuid::now_v7(),
        name: name.into(),
        version: version.into(),
        text: format!("name_zh = \"{name}\"\nversion = \"{version}\"\n# 裁量基准正文\n"),
        uploaded_by: by.id,
        uploaded_at: now_ns(),
    }
}

fn standard_row(n: &NewPenaltyStandard, by: &OfficerRow) -> PenaltyStandardRow {
    PenaltyStandardRow {
        id: n.id,
        name: n.name.clone(),
        version: n.version.clone(),
        uploaded_by: by.id,
        uploaded_by_name: by.display_name.clone(),
        uploaded_at: truncate_micros(n.uploaded_at),
        activated_at: None,
        active: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn penalty_standards_upload_activate_and_keep_history() {
    let (_db, store, org) = with_org().await;
    assert!(store.list_penalty_standards().await.unwrap().is_empty());
    assert!(store.active_penalty_standard().await.unwrap().is_none());

    // Upload: a draft, inactive, with its text and one audit entry.
    let a = new_standard(&org.chief, "青禾县裁量基准", "2026.1");
    let before = head(&store).await;
    let d = draft(
        "penalty.standard.upload",
        "penalty_standard",
        &a.id.to_string(),
    );
    store
        .insert_penalty_standard(a.clone(), d.clone())
        .await
        .unwrap();
    let h = assert_appended_one(&store, &before, &d).await;
    let (row, text) = store.penalty_standard(a.id).await.unwrap().unwrap();
    assert_eq!(row, standard_row(&a, &org.chief));
    assert_eq!(text, a.text, "the text round-trips byte for byte");
    assert!(
        store.active_penalty_standard().await.unwrap().is_none(),
        "a draft is not active"
    );

    // The same id again: conflict, nothing written.
    let err = store
        .insert_penalty_standard(a.clone(), d.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    // An uploader who is not an officer: refused, nothing written.
    let mut ghost = new_standard(&org.chief, "ghost", "x");
    ghost.uploaded_by = Uuid::now_v7();
    assert!(
        store
            .insert_penalty_standard(ghost.clone(), d.clone())
            .await
            .is_err()
    );
    assert!(store.penalty_standard(ghost.id).await.unwrap().is_none());
    assert_eq!(head(&store).await, h, "failed uploads leave no audit entry");

    // Activate the first.
    let t1 = now_ns();
    let d1 = draft(
        "penalty.standard.activate",
        "penalty_standard",
        &a.id.to_string(),
    );
    let got = store
        .activate_penalty_standard(a.id, t1, d1.clone())
        .await
        .unwrap();
    let h = assert_appended_one(&store, &h, &d1).await;
    let mut want_a = PenaltyStandardRow {
        activated_at: Some(truncate_micros(t1)),
        active: true,
        ..standard_row(&a, &org.chief)
    };
    assert_eq!(got, want_a);
    let (active, text) = store.active_penalty_standard().await.unwrap().unwrap();
    assert_eq!((active, text), (want_a.clone(), a.text.clone()));

    // A second upload, then activate it: the first stays listed, inactive, with its
    // activation time kept.
    let b = new_standard(&org.desk01, "青禾县裁量基准", "2026.2");
    let db_ = draft(
        "penalty.standard.upload",
        "penalty_standard",
        &b.id.to_string(),
    );
    store
        .insert_penalty_standard(b.clone(), db_.clone())
        .await
        .unwrap();
    let h = assert_appended_one(&store, &h, &db_).await;
    let t2 = now_ns();
    let d2 = draft(
        "penalty.standard.activate",
        "penalty_standard",
        &b.id.to_string(),
    );
    let got = store
        .activate_penalty_standard(b.id, t2, d2.clone())
        .await
        .unwrap();
    let h = assert_appended_one(&store, &h, &d2).await;
    let want_b = PenaltyStandardRow {
        activated_at: Some(truncate_micros(t2)),
        active: true,
        ..standard_row(&b, &org.desk01)
    };
    assert_eq!(got, want_b);
    want_a.active = false;
    assert_eq!(
        store.list_penalty_standards().await.unwrap(),
        vec![want_b.clone(), want_a.clone()],
        "newest upload first; the previous one stays on record"
    );
    assert_eq!(
        store.active_penalty_standard().await.unwrap().map(|x| x.0),
        Some(want_b.clone())
    );

    // Activating an unknown id: not found, nothing changed, no audit entry.
    let err = store
        .activate_penalty_standard(Uuid::now_v7(), now_ns(), draft("x", "y", "z"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(head(&store).await, h);
    assert_eq!(
        store
            .active_penalty_standard()
            .await
            .unwrap()
            .map(|x| x.0.id),
        Some(b.id)
    );

    // Re-activating the first: exactly one active row, in the database too.
    store
        .activate_penalty_standard(
            a.id,
            now_ns(),
            draft(
                "penalty.standard.activate",
                "penalty_standard",
                &a.id.to_string(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .active_penalty_standard()
            .await
            .unwrap()
            .map(|x| x.0.id),
        Some(a.id)
    );
    let (db, store2) = (_db, store);
    let active_rows = match &db.config {
        DbConfig::Sqlite { .. } => {
            raw_count(
                &db.config,
                "SELECT COUNT(*) FROM penalty_standards WHERE active = 1",
            )
            .await
        }
        DbConfig::Postgres { .. } => {
            raw_count(
                &db.config,
                "SELECT COUNT(*) FROM penalty_standards WHERE active",
            )
            .await
        }
    };
    assert_eq!(active_rows, 1);
    assert_eq!(verify_chain(&store2).await, Ok(6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_activations_leave_exactly_one_active() {
    let (db, store, org) = with_org().await;
    let mut ids = Vec::new();
    for v in 0..6 {
        let n = new_standard(&org.chief, "并发", &format!("v{v}"));
        ids.push(n.id);
        store
            .insert_penalty_standard(
                n.clone(),
                draft(
                    "penalty.standard.upload",
                    "penalty_standard",
                    &n.id.to_string(),
                ),
            )
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for id in ids.iter().copied() {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.activate_penalty_standard(
                id,
                now_ns(),
                draft(
                    "penalty.standard.activate",
                    "penalty_standard",
                    &id.to_string(),
                ),
            )
            .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let listed = store.list_penalty_standards().await.unwrap();
    assert_eq!(listed.len(), 6);
    assert_eq!(listed.iter().filter(|r| r.active).count(), 1);
    assert!(listed.iter().all(|r| r.activated_at.is_some()));
    let sql = match &db.config {
        DbConfig::Sqlite { .. } => "SELECT COUNT(*) FROM penalty_standards WHERE active = 1",
        DbConfig::Postgres { .. } => "SELECT COUNT(*) FROM penalty_standards WHERE active",
    };
    assert_eq!(raw_count(&db.config, sql).await, 1);
    assert_eq!(verify_chain(&store).await, Ok(13));
}

// ============================================================================
// Holiday calendars (migration 0003)
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendars_upsert_by_year_with_audit() {
    let (_db, store, org) = with_org().await;
    assert!(store.list_calendars().await.unwrap().is_empty());
    let at = now_ns();
    let row = CalendarRow {
        year: 2027,
        text: "year = 2027\nsource = \"测试\"\n".into(),
        uploaded_by: org.chief.id,
        uploaded_by_name: String::new(),
        uploaded_at: at,
    };
    let before = head(&store).await;
    let d = draft("calendar.upload", "calendar", "2027");
    store.upsert_calendar(row.clone(), d.clone()).await.unwrap();
    let h = assert_appended_one(&store, &before, &d).await;
    let rows = store.list_calendars().await.unwrap();
    assert_eq!(
        rows,
        vec![CalendarRow {
            uploaded_by_name: org.chief.display_name.clone(),
            uploaded_at: truncate_micros(at),
            ..row.clone()
        }]
    );

    // The same year again replaces it (one row per year); another year is added.
    let again = CalendarRow {
        text: "year = 2027\nsource = \"更正\"\n".into(),
        uploaded_by: org.desk01.id,
        ..row.clone()
    };
    store
        .upsert_calendar(again.clone(), d.clone())
        .await
        .unwrap();
    let h2 = assert_appended_one(&store, &h, &d).await;
    store
        .upsert_calendar(
            CalendarRow {
                year: 2025,
                ..row.clone()
            },
            d.clone(),
        )
        .await
        .unwrap();
    let rows = store.list_calendars().await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.year).collect::<Vec<_>>(),
        [2025, 2027],
        "ascending by year"
    );
    assert_eq!(rows[1].text, again.text);
    assert_eq!(rows[1].uploaded_by, org.desk01.id);

    // An uploader who is not an officer: refused, nothing written.
    let ghost = CalendarRow {
        year: 2028,
        uploaded_by: Uuid::now_v7(),
        ..row
    };
    let h3 = head(&store).await;
    assert_ne!(h3, h2);
    assert!(store.upsert_calendar(ghost, d).await.is_err());
    assert_eq!(store.list_calendars().await.unwrap().len(), 2);
    assert_eq!(head(&store).await, h3);
}

//! The live board (警情态势): open incidents by state with their age and response-time
//! status, and the change feed that keeps a connected board current.
//!
//! The feed is one `tokio::sync::broadcast` per instance, carrying each changed
//! incident's row. On SQLite (one instance) the use cases publish after their write has
//! committed. On PostgreSQL several instances share the database: the store announces
//! every committed creation and step with `pg_notify('frontline_incident',
//! '<id>:<version>')` inside the writing transaction (a rolled-back one announces
//! nothing), and each instance keeps one `LISTEN` connection that reads the row and
//! publishes it into the local broadcast (its own writes included), reconnecting with
//! back-off. A subscriber sees only the rows within its `BoardRead` scope.

use std::sync::{Arc, Weak};
use std::time::Duration;

use frontline_core::Lang;
use frontline_core::authz::{self, Action, Scope};
use frontline_core::incident::lifecycle::Status;
use frontline_core::incident::response::TargetStatus;
use frontline_core::org::Actor;
use frontline_store::{IncidentFilter, IncidentRow, Store};
use serde::Serialize;
use tokio::sync::{OnceCell, broadcast, mpsc, oneshot, watch};
use uuid::Uuid;

use super::path_range;
use crate::clock::rfc3339_bj;
use crate::{App, AppError, Result};

/// The most open incidents the board lists (oldest first within the scope); the total
/// says how many there are.
pub const BOARD_MAX: i64 = 500;

/// How many changes a slow subscriber may fall behind before it is told to reload.
const FEED_CAPACITY: usize = 4096;

/// The states the board shows, in its order.
pub const BOARD_STATES: [Status; 4] = [
    Status::Registered,
    Status::Dispatched,
    Status::OnScene,
    Status::Disposed,
];

/// One incident as the board shows it: masked, nothing personal but the address.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardRow {
    pub id: Uuid,
    pub number: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub status: Status,
    pub status_name: String,
    /// False once the incident has left the board (closed, referred, converted).
    pub open: bool,
    /// The version a step must name (the board's dispatch form sends it).
    pub version: i64,
    pub category: String,
    pub category_name: String,
    /// Phone and ID numbers typed into it are masked.
    pub address: String,
    pub district_name: Option<String>,
    /// RFC 3339, Beijing time.
    pub reported_at: String,
    /// Seconds since the call, when the row was read.
    pub age_secs: i64,
    pub target_status: TargetStatus,
    pub target_status_name: String,
    /// The arrival target in minutes; null when none applies.
    pub target_minutes: Option<i64>,
    /// Not on scene and past the target: shown first and highlighted.
    pub overdue: bool,
    pub patrol_unit: Option<String>,
}

/// One column of the board.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardGroup {
    pub status: Status,
    pub status_name: String,
    /// Overdue first, then the oldest call first.
    pub items: Vec<BoardRow>,
}

/// The board's initial state (`GET /api/v1/board`); the event stream keeps it current.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    /// Registered, dispatched, on scene, disposed: always these four, in this order.
    pub groups: Vec<BoardGroup>,
    /// Open incidents within the reader's scope.
    pub total: i64,
    /// How many are listed (at most 500, the oldest).
    pub shown: i64,
    pub overdue: i64,
    /// RFC 3339, Beijing time.
    pub generated_at: String,
}

/// What the feed carries.
#[derive(Debug, Clone)]
pub enum BoardChange {
    /// An incident was created or took a step; its row after the change.
    Row(Arc<IncidentRow>),
    /// Changes may have been missed (a dropped `LISTEN`, a lagging subscriber): reload.
    Resync,
}

/// The instance's change feed.
pub struct BoardFeed {
    tx: broadcast::Sender<BoardChange>,
    /// PostgreSQL: the `LISTEN` task, started by the first subscriber.
    listener: OnceCell<()>,
    /// Set when the server shuts down: every connected board's stream ends, so that a
    /// graceful shutdown does not wait for them.
    closed: watch::Sender<bool>,
}

impl Default for BoardFeed {
    fn default() -> Self {
        BoardFeed {
            tx: broadcast::channel(FEED_CAPACITY).0,
            listener: OnceCell::new(),
            closed: watch::channel(false).0,
        }
    }
}

impl BoardFeed {
    /// Ends every subscription (server shutdown).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    fn send(&self, change: BoardChange) {
        // No subscriber: nobody to tell.
        let _ = self.tx.send(change);
    }
}

/// A connected board: the changes within its reader's scope.
pub struct BoardSubscription {
    app: App,
    scope: Scope,
    lang: Lang,
    rx: broadcast::Receiver<BoardChange>,
    closed: watch::Receiver<bool>,
}

/// One event for a connected board.
#[derive(Debug, Clone)]
pub enum BoardEvent {
    Row(Box<BoardRow>),
    Resync,
}

impl BoardSubscription {
    /// The next change within the scope; `None` when the feed has ended.
    pub async fn next(&mut self) -> Option<BoardEvent> {
        loop {
            let received = tokio::select! {
                r = self.rx.recv() => r,
                _ = self.closed.wait_for(|c| *c) => return None,
            };
            match received {
                Ok(BoardChange::Row(row)) => {
                    // Outside the scope: never sent, not even as a count.
                    if self.scope.contains(&row.unit_path) {
                        return Some(BoardEvent::Row(Box::new(
                            self.app.board_row(&row, self.lang),
                        )));
                    }
                }
                Ok(BoardChange::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some(BoardEvent::Resync);
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

fn target_name(t: TargetStatus, lang: Lang) -> &'static str {
    match (t, lang) {
        (TargetStatus::NoTarget, Lang::Zh) => "不适用",
        (TargetStatus::NoTarget, Lang::En) => "No target",
        (TargetStatus::Running, Lang::Zh) => "计时中",
        (TargetStatus::Running, Lang::En) => "Running",
        (TargetStatus::Overdue, Lang::Zh) => "已超时未到场",
        (TargetStatus::Overdue, Lang::En) => "Overdue",
        (TargetStatus::Met, Lang::Zh) => "按时到场",
        (TargetStatus::Met, Lang::En) => "Met",
        (TargetStatus::Missed, Lang::Zh) => "超时到场",
        (TargetStatus::Missed, Lang::En) => "Missed",
    }
}

fn status_name(s: Status, lang: Lang) -> String {
    match lang {
        Lang::Zh => s.name_zh(),
        Lang::En => s.name_en(),
    }
    .to_string()
}

impl App {
    fn board_scope(&self, actor: &Actor) -> Result<Scope> {
        match authz::scope(actor, Action::BoardRead) {
            Scope::None => Err(AppError::Forbidden),
            s => Ok(s),
        }
    }

    /// One incident as the board shows it.
    pub fn board_row(&self, r: &IncidentRow, lang: Lang) -> BoardRow {
        let v = self.incident_view(r, lang);
        let now = self.now();
        let target = v.response.target_status;
        BoardRow {
            id: r.id,
            number: v.number,
            unit_id: r.unit_id,
            unit_name: v.unit_name,
            status: r.state.status,
            status_name: v.status_name,
            open: BOARD_STATES.contains(&r.state.status),
            version: r.state.version,
            category: v.category,
            category_name: v.category_name,
            address: v.address,
            district_name: v.district_name,
            reported_at: v.reported_at,
            age_secs: (now - r.reported_at).num_seconds().max(0),
            target_status: target,
            target_status_name: target_name(target, lang).into(),
            target_minutes: v.response.target_minutes,
            overdue: target == TargetStatus::Overdue,
            patrol_unit: r.state.patrol_unit.clone(),
        }
    }

    /// The board: the open incidents within the actor's scope, by state (403 for a role
    /// without a board).
    pub async fn board(&self, actor: &Actor, lang: Lang) -> Result<Board> {
        let scope = self.board_scope(actor)?;
        let page = self
            .store
            .list_incidents(IncidentFilter {
                scope: path_range(scope),
                unit: None,
                from: None,
                to: None,
                category: None,
                status: None,
                open_only: true,
                repeat_only: false,
                callback: None,
                satisfaction: None,
                callback_from: None,
                callback_to: None,
                limit: BOARD_MAX,
                offset: 0,
                oldest_first: true,
            })
            .await?;
        let rows: Vec<BoardRow> = page.items.iter().map(|r| self.board_row(r, lang)).collect();
        let shown = rows.len() as i64;
        let overdue = rows.iter().filter(|r| r.overdue).count() as i64;
        let mut groups: Vec<BoardGroup> = BOARD_STATES
            .iter()
            .map(|s| BoardGroup {
                status: *s,
                status_name: status_name(*s, lang),
                items: Vec::new(),
            })
            .collect();
        for row in rows {
            if let Some(g) = groups.iter_mut().find(|g| g.status == row.status) {
                g.items.push(row);
            }
        }
        for g in &mut groups {
            // Stable: oldest first within overdue and within the rest.
            g.items.sort_by_key(|r| !r.overdue);
        }
        Ok(Board {
            groups,
            total: page.total,
            shown,
            overdue,
            generated_at: rfc3339_bj(self.now()),
        })
    }

    /// Connects a board: the changes within the actor's scope from now on (403 for a
    /// role without a board). On PostgreSQL the instance's `LISTEN` is running when this
    /// returns, so nothing committed after it is missed.
    pub async fn subscribe_board(&self, actor: &Actor, lang: Lang) -> Result<BoardSubscription> {
        let scope = self.board_scope(actor)?;
        let rx = self.board_feed.tx.subscribe();
        self.start_board_listener().await;
        Ok(BoardSubscription {
            app: self.clone(),
            scope,
            lang,
            rx,
            closed: self.board_feed.closed.subscribe(),
        })
    }

    /// After a committed creation or step: tells this instance's boards (SQLite). On
    /// PostgreSQL the `LISTEN` connection does it for every instance, this one included.
    pub(crate) fn announce_incident(&self, row: &IncidentRow) {
        if let Store::Sqlite(_) = self.store
            && self.board_feed.tx.receiver_count() > 0
        {
            self.board_feed
                .send(BoardChange::Row(Arc::new(row.clone())));
        }
    }

    async fn start_board_listener(&self) {
        if let Store::Sqlite(_) = self.store {
            return;
        }
        let feed = Arc::downgrade(&self.board_feed);
        let store = self.store.clone();
        self.board_feed
            .listener
            .get_or_init(|| async move {
                let (ready, first) = oneshot::channel();
                tokio::spawn(listen_loop(store, feed, ready));
                // Give up waiting after a while (a database that is down): the loop
                // keeps trying, and the board reloads on its first `Resync`.
                let _ = tokio::time::timeout(Duration::from_secs(5), first).await;
            })
            .await;
    }
}

/// `<id>:<version>`.
fn parse_payload(p: &str) -> Option<(Uuid, i64)> {
    let (id, version) = p.split_once(':')?;
    Some((Uuid::parse_str(id).ok()?, version.parse().ok()?))
}

/// Keeps one `LISTEN` connection open while the feed exists, reconnecting with back-off
/// (100 ms doubling to 10 s); after a reconnect the boards are told to reload, since
/// changes made meanwhile were not heard.
async fn listen_loop(store: Store, feed: Weak<BoardFeed>, first_ready: oneshot::Sender<()>) {
    let mut first_ready = Some(first_ready);
    let mut delay = Duration::from_millis(100);
    let mut connected_before = false;
    loop {
        if feed.strong_count() == 0 {
            return;
        }
        let (ready_tx, ready_rx) = oneshot::channel();
        let (to, mut payloads) = mpsc::unbounded_channel::<String>();
        let reader_store = store.clone();
        let reader_feed = feed.clone();
        let first = first_ready.take();
        let reconnected = connected_before;
        let reader = tokio::spawn(async move {
            if ready_rx.await.is_err() {
                return (false, first);
            }
            if let Some(f) = first {
                let _ = f.send(());
            }
            if reconnected && let Some(f) = reader_feed.upgrade() {
                f.send(BoardChange::Resync);
            }
            while let Some(p) = payloads.recv().await {
                let Some(feed) = reader_feed.upgrade() else {
                    break;
                };
                let Some((id, _version)) = parse_payload(&p) else {
                    continue;
                };
                // The row as committed now (a later step may already be in it).
                match reader_store.incident(id).await {
                    Ok(Some(row)) => feed.send(BoardChange::Row(Arc::new(row))),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "board: cannot read a changed incident");
                        feed.send(BoardChange::Resync);
                    }
                }
            }
            (true, None)
        });
        let result = store.listen(Store::INCIDENT_CHANNEL, ready_tx, to).await;
        let (listened, unused_first) = reader.await.unwrap_or((false, None));
        if first_ready.is_none() {
            first_ready = unused_first;
        }
        match result {
            Ok(()) if feed.strong_count() == 0 => return,
            Ok(()) => {}
            Err(e) => tracing::warn!(error = %e, "board: LISTEN connection lost; reconnecting"),
        }
        if listened {
            connected_before = true;
            delay = Duration::from_millis(100);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_id_and_version() {
        let id = Uuid::now_v7();
        assert_eq!(parse_payload(&format!("{id}:3")), Some((id, 3)));
        assert_eq!(parse_payload("nonsense"), None);
        assert_eq!(parse_payload(&format!("{id}:x")), None);
    }
}

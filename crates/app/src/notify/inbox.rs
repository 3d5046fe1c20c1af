//! The officer's own inbox: what was pushed to them, newest first, and marking it read.

use frontline_core::Lang;
use frontline_core::org::Actor;
use frontline_store::NotificationRow;
use serde::Serialize;
use uuid::Uuid;

use crate::clock::rfc3339_bj;
use crate::{App, AppError, Result};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    /// What it is about, e.g. `incident.dispatch`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where to act on it (a page of this site).
    pub link: Option<String>,
    pub created_at: String,
    pub read: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationView>,
    /// Unread notifications in all.
    pub unread: i64,
}

const INBOX_PAGE: i64 = 50;

fn view(n: NotificationRow, lang: Lang) -> NotificationView {
    NotificationView {
        id: n.id,
        kind: n.kind,
        title: match lang {
            Lang::Zh => n.title_zh,
            Lang::En => n.title_en,
        },
        body: n.body,
        link: n.link,
        created_at: rfc3339_bj(n.created_at),
        read: n.read_at.is_some(),
    }
}

impl App {
    /// The actor's own notifications (every signed-in account has an inbox; a partner
    /// sees what was pushed to it here and nothing else).
    pub async fn my_notifications(&self, actor: &Actor, lang: Lang) -> Result<NotificationList> {
        // Counted before the page is read: a message delivered in between shows in the
        // page without being counted yet, never counted while missing from the page.
        let unread = self.store.unread_notifications(actor.officer_id).await?;
        let rows = self
            .store
            .notifications(actor.officer_id, INBOX_PAGE, 0)
            .await?;
        Ok(NotificationList {
            items: rows.into_iter().map(|n| view(n, lang)).collect(),
            unread,
        })
    }

    pub async fn unread_count(&self, actor: &Actor) -> Result<i64> {
        Ok(self.store.unread_notifications(actor.officer_id).await?)
    }

    /// Marks one of the actor's notifications read; another's reads as 404.
    pub async fn mark_read(&self, actor: &Actor, id: Uuid) -> Result<()> {
        if self
            .store
            .mark_notification_read(actor.officer_id, id, self.now())
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}

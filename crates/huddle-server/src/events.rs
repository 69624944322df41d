//! The event log: every change clients may want to hear about is appended to `events` in the
//! same transaction as the change, then published on the bus after commit. The in-process bus
//! fans out to this node's WebSocket clients; a cross-node bus plugs in behind the same API.

use crate::db::Tx;
use crate::ids::{now_ms, Id, IdGen};
use serde::Serialize;
use std::sync::Arc;
use tokio::sync::broadcast;

#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub id: Id,
    #[serde(skip)]
    pub org_id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: i64,
}

pub async fn append(
    tx: &mut Tx,
    ids: &IdGen,
    org_id: i64,
    kind: &str,
    payload: serde_json::Value,
) -> Result<Event, sqlx::Error> {
    let event = Event {
        id: Id(ids.next()),
        org_id,
        kind: kind.to_string(),
        payload,
        created_at: now_ms(),
    };
    sqlx::query(
        "INSERT INTO events (id, org_id, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(event.id.0)
    .bind(org_id)
    .bind(&event.kind)
    .bind(event.payload.to_string())
    .bind(event.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(event)
}

/// Published events, serialized once and shared by every subscriber.
#[derive(Clone, Debug)]
pub struct Published {
    pub org_id: i64,
    pub json: Arc<str>,
}

pub struct EventBus {
    sender: broadcast::Sender<Published>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(4096);
        Self { sender }
    }

    pub fn publish(&self, event: &Event) {
        let json = serde_json::to_string(event).unwrap_or_default();
        // No subscribers is not an error.
        let _ = self.sender.send(Published {
            org_id: event.org_id,
            json: json.into(),
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Published> {
        self.sender.subscribe()
    }
}

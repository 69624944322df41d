//! `/api/v1/ws`: the per-session event stream. Each event is serialized once on publish and the
//! same bytes go to every subscriber of the organization.

use crate::accounts::actor::Actor;
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

pub async fn connect(
    State(state): State<AppState>,
    actor: Actor,
    upgrade: WebSocketUpgrade,
) -> Response {
    let org_id = actor.org_id;
    let rx = state.events.subscribe();
    upgrade.on_upgrade(move |socket| run(socket, org_id, rx))
}

async fn run(
    mut socket: WebSocket,
    org_id: i64,
    mut rx: tokio::sync::broadcast::Receiver<crate::events::Published>,
) {
    if socket
        .send(Message::Text(r#"{"type":"hello"}"#.into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Ok(e) if e.org_id == org_id => {
                    if socket.send(Message::Text(e.json.as_ref().into())).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => {
                    // The client fell behind: tell it to refetch rather than drop events silently.
                    let _ = socket.send(Message::Text(r#"{"type":"resync"}"#.into())).await;
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

//! `/api/v1/ws`: the per-session event stream. Frames arrive already serialized from the event
//! bus; this loop writes them out, watches for the client closing, and closes the socket soon
//! after its session ends (sign-out, revocation, disabled account).

use crate::accounts::actor::Actor;
use crate::events::Subscription;
use crate::ids::now_ms;
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use std::time::Duration;

/// How often a connection re-checks that its session is still valid.
const SESSION_CHECK: Duration = Duration::from_secs(10);

pub async fn connect(
    State(state): State<AppState>,
    actor: Actor,
    upgrade: WebSocketUpgrade,
) -> Response {
    let sub = state.events.subscribe(actor.org_id, actor.member_id);
    let session_id = actor.session_id;
    upgrade.on_upgrade(move |socket| run(socket, sub, state, session_id))
}

async fn session_alive(state: &AppState, session_id: i64) -> bool {
    let row = sqlx::query(
        "SELECT s.id FROM sessions s JOIN members m ON m.id = s.member_id \
         WHERE s.id = $1 AND s.expires_at > $2 AND m.status = 'active'",
    )
    .bind(session_id)
    .bind(now_ms())
    .fetch_optional(state.db.reader())
    .await;
    // A database hiccup is not a revocation.
    !matches!(row, Ok(None))
}

async fn run(mut socket: WebSocket, mut sub: Subscription, state: AppState, session_id: i64) {
    if socket
        .send(Message::Text(r#"{"type":"hello"}"#.into()))
        .await
        .is_err()
    {
        return;
    }
    let mut check = tokio::time::interval(SESSION_CHECK);
    check.tick().await;
    loop {
        tokio::select! {
            frame = sub.rx.recv() => match frame {
                Some(json) => {
                    if socket.send(Message::Text(json.as_ref().into())).await.is_err() {
                        return;
                    }
                }
                None => {
                    // The bus dropped this connection because it fell behind: the client must
                    // resync over HTTP, then reconnect.
                    let _ = socket.send(Message::Text(r#"{"type":"resync"}"#.into())).await;
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
            },
            _ = check.tick() => {
                if !session_alive(&state, session_id).await {
                    let _ = socket.send(Message::Text(r#"{"type":"session.ended"}"#.into())).await;
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

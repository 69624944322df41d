//! `/api/v1/ws`: the per-session event stream. Frames arrive already serialized from the event
//! bus; this loop writes them out, watches for the client closing, and closes the socket when
//! its session ends: sign-out, revocation, a disabled, departed or deleted account and a password
//! reset announce it on the bus (on every node), and expiry is a timer. No connection polls the
//! database.

use crate::accounts::actor::Actor;
use crate::events::{Audience, Subscription, SESSION_ENDED};
use crate::ids::now_ms;
use crate::ids::Id;
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use std::collections::HashMap;
use std::time::Duration;

/// Initial read buffer per socket.
const READ_BUFFER: usize = 1024;

pub async fn connect(
    State(state): State<AppState>,
    actor: Actor,
    upgrade: WebSocketUpgrade,
) -> Response {
    let sub = state
        .events
        .subscribe(actor.org_id, actor.member_id, actor.session_id);
    let who = Who {
        org_id: actor.org_id,
        member_id: actor.member_id,
        session_id: actor.session_id,
        expires_at: actor.session_expires_at,
    };
    // Clients send only small frames (typing); tungstenite's default 128 KiB read buffer per
    // socket would cost more than everything else a connection holds. Buffers grow on demand.
    upgrade
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .on_upgrade(move |socket| run(socket, sub, state, who))
}

#[derive(Clone, Copy)]
struct Who {
    org_id: i64,
    member_id: i64,
    session_id: i64,
    /// The session's expiry (UTC ms).
    expires_at: i64,
}

/// Typing notices a connection may relay, at most one per conversation per this interval.
const TYPING_INTERVAL_MS: i64 = 2_000;

/// Handles a frame from the client. The only one today: `{"type":"typing","conversation_id"}`,
/// relayed to the conversation's other members.
async fn handle_client_frame(
    state: &AppState,
    who: Who,
    text: &str,
    last_typing: &mut HashMap<i64, i64>,
) {
    let Ok(frame) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    if frame["type"] != "typing" {
        return;
    }
    let Some(conv) = frame["conversation_id"]
        .as_str()
        .and_then(crate::ids::parse_id)
    else {
        return;
    };
    let now = now_ms();
    if last_typing
        .get(&conv)
        .is_some_and(|t| now - t < TYPING_INTERVAL_MS)
    {
        return;
    }
    last_typing.insert(conv, now);
    let Ok(Some(entry)) = state
        .events
        .conversations
        .get(state.db.reader(), conv)
        .await
    else {
        return;
    };
    if entry.org_id != who.org_id || !entry.has_member(who.member_id) {
        return;
    }
    let others: Vec<i64> = entry
        .members
        .iter()
        .copied()
        .filter(|m| *m != who.member_id)
        .collect();
    let event = serde_json::json!({"type": "typing", "payload": {
        "conversation_id": Id(conv), "member_id": Id(who.member_id) }});
    state.events.send_frame(
        who.org_id,
        Audience::Members(&others),
        event.to_string().into(),
    );
}

async fn session_exists(state: &AppState, session_id: i64) -> bool {
    let row = sqlx::query("SELECT id FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_optional(state.db.reader())
        .await;
    // A database hiccup is not a revocation.
    !matches!(row, Ok(None))
}

async fn run(mut socket: WebSocket, mut sub: Subscription, state: AppState, who: Who) {
    let mut last_typing = HashMap::new();
    if socket
        .send(Message::Text(r#"{"type":"hello"}"#.into()))
        .await
        .is_err()
    {
        return;
    }
    // A revocation announced between the session lookup and the subscription above would have
    // been missed: look once more now that the connection listens.
    // Awaited futures live inside this connection's task for its whole life: the rare, large
    // ones are boxed so an idle connection stays small.
    if !Box::pin(session_exists(&state, who.session_id)).await {
        let _ = socket.send(Message::Text(SESSION_ENDED.into())).await;
        let _ = socket.send(Message::Close(None)).await;
        return;
    }
    let left = Duration::from_millis(u64::try_from(who.expires_at - now_ms()).unwrap_or(0));
    let expiry = tokio::time::sleep(left);
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            frame = sub.rx.recv() => match frame {
                Some(json) if json.as_ref() == SESSION_ENDED => {
                    let _ = socket.send(Message::Text(SESSION_ENDED.into())).await;
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
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
            () = &mut expiry => {
                let _ = socket.send(Message::Text(SESSION_ENDED.into())).await;
                let _ = socket.send(Message::Close(None)).await;
                return;
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(Message::Text(text))) => {
                    Box::pin(handle_client_frame(&state, who, text.as_str(), &mut last_typing)).await
                }
                Some(Ok(_)) => {}
            },
        }
    }
}

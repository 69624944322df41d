//! `/api/v1/ws`: the per-session event stream. Frames arrive already serialized from the event
//! bus; this loop writes them out, watches for the client closing, and closes the socket soon
//! after its session ends (sign-out, revocation, disabled account).

use crate::accounts::actor::Actor;
use crate::events::{Audience, Subscription};
use crate::ids::now_ms;
use crate::ids::Id;
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use std::collections::HashMap;
use std::time::Duration;

/// How often a connection re-checks that its session is still valid.
const SESSION_CHECK: Duration = Duration::from_secs(10);

pub async fn connect(
    State(state): State<AppState>,
    actor: Actor,
    upgrade: WebSocketUpgrade,
) -> Response {
    let sub = state.events.subscribe(actor.org_id, actor.member_id);
    let who = Who {
        org_id: actor.org_id,
        member_id: actor.member_id,
        session_id: actor.session_id,
    };
    upgrade.on_upgrade(move |socket| run(socket, sub, state, who))
}

#[derive(Clone, Copy)]
struct Who {
    org_id: i64,
    member_id: i64,
    session_id: i64,
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
    if crate::chat::store::membership(state.db.reader(), who.org_id, conv, who.member_id)
        .await
        .is_err()
    {
        return;
    }
    let Ok(members) = crate::chat::store::member_ids_pool(state.db.reader(), conv).await else {
        return;
    };
    let others: Vec<i64> = members
        .into_iter()
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

async fn run(mut socket: WebSocket, mut sub: Subscription, state: AppState, who: Who) {
    let session_id = who.session_id;
    let mut last_typing = HashMap::new();
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
                Some(Ok(Message::Text(text))) => handle_client_frame(&state, who, text.as_str(), &mut last_typing).await,
                Some(Ok(_)) => {}
            },
        }
    }
}

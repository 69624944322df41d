//! `/api/v1/ws`: the per-session event stream. Frames arrive already serialized from the event
//! bus; this loop writes them out, watches for the client closing, and closes the socket when
//! its session ends: sign-out, revocation, a disabled, departed or deleted account and a password
//! reset announce it on the bus (on every node), and expiry is a timer. No connection polls the
//! database.

use crate::accounts::actor::Actor;
use crate::events::{Audience, Frame, Subscription, SESSION_ENDED};
use crate::ids::now_ms;
use crate::ids::Id;
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures::SinkExt;
use std::collections::HashMap;
use std::time::Duration;

/// Initial read buffer per socket.
const READ_BUFFER: usize = 1024;
/// Outgoing bytes gathered before a write to the socket; a burst of queued frames goes out in
/// few writes, and [`write_burst`] flushes at its end.
const WRITE_BUFFER: usize = 16 * 1024;

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
        checked_at_generation: actor.session_generation,
    };
    // Clients send only small frames (typing); tungstenite's default 128 KiB read buffer per
    // socket would cost more than everything else a connection holds. Buffers grow on demand.
    upgrade
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .on_upgrade(move |socket| run(socket, sub, state, who))
}

#[derive(Clone, Copy)]
struct Who {
    org_id: i64,
    member_id: i64,
    session_id: i64,
    /// The session's expiry (UTC ms).
    expires_at: i64,
    /// The session cache generation at which the session was found valid.
    checked_at_generation: u64,
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

/// Frames written before one flush, at most.
const MAX_BURST: usize = 64;

enum Burst {
    Written,
    Failed,
    SessionEnded,
}

/// Writes `first` and the frames queued behind it with one flush: a connection that fell a
/// little behind catches up in one write instead of one per frame.
async fn write_burst(socket: &mut WebSocket, sub: &mut Subscription, first: Frame) -> Burst {
    let mut next = Some(first);
    let mut written = 0;
    let mut ended = false;
    while let Some(json) = next.take() {
        if json.as_str() == SESSION_ENDED {
            ended = true;
            break;
        }
        if socket.feed(Message::Text(json)).await.is_err() {
            return Burst::Failed;
        }
        written += 1;
        if written < MAX_BURST {
            next = sub.rx.try_recv().ok();
        }
    }
    if socket.flush().await.is_err() {
        Burst::Failed
    } else if ended {
        Burst::SessionEnded
    } else {
        Burst::Written
    }
}

/// Sends a last frame, then closes the socket.
async fn close_with(socket: &mut WebSocket, frame: &'static str) {
    let _ = socket.send(Message::Text(frame.into())).await;
    let _ = socket.send(Message::Close(None)).await;
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
    // been missed: look once more now that the connection listens, unless nothing was
    // invalidated on this node since (the common case, and the one a reconnect storm hits).
    // Awaited futures live inside this connection's task for its whole life: the rare, large
    // ones are boxed so an idle connection stays small.
    let unchanged = state.events.sessions.generation() == who.checked_at_generation;
    if !unchanged && !Box::pin(session_exists(&state, who.session_id)).await {
        return close_with(&mut socket, SESSION_ENDED).await;
    }
    let left = Duration::from_millis(u64::try_from(who.expires_at - now_ms()).unwrap_or(0));
    let expiry = tokio::time::sleep(left);
    tokio::pin!(expiry);
    loop {
        // Queued frames first (`biased`): a woken connection with frames waiting writes them
        // without polling its socket and timer as well.
        tokio::select! {
            biased;
            frame = sub.rx.recv() => match frame {
                Some(first) => match write_burst(&mut socket, &mut sub, first).await {
                    Burst::Written => {}
                    Burst::Failed => return,
                    Burst::SessionEnded => return close_with(&mut socket, SESSION_ENDED).await,
                },
                None => {
                    // The bus dropped this connection because it fell behind: the client must
                    // resync over HTTP, then reconnect.
                    return close_with(&mut socket, r#"{"type":"resync"}"#).await;
                }
            },
            () = &mut expiry => {
                return close_with(&mut socket, SESSION_ENDED).await;
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

//! The event log: every change clients may want to hear about is appended to `events` in the
//! same transaction as the change, then published on the bus after commit. The in-process bus
//! fans out to this node's WebSocket clients; a cross-node bus plugs in behind the same API.

use crate::db::Tx;
use crate::ids::{now_ms, Id, IdGen};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::mpsc;

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

/// Who receives an event.
pub enum Audience<'a> {
    /// Everyone of the organization who is connected.
    Organization,
    /// These members only.
    Members(&'a [i64]),
}

/// Frames queued per connection before it counts as stalled and is closed with a resync hint.
const CONNECTION_QUEUE: usize = 4096;

/// A serialized frame. Cloning shares the bytes, and the socket writes them without a copy.
pub type Frame = axum::extract::ws::Utf8Bytes;

struct Connection {
    id: u64,
    session_id: i64,
    tx: mpsc::Sender<Frame>,
}

/// The frame a connection gets just before the bus lets go of it because its session ended;
/// the socket passes it on and closes.
pub const SESSION_ENDED: &str = r#"{"type":"session.ended"}"#;

/// Changes every node must apply to its own state, sent on the bus like frames.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Control {
    /// A conversation's members, roles, settings or mutes changed.
    Conversation { id: i64 },
    /// A member's personal settings (quiet hours) changed: forget every cached conversation.
    AllConversations,
    /// A member's role, name, status or password changed (`None`: possibly any member of the
    /// organization): forget their cached sessions.
    Members { member: Option<i64> },
    /// Close the sockets of one session (`session`), or of every session of the member but
    /// `except`.
    EndSessions {
        member: i64,
        session: Option<i64>,
        except: Option<i64>,
    },
}

/// Routes events to the WebSocket connections of this node. An event is serialized once and the
/// same bytes are queued for every recipient connection: a delivery costs one queue push.
#[derive(Default)]
pub struct EventBus {
    orgs: RwLock<HashMap<i64, HashMap<i64, Vec<Connection>>>>,
    next_id: AtomicU64,
    /// With several nodes: frames go to NATS, and every node (this one too) delivers what it
    /// hears from there to its own connections.
    cluster: std::sync::OnceLock<mpsc::UnboundedSender<Envelope>>,
    /// Conversation member lists, invalidated through [`EventBus::control`].
    pub conversations: crate::chat::cache::ConvCache,
    /// Signed-in sessions, invalidated through [`EventBus::control`].
    pub sessions: crate::accounts::session_cache::SessionCache,
}

/// A frame on its way across nodes.
#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope {
    org: i64,
    /// `None`: the whole organization.
    #[serde(default)]
    members: Option<Vec<i64>>,
    #[serde(default)]
    frame: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    control: Option<Control>,
}

/// A registered connection; dropping it unregisters.
pub struct Subscription {
    pub rx: mpsc::Receiver<Frame>,
    bus: Arc<EventBus>,
    org_id: i64,
    member_id: i64,
    id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.bus.remove(self.org_id, self.member_id, self.id);
    }
}

impl EventBus {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn subscribe(
        self: &Arc<Self>,
        org_id: i64,
        member_id: i64,
        session_id: i64,
    ) -> Subscription {
        let (tx, rx) = mpsc::channel(CONNECTION_QUEUE);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.orgs
            .write()
            .expect("event bus lock")
            .entry(org_id)
            .or_default()
            .entry(member_id)
            .or_default()
            .push(Connection { id, session_id, tx });
        Subscription {
            rx,
            bus: self.clone(),
            org_id,
            member_id,
            id,
        }
    }

    fn remove(&self, org_id: i64, member_id: i64, id: u64) {
        let mut orgs = self.orgs.write().expect("event bus lock");
        if let Some(members) = orgs.get_mut(&org_id) {
            if let Some(conns) = members.get_mut(&member_id) {
                conns.retain(|c| c.id != id);
                if conns.is_empty() {
                    members.remove(&member_id);
                }
            }
            if members.is_empty() {
                orgs.remove(&org_id);
            }
        }
    }

    pub fn publish(&self, event: &Event, audience: Audience<'_>) {
        let json: Frame = serde_json::to_string(event).unwrap_or_default().into();
        self.send_frame(event.org_id, audience, json);
    }

    pub fn send_frame(&self, org_id: i64, audience: Audience<'_>, frame: Frame) {
        if let Some(cluster) = self.cluster.get() {
            let members = match audience {
                Audience::Organization => None,
                Audience::Members(ids) => Some(ids.to_vec()),
            };
            let _ = cluster.send(Envelope {
                org: org_id,
                members,
                frame: frame.as_str().to_owned(),
                control: None,
            });
            return;
        }
        self.deliver_local(org_id, audience, frame);
    }

    /// Connects this bus to NATS: one task publishes in order, one delivers what arrives.
    pub async fn join_cluster(
        self: &Arc<Self>,
        url: &str,
        subject_prefix: &str,
    ) -> anyhow::Result<()> {
        use futures::StreamExt;
        let client = async_nats::connect(url)
            .await
            .map_err(|e| anyhow::anyhow!("connecting to NATS at {url}: {e}"))?;
        let subject = format!("{subject_prefix}.events");
        let mut incoming = client
            .subscribe(subject.clone())
            .await
            .map_err(|e| anyhow::anyhow!("subscribing to {subject}: {e}"))?;
        let (tx, mut outgoing) = mpsc::unbounded_channel::<Envelope>();
        let publisher = client.clone();
        tokio::spawn(async move {
            while let Some(env) = outgoing.recv().await {
                let bytes = serde_json::to_vec(&env).unwrap_or_default();
                if let Err(e) = publisher.publish(subject.clone(), bytes.into()).await {
                    tracing::error!(error = %e, "publishing an event to NATS failed");
                }
            }
        });
        let bus = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(msg) = incoming.next().await {
                let Some(bus) = bus.upgrade() else { return };
                match serde_json::from_slice::<Envelope>(&msg.payload) {
                    Ok(Envelope {
                        org,
                        control: Some(c),
                        ..
                    }) => bus.apply(org, &c),
                    Ok(env) => {
                        let audience = match &env.members {
                            Some(m) => Audience::Members(m),
                            None => Audience::Organization,
                        };
                        bus.deliver_local(env.org, audience, env.frame.into());
                    }
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed event from NATS"),
                }
            }
        });
        self.cluster
            .set(tx)
            .map_err(|_| anyhow::anyhow!("the event bus already joined a cluster"))?;
        Ok(())
    }

    /// Applies a change on this node at once and, with several nodes, sends it to the others
    /// (this node hears it back and applies it again, which is harmless).
    pub fn control(&self, org_id: i64, control: Control) {
        self.apply(org_id, &control);
        if let Some(cluster) = self.cluster.get() {
            let _ = cluster.send(Envelope {
                org: org_id,
                members: None,
                frame: String::new(),
                control: Some(control),
            });
        }
    }

    fn apply(&self, org_id: i64, control: &Control) {
        match *control {
            Control::Conversation { id } => self.conversations.invalidate(id),
            Control::AllConversations => self.conversations.invalidate_all(),
            Control::Members { member } => self.sessions.invalidate(org_id, member),
            Control::EndSessions {
                member,
                session,
                except,
            } => {
                self.sessions.invalidate(org_id, Some(member));
                let mut orgs = self.orgs.write().expect("event bus lock");
                let Some(members) = orgs.get_mut(&org_id) else {
                    return;
                };
                let Some(conns) = members.get_mut(&member) else {
                    return;
                };
                conns.retain(|c| {
                    let ends =
                        session.is_none_or(|s| s == c.session_id) && except != Some(c.session_id);
                    if ends {
                        // Dropping the sender after this frame closes the socket.
                        let _ = c.tx.try_send(Frame::from_static(SESSION_ENDED));
                    }
                    !ends
                });
                if conns.is_empty() {
                    members.remove(&member);
                }
                if members.is_empty() {
                    orgs.remove(&org_id);
                }
            }
        }
    }

    fn deliver_local(&self, org_id: i64, audience: Audience<'_>, frame: Frame) {
        let mut stalled = Vec::new();
        {
            let orgs = self.orgs.read().expect("event bus lock");
            let Some(members) = orgs.get(&org_id) else {
                return;
            };
            let mut push = |member: i64, conns: &Vec<Connection>| {
                for c in conns {
                    if c.tx.try_send(frame.clone()).is_err() {
                        stalled.push((member, c.id));
                    }
                }
            };
            match audience {
                Audience::Organization => members.iter().for_each(|(m, c)| push(*m, c)),
                Audience::Members(ids) => {
                    for m in ids {
                        if let Some(c) = members.get(m) {
                            push(*m, c);
                        }
                    }
                }
            }
        }
        // A full queue means the client stopped reading: drop it; its socket closes with a
        // resync hint and the client catches up over HTTP.
        for (member, id) in stalled {
            self.remove(org_id, member, id);
        }
    }

    /// Connected members of an organization on this node.
    pub fn connected(&self, org_id: i64) -> usize {
        self.orgs
            .read()
            .expect("event bus lock")
            .get(&org_id)
            .map_or(0, HashMap::len)
    }
}

//! Group commit for message sends. Handlers queue their send; a writer task takes every send
//! waiting in its queue, writes them in one transaction (one fsync for the lot), publishes
//! them in order, and only then answers each sender.
//!
//! Per message the rules do not change: the conversation's `seq` is taken in the transaction
//! that inserts it, a reused `client_msg_id` answers with the original message (also when the
//! original is earlier in the same batch), and a send that is refused (not a member, not allowed
//! to speak, bad mention or quote, rate limit) writes nothing and gets its own error while the
//! rest of the batch commits. If the database itself fails inside a batch, the batch is rolled
//! back and every send in it is tried again in a transaction of its own, so one bad send never
//! fails its neighbours.
//!
//! SQLite has one writer connection, so it gets one writer task. PostgreSQL gets several; a
//! conversation always goes to the same one, which keeps its messages in order.

use super::cache::ConvEntry;
use super::messages::notifies;
use super::model::{Content, Message};
use super::store::{self, message_from_row, MESSAGE_COLUMNS};
use crate::db::{Backend, Tx};
use crate::error::{ApiError, ApiResult};
use crate::events::Audience;
use crate::ids::now_ms;
use crate::state::State;
use axum::http::StatusCode;
use std::sync::{Arc, Weak};
use tokio::sync::{mpsc, oneshot};

/// Sends written in one transaction at most.
const MAX_BATCH: usize = 512;
/// Sends waiting per writer before handlers wait for room.
const QUEUE: usize = 4096;

pub struct SendJob {
    pub org_id: i64,
    pub member_id: i64,
    pub conv: i64,
    pub client_msg_id: String,
    pub content: Content,
    pub reply_to: Option<i64>,
}

type Answer = ApiResult<(StatusCode, Message)>;

struct Pending {
    job: SendJob,
    done: oneshot::Sender<Answer>,
}

pub struct SendQueue {
    shards: Vec<mpsc::Sender<Pending>>,
}

impl SendQueue {
    /// Starts the writer tasks. They hold the state weakly and stop when it is gone.
    pub fn start(state: Weak<State>, backend: Backend) -> Self {
        let n = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => 4,
        };
        let shards = (0..n)
            .map(|_| {
                let (tx, rx) = mpsc::channel(QUEUE);
                tokio::spawn(run(state.clone(), rx));
                tx
            })
            .collect();
        Self { shards }
    }

    /// Queues a send and waits until it is committed (or refused).
    pub async fn send(&self, job: SendJob) -> Answer {
        let (done, answer) = oneshot::channel();
        let shard = &self.shards[(job.conv.unsigned_abs() % self.shards.len() as u64) as usize];
        shard
            .send(Pending { job, done })
            .await
            .map_err(|_| ApiError::internal())?;
        answer.await.map_err(|_| ApiError::internal())?
    }
}

async fn run(state: Weak<State>, mut rx: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let Some(state) = state.upgrade() else { return };
        let pending = std::mem::take(&mut batch);
        let answers = write(&state, &pending).await;
        for (p, a) in pending.into_iter().zip(answers) {
            let _ = p.done.send(a);
        }
    }
}

/// A message written in this batch, to publish after commit.
struct Written {
    message: Message,
    entry: Arc<ConvEntry>,
}

enum Step {
    /// Stored now: answer 201 and publish.
    New(Written),
    /// A retry: answer 200 with the original; nothing to publish.
    Retry(Message),
}

async fn write(state: &Arc<State>, pending: &[Pending]) -> Vec<Answer> {
    match write_batch(state, pending, true).await {
        Ok(answers) => answers,
        Err(e) if pending.len() == 1 => vec![alone_failed(state, &pending[0].job, e).await],
        Err(e) => {
            tracing::debug!(error = %e, size = pending.len(), "a send batch failed; sending one by one");
            let mut answers = Vec::with_capacity(pending.len());
            for p in pending {
                let one = match write_batch(state, std::slice::from_ref(p), false).await {
                    Ok(mut a) => a.pop().unwrap_or_else(|| Err(ApiError::internal())),
                    Err(e) => alone_failed(state, &p.job, e).await,
                };
                answers.push(one);
            }
            answers
        }
    }
}

/// A send that failed in the database on its own: a concurrent retry through another writer or
/// node won the unique key, or the database is unwell.
async fn alone_failed(state: &State, job: &SendJob, e: sqlx::Error) -> Answer {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            let original = existing(state.db.writer(), job.member_id, &job.client_msg_id)
                .await?
                .ok_or_else(ApiError::internal)?;
            return retry_answer(original, job.conv);
        }
    }
    Err(e.into())
}

async fn write_batch(
    state: &Arc<State>,
    pending: &[Pending],
    count_rate: bool,
) -> Result<Vec<Answer>, sqlx::Error> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let mut steps = Vec::with_capacity(pending.len());
    for p in pending {
        steps.push(write_one(state, &mut tx, &p.job, now, count_rate).await?);
    }
    tx.commit().await?;
    let mut answers = Vec::with_capacity(steps.len());
    let mut any_new = false;
    for step in steps {
        answers.push(match step {
            Ok(Step::New(w)) => {
                any_new = true;
                publish(state, &w, now);
                Ok((StatusCode::CREATED, w.message))
            }
            Ok(Step::Retry(original)) => Ok((StatusCode::OK, original)),
            Err(e) => Err(e),
        });
    }
    if any_new {
        state.search.poke();
    }
    Ok(answers)
}

async fn existing(
    exec: impl sqlx::Executor<'_, Database = sqlx::Any>,
    sender: i64,
    client_msg_id: &str,
) -> Result<Option<Message>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_id = $1 AND client_msg_id = $2"
    ))
    .bind(sender)
    .bind(client_msg_id)
    .fetch_optional(exec)
    .await?;
    row.as_ref().map(message_from_row).transpose()
}

/// A retry's answer: the original, unless the key was used in another conversation.
fn retry_answer(original: Message, conv: i64) -> Answer {
    if original.conversation_id.0 != conv {
        return Err(ApiError::conflict("client_msg_id_reused",
            "This client_msg_id was already used for a message in another conversation; use a new one."));
    }
    Ok((StatusCode::OK, original))
}

/// Writes one send inside the batch's transaction. The outer error is the database's (the batch
/// fails); the inner one refuses this send only, and is returned before anything is written.
async fn write_one(
    state: &Arc<State>,
    tx: &mut Tx,
    job: &SendJob,
    now: i64,
    count_rate: bool,
) -> Result<Result<Step, ApiError>, sqlx::Error> {
    let refuse = |e: ApiError| Ok(Err(e));
    if let Some(original) = existing(&mut **tx, job.member_id, &job.client_msg_id).await? {
        if original.conversation_id.0 != job.conv {
            return refuse(
                retry_answer(original, job.conv)
                    .err()
                    .unwrap_or_else(ApiError::internal),
            );
        }
        return Ok(Ok(Step::Retry(original)));
    }
    if count_rate {
        if let Err(wait) = state.send_limiter.hit(&job.member_id) {
            return refuse(ApiError {
                retry_after_secs: Some(wait),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!(
                        "You are sending messages too quickly. Wait {wait} second(s) and try again."
                    ),
                )
            });
        }
    }
    let entry = match state
        .events
        .conversations
        .get(state.db.reader(), job.conv)
        .await?
    {
        Some(e) if e.org_id == job.org_id && e.has_member(job.member_id) => e,
        _ => return refuse(ApiError::not_found("Conversation")),
    };
    let is_group_admin = entry.is_admin(job.member_id);
    if entry.kind == "channel" {
        return refuse(ApiError::forbidden(
            "This is a notification channel; replies are not possible here.",
        ));
    }
    if entry.kind == "group" && entry.settings["only_admins_speak"] == true && !is_group_admin {
        return refuse(ApiError::forbidden(
            "Only the group owner and administrators can speak in this group.",
        ));
    }
    if let Content::Text {
        mentions,
        mention_all,
        ..
    } = &job.content
    {
        if *mention_all
            && entry.kind == "group"
            && entry.settings["mention_all"] != "everyone"
            && !is_group_admin
        {
            return refuse(ApiError::forbidden(
                "Only the group owner and administrators can @all in this group.",
            ));
        }
        if let Some(bad) = mentions.iter().find(|x| !entry.has_member(x.0)) {
            return refuse(ApiError::invalid(
                "content",
                format!("Member {bad} is not in this conversation and cannot be mentioned."),
            ));
        }
    }
    if let Some(r) = job.reply_to {
        let ok = sqlx::query(
            "SELECT m.id FROM messages m JOIN conversation_members cm \
             ON cm.conversation_id = m.conversation_id AND cm.member_id = $3 \
             WHERE m.id = $1 AND m.conversation_id = $2 AND m.seq > cm.joined_seq",
        )
        .bind(r)
        .bind(job.conv)
        .bind(job.member_id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
        if !ok {
            return refuse(ApiError::invalid(
                "reply_to",
                "The quoted message is not in this conversation.",
            ));
        }
    }
    let (content, file_id) =
        match crate::files::attach::resolve(tx, job.org_id, job.member_id, job.content.clone())
            .await
        {
            Ok(r) => r,
            Err(e) => return refuse(e),
        };
    let seq = store::next_seq(tx, job.conv, now).await?;
    let message_id = state.ids.next();
    let message = store::insert_message(
        tx,
        message_id,
        job.org_id,
        job.conv,
        seq,
        job.member_id,
        &job.client_msg_id,
        &content,
        job.reply_to,
        now,
    )
    .await?;
    if let Some(file) = file_id {
        crate::files::store::link_message(tx, file, message_id, job.conv).await?;
    }
    sqlx::query("UPDATE conversation_members SET read_seq = $1, marked_unread = 0 WHERE conversation_id = $2 AND member_id = $3")
        .bind(seq).bind(job.conv).bind(job.member_id).execute(&mut **tx).await?;
    Ok(Ok(Step::New(Written { message, entry })))
}

/// Queues the message for its conversation's members: one frame for those to notify, one with
/// `notify: false` for the sender and anyone muted or in quiet hours (unless mentioned).
fn publish(state: &State, w: &Written, now: i64) {
    let sender = w.message.sender_id.0;
    let silent: Vec<i64> = std::iter::once(sender)
        .chain(
            w.entry
                .quiet
                .iter()
                .filter(|(m, muted, settings)| {
                    *m != sender && !notifies(&w.message.content, *m, *muted, settings, now)
                })
                .map(|(m, ..)| *m),
        )
        .filter(|m| w.entry.has_member(*m))
        .collect();
    let payload = serde_json::to_value(&w.message).unwrap_or_default();
    let loud: Vec<i64> = if silent.len() == 1 {
        w.entry
            .members
            .iter()
            .copied()
            .filter(|m| *m != sender)
            .collect()
    } else {
        w.entry
            .members
            .iter()
            .copied()
            .filter(|m| !silent.contains(m))
            .collect()
    };
    for (group, notify) in [(loud, true), (silent, false)] {
        if !group.is_empty() {
            let frame = serde_json::json!({"type": "message.created", "notify": notify, "payload": payload});
            state.events.send_frame(
                w.message_org(),
                Audience::Members(&group),
                frame.to_string().into(),
            );
        }
    }
}

impl Written {
    fn message_org(&self) -> i64 {
        self.entry.org_id
    }
}

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
use super::store::{message_from_row, MESSAGE_COLUMNS};
use crate::db::{Backend, Placeholders, Tx};
use crate::error::{ApiError, ApiResult};
use crate::events::Audience;
use crate::ids::{now_ms, Id};
use crate::state::State;
use axum::http::StatusCode;
use sqlx::Row;
use std::collections::HashMap;
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
    pub fn start(state: Weak<State>, backend: Backend, writers: u32) -> Self {
        // SQLite has one writer connection: more tasks would only queue for it.
        let n = match (backend, writers) {
            (Backend::Sqlite, _) => 1,
            (Backend::Postgres, 0) => 4,
            (Backend::Postgres, n) => n as usize,
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
        if batch.len() > 1 {
            // Under load, let the request tasks that are ready run first: the sends they queue
            // join this batch, so the transaction (and its fsync) is shared by more of them.
            tokio::task::yield_now().await;
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(p) => batch.push(p),
                    Err(_) => break,
                }
            }
        }
        let Some(state) = state.upgrade() else { return };
        let pending = std::mem::take(&mut batch);
        let answers = write(&state, &pending).await;
        for (p, a) in pending.into_iter().zip(answers) {
            let _ = p.done.send(a);
        }
    }
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

/// A send that passed its checks, waiting for its sequence number.
struct Accepted<'a> {
    job: &'a SendJob,
    content: Content,
    file_id: Option<i64>,
    entry: Arc<ConvEntry>,
}

enum Plan {
    Refused(ApiError),
    /// A retry of a message stored earlier.
    Retry(Message),
    /// A retry of a send accepted earlier in this batch (index into the accepted).
    Twin(usize),
    Accepted(usize),
}

/// Rows per multi-row statement (bound parameters stay far below both backends' limits).
const ROWS_PER_STATEMENT: usize = 100;

/// Writes a batch set-wise: one idempotency lookup, the checks per send (no writes), then one
/// statement for all sequence numbers, multi-row inserts, and one statement for the senders'
/// read pointers — so the statements per batch do not grow with the sends in it.
async fn write_batch(
    state: &Arc<State>,
    pending: &[Pending],
    count_rate: bool,
) -> Result<Vec<Answer>, sqlx::Error> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let mut originals = existing_many(&mut tx, state.db.backend, pending).await?;
    let mut accepted: Vec<Accepted> = Vec::with_capacity(pending.len());
    let mut in_batch: HashMap<(i64, &str), usize> = HashMap::new();
    let mut plans = Vec::with_capacity(pending.len());
    for p in pending {
        let job = &p.job;
        let key = (job.member_id, job.client_msg_id.as_str());
        let plan =
            if let Some(original) = originals.get(&(job.member_id, job.client_msg_id.clone())) {
                match retry_answer(original.clone(), job.conv) {
                    Ok(_) => Plan::Retry(original.clone()),
                    Err(e) => Plan::Refused(e),
                }
            } else if let Some(&i) = in_batch.get(&key) {
                if accepted[i].job.conv == job.conv {
                    Plan::Twin(i)
                } else {
                    Plan::Refused(reused_elsewhere())
                }
            } else {
                match check(state, &mut tx, job, count_rate).await? {
                    Ok((content, file_id, entry)) => {
                        in_batch.insert(key, accepted.len());
                        accepted.push(Accepted {
                            job,
                            content,
                            file_id,
                            entry,
                        });
                        Plan::Accepted(accepted.len() - 1)
                    }
                    Err(e) => Plan::Refused(e),
                }
            };
        plans.push(plan);
    }
    let messages = store_accepted(state, &mut tx, &accepted, now).await?;
    tx.commit().await?;
    for (a, m) in accepted.iter().zip(&messages) {
        publish(state, &a.entry, m, now);
    }
    if !messages.is_empty() {
        state.search.poke();
    }
    originals.clear();
    Ok(plans
        .into_iter()
        .map(|plan| match plan {
            Plan::Refused(e) => Err(e),
            Plan::Retry(m) => Ok((StatusCode::OK, m)),
            Plan::Twin(i) => Ok((StatusCode::OK, messages[i].clone())),
            Plan::Accepted(i) => Ok((StatusCode::CREATED, messages[i].clone())),
        })
        .collect())
}

/// Numbers, inserts and links the accepted sends; returns their messages in order.
async fn store_accepted(
    state: &State,
    tx: &mut Tx,
    accepted: &[Accepted<'_>],
    now: i64,
) -> Result<Vec<Message>, sqlx::Error> {
    if accepted.is_empty() {
        return Ok(Vec::new());
    }
    // Sequence numbers: every conversation of the batch bumped by its count in one statement.
    let mut counts: Vec<(i64, i64)> = Vec::new();
    for a in accepted {
        match counts.iter_mut().find(|(c, _)| *c == a.job.conv) {
            Some((_, n)) => *n += 1,
            None => counts.push((a.job.conv, 1)),
        }
    }
    let mut next: HashMap<i64, i64> = HashMap::new();
    let backend = state.db.backend;
    for chunk in counts.chunks(ROWS_PER_STATEMENT) {
        let mut p = Placeholders::new(backend);
        let mut sql = String::from("UPDATE conversations SET last_seq = last_seq + CASE id");
        for _ in chunk {
            sql.push_str(" WHEN ");
            p.push(&mut sql);
            sql.push_str(" THEN ");
            p.push(&mut sql);
        }
        sql.push_str(" END, last_message_at = ");
        p.push(&mut sql);
        sql.push_str(" WHERE id IN ");
        p.push_tuple(&mut sql, chunk.len());
        sql.push_str(" RETURNING id, last_seq");
        let mut q = sqlx::query(&sql);
        for (conv, n) in chunk {
            q = q.bind(*conv).bind(*n);
        }
        q = q.bind(now);
        for (conv, _) in chunk {
            q = q.bind(*conv);
        }
        for r in q.fetch_all(&mut **tx).await? {
            let (id, last): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
            let n = chunk.iter().find(|(c, _)| *c == id).map_or(0, |(_, n)| *n);
            next.insert(id, last - n + 1);
        }
    }
    let mut messages = Vec::with_capacity(accepted.len());
    for a in accepted {
        let seq = next.get_mut(&a.job.conv).ok_or(sqlx::Error::RowNotFound)?;
        messages.push(Message {
            id: Id(state.ids.next()),
            conversation_id: Id(a.job.conv),
            seq: *seq,
            sender_id: Id(a.job.member_id),
            client_msg_id: a.job.client_msg_id.clone(),
            content: a.content.clone(),
            reply_to: a.job.reply_to.map(Id),
            recalled: false,
            created_at: now,
        });
        *seq += 1;
    }
    for chunk in messages.chunks(ROWS_PER_STATEMENT) {
        let mut p = Placeholders::new(backend);
        let mut sql = String::from(
            "INSERT INTO messages (id, org_id, conversation_id, seq, sender_id, client_msg_id, kind, body, reply_to, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            p.push_tuple(&mut sql, 10);
        }
        let mut q = sqlx::query(&sql);
        for m in chunk {
            q = q
                .bind(m.id.0)
                .bind(org_of(accepted, m))
                .bind(m.conversation_id.0)
                .bind(m.seq)
                .bind(m.sender_id.0)
                .bind(m.client_msg_id.clone())
                .bind(m.content.kind())
                .bind(serde_json::to_string(&m.content).unwrap_or_default())
                .bind(m.reply_to.map(|r| r.0))
                .bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    for (a, m) in accepted.iter().zip(&messages) {
        if let Some(file) = a.file_id {
            crate::files::store::link_message(tx, file, m.id.0, a.job.conv).await?;
        }
    }
    // Each sender has read up to their newest message of the batch.
    let mut pointers: Vec<(i64, i64, i64)> = Vec::new();
    for m in &messages {
        let (c, s) = (m.conversation_id.0, m.sender_id.0);
        match pointers.iter_mut().find(|(pc, ps, _)| *pc == c && *ps == s) {
            Some(p) => p.2 = p.2.max(m.seq),
            None => pointers.push((c, s, m.seq)),
        }
    }
    for chunk in pointers.chunks(ROWS_PER_STATEMENT) {
        let mut p = Placeholders::new(backend);
        let mut sql = String::from("UPDATE conversation_members SET read_seq = CASE");
        for _ in chunk {
            sql.push_str(" WHEN conversation_id = ");
            p.push(&mut sql);
            sql.push_str(" AND member_id = ");
            p.push(&mut sql);
            sql.push_str(" THEN ");
            p.push(&mut sql);
        }
        sql.push_str(" ELSE read_seq END, marked_unread = 0 WHERE ");
        p.push_any_pair(&mut sql, ("conversation_id", "member_id"), chunk.len());
        let mut q = sqlx::query(&sql);
        for (c, s, seq) in chunk {
            q = q.bind(*c).bind(*s).bind(*seq);
        }
        for (c, s, _) in chunk {
            q = q.bind(*c).bind(*s);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(messages)
}

fn org_of(accepted: &[Accepted<'_>], m: &Message) -> i64 {
    accepted
        .iter()
        .find(|a| a.job.conv == m.conversation_id.0)
        .map_or(0, |a| a.job.org_id)
}

fn reused_elsewhere() -> ApiError {
    ApiError::conflict(
        "client_msg_id_reused",
        "This client_msg_id was already used for a message in another conversation; use a new one.",
    )
}

/// The stored originals of every (sender, client_msg_id) in the batch, in one query per chunk.
async fn existing_many(
    tx: &mut Tx,
    backend: Backend,
    pending: &[Pending],
) -> Result<HashMap<(i64, String), Message>, sqlx::Error> {
    let mut out = HashMap::new();
    for chunk in pending.chunks(ROWS_PER_STATEMENT) {
        let mut p = Placeholders::new(backend);
        let mut sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE ");
        p.push_any_pair(&mut sql, ("sender_id", "client_msg_id"), chunk.len());
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q.bind(p.job.member_id).bind(p.job.client_msg_id.clone());
        }
        for r in q.fetch_all(&mut **tx).await? {
            let m = message_from_row(&r)?;
            out.insert((m.sender_id.0, m.client_msg_id.clone()), m);
        }
    }
    Ok(out)
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
        return Err(reused_elsewhere());
    }
    Ok((StatusCode::OK, original))
}

/// Checks one send inside the batch's transaction, writing nothing. The outer error is the
/// database's (the batch fails); the inner one refuses this send only.
async fn check(
    state: &Arc<State>,
    tx: &mut Tx,
    job: &SendJob,
    count_rate: bool,
) -> Result<Result<(Content, Option<i64>, Arc<ConvEntry>), ApiError>, sqlx::Error> {
    let refuse = |e: ApiError| Ok(Err(e));
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
    Ok(Ok((content, file_id, entry)))
}

/// Queues the message for its conversation's members: one frame for those to notify, one with
/// `notify: false` for the sender and anyone muted or in quiet hours (unless mentioned).
fn publish(state: &State, entry: &ConvEntry, message: &Message, now: i64) {
    let sender = message.sender_id.0;
    let mut silent: Vec<i64> = std::iter::once(sender)
        .chain(
            entry
                .quiet
                .iter()
                .filter(|(m, muted, settings)| {
                    *m != sender && !notifies(&message.content, *m, *muted, settings, now)
                })
                .map(|(m, ..)| *m),
        )
        .filter(|m| entry.has_member(*m))
        .collect();
    // Sorted, so splitting a large group costs a binary search per member, not a scan of
    // everyone who is muted or in quiet hours.
    silent.sort_unstable();
    let payload = serde_json::to_value(message).unwrap_or_default();
    let loud: Vec<i64> = if silent.len() == 1 {
        entry
            .members
            .iter()
            .copied()
            .filter(|m| *m != sender)
            .collect()
    } else {
        entry
            .members
            .iter()
            .copied()
            .filter(|m| silent.binary_search(m).is_err())
            .collect()
    };
    for (group, notify) in [(loud, true), (silent, false)] {
        if !group.is_empty() {
            let frame = serde_json::json!({"type": "message.created", "notify": notify, "payload": payload});
            state.events.send_frame(
                entry.org_id,
                Audience::Members(&group),
                frame.to_string().into(),
            );
        }
    }
}

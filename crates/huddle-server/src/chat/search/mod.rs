//! Full-text search over chat history.
//!
//! Each node keeps its own tantivy index under `<data_dir>/search-index`, fed asynchronously from
//! committed messages by [`indexer`]: the database stays the source of truth, and the index can
//! always be rebuilt from it (`huddle admin reindex`). Chinese, English and mixed text are
//! segmented with jieba. Queries are limited at query time to the searcher's current
//! conversations (and to what they could see since joining); hits are re-read from the database,
//! so a message recalled after it was indexed never shows.

pub mod indexer;
pub mod routes;

use super::model::Content;
use std::collections::HashMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer};
use tantivy::{Index, IndexReader, Order, ReloadPolicy, TantivyDocument, Term};
use tokio::sync::{watch, Notify};

/// The name the jieba analyzer is registered under in the index.
const TOKENIZER: &str = "jieba";
/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Message kinds that have searchable text.
pub const SEARCHABLE_KINDS: [&str; 3] = ["text", "location", "link"];

/// The text a message is found by: a text message's text, a location's title and address, a
/// link's title, description and URL. `None` for kinds that are not searched.
pub fn searchable_text(content: &Content) -> Option<String> {
    match content {
        Content::Text { text, .. } => Some(text.clone()),
        Content::Location { title, address, .. } => Some(format!("{title}\n{address}")),
        Content::Link {
            url,
            title,
            description,
        } => Some(format!("{title}\n{description}\n{url}")),
        _ => None,
    }
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .build()
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    org: Field,
    conversation: Field,
    sender: Field,
    seq: Field,
    created_at: Field,
    kind: Field,
    text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | FAST),
        org: b.add_i64_field("org_id", INDEXED),
        conversation: b.add_i64_field("conversation_id", INDEXED | FAST),
        sender: b.add_i64_field("sender_id", INDEXED),
        seq: b.add_i64_field("seq", INDEXED | FAST),
        created_at: b.add_i64_field("created_at", INDEXED | FAST),
        kind: b.add_text_field("kind", STRING),
        text: b.add_text_field("text", text_options),
    };
    (b.build(), fields)
}

/// One message as the index stores it.
pub struct IndexedMessage {
    pub id: i64,
    pub org_id: i64,
    pub conversation_id: i64,
    pub sender_id: i64,
    pub seq: i64,
    pub created_at: i64,
    pub kind: &'static str,
    pub text: String,
}

/// What a searcher may see: their organization, and per conversation they belong to, the
/// sequence they joined at (messages up to it stay hidden).
pub struct Scope {
    pub org_id: i64,
    pub conversations: HashMap<i64, i64>,
}

/// A parsed search request (already validated).
#[derive(Clone)]
pub struct SearchSpec {
    pub text: String,
    pub sender_id: Option<i64>,
    pub kind: Option<&'static str>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Only messages with an id below this one (the previous page's last hit).
    pub before_id: Option<i64>,
    pub limit: usize,
}

/// The node's message index, its reader, and the hooks of its background indexer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    path: PathBuf,
    /// True when this process created the index (it starts from the first message).
    created: bool,
    node_id: i64,
    /// Poked after each send or recall: the indexer picks the message up within its settle time.
    wake: Notify,
    /// Rung by a caller waiting for the index: the indexer runs a pass at once.
    urgent: Notify,
    /// Numbers the indexer's passes over the messages table as they start …
    started: AtomicU64,
    /// … and publishes the number of the last one that finished.
    passes: watch::Sender<u64>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (or recreating it when its layout is from another
    /// version) as needed. Takes no writer lock: the indexer does, when it starts.
    pub fn open(dir: &Path, node_id: u16) -> anyhow::Result<Arc<Self>> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let existed = Index::exists(&MmapDirectory::open(dir)?)?;
        let index = match Index::open_or_create(MmapDirectory::open(dir)?, schema.clone()) {
            Ok(index) => index,
            Err(e) if existed => {
                tracing::warn!(error = %e, path = %dir.display(), "search index unreadable; rebuilding it");
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                return Self::finish_open(
                    Index::create_in_dir(dir, schema)?,
                    fields,
                    dir,
                    true,
                    node_id,
                );
            }
            Err(e) => return Err(e.into()),
        };
        Self::finish_open(index, fields, dir, !existed, node_id)
    }

    fn finish_open(
        index: Index,
        fields: Fields,
        dir: &Path,
        created: bool,
        node_id: u16,
    ) -> anyhow::Result<Arc<Self>> {
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Arc::new(Self {
            index,
            reader,
            fields,
            path: dir.to_path_buf(),
            created,
            node_id: i64::from(node_id),
            wake: Notify::new(),
            urgent: Notify::new(),
            started: AtomicU64::new(0),
            passes: watch::channel(0).0,
            stop: watch::channel(false).0,
            task: Mutex::new(None),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Tells the indexer that new messages were committed.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    /// Waits until everything committed before the call is searchable (false on timeout).
    pub async fn wait_caught_up(&self, timeout: std::time::Duration) -> bool {
        let mut rx = self.passes.subscribe();
        // A pass running now may have started before the caller's commit: wait for one that
        // starts after this point.
        let target = self.started.load(Ordering::SeqCst) + 1;
        self.urgent.notify_one();
        tokio::time::timeout(timeout, rx.wait_for(|n| *n >= target))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Whether a message is in the index (tests and diagnostics).
    pub fn contains(&self, message_id: i64) -> anyhow::Result<bool> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_i64(self.fields.id, message_id),
            IndexRecordOption::Basic,
        );
        Ok(searcher.search(&q, &tantivy::collector::Count)? > 0)
    }

    fn document(&self, m: &IndexedMessage) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, m.id);
        doc.add_i64(f.org, m.org_id);
        doc.add_i64(f.conversation, m.conversation_id);
        doc.add_i64(f.sender, m.sender_id);
        doc.add_i64(f.seq, m.seq);
        doc.add_i64(f.created_at, m.created_at);
        doc.add_text(f.kind, m.kind);
        doc.add_text(f.text, &m.text);
        doc
    }

    fn id_term(&self, id: i64) -> Term {
        Term::from_field_i64(self.fields.id, id)
    }

    /// The text part of a query: every word of `text` must occur. Jieba's search mode also
    /// emits the shorter words inside a long one (用户需求 → 用户, 需求, 用户需求), so a long
    /// word matches either as itself or as all of its parts, whichever way the message was cut.
    /// `None` when the text has no letters or digits.
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let mut analyzer = self
            .index
            .tokenizers()
            .get(TOKENIZER)
            .unwrap_or_else(analyzer);
        let mut tokens: Vec<(usize, usize, String)> = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            if t.text.chars().any(char::is_alphanumeric)
                && !tokens
                    .iter()
                    .any(|(a, b, _)| *a == t.offset_from && *b == t.offset_to)
            {
                tokens.push((t.offset_from, t.offset_to, t.text.clone()));
            }
        }
        let inside = |outer: &(usize, usize, String), inner: &(usize, usize, String)| {
            outer.0 <= inner.0 && inner.1 <= outer.1 && (outer.0, outer.1) != (inner.0, inner.1)
        };
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.text, w),
                IndexRecordOption::Basic,
            ))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in tokens
            .iter()
            .filter(|w| !tokens.iter().any(|o| inside(o, w)))
        {
            let parts: Vec<&(usize, usize, String)> = tokens
                .iter()
                .filter(|p| inside(word, p))
                .filter(|p| !tokens.iter().any(|o| inside(word, o) && inside(o, p)))
                .collect();
            let covered = {
                let mut end = word.0;
                let mut sorted = parts.clone();
                sorted.sort();
                for p in sorted {
                    if p.0 <= end {
                        end = end.max(p.1);
                    }
                }
                end >= word.1
            };
            if parts.is_empty() || !covered {
                clauses.push((Occur::Must, term(&word.2)));
            } else {
                let all_parts =
                    BooleanQuery::new(parts.iter().map(|p| (Occur::Must, term(&p.2))).collect());
                clauses.push((
                    Occur::Must,
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Should, term(&word.2)),
                        (Occur::Should, Box::new(all_parts)),
                    ])),
                ));
            }
        }
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// Checks that the query text has something to search for.
    pub fn has_words(&self, text: &str) -> bool {
        self.text_query(text).is_some()
    }

    /// Ids of matching messages, newest first, and a generator for their snippets. Blocking.
    pub fn search(
        &self,
        scope: &Scope,
        spec: &SearchSpec,
    ) -> anyhow::Result<(Vec<i64>, Option<SnippetGenerator>)> {
        let f = &self.fields;
        let Some(text_query) = self.text_query(&spec.text) else {
            return Ok((Vec::new(), None));
        };
        if scope.conversations.is_empty() {
            return Ok((Vec::new(), None));
        }
        let searcher = self.reader.searcher();
        let mut snippets = SnippetGenerator::create(&searcher, text_query.as_ref(), f.text)?;
        snippets.set_max_num_chars(120);
        let i64_term = |field, v| Term::from_field_i64(field, v);
        let exact = |field, v| -> Box<dyn Query> {
            Box::new(TermQuery::new(i64_term(field, v), IndexRecordOption::Basic))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text_query),
            (Occur::Must, exact(f.org, scope.org_id)),
            (
                Occur::Must,
                Box::new(TermSetQuery::new(
                    scope
                        .conversations
                        .keys()
                        .map(|c| i64_term(f.conversation, *c)),
                )),
            ),
        ];
        // Messages from before the searcher joined a conversation stay hidden.
        for (conv, joined_seq) in &scope.conversations {
            if *joined_seq > 0 {
                let before_join = BooleanQuery::new(vec![
                    (Occur::Must, exact(f.conversation, *conv)),
                    (
                        Occur::Must,
                        Box::new(RangeQuery::new(
                            Bound::Unbounded,
                            Bound::Included(i64_term(f.seq, *joined_seq)),
                        )),
                    ),
                ]);
                clauses.push((Occur::MustNot, Box::new(before_join)));
            }
        }
        if let Some(sender) = spec.sender_id {
            clauses.push((Occur::Must, exact(f.sender, sender)));
        }
        if let Some(kind) = spec.kind {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, kind),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if spec.from.is_some() || spec.to.is_some() {
            let bound = |v: Option<i64>| match v {
                Some(v) => Bound::Included(i64_term(f.created_at, v)),
                None => Bound::Unbounded,
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(bound(spec.from), bound(spec.to))),
            ));
        }
        if let Some(before) = spec.before_id {
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Unbounded,
                    Bound::Excluded(i64_term(f.id, before)),
                )),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let top =
            TopDocs::with_limit(spec.limit.max(1)).order_by_fast_field::<i64>("id", Order::Desc);
        let hits = searcher.search(&query, &top)?;
        Ok((
            hits.into_iter().filter_map(|(id, _)| id).collect(),
            Some(snippets),
        ))
    }
}

//! The tantivy index of one instance: schema, the bigram tokenizer adapter, applying
//! documents with the change-log mark in the commit payload, and queries.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use frontline_core::ident::mask_identifiers;
use frontline_core::search::{Term as SearchTerm, bigrams};
use frontline_store::{PathRange, SearchDoc};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};
use uuid::Uuid;

/// The tokenizer's registered name.
const BIGRAM: &str = "cjk_bigram";
/// Bumped when the schema or the tokenizer changes: an index of another version is
/// rebuilt at start.
const SCHEMA_VERSION: u32 = 1;
/// Indexing memory of the single writer (tantivy's minimum is 15 MB per thread).
const WRITER_HEAP: usize = 64 * 1024 * 1024;
/// How long a hole in the change log is waited for before it is taken for a rolled-back
/// write (PostgreSQL hands out sequence numbers at the write, not at the commit).
pub(crate) const GAP_WAIT: Duration = Duration::from_secs(30);

/// The tantivy adapter of [`frontline_core::search::bigrams`]: one token per bigram,
/// its position the character offset (so phrase queries of bigrams are substrings).
#[derive(Clone, Default)]
struct BigramTokenizer;

struct BigramStream {
    tokens: std::vec::IntoIter<Token>,
    token: Token,
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream {
        let tokens: Vec<Token> = bigrams(text)
            .map(|(position, [a, b])| Token {
                // Offsets are only used for highlighting, which Frontline does not do.
                offset_from: 0,
                offset_to: 0,
                position,
                text: [a, b].iter().collect(),
                position_length: 1,
            })
            .collect();
        BigramStream {
            tokens: tokens.into_iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(t) => {
                self.token = t;
                true
            }
            None => false,
        }
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    /// Every ancestor prefix of the unit path (`/QHGA/`, `/QHGA/S01/`): a subtree is a term.
    unit: Field,
    status: Field,
    /// The code and its root (`theft.bike`, `theft`).
    category: Field,
    /// Microseconds since the epoch.
    reported_at: Field,
    narrative: Field,
    address: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(BIGRAM)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        unit: b.add_text_field("unit", STRING),
        status: b.add_text_field("status", STRING),
        category: b.add_text_field("category", STRING),
        reported_at: b.add_i64_field("reported_at", INDEXED | FAST),
        narrative: b.add_text_field("narrative", text.clone()),
        address: b.add_text_field("address", text),
    };
    (b.build(), fields)
}

/// What the index records in each commit: the change log is applied up to `mark`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
struct Payload {
    version: u32,
    mark: i64,
}

/// The filters a search combines with (the list's, already checked).
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchFilter {
    pub(crate) scope: Option<PathRange>,
    pub(crate) unit: Option<PathRange>,
    pub(crate) from: Option<chrono::DateTime<chrono::Utc>>,
    pub(crate) to: Option<chrono::DateTime<chrono::Utc>>,
    pub(crate) category: Option<String>,
    pub(crate) statuses: Vec<&'static str>,
    pub(crate) limit: usize,
    pub(crate) offset: usize,
    pub(crate) oldest_first: bool,
}

struct WriteState {
    writer: Option<IndexWriter>,
    /// Every change up to here is in the index (committed with the index).
    mark: i64,
    /// Changes after `mark` already applied (past a hole that is still awaited).
    beyond: BTreeSet<i64>,
    /// The first hole after `mark` and when it was first seen.
    hole: Option<(i64, Instant)>,
    /// The index holds no committed mark (new, or of another schema): rebuild it.
    needs_rebuild: bool,
}

/// One instance's search index (in the data directory, or in memory for tests).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    state: Mutex<WriteState>,
    /// Wakes the indexer after a write on this instance.
    pub(crate) wake: tokio::sync::Notify,
}

fn err(e: impl std::fmt::Display) -> crate::AppError {
    crate::AppError::Internal(format!("search index: {e}"))
}

impl SearchIndex {
    /// Opens the index in `dir` (created when missing; one of another version, or one
    /// that cannot be opened, is started afresh and rebuilt), or an index in memory.
    pub fn open(dir: Option<&Path>) -> crate::Result<SearchIndex> {
        let (schema, fields) = schema();
        let index = match dir {
            None => Index::create_in_ram(schema),
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(err)?;
                match Self::open_dir(dir, &schema) {
                    Ok(i) => i,
                    Err(e) => {
                        tracing::warn!(error = %e, dir = %dir.display(), "search index unusable; starting it afresh");
                        std::fs::remove_dir_all(dir).map_err(err)?;
                        std::fs::create_dir_all(dir).map_err(err)?;
                        Index::create_in_dir(dir, schema).map_err(err)?
                    }
                }
            }
        };
        index.tokenizers().register(BIGRAM, BigramTokenizer);
        let payload: Option<Payload> = index
            .load_metas()
            .map_err(err)?
            .payload
            .and_then(|p| serde_json::from_str(&p).ok())
            .filter(|p: &Payload| p.version == SCHEMA_VERSION);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            state: Mutex::new(WriteState {
                writer: None,
                mark: payload.map_or(0, |p| p.mark),
                beyond: BTreeSet::new(),
                hole: None,
                needs_rebuild: payload.is_none(),
            }),
            wake: tokio::sync::Notify::new(),
        })
    }

    fn open_dir(dir: &Path, schema: &Schema) -> tantivy::Result<Index> {
        let d = MmapDirectory::open(dir)?;
        if !Index::exists(&d)? {
            return Index::create(d, schema.clone(), tantivy::IndexSettings::default());
        }
        let index = Index::open(d)?;
        if index.schema() != *schema {
            return Err(tantivy::TantivyError::SchemaError("another schema".into()));
        }
        Ok(index)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WriteState> {
        // A panic while holding the lock leaves a state that is still consistent
        // (the mark only moves with a commit).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The change-log position the index has applied up to (committed).
    pub fn mark(&self) -> i64 {
        self.lock().mark
    }

    /// Whether the index must be rebuilt before it can answer fully.
    pub fn needs_rebuild(&self) -> bool {
        self.lock().needs_rebuild
    }

    /// How many incidents the index holds (as of its last commit).
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub(crate) fn is_applied_beyond(&self, seq: i64) -> bool {
        self.lock().beyond.contains(&seq)
    }

    fn document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, d.id.to_string());
        for (i, c) in d.unit_path.char_indices() {
            if c == '/' && i > 0 {
                doc.add_text(f.unit, d.unit_path.get(..=i).unwrap_or(&d.unit_path));
            }
        }
        doc.add_text(f.status, d.status.as_str());
        doc.add_text(f.category, &d.category);
        if let Some((root, _)) = d.category.split_once('.') {
            doc.add_text(f.category, root);
        }
        doc.add_i64(f.reported_at, d.reported_at.timestamp_micros());
        // Identifiers are masked before indexing: a phone or ID number cannot be looked
        // up through search (only what every list already shows can be found).
        doc.add_text(f.narrative, mask_identifiers(&d.narrative));
        doc.add_text(f.address, mask_identifiers(&d.address));
        doc
    }

    fn writer<'a>(&self, st: &'a mut WriteState) -> crate::Result<&'a mut IndexWriter> {
        if st.writer.is_none() {
            let w = self
                .index
                .writer_with_num_threads(1, WRITER_HEAP)
                .map_err(err)?;
            st.writer = Some(w);
        }
        st.writer.as_mut().ok_or_else(|| err("no writer"))
    }

    fn commit(&self, w: &mut IndexWriter, mark: i64) -> crate::Result<()> {
        let mut c = w.prepare_commit().map_err(err)?;
        let payload = serde_json::to_string(&Payload {
            version: SCHEMA_VERSION,
            mark,
        })
        .map_err(err)?;
        c.set_payload(&payload);
        c.commit().map_err(err)?;
        self.reader.reload().map_err(err)?;
        Ok(())
    }

    /// Applies one batch of the change log: `docs` are the current documents of the
    /// changed incidents, `gone` the changed ids no longer in the database, `seqs` the
    /// batch's change numbers (ascending). Moves the mark over every change applied
    /// without a hole before it, and commits with the mark as payload.
    pub(crate) fn apply(
        &self,
        docs: &[SearchDoc],
        gone: &[Uuid],
        seqs: &[i64],
    ) -> crate::Result<bool> {
        let mut st = self.lock();
        let f = self.fields;
        {
            let w = self.writer(&mut st)?;
            for d in docs {
                w.delete_term(Term::from_field_text(f.id, &d.id.to_string()));
                w.add_document(self.document(d)).map_err(err)?;
            }
            for id in gone {
                w.delete_term(Term::from_field_text(f.id, &id.to_string()));
            }
        }
        let st = &mut *st;
        st.beyond.extend(seqs.iter().copied());
        let before = st.mark;
        let now = Instant::now();
        loop {
            let next = st.mark + 1;
            if st.beyond.remove(&next) {
                st.mark = next;
                continue;
            }
            // A hole: wait for it while something after it is known.
            let Some(&after) = st.beyond.iter().next() else {
                st.hole = None;
                break;
            };
            match st.hole {
                Some((at, since)) if at == next && now.duration_since(since) >= GAP_WAIT => {
                    tracing::info!(
                        from = next,
                        to = after - 1,
                        "change-log hole taken as rolled back"
                    );
                    st.mark = after - 1;
                    st.hole = None;
                }
                Some((at, _)) if at == next => break,
                _ => {
                    st.hole = Some((next, now));
                    break;
                }
            }
        }
        let changed = !docs.is_empty() || !gone.is_empty() || st.mark != before;
        if changed {
            let mark = st.mark;
            let w = self.writer(st)?;
            self.commit(w, mark)?;
        }
        Ok(st.mark != before)
    }

    /// A rebuild: empties the index (`rebuild_add` fills it, `rebuild_finish` commits).
    pub(crate) fn rebuild_start(&self) -> crate::Result<()> {
        let mut st = self.lock();
        let w = self.writer(&mut st)?;
        w.delete_all_documents().map_err(err)?;
        Ok(())
    }

    pub(crate) fn rebuild_add(&self, docs: &[SearchDoc]) -> crate::Result<()> {
        let mut st = self.lock();
        let w = self.writer(&mut st)?;
        for d in docs {
            w.add_document(self.document(d)).map_err(err)?;
        }
        Ok(())
    }

    pub(crate) fn rebuild_finish(&self, mark: i64) -> crate::Result<()> {
        let mut st = self.lock();
        let st = &mut *st;
        let w = self.writer(st)?;
        self.commit(w, mark)?;
        st.mark = mark;
        st.beyond.clear();
        st.hole = None;
        st.needs_rebuild = false;
        Ok(())
    }

    fn text_query(&self, term: &SearchTerm, field: Field) -> Box<dyn Query> {
        let mut terms: Vec<(usize, Term)> = term
            .bigrams
            .iter()
            .map(|(off, b)| (*off, Term::from_field_text(field, b)))
            .collect();
        if terms.len() == 1
            && let Some((_, t)) = terms.pop()
        {
            return Box::new(TermQuery::new(t, IndexRecordOption::Basic));
        }
        Box::new(PhraseQuery::new_with_offset(terms))
    }

    fn query(&self, terms: &[SearchTerm], f: &SearchFilter) -> Box<dyn Query> {
        let fl = self.fields;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let exact = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ))
        };
        for term in terms {
            must.push((
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, self.text_query(term, fl.narrative)),
                    (Occur::Should, self.text_query(term, fl.address)),
                ])),
            ));
        }
        for r in [&f.scope, &f.unit].into_iter().flatten() {
            if !r.is_all() {
                must.push((Occur::Must, exact(fl.unit, &r.lower)));
            }
        }
        match f.statuses.as_slice() {
            [] => {}
            [one] => must.push((Occur::Must, exact(fl.status, one))),
            many => must.push((
                Occur::Must,
                Box::new(BooleanQuery::new(
                    many.iter()
                        .map(|s| (Occur::Should, exact(fl.status, s)))
                        .collect(),
                )),
            )),
        }
        if let Some(c) = &f.category {
            must.push((Occur::Must, exact(fl.category, c)));
        }
        if f.from.is_some() || f.to.is_some() {
            let lower = f.from.map_or(Bound::Unbounded, |t| {
                Bound::Included(Term::from_field_i64(fl.reported_at, t.timestamp_micros()))
            });
            let upper = f.to.map_or(Bound::Unbounded, |t| {
                Bound::Excluded(Term::from_field_i64(fl.reported_at, t.timestamp_micros()))
            });
            must.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        Box::new(BooleanQuery::new(must))
    }

    /// The matching incidents' ids for one page (newest first unless asked otherwise)
    /// and how many match in all.
    pub(crate) fn search(
        &self,
        terms: &[SearchTerm],
        f: &SearchFilter,
    ) -> crate::Result<(Vec<Uuid>, u64)> {
        if f.scope.is_none() {
            return Ok((Vec::new(), 0));
        }
        let q = self.query(terms, f);
        let searcher = self.reader.searcher();
        let order = if f.oldest_first {
            Order::Asc
        } else {
            Order::Desc
        };
        let top = TopDocs::with_limit(f.limit.max(1))
            .and_offset(f.offset)
            .order_by_fast_field::<i64>("reported_at", order);
        let (hits, total): (Vec<(Option<i64>, DocAddress)>, usize) =
            searcher.search(&q, &(top, Count)).map_err(err)?;
        let mut ids = Vec::with_capacity(hits.len());
        for (_, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr).map_err(err)?;
            if let Some(id) = doc
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::parse_str(s).ok())
            {
                ids.push(id);
            }
        }
        Ok((ids, total as u64))
    }
}

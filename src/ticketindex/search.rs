//! Similar-ticket search: a BM25 first stage over learned-boilerplate-free text, title and
//! code evidence, then a calibrated re-ranking of its best candidates.

use super::features::{features, shared_terms, surface_forms, Analyzed, Features, Idf};
use super::schema::created_ms;
use super::union::UnfilteredUnion;
use super::{is_boilerplate_df, text, IndexError, TicketIndex};
use crate::domain::{
    AudienceScope, CreatedOrder, DuplicateCandidate, DuplicateTier, SimilarOptions, SimilarQuery,
    Tracker, Visibility,
};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

/// Candidates the first stage hands to the re-ranking.
pub const FIRST_STAGE: usize = 40;
/// The strongest query terms the first stage searches with (bounds latency on long logs).
const MAX_QUERY_TERMS: usize = 48;
const MAX_TITLE_TERMS: usize = 16;
const MAX_CODE_TERMS: usize = 16;

/// A first-stage candidate with its re-ranking evidence.
#[derive(Debug, Clone)]
pub struct Scored {
    pub tracker: Tracker,
    pub id: String,
    pub key: String,
    pub title: String,
    pub status: Option<String>,
    pub url: Option<String>,
    pub components: Vec<String>,
    pub features: Features,
    pub shared_terms: Vec<String>,
}

/// A hit of the plain BM25 baseline.
#[derive(Debug, Clone)]
pub struct BaselineHit {
    pub id: String,
}

fn term_query(field: Field, text: &str, boost: f32) -> (Occur, Box<dyn Query>) {
    let q = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
}

/// A clause that filters without adding to the score.
fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(BoostQuery::new(q, 0.0)))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn str_of(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

impl TicketIndex {
    /// The terms every candidate must carry and the terms none may: the query's project
    /// when asked to stay in it, and its audience's tracker, project and "not restricted"
    /// (`admissible` applies the whole audience rule; these only narrow the search early).
    fn filter_terms(&self, q: &SimilarQuery, same_project: bool) -> (Vec<Term>, Vec<Term>) {
        let f = self.fields;
        let mut required = Vec::new();
        let mut excluded = Vec::new();
        if let (true, Some(p)) = (same_project, &q.project) {
            required.push(Term::from_field_text(f.project, p));
        }
        if let Some(a) = &q.audience {
            if let (AudienceScope::Project, Some(p)) = (a.scope, &a.project) {
                let term = Term::from_field_text(f.project, p);
                if !required.contains(&term) {
                    required.push(term);
                }
            }
            if a.scope != AudienceScope::All {
                required.push(Term::from_field_text(f.tracker, a.tracker.as_str()));
            }
            excluded.push(Term::from_field_text(
                f.visibility,
                Visibility::Restricted.as_str(),
            ));
        }
        (required, excluded)
    }

    fn filters(&self, q: &SimilarQuery, same_project: bool) -> Vec<(Occur, Box<dyn Query>)> {
        let (required, excluded) = self.filter_terms(q, same_project);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in required {
            clauses.push(filter(Box::new(TermQuery::new(
                term,
                IndexRecordOption::Basic,
            ))));
        }
        for term in excluded {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        if let Some(before) = &q.created_before {
            let end = before.created_ms.saturating_add(1);
            clauses.push(filter(Box::new(RangeQuery::new_i64(
                "created_ms".to_string(),
                i64::MIN..end,
            ))));
        }
        clauses
    }

    /// Tells whether every document of `searcher`, deleted ones included, passes the query's
    /// filters: carries every required term and no excluded one, and was created before
    /// `created_before` when given.
    fn filters_pass_all(&self, searcher: &Searcher, q: &SimilarQuery, same_project: bool) -> bool {
        let (required, excluded) = self.filter_terms(q, same_project);
        let end = q
            .created_before
            .as_ref()
            .map(|b| b.created_ms.saturating_add(1));
        searcher.segment_readers().iter().all(|r| {
            let df = |term: &Term| {
                r.inverted_index(term.field())
                    .and_then(|ii| Ok(ii.doc_freq(term)?))
                    .ok()
            };
            let terms_pass = required.iter().all(|t| df(t) == Some(r.max_doc()))
                && excluded.iter().all(|t| df(t) == Some(0));
            let before = end.map_or(true, |end| {
                r.fast_fields().i64("created_ms").is_ok_and(|c| {
                    c.get_cardinality() == tantivy::columnar::Cardinality::Full
                        && c.max_value() < end
                })
            });
            terms_pass && before
        })
    }

    /// The first stage's query: the term clauses under the query's filters, or, when those
    /// pass every document, the same answer read from the terms alone (`union`).
    fn first_stage(
        &self,
        searcher: &Searcher,
        mut clauses: Vec<(Occur, Box<dyn Query>)>,
        q: &SimilarQuery,
        same_project: bool,
    ) -> Box<dyn Query> {
        let filters = self.filters(q, same_project);
        if !filters.is_empty() && self.filters_pass_all(searcher, q, same_project) {
            return Box::new(UnfilteredUnion(BooleanQuery::new(clauses)));
        }
        clauses.extend(filters);
        Box::new(BooleanQuery::new(clauses))
    }

    /// Tells whether a hit may be returned for the query: not excluded, created before, and
    /// visible to the query's audience.
    fn admissible(&self, q: &SimilarQuery, doc: &TantivyDocument) -> bool {
        let f = self.fields;
        let id = str_of(doc, f.id).unwrap_or_default();
        let key = str_of(doc, f.key).unwrap_or_default();
        if q.exclude_ids.iter().any(|x| *x == id || *x == key) {
            return false;
        }
        if let Some(a) = &q.audience {
            let tracker = str_of(doc, f.tracker).and_then(|t| Tracker::parse(&t));
            let project = str_of(doc, f.project);
            let visibility = Visibility::parse(&str_of(doc, f.visibility).unwrap_or_default());
            let seen = tracker.is_some_and(|t| a.admits(t, project.as_deref(), visibility));
            if !seen {
                return false;
            }
        }
        match &q.created_before {
            None => true,
            Some(before) => {
                let created = doc
                    .get_first(f.created_ms)
                    .and_then(|v| v.as_i64())
                    .unwrap_or(0);
                CreatedOrder {
                    created_ms: created,
                    id,
                }
                .is_before(before)
            }
        }
    }

    /// The first `k` candidates for a query with their re-ranking evidence, in first-stage
    /// order. The evaluation fits the model on these.
    pub fn candidates(
        &self,
        q: &SimilarQuery,
        same_project: bool,
        k: usize,
    ) -> Result<Vec<Scored>, IndexError> {
        let searcher = self.reader.searcher();
        let n = searcher.num_docs();
        let f = self.fields;
        // the query reads as much body as a stored candidate offers (bounds long pasted logs)
        let body = crate::domain::text::cut(&q.body, super::schema::STORED_BODY_CHARS);
        let title = crate::domain::text::cut(&q.title, super::schema::MAX_TITLE_BYTES);
        let clean = text::strip_lines(body, |fp| {
            let df = searcher
                .doc_freq(&Term::from_field_u64(f.lines, fp))
                .unwrap_or(0);
            is_boilerplate_df(df, n)
        });
        let mut analyzer = text::text_analyzer();
        let q_code = text::code_tokens(&format!("{title}\n{clean}"));
        let qa = Analyzed::new(&mut analyzer, title, &clean, q_code);
        let surface = surface_forms(&mut analyzer, &format!("{title}\n{clean}"));
        let df_of = |field: Field| {
            let s: &Searcher = &searcher;
            move |t: &str| self.doc_freq(s, field, t)
        };
        let mut idf = Idf::new(n, df_of(f.text));
        let mut code_idf = Idf::new(n, df_of(f.code));

        let clauses = query_clauses(&f, &qa, &mut idf, n);
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let query = self.first_stage(&searcher, clauses, q, same_project);
        let hits = searcher.search(&query, &TopDocs::with_limit(k + q.exclude_ids.len() + 2))?;
        let best = hits.first().map(|h| h.0).unwrap_or(1.0).max(1e-6);
        let q_ms = match q.created_at.as_deref().map(|t| created_ms(Some(t))) {
            Some(0) => None,
            Some(ms) => Some(ms),
            None => Some(now_ms()),
        };
        let mut out = Vec::with_capacity(k);
        for (score, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if !self.admissible(q, &doc) {
                continue;
            }
            // every document is written with a tracker; one without is not guessed at
            let Some(tracker) = str_of(&doc, f.tracker).and_then(|t| Tracker::parse(&t)) else {
                tracing::warn!(id = ?str_of(&doc, f.id), "ticket document without a known tracker left out");
                continue;
            };
            let title = str_of(&doc, f.title).unwrap_or_default();
            let body = str_of(&doc, f.clean).unwrap_or_default();
            let code = str_of(&doc, f.code).unwrap_or_default();
            let ca = self.analyzed(&title, &body, &code, || {
                let code = code.split_whitespace().map(str::to_string).collect();
                Analyzed::new(&mut analyzer, &title, &body, code)
            });
            let c_ms = doc
                .get_first(f.created_ms)
                .and_then(|v| v.as_i64())
                .filter(|ms| *ms != 0);
            let days = q_ms.zip(c_ms).map(|(a, b)| (a - b) as f32 / 86_400_000.0);
            let feats = features(&qa, &ca, score / best, days, &mut idf, &mut code_idf);
            out.push(Scored {
                tracker,
                id: str_of(&doc, f.id).unwrap_or_default(),
                key: str_of(&doc, f.key).unwrap_or_default(),
                title,
                status: str_of(&doc, f.status),
                url: str_of(&doc, f.url),
                components: doc
                    .get_all(f.components)
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                features: feats,
                shared_terms: shared_terms(&qa, &ca, &mut idf, &surface, 6),
            });
            if out.len() >= k {
                break;
            }
        }
        Ok(out)
    }

    /// Tickets similar to the query, best first: likely duplicates and related tickets above
    /// their thresholds (at most `limit`), plus the tickets already linked as duplicates that
    /// the search met, marked `already_linked` and never counted as suggestions.
    pub fn similar(
        &self,
        q: &SimilarQuery,
        o: &SimilarOptions,
    ) -> Result<Vec<DuplicateCandidate>, IndexError> {
        let scored = self.candidates(q, o.same_project, FIRST_STAGE.max(o.limit))?;
        let (model, calibrated) = self.project_model(q.project.as_deref());
        let likely_threshold = calibrated.unwrap_or(o.likely_threshold);
        let mut suggested = Vec::new();
        let mut linked = Vec::new();
        for s in scored {
            let similarity = model.predict(&s.features);
            let is_linked = q.linked.iter().any(|l| *l == s.id || *l == s.key);
            let tier = if is_linked {
                DuplicateTier::AlreadyLinked
            } else if similarity >= likely_threshold {
                DuplicateTier::LikelyDuplicate
            } else if similarity >= o.related_threshold {
                DuplicateTier::Related
            } else {
                continue;
            };
            let candidate = DuplicateCandidate {
                tracker: s.tracker,
                shared_modules: s
                    .components
                    .iter()
                    .filter(|c| q.components.contains(c))
                    .cloned()
                    .collect(),
                id: s.id,
                key: s.key,
                title: s.title,
                status: s.status,
                url: s.url,
                similarity,
                tier,
                shared_terms: s.shared_terms,
            };
            if is_linked {
                linked.push(candidate);
            } else {
                suggested.push(candidate);
            }
        }
        suggested.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        suggested.truncate(o.limit);
        suggested.extend(linked);
        Ok(suggested)
    }

    /// Tickets whose text is most like the query's, best first, at most `limit`: the first
    /// stage's candidates by the TF-IDF cosine of the two texts (`cos_text`), which is the
    /// `similarity` answered. Precedents want tickets about the same code; a duplicate's
    /// calibrated probability (near 0 for anything but the same report) does not rank those.
    pub fn alike(
        &self,
        q: &SimilarQuery,
        limit: usize,
    ) -> Result<Vec<DuplicateCandidate>, IndexError> {
        let scored = self.candidates(q, false, FIRST_STAGE.max(limit))?;
        let mut out: Vec<DuplicateCandidate> = scored
            .into_iter()
            .map(|s| DuplicateCandidate {
                tracker: s.tracker,
                id: s.id,
                key: s.key,
                title: s.title,
                status: s.status,
                url: s.url,
                similarity: s.features.0[0].clamp(0.0, 1.0),
                tier: DuplicateTier::Related,
                shared_terms: s.shared_terms,
                shared_modules: Vec::new(),
            })
            .collect();
        out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        out.truncate(limit);
        Ok(out)
    }

    /// Plain BM25 over title+body with the stock tokenizer: the evaluation's baseline. Needs
    /// an index opened `with_baseline`.
    pub fn baseline_search(
        &self,
        q: &SimilarQuery,
        k: usize,
    ) -> Result<Vec<BaselineHit>, IndexError> {
        let searcher = self.reader.searcher();
        let mut analyzer = self
            .index
            .tokenizers()
            .get("default")
            .ok_or_else(|| IndexError::Directory("no default tokenizer".into()))?;
        let (title, body) = (
            crate::domain::text::cut(&q.title, super::schema::MAX_TITLE_BYTES),
            super::schema::indexed_body(&q.body),
        );
        let mut terms = text::analyze(&mut analyzer, &format!("{title}\n{body}"));
        terms.sort();
        terms.dedup();
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| term_query(self.fields.plain, t, 1.0))
            .collect();
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        // twice the hits, then equal scores ordered by id: tantivy breaks ties by document
        // address, which moves with background merges, and the report should not
        let hits = searcher.search(
            &self.first_stage(&searcher, clauses, q, false),
            &TopDocs::with_limit(2 * k + q.exclude_ids.len() + 2),
        )?;
        let mut found = Vec::with_capacity(hits.len());
        for (score, addr) in hits {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if self.admissible(q, &doc) {
                found.push((score, str_of(&doc, self.fields.id).unwrap_or_default()));
            }
        }
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Ok(found
            .into_iter()
            .take(k)
            .map(|(_, id)| BaselineHit { id })
            .collect())
    }

    /// The creation order key of a ticket as the index stores it.
    pub fn order_of(created_at: Option<&str>, id: &str) -> CreatedOrder {
        CreatedOrder {
            created_ms: created_ms(created_at),
            id: id.to_string(),
        }
    }
}

/// The first stage's clauses: the query's most telling words (learned stop words, terms in
/// more than half of the tickets, say nothing), its title's, and its code evidence.
fn query_clauses(
    f: &super::schema::Fields,
    qa: &Analyzed,
    idf: &mut Idf<'_>,
    n: u64,
) -> Vec<(Occur, Box<dyn Query>)> {
    let floor = if n >= 20 { 2f32.ln() } else { 0.0 };
    let mut terms: Vec<(f32, &String, f32)> = qa
        .text
        .iter()
        .map(|(t, tf)| (idf.get(t), t, *tf))
        .filter(|(i, _, _)| *i > floor)
        .collect();
    terms.sort_by(|a, b| {
        (b.0 * (1.0 + b.2.ln()))
            .total_cmp(&(a.0 * (1.0 + a.2.ln())))
            .then_with(|| a.1.cmp(b.1))
    });
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (_, t, tf) in terms.iter().take(MAX_QUERY_TERMS) {
        clauses.push(term_query(f.text, t, 1.0 + tf.ln()));
    }
    let mut title_terms: Vec<&String> = qa.title.keys().collect();
    title_terms.sort_by(|a, b| idf.get(b).total_cmp(&idf.get(a)).then_with(|| a.cmp(b)));
    for t in title_terms.into_iter().take(MAX_TITLE_TERMS) {
        clauses.push(term_query(f.title, t, 1.5));
    }
    for t in qa.code.iter().take(MAX_CODE_TERMS) {
        clauses.push(term_query(f.code, t, 1.5));
    }
    clauses
}

#[cfg(test)]
mod audience_tests {
    use crate::domain::{
        Audience, AudienceScope, SimilarOptions, SimilarQuery, TicketDoc, Tracker, Visibility,
    };
    use crate::ticketindex::TicketIndex;

    fn doc(tracker: Tracker, id: &str, project: &str, visibility: Visibility) -> TicketDoc {
        TicketDoc {
            tracker,
            id: id.into(),
            key: format!("{project}-{id}"),
            title: "Invoice PDF export crashes on negative totals".into(),
            body: "InvoiceRenderer render_pdf panics when total_cents is negative".into(),
            labels: vec![],
            components: vec![],
            project: Some(project.into()),
            visibility,
            status: None,
            url: None,
            created_at: None,
        }
    }

    #[test]
    fn a_search_for_an_audience_returns_only_what_it_may_see() {
        let (index, _) = TicketIndex::open(None).unwrap();
        index
            .upsert(&[
                doc(Tracker::Github, "1", "acme/app", Visibility::Public),
                doc(Tracker::Github, "2", "acme/lib", Visibility::Public),
                doc(Tracker::Github, "3", "acme/secret", Visibility::Private),
                doc(Tracker::Jira, "4", "acme/app", Visibility::Internal),
                doc(Tracker::Gitlab, "5", "acme/app", Visibility::Restricted),
                doc(Tracker::Github, "6", "acme/app", Visibility::Restricted),
            ])
            .unwrap();
        let ids = |scope: AudienceScope| {
            let q = SimilarQuery {
                title: "Invoice PDF export crashes".into(),
                body: "render_pdf panics on negative totals".into(),
                audience: Some(Audience {
                    tracker: Tracker::Github,
                    project: Some("acme/app".into()),
                    visibility: Visibility::Public,
                    scope,
                }),
                ..SimilarQuery::default()
            };
            let options = SimilarOptions {
                related_threshold: 0.0,
                same_project: false,
                limit: 10,
                ..SimilarOptions::default()
            };
            let mut similar: Vec<String> = index
                .similar(&q, &options)
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect();
            let mut alike: Vec<String> = index
                .alike(&q, 10)
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect();
            similar.sort();
            alike.sort();
            assert_eq!(
                similar, alike,
                "duplicates and precedents see the same tickets"
            );
            similar
        };
        assert_eq!(ids(AudienceScope::Project), ["1"]);
        assert_eq!(ids(AudienceScope::Tracker), ["1", "2"]);
        assert_eq!(ids(AudienceScope::All), ["1", "2"]);
    }
}

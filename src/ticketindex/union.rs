//! The first stage's query when its filters pass every document: the term clauses alone,
//! answering exactly what the filtered query answers, without walking every document.
//!
//! A filter clause (`Must`, boost 0) makes tantivy walk the filter's documents and seek the
//! union of terms for each one: with a project every ticket belongs to, that is all 100,000
//! of them per query. When the filter passes every document, the same union read on its own
//! meets the same documents in the same order, so it sums each score in the same order, to
//! the same bits. (Not block-WAND, which tantivy would pick for a bare union: it adds the
//! terms in another order, and on 80 clauses it prunes little and costs more.)

use tantivy::query::{BooleanQuery, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// The term clauses (`Should` only) of a query whose filters pass every document.
#[derive(Clone, Debug)]
pub struct UnfilteredUnion(pub BooleanQuery);

impl Query for UnfilteredUnion {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(UnionWeight(self.0.weight(enable_scoring)?)))
    }
}

struct UnionWeight(Box<dyn Weight>);

impl Weight for UnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.0.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }

    /// Calls back with the documents a term matches, in order, then (as the filtered query
    /// would, since it matches every document) with the others at score 0 while the top
    /// documents still have room for them.
    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut union = self.0.scorer(reader, 1.0)?;
        let mut doc = union.doc();
        while doc != TERMINATED {
            let score = union.score();
            if score > threshold {
                threshold = callback(doc, score);
            }
            doc = union.advance();
        }
        // every score above is positive (IDF and boosts are), so the score-0 documents
        // rank after all of them, among themselves by document order as before
        if 0.0 > threshold {
            let mut matched = self.0.scorer(reader, 1.0)?;
            for doc in 0..reader.max_doc() {
                if matched.doc() == doc {
                    matched.advance();
                    continue;
                }
                if 0.0 > threshold {
                    threshold = callback(doc, 0.0);
                } else {
                    break;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BoostQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, STRING, TEXT};
    use tantivy::{doc, Index, IndexWriter, Term};

    #[test]
    fn the_union_alone_answers_what_the_filter_that_passes_everything_answers() {
        let mut b = Schema::builder();
        let text = b.add_text_field("text", TEXT);
        let project = b.add_text_field("project", STRING);
        let index = Index::create_in_ram(b.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = [
            "namenode crash",
            "yarn",
            "crash crash disk",
            "disk full",
            "other",
        ];
        for segment in 0..3 {
            for i in 0..40 {
                let body = words[(i * 7 + segment) % words.len()];
                writer
                    .add_document(doc!(text => body, project => "hadoop"))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        let terms = |words: &[&str]| -> Vec<(Occur, Box<dyn Query>)> {
            words
                .iter()
                .map(|w| {
                    let q = TermQuery::new(
                        Term::from_field_text(text, w),
                        IndexRecordOption::WithFreqs,
                    );
                    let q: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(q), 1.5));
                    (Occur::Should, q)
                })
                .collect()
        };
        for (words, k) in [
            (&["crash", "disk"][..], 5),
            (&["crash", "disk"], 200),
            (&["yarn"], 70),
        ] {
            let mut filtered = terms(words);
            let all = TermQuery::new(
                Term::from_field_text(project, "hadoop"),
                IndexRecordOption::Basic,
            );
            filtered.push((Occur::Must, Box::new(BoostQuery::new(Box::new(all), 0.0))));
            let expected = searcher
                .search(&BooleanQuery::new(filtered), &TopDocs::with_limit(k))
                .unwrap();
            let union = UnfilteredUnion(BooleanQuery::new(terms(words)));
            let got = searcher.search(&union, &TopDocs::with_limit(k)).unwrap();
            assert_eq!(got, expected, "{words:?} k={k}");
        }
    }
}

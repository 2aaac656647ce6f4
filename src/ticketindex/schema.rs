//! The ticket index schema as a struct of field handles, and tickets turned into documents.

use super::text::{self, CODE_ANALYZER, TEXT_ANALYZER};
use crate::domain::text::cut;
use crate::domain::TicketDoc;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::TantivyDocument;

/// Stored cleaned bodies are cut here: enough for the re-ranking features, bounded storage.
pub const STORED_BODY_CHARS: usize = 6_000;
/// A body is cut here (bytes) before anything reads it for the index: BM25 text, code
/// evidence, line fingerprints. Past it a body is a pasted log: more work, no more evidence.
pub const INDEXED_BODY_BYTES: usize = 32 * 1024;
/// A title is cut here (bytes) before analysis, in the index and in queries alike.
pub const MAX_TITLE_BYTES: usize = 1_000;

/// The part of a body the index reads.
pub fn indexed_body(body: &str) -> &str {
    cut(body, INDEXED_BODY_BYTES)
}

/// Field handles, built once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `tracker:id`, the identity an update deletes by.
    pub uid: Field,
    pub tracker: Field,
    pub id: Field,
    pub key: Field,
    pub title: Field,
    /// Title plus the body without boilerplate lines, identifiers split: what BM25 reads.
    pub text: Field,
    /// The body without boilerplate lines (stored, cut to `STORED_BODY_CHARS`).
    pub clean: Field,
    /// Exception names, stack frames, dotted keys, long identifiers.
    pub code: Field,
    /// Fingerprints of body lines: their document frequency tells boilerplate apart.
    pub lines: Field,
    /// Title plus raw body with the stock tokenizer: the plain BM25 baseline.
    pub plain: Field,
    pub project: Field,
    /// Who may see the ticket (`Visibility`): searches leave out what their audience may not.
    pub visibility: Field,
    pub status: Field,
    pub url: Field,
    pub components: Field,
    pub created_ms: Field,
}

impl Fields {
    /// Builds the schema and its field handles.
    pub fn build() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let analyzed = |name: &str, stored: bool, freqs: IndexRecordOption| {
            let o = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(name)
                    .set_index_option(freqs),
            );
            if stored {
                o.set_stored()
            } else {
                o
            }
        };
        let positions = IndexRecordOption::WithFreqs;
        let fields = Fields {
            uid: b.add_text_field("uid", STRING | STORED),
            tracker: b.add_text_field("tracker", STRING | STORED),
            id: b.add_text_field("id", STRING | STORED),
            key: b.add_text_field("key", STRING | STORED),
            title: b.add_text_field("title", analyzed(TEXT_ANALYZER, true, positions)),
            text: b.add_text_field("text", analyzed(TEXT_ANALYZER, false, positions)),
            clean: b.add_text_field("clean", STORED),
            code: b.add_text_field("code", analyzed(CODE_ANALYZER, true, positions)),
            lines: b.add_u64_field("lines", INDEXED),
            plain: b.add_text_field("plain", analyzed("default", false, positions)),
            project: b.add_text_field("project", STRING | STORED),
            visibility: b.add_text_field("visibility", STRING | STORED),
            status: b.add_text_field("status", STORED),
            url: b.add_text_field("url", STORED),
            components: b.add_text_field("components", STRING | STORED),
            created_ms: b.add_i64_field("created_ms", INDEXED | FAST | STORED),
        };
        (b.build(), fields)
    }

    /// Builds the document for a ticket whose boilerplate lines `is_boilerplate` names.
    pub fn document(
        &self,
        t: &TicketDoc,
        is_boilerplate: impl FnMut(u64) -> bool,
        with_baseline: bool,
    ) -> TantivyDocument {
        // everything below reads bounded text, whatever the ticket holds
        let body = indexed_body(&t.body);
        let title = cut(&t.title, MAX_TITLE_BYTES);
        let (clean, fingerprints) = text::strip_and_fingerprint(body, is_boilerplate);
        let mut d = TantivyDocument::default();
        d.add_text(self.uid, uid(t.tracker.as_str(), &t.id));
        d.add_text(self.tracker, t.tracker.as_str());
        d.add_text(self.id, &t.id);
        d.add_text(self.key, &t.key);
        d.add_text(self.title, title);
        d.add_text(
            self.text,
            text::with_identifier_parts(&format!("{title}\n{clean}")),
        );
        let code = text::code_tokens(&format!("{title}\n{clean}"));
        d.add_text(self.code, code.join(" "));
        d.add_text(self.clean, cut(&clean, STORED_BODY_CHARS));
        for fp in fingerprints {
            d.add_u64(self.lines, fp);
        }
        if with_baseline {
            d.add_text(self.plain, format!("{title}\n{body}"));
        }
        if let Some(p) = &t.project {
            d.add_text(self.project, p);
        }
        d.add_text(self.visibility, t.visibility.as_str());
        if let Some(s) = &t.status {
            d.add_text(self.status, s);
        }
        if let Some(u) = &t.url {
            d.add_text(self.url, u);
        }
        for c in &t.components {
            d.add_text(self.components, c);
        }
        d.add_i64(self.created_ms, created_ms(t.created_at.as_deref()));
        d
    }
}

/// The identity term of a ticket in the index.
pub fn uid(tracker: &str, id: &str) -> String {
    format!("{tracker}:{id}")
}

/// Milliseconds since the epoch of an RFC 3339 time, or of an ISO 8601 time without zone
/// (read as UTC); 0 when absent or unreadable, so such tickets sort first.
pub fn created_ms(s: Option<&str>) -> i64 {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let Some(s) = s else { return 0 };
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return (t.unix_timestamp_nanos() / 1_000_000) as i64;
    }
    if let Ok(t) = time::PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return (t.assume_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    }
    0
}

/// Registers the analyzers the schema names.
pub fn register_analyzers(index: &tantivy::Index) {
    index
        .tokenizers()
        .register(TEXT_ANALYZER, text::text_analyzer());
    index
        .tokenizers()
        .register(CODE_ANALYZER, text::code_analyzer());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_times_parse_with_and_without_a_zone() {
        assert_eq!(created_ms(Some("1970-01-01T00:01:00")), 60_000);
        assert_eq!(created_ms(Some("1970-01-01T00:01:00Z")), 60_000);
        assert_eq!(created_ms(Some("1970-01-01T01:01:00+01:00")), 60_000);
        assert_eq!(created_ms(Some("yesterday")), 0);
        assert_eq!(created_ms(None), 0);
    }
}

//! The shipped duplicate model is reproducible: fitting on the repository's copy of the
//! shared Hadoop data (`tests/data/duplicates/`) gives exactly `Logistic::shipped`.

use std::path::Path;
use ticketlens::eval::duplicates::{fit_prior, read_jsonl, DatasetQuery, DatasetTicket};
use ticketlens::ticketindex::Logistic;

#[test]
fn the_committed_prior_equals_the_fit_on_the_shared_hadoop_queries() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/duplicates");
    let tickets: Vec<DatasetTicket> = read_jsonl(&dir.join("hadoop-tickets.jsonl")).unwrap();
    let queries: Vec<DatasetQuery> = read_jsonl(&dir.join("hadoop-queries.jsonl")).unwrap();
    let fitted = fit_prior(&tickets, &queries).unwrap();
    let shipped = Logistic::shipped();
    // both are rounded to 3 decimals; allow one unit of float noise in the last digit
    let close = |a: f32, b: f32| (a - b).abs() <= 0.0015;
    assert!(
        close(fitted.bias, shipped.bias)
            && fitted
                .weights
                .iter()
                .zip(shipped.weights.iter())
                .all(|(a, b)| close(*a, *b)),
        "`ticketlens eval duplicates --fit` gives {}; update Logistic::shipped",
        serde_json::to_string(&fitted).unwrap()
    );
}

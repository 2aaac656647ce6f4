//! A backtest's result: how the analysis would have done on a repository's past fixed
//! tickets, each replayed as of its own time (`ticketlens eval self`), as stored and shown.

use super::Accuracy;
use serde::Serialize;

/// One repository's latest backtest: the shares over the tickets measured, how many linked
/// tickets the sample held, when it ran and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Backtest {
    #[serde(flatten)]
    pub accuracy: Accuracy,
    /// Linked past tickets replayed (at most the configured bound); `tickets` of them were
    /// measured (the others had no fix file that existed before the fix, or no parent).
    pub sample: i64,
    /// When it ran, in milliseconds since the Unix epoch.
    pub ran_at: i64,
    /// How long the replay took, in milliseconds.
    pub took_ms: i64,
}

impl Backtest {
    /// "Backtest on 200 past fixed tickets (replayed as of each ticket's time, run
    /// 2026-12-07): the first module named was right 71% of the time, …"; `None` when no
    /// ticket was measured.
    pub fn sentence(&self, date: &str) -> Option<String> {
        let a = &self.accuracy;
        let pct = |s: Option<f64>| format!("{:.0}%", s.unwrap_or(0.0) * 100.0);
        (a.tickets > 0).then(|| {
            format!(
                "Backtest on {} past fixed {} (replayed as of each ticket's time, run {date}): \
                 the first module named was right {} of the time, one of the modules shown {}, \
                 one of the files shown {}",
                a.tickets,
                if a.tickets == 1 { "ticket" } else { "tickets" },
                pct(a.first_module_right),
                pct(a.any_module_right),
                pct(a.any_file_right),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_says_it_is_a_backtest_and_when_it_ran() {
        let b = Backtest {
            accuracy: Accuracy::of(4, 3, 4, 1),
            sample: 5,
            ran_at: 0,
            took_ms: 10,
        };
        assert_eq!(
            b.sentence("2026-12-07").unwrap(),
            "Backtest on 4 past fixed tickets (replayed as of each ticket's time, run \
             2026-12-07): the first module named was right 75% of the time, one of the \
             modules shown 100%, one of the files shown 25%"
        );
        let none = Backtest {
            accuracy: Accuracy::of(0, 0, 0, 0),
            ..b
        };
        assert_eq!(none.sentence("2026-12-07"), None);
    }
}

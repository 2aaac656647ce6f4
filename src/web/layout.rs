//! The page shell (header, navigation, sign-out) and the small formatters every page uses.

use maud::{html, Markup, DOCTYPE};

/// What the shell needs to know about the request.
pub struct Shell<'a> {
    pub title: &'a str,
    /// The CSRF value for the sign-out form.
    pub csrf: &'a str,
    /// Signed in with a session (tokens configured): show "Sign out".
    pub signed_in: bool,
    /// Which navigation entry is current.
    pub current: Nav,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Plan,
    Analyze,
    Other,
}

/// The stylesheet, embedded in the binary and served at `STYLE_PATH`.
pub const STYLE: &str = include_str!("assets/style.css");
/// Versioned so a new release is never styled by a cached old sheet.
pub const STYLE_PATH: &str = concat!("/assets/style.css?v=", env!("CARGO_PKG_VERSION"));

/// A whole page around `main`.
pub fn page(shell: &Shell, main: Markup) -> Markup {
    let here = |n: Nav| (shell.current == n).then_some("page");
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (shell.title) " · TicketLens" }
                link rel="stylesheet" href=(STYLE_PATH);
            }
            body {
                a class="skip" href="#main" { "Skip to content" }
                header class="top" {
                    a class="brand" href="/" { "TicketLens" }
                    nav aria-label="Main" {
                        ul {
                            li { a href="/" aria-current=[here(Nav::Overview)] { "Overview" } }
                            li { a href="/plan" aria-current=[here(Nav::Plan)] { "Plan" } }
                            li { a href="/analyze" aria-current=[here(Nav::Analyze)] { "Analyze a ticket" } }
                        }
                    }
                    @if shell.signed_in {
                        form method="post" action="/signout" class="signout" {
                            input type="hidden" name="csrf" value=(shell.csrf);
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main id="main" tabindex="-1" { (main) }
                footer { "TicketLens: advisory context from your code and its history." }
            }
        }
    }
}

/// A fragility level as a labelled badge (the word is always written, not only coloured).
pub fn level_badge(level: &str, score: Option<f64>) -> Markup {
    let class = match level {
        "high" => "badge high",
        "medium" => "badge medium",
        _ => "badge low",
    };
    html! {
        span class=(class) {
            (level)
            @if let Some(s) = score { " · " (format!("{s:.0}")) }
        }
    }
}

/// A date like `2026-11-30` from epoch milliseconds; `—` for none.
pub fn date(ms: Option<i64>) -> String {
    let Some(ms) = ms.filter(|m| *m > 0) else {
        return "—".into();
    };
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
        .unwrap_or_else(|_| "—".into())
}

/// How long ago, in plain words: `today`, `3 days ago`, `5 months ago`, `2 years ago`.
pub fn ago(ms: Option<i64>, now_ms: i64) -> String {
    let Some(ms) = ms.filter(|m| *m > 0) else {
        return "never".into();
    };
    let days = (now_ms - ms).max(0) / 86_400_000;
    match days {
        0 => "today".into(),
        1 => "yesterday".into(),
        2..=60 => format!("{days} days ago"),
        61..=729 => format!("{} months ago", days / 30),
        _ => format!("{} years ago", days / 365),
    }
}

/// A share 0–1 as a whole percentage.
pub fn pct(share: f64) -> String {
    format!("{:.0}%", (share * 100.0).clamp(0.0, 100.0))
}

/// `1 fix`, `3 fixes`: a count with its noun.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A JSON number as text, `—` when absent.
pub fn num(v: &serde_json::Value) -> String {
    if v.is_number() {
        v.to_string()
    } else {
        "—".into()
    }
}

/// A plain message block (empty states, errors).
pub fn notice(kind: &str, text: &str) -> Markup {
    html! { p class={ "notice " (kind) } role=[(kind == "error").then_some("alert")] { (text) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ages_read_as_words() {
        let now = 1_794_700_800_000; // 2026-11-15
        assert_eq!(date(Some(now)), "2026-11-15");
        assert_eq!(date(None), "—");
        assert_eq!(ago(Some(now - 3 * 86_400_000), now), "3 days ago");
        assert_eq!(ago(Some(now - 400 * 86_400_000), now), "13 months ago");
        assert_eq!(ago(Some(now - 800 * 86_400_000), now), "2 years ago");
        assert_eq!(ago(None, now), "never");
        assert_eq!(pct(0.456), "46%");
        assert_eq!(count(1, "fix", "fixes"), "1 fix");
        assert_eq!(count(0, "fix", "fixes"), "0 fixes");
    }
}

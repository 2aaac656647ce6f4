//! Past tickets from an export file: this project's dataset JSON Lines, a Jira CSV export,
//! or a Bugzilla CSV export (`buglist.cgi?ctype=csv`). Read whole once (bounded), then
//! handed out in pages like a tracker's API, so the back-fill's cursor (the next record's
//! index) makes an interrupted import resume.
//!
//! Columns read — JSON Lines: `id` and `title` (required), `key`, `body`, `project`,
//! `reported_at` or `created_at`, `status`, `priority`, `issue_type`. Jira CSV: `Issue key`
//! and `Summary` (required), `Issue id`, `Description`, `Project key`, `Issue Type`,
//! `Status`, `Priority`, `Reporter`, `Created`, `Updated`, every `Labels` and `Component/s`
//! column. Bugzilla CSV: `bug_id` and `short_desc` (required), `product`, `component`,
//! `bug_status`, `resolution`, `priority`, `reporter`, `opendate`, `changeddate` (its CSV
//! has no description: such tickets are matched on their titles).

use crate::domain::{EventKind, TicketEvent, TicketKey, Tracker, Visibility};
use crate::trackers::page::{FetchedPage, FetchedTicket};
use anyhow::{bail, Context};
use std::path::Path;

/// Largest file read: an export of a few hundred thousand tickets.
const MAX_FILE_BYTES: u64 = 1 << 30;
/// Characters of a description kept.
const MAX_BODY_CHARS: usize = 100_000;

/// The file's format, as `--format` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    Jsonl,
    Csv,
}

/// Where the imported tickets go: their tracker, and the project that keys them when the
/// file gives only numbers (`BZ` makes Bugzilla's 55970 `BZ-55970`).
#[derive(Debug, Clone)]
pub struct Target {
    pub tracker: Tracker,
    pub project: Option<String>,
}

/// A file's tickets, read once.
#[derive(Debug, Clone)]
pub struct FileTickets {
    pub tickets: Vec<TicketEvent>,
}

impl FileTickets {
    /// Reads and parses the whole file.
    pub fn read(path: &Path, format: FileFormat, target: &Target) -> anyhow::Result<Self> {
        let size = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .len();
        if size > MAX_FILE_BYTES {
            bail!("{} is over {MAX_FILE_BYTES} bytes", path.display());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
        let tickets = match format {
            FileFormat::Jsonl => jsonl(&text, target)?,
            FileFormat::Csv => csv_tickets(&text, target)?,
        };
        Ok(FileTickets { tickets })
    }

    /// The page starting at record `cursor` (an index), of `size` tickets.
    pub fn page(&self, cursor: Option<&str>, size: u32) -> anyhow::Result<FetchedPage> {
        let start: usize = cursor
            .map_or(Ok(0), str::parse)
            .context("bad file cursor")?;
        let end = (start + size as usize).min(self.tickets.len());
        let tickets = self.tickets[start.min(end)..end]
            .iter()
            .map(|event| FetchedTicket {
                event: event.clone(),
                duplicate_links: Vec::new(),
            })
            .collect();
        Ok(FetchedPage {
            tickets,
            next: (end < self.tickets.len()).then(|| end.to_string()),
            total: Some(self.tickets.len() as u64),
        })
    }
}

/// The fields a ticket is made of, whatever the file.
#[derive(Debug, Default)]
struct Fields {
    id: Option<String>,
    key: String,
    title: String,
    body: String,
    project: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    issue_type: Option<String>,
    reporter: Option<String>,
    created: Option<String>,
    updated: Option<String>,
    labels: Vec<String>,
    components: Vec<String>,
}

fn event(f: Fields, target: &Target) -> anyhow::Result<TicketEvent> {
    let key = TicketKey::parse(&f.key).map_err(|e| anyhow::anyhow!("key `{}`: {e}", f.key))?;
    let project = f
        .project
        .or_else(|| f.key.rsplit_once('-').map(|(p, _)| p.to_string()));
    // an export's priority word is the only planning field read; what the store has of
    // the others (from a webhook) is kept
    let plan = crate::domain::Planning {
        priority: f
            .priority
            .as_deref()
            .and_then(crate::domain::Priority::from_word),
        unknown: crate::domain::Unknown {
            sprint: true,
            release: true,
            estimate: true,
        },
        ..Default::default()
    };
    Ok(TicketEvent {
        plan,
        tracker: target.tracker,
        kind: EventKind::Created,
        id: f.id.unwrap_or_else(|| f.key.clone()),
        key,
        title: crate::domain::one_line(&f.title).into_owned(),
        body: f.body.chars().take(MAX_BODY_CHARS).collect(),
        labels: f.labels,
        components: f.components,
        project,
        visibility: match target.tracker {
            Tracker::Jira | Tracker::Linear => Visibility::Internal,
            Tracker::Github | Tracker::Gitlab => Visibility::Private,
        },
        status: f.status,
        issue_type: f.issue_type,
        priority: f.priority,
        reporter: f.reporter,
        url: None,
        created_at: f.created.as_deref().and_then(rfc3339),
        updated_at: f.updated.as_deref().and_then(rfc3339),
        actor: None,
        changed_fields: Vec::new(),
    })
}

/// `PROJECT-123` from a record's id (`aspectj-423257`, `55970`): its trailing number under
/// `project`; the id itself when it ends in no number.
fn keyed(id: &str, project: &str) -> String {
    let digits: String = id
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if digits.is_empty() || project.is_empty() {
        id.to_string()
    } else {
        format!("{}-{digits}", project.to_uppercase())
    }
}

fn jsonl(text: &str, target: &Target) -> anyhow::Result<Vec<TicketEvent>> {
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("line {}: not JSON", i + 1))?;
        let s = |k: &str| v[k].as_str().map(str::to_string).filter(|s| !s.is_empty());
        let (Some(id), Some(title)) = (s("id"), s("title")) else {
            bail!("line {}: `id` and `title` are required", i + 1);
        };
        let project = target
            .project
            .clone()
            .or_else(|| s("project"))
            .unwrap_or_default();
        let key = s("key").unwrap_or_else(|| keyed(&id, &project));
        let f = Fields {
            id: Some(key.clone()),
            project: Some(key.rsplit_once('-').map_or(project, |(p, _)| p.to_string())),
            key,
            title,
            body: s("body").unwrap_or_default(),
            status: s("status"),
            priority: s("priority"),
            issue_type: s("issue_type"),
            created: s("reported_at").or_else(|| s("created_at")),
            ..Fields::default()
        };
        out.push(event(f, target).with_context(|| format!("line {}", i + 1))?);
    }
    Ok(out)
}

fn csv_tickets(text: &str, target: &Target) -> anyhow::Result<Vec<TicketEvent>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let jira = col("Issue key").is_some();
    if !jira && col("bug_id").is_none() {
        bail!("a CSV export needs a header with `Issue key` (Jira) or `bug_id` (Bugzilla)");
    }
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("record {}", i + 1))?;
        let get = |name: &str| {
            col(name)
                .and_then(|c| row.get(c))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let all = |name: &str| -> Vec<String> {
            headers
                .iter()
                .zip(row.iter())
                .filter(|(h, v)| h.eq_ignore_ascii_case(name) && !v.trim().is_empty())
                .map(|(_, v)| v.trim().to_string())
                .collect()
        };
        let f = if jira {
            jira_row(&get, &all)
        } else {
            bugzilla_row(&get, target)
        };
        let f = f.with_context(|| format!("record {}", i + 1))?;
        out.push(event(f, target).with_context(|| format!("record {}", i + 1))?);
    }
    Ok(out)
}

type Get<'a> = dyn Fn(&str) -> Option<String> + 'a;

fn jira_row(get: &Get<'_>, all: &dyn Fn(&str) -> Vec<String>) -> anyhow::Result<Fields> {
    let (Some(key), Some(title)) = (get("Issue key"), get("Summary")) else {
        bail!("`Issue key` and `Summary` are required");
    };
    Ok(Fields {
        id: get("Issue id"),
        key,
        title,
        body: get("Description").unwrap_or_default(),
        project: get("Project key"),
        status: get("Status"),
        priority: get("Priority"),
        issue_type: get("Issue Type"),
        reporter: get("Reporter"),
        created: get("Created"),
        updated: get("Updated"),
        labels: all("Labels"),
        components: all("Component/s"),
    })
}

fn bugzilla_row(get: &Get<'_>, target: &Target) -> anyhow::Result<Fields> {
    let (Some(id), Some(title)) = (get("bug_id"), get("short_desc")) else {
        bail!("`bug_id` and `short_desc` are required");
    };
    let project = target.project.clone().unwrap_or_else(|| "BZ".to_string());
    let key = keyed(&id, &project);
    Ok(Fields {
        id: Some(key.clone()),
        key,
        title,
        project: Some(project.to_uppercase()),
        status: get("resolution").or_else(|| get("bug_status")),
        priority: get("priority"),
        reporter: get("reporter"),
        created: get("opendate"),
        updated: get("changeddate"),
        components: get("component").into_iter().collect(),
        labels: get("product").into_iter().collect(),
        ..Fields::default()
    })
}

/// A date as RFC 3339 in UTC: RFC 3339 itself, ISO without a zone (`2013-12-04T19:43:22`,
/// `2013-12-04 19:43`, `2013-12-04`, taken as UTC), or Jira's `04/Dec/13 7:43 PM`.
fn rfc3339(s: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    use time::{Date, PrimitiveDateTime};
    let s = s.trim();
    let utc = |t: PrimitiveDateTime| t.assume_utc().format(&Rfc3339).ok();
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok();
    }
    let naive = s.replace(' ', "T");
    for f in [
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    ] {
        if let Ok(t) = PrimitiveDateTime::parse(&naive, f) {
            return utc(t);
        }
    }
    if let Ok(d) = Date::parse(s, format_description!("[year]-[month]-[day]")) {
        return utc(d.midnight());
    }
    // Jira's two-digit year, read as this century's
    let (date, time_of_day) = s.split_once(' ')?;
    let mut parts = date.split('/');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if year.len() != 2 || parts.next().is_some() {
        return None;
    }
    let full = format!("{day}/{month}/20{year} {time_of_day}");
    let jira = format_description!(
        "[day padding:none]/[month repr:short]/[year] [hour repr:12 padding:none]:[minute] [period]"
    );
    utc(PrimitiveDateTime::parse(&full, jira).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(project: Option<&str>) -> Target {
        Target {
            tracker: Tracker::Jira,
            project: project.map(str::to_string),
        }
    }

    #[test]
    fn dataset_records_are_keyed_under_the_project() {
        let text = "{\"id\": \"aspectj-423257\", \"project\": \"aspectj\", \"title\": \"LTW  VerifyError\", \"body\": \"b\", \"reported_at\": \"2013-12-04T19:43:22\"}\n\n";
        let t = jsonl(text, &to(Some("bz"))).unwrap();
        assert_eq!(t[0].key.as_str(), "BZ-423257");
        assert_eq!(t[0].project.as_deref(), Some("BZ"));
        assert_eq!(t[0].title, "LTW VerifyError");
        assert_eq!(t[0].created_at.as_deref(), Some("2013-12-04T19:43:22Z"));
        assert_eq!(
            jsonl(text, &to(None)).unwrap()[0].key.as_str(),
            "ASPECTJ-423257"
        );
        assert!(jsonl("{\"id\": \"x-1\"}", &to(None))
            .unwrap_err()
            .to_string()
            .contains("line 1"));
    }

    #[test]
    fn a_jira_export_keeps_its_keys_and_repeated_columns() {
        let text =
            "Summary,Issue key,Issue id,Issue Type,Status,Created,Labels,Labels,Description\n\
                    Login loops,TOM-7,10007,Bug,Open,04/Dec/13 7:43 PM,auth,ui,\"Two\nlines\"\n";
        let t = csv_tickets(text, &to(Some("IGNORED"))).unwrap();
        assert_eq!((t[0].key.as_str(), t[0].id.as_str()), ("TOM-7", "10007"));
        assert_eq!(t[0].labels, ["auth", "ui"]);
        assert_eq!(t[0].body, "Two\nlines");
        assert_eq!(t[0].project.as_deref(), Some("TOM"));
        assert_eq!(t[0].created_at.as_deref(), Some("2013-12-04T19:43:00Z"));
    }

    #[test]
    fn a_bugzilla_export_becomes_keys_under_the_project() {
        let text = "bug_id,product,component,bug_status,resolution,short_desc,opendate\n\
                    55970,Tomcat 7,Catalina,RESOLVED,FIXED,Host config ignored,2013-01-08 10:00:00\n";
        let t = csv_tickets(text, &to(None)).unwrap();
        assert_eq!(t[0].key.as_str(), "BZ-55970");
        assert_eq!(t[0].title, "Host config ignored");
        assert_eq!(t[0].components, ["Catalina"]);
        assert!(csv_tickets("a,b\n1,2\n", &to(None))
            .unwrap_err()
            .to_string()
            .contains("bug_id"));
    }

    #[test]
    fn pages_hand_out_every_record_once_and_end() {
        let text = (1..=5)
            .map(|i| format!("{{\"id\": \"p-{i}\", \"title\": \"t{i}\"}}\n"))
            .collect::<String>();
        let f = FileTickets {
            tickets: jsonl(&text, &to(None)).unwrap(),
        };
        let a = f.page(None, 2).unwrap();
        assert_eq!((a.tickets.len(), a.next.as_deref()), (2, Some("2")));
        let c = f.page(Some("4"), 2).unwrap();
        assert_eq!((c.tickets.len(), c.next), (1, None));
        assert_eq!(
            c.tickets[0].event.key.as_str(),
            "p-5",
            "no project: the id as it is"
        );
    }
}

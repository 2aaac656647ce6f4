//! Finding our comment on a forge issue again after a create whose answer was lost: read the
//! issue's comments (GitHub) or notes (GitLab) page by page, oldest first, for the one whose
//! hidden marker holds our planned id. Shared by both forges' comment sinks.

use super::client::{Auth, TrackerClient};
use super::forge::{has_marker, id_text, MAX_LOOKUP_PAGES};
use crate::trackers::sink::{Failure, SinkError};
use reqwest::header::HeaderMap;

/// The id of the comment carrying `planned_id`'s marker, reading from `first` and following
/// `next` (the next page's URL from a page's headers) for at most `MAX_LOOKUP_PAGES` pages;
/// `None` when every page was read without it. More pages than that is an error: creating
/// without having looked could make a second comment. `what` names the items ("notes").
pub async fn find_marked(
    client: &TrackerClient,
    auth: &Auth,
    first: String,
    planned_id: &str,
    next: impl Fn(&HeaderMap) -> Option<String>,
    what: &str,
) -> Result<Option<String>, SinkError> {
    let mut url = first;
    for _ in 0..MAX_LOOKUP_PAGES {
        let (page, headers) = client
            .get_json_with_headers(&url, auth)
            .await
            .map_err(SinkError::from)?;
        let found = page.as_array().and_then(|items| {
            items.iter().find(|c| {
                c["body"]
                    .as_str()
                    .is_some_and(|b| has_marker(b, planned_id))
            })
        });
        if let Some(c) = found {
            return Ok(id_text(&c["id"]));
        }
        match next(&headers) {
            Some(n) => url = n,
            None => return Ok(None),
        }
    }
    Err(SinkError::new(
        Failure::Permanent,
        format!("more than {MAX_LOOKUP_PAGES} pages of {what} to look through"),
    ))
}

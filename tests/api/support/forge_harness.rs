//! One forge under test (GitHub or GitLab) with its fake: settings, webhook events made from
//! the fixtures, and the "exactly one comment, ours, current" check the one-comment tests
//! share.

use crate::fakes::AfterStore;
use crate::fakes_github::{FakeGithub, ForgeComment};
use crate::fakes_gitlab::FakeGitlab;
use crate::forges::{fixture, GH_OPENED, GL_OPENED};
use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;
use ticketlens::config::{Secret, Settings};
use ticketlens::store::JobState;
use wiremock::MockServer;

/// One forge under test, its fake, and the ticket the events are about.
#[derive(Clone)]
pub enum Forge {
    Github(FakeGithub),
    Gitlab(FakeGitlab),
}

impl Forge {
    pub async fn start(tracker: &str, server: &MockServer) -> Forge {
        match tracker {
            "github" => Forge::Github(FakeGithub::mount(server).await),
            _ => Forge::Gitlab(FakeGitlab::mount(server).await),
        }
    }

    pub fn tracker(&self) -> &'static str {
        match self {
            Forge::Github(_) => "github",
            Forge::Gitlab(_) => "gitlab",
        }
    }

    /// (ticket id, key) of the fixture the events are made from.
    pub fn ticket(&self) -> (&'static str, &'static str) {
        match self {
            Forge::Github(_) => ("3848333070", "DhruvShetty22/zulip-test#33"),
            Forge::Gitlab(_) => ("14226169", "adambirds/zulip-gitlab-test#2"),
        }
    }

    pub fn settings(&self, uri: String) -> impl FnOnce(&mut Settings) {
        let tracker = self.tracker();
        move |s: &mut Settings| {
            match tracker {
                "github" => {
                    s.github.api_url = uri;
                    s.github.token = Some(Secret::new("ghs_test_token"));
                }
                _ => {
                    s.gitlab.base_url = uri;
                    s.gitlab.token = Some(Secret::new("glpat-test-token"));
                }
            }
            s.comments.http_timeout_secs = 1;
            s.comments.http_backoff_ms = 20;
            s.queue.backoff_base_ms = 50;
            s.queue.backoff_cap_ms = 400;
            s.queue.workers = 4;
            // the long form names related tickets too, so an edit that resembles another
            // issue changes the comment whatever the duplicate's tier (the brief form names
            // likely duplicates only); these tests are about the comment's life, not its form
            s.comments.detail = ticketlens::render::Detail::Full;
        }
    }

    pub fn comments(&self) -> Vec<ForgeComment> {
        let key = self.ticket().1;
        match self {
            Forge::Github(f) => f.comments_on(key),
            Forge::Gitlab(f) => f.notes_on(key),
        }
    }

    pub fn posts(&self) -> usize {
        match self {
            Forge::Github(f) => f.posts(),
            Forge::Gitlab(f) => f.posts(),
        }
    }

    pub fn violations(&self) -> Vec<String> {
        match self {
            Forge::Github(f) => f.violations(),
            Forge::Gitlab(f) => f.violations(),
        }
    }

    /// People's comments on the ticket before ours: more than one page of them.
    pub fn add_human_comments(&self, n: u64) {
        let issue = self.ticket().1.to_string();
        let human = |i: u64| ForgeComment {
            id: 10 + i,
            issue: issue.clone(),
            body: format!("+1 from person {i}"),
        };
        match self {
            Forge::Github(f) => f.state.lock().unwrap().comments.extend((0..n).map(human)),
            Forge::Gitlab(f) => f.state.lock().unwrap().notes.extend((0..n).map(human)),
        }
    }

    /// A person deletes every comment of ours.
    pub fn delete_ours(&self) {
        let ours = |c: &ForgeComment| c.body.contains("<!-- ticketlens:");
        match self {
            Forge::Github(f) => f.state.lock().unwrap().comments.retain(|c| !ours(c)),
            Forge::Gitlab(f) => f.state.lock().unwrap().notes.retain(|c| !ours(c)),
        }
    }

    pub fn fail_next_create(&self, fault: AfterStore) {
        match self {
            Forge::Github(f) => f.state.lock().unwrap().create_faults.push(fault),
            Forge::Gitlab(f) => f.state.lock().unwrap().create_faults.push(fault),
        }
    }

    /// The event body: created, or an edit of the title at `ms` past a fixed instant.
    pub fn event(&self, kind: &str, title: &str, ms: u64) -> Vec<u8> {
        let at = format!("2026-12-01T10:00:{:02}.{:03}Z", ms / 1000, ms % 1000);
        match self {
            Forge::Github(_) => {
                let mut v: Value = serde_json::from_slice(&fixture("github", GH_OPENED)).unwrap();
                if kind == "updated" {
                    v["action"] = json!("edited");
                    v["changes"] = json!({"title": {"from": "before"}});
                }
                v["issue"]["title"] = json!(title);
                v["issue"]["updated_at"] = json!(at);
                serde_json::to_vec(&v).unwrap()
            }
            Forge::Gitlab(_) => {
                let mut v: Value = serde_json::from_slice(&fixture("gitlab", GL_OPENED)).unwrap();
                if kind == "updated" {
                    v["object_attributes"]["action"] = json!("update");
                    v["changes"] = json!({"title": {"previous": "before", "current": title}});
                }
                v["object_attributes"]["title"] = json!(title);
                v["object_attributes"]["updated_at"] = json!(at);
                serde_json::to_vec(&v).unwrap()
            }
        }
    }

    /// Another issue of the same repository or project, with this title and body.
    pub fn other(&self, n: u64, title: &str) -> Vec<u8> {
        let mut v: Value = serde_json::from_slice(&self.event("created", title, 0)).unwrap();
        match self {
            Forge::Github(_) => {
                v["issue"]["number"] = json!(n);
                v["issue"]["id"] = json!(5000 + n);
                v["issue"]["body"] = json!(title);
            }
            Forge::Gitlab(_) => {
                v["object_attributes"]["iid"] = json!(n);
                v["object_attributes"]["id"] = json!(5000 + n);
                v["object_attributes"]["description"] = json!(title);
            }
        }
        serde_json::to_vec(&v).unwrap()
    }

    pub fn headers(&self, body: &[u8], delivery: &str) -> Vec<(String, String)> {
        match self {
            Forge::Github(_) => github_headers(body, delivery, "issues"),
            Forge::Gitlab(_) => gitlab_headers(delivery, "Issue Hook"),
        }
    }

    pub async fn post(&self, app: &TestApp, body: Vec<u8>, delivery: &str) -> Value {
        let r = app
            .post_webhook(self.tracker(), body.clone(), &self.headers(&body, delivery))
            .await;
        assert_eq!(r.status(), 202);
        r.json().await.unwrap()
    }

    /// Waits for the comment to be recorded as sent and the queue to empty, then checks the
    /// one comment the forge holds is the one recorded, with our marker and our latest body.
    pub async fn assert_one_comment(&self, app: &TestApp, what: &str) -> ForgeComment {
        let (id, _) = self.ticket();
        let tracker = self.tracker();
        wait_for(|| async {
            let c = app.store.comment(tracker, id).await.unwrap();
            (c.map(|c| c.state.as_str()) == Some("sent")).then_some(())
        })
        .await;
        settle(&app.store).await;
        // time for any late second create to land
        tokio::time::sleep(Duration::from_millis(300)).await;
        let ours: Vec<ForgeComment> = self
            .comments()
            .into_iter()
            .filter(|c| !c.body.starts_with("+1 from person"))
            .collect();
        assert_eq!(
            ours.len(),
            1,
            "{tracker}, {what}: exactly one comment: {ours:?}"
        );
        let record = app.store.comment(tracker, id).await.unwrap().unwrap();
        assert_eq!(
            record.comment_id,
            Some(ours[0].id.to_string()),
            "{tracker}, {what}"
        );
        assert!(
            ours[0].body.starts_with(record.body.trim_end()),
            "{tracker}, {what}: the latest body"
        );
        assert!(
            ours[0].body.contains("<!-- ticketlens:"),
            "{tracker}, {what}: marked"
        );
        assert!(
            self.violations().is_empty(),
            "{tracker}, {what}: {:?}",
            self.violations()
        );
        assert_eq!(
            jobs_in(&app.store, JobState::Dead).await,
            0,
            "{tracker}, {what}"
        );
        ours[0].clone()
    }
}

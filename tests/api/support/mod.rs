//! What the tests stand on, apart from the tests themselves: `helpers` (databases on both
//! backends, the app on port 0 with one method per endpoint, polling, signatures), the
//! trackers' fakes checked against their published API descriptions (`fakes*`, `octokit`,
//! `forge_harness`), and the headless Chromium the page tests drive (`browser`).

pub mod browser;
pub mod fakes;
pub mod fakes_github;
pub mod fakes_gitlab;
pub mod forge_harness;
pub mod helpers;
pub mod octokit;

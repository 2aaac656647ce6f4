//! What the tests stand on, apart from the tests themselves: `helpers` (databases on both
//! backends, the app on port 0 with one method per endpoint, polling, signatures), the
//! trackers' fakes checked against their published API descriptions (`fakes*`, `octokit`,
//! `forge_harness`), the headless Chromium the page tests drive (`browser`), and the little SQL tests need
//! beneath the store's API (`db`).

pub mod browser;
pub mod db;
pub mod fakes;
pub mod fakes_github;
pub mod fakes_gitlab;
pub mod forge_harness;
pub mod helpers;
pub mod octokit;

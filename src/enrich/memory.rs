//! The top modules of the tickets this process analysed, so a later ticket's duplicates are
//! explained without locating their text again.

use crate::domain::{ModuleHit, Tracker};
use std::collections::HashMap;

/// The top modules of recently analysed tickets, by ticket (bounded; starts over when full).
#[derive(Default)]
pub struct ModuleMemory(std::sync::Mutex<HashMap<(Tracker, String), Vec<ModuleHit>>>);

/// Tickets `ModuleMemory` keeps.
const MODULE_MEMORY: usize = 50_000;

impl ModuleMemory {
    pub fn remember(&self, tracker: Tracker, id: &str, modules: &[ModuleHit]) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= MODULE_MEMORY {
                m.clear();
            }
            m.insert(
                (tracker, id.to_string()),
                modules.iter().take(3).cloned().collect(),
            );
        }
    }

    pub fn get(&self, tracker: Tracker, id: &str) -> Option<Vec<ModuleHit>> {
        self.0.lock().ok()?.get(&(tracker, id.to_string())).cloned()
    }
}

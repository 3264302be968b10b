//! Tasks run by other Ferry processes, seen live.
//!
//! Events are broadcast within a process; a task that the CLI (or a second app) runs changes only in
//! the shared store. The desktop app therefore watches the store: once a second it compares every
//! task's status and update time with what it saw last, and for a task this process does not run it
//! emits the same [`ConsoleEvent`]s as a local runner would — `TaskChanged` on a change, and
//! `Progress` from each new progress snapshot of a running task. It also notices runners that died
//! elsewhere, and marks their tasks interrupted (resumable).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::{Console, ConsoleEvent};
use crate::model::TaskStatus;
use crate::store::TaskFilter;

/// How often the store is looked at.
const EVERY: Duration = Duration::from_secs(1);
/// Every this many looks, tasks whose runner died are recovered.
const RECOVER_EVERY: u32 = 3;

impl Console {
    /// Watches the store for changes made by other processes until the future is dropped.
    pub async fn watch_other_processes(self: Arc<Self>) {
        let mut seen: HashMap<i64, (TaskStatus, i64)> = HashMap::new();
        let mut snapshots: HashMap<i64, i64> = HashMap::new();
        let mut first = true;
        let mut rounds = 0u32;
        loop {
            // A runner elsewhere that died (killed, crashed, stalled) leaves its task marked
            // interrupted, and the source's parameters put back, within a few seconds.
            rounds += 1;
            if rounds % RECOVER_EVERY == 0 {
                self.recover().await;
            }
            if let Ok(tasks) = self.store.tasks(&TaskFilter::default()) {
                for task in tasks {
                    let now = (task.status, task.updated_at_ms);
                    let changed = seen.insert(task.id, now) != Some(now);
                    if self.runs_here(task.id) {
                        continue;
                    }
                    // The first look only learns what is there: the UI loads the list itself.
                    if changed && !first {
                        self.emit(ConsoleEvent::TaskChanged { task: task.clone() });
                    }
                    if matches!(
                        task.status,
                        TaskStatus::FullSync | TaskStatus::IncrementalSync | TaskStatus::CuttingOver
                    ) {
                        if let Ok(Some((at_ms, progress))) =
                            self.store.snapshots(task.id, 1).map(|s| s.into_iter().last())
                        {
                            if snapshots.insert(task.id, at_ms) != Some(at_ms) && !first {
                                self.emit(ConsoleEvent::Progress { task_id: task.id, progress });
                            }
                        }
                    }
                }
            }
            first = false;
            tokio::time::sleep(EVERY).await;
        }
    }
}

//! Console events, forwarded to the window as typed tauri-specta events.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ferry::checks::{CheckItem, ScanProgress};
use ferry::console::ConsoleEvent;
use ferry::console::StandbyEvent;
use ferry::ha::events::Event as HaEvent;
use ferry::model::Task;
use ferry::pipeline::Progress;
use ferry::verify::VerifyProgress;
use serde::Serialize;
use tauri::{AppHandle, Runtime};
use tauri_specta::Event;
use tokio::sync::broadcast::{self, error::RecvError};

/// A task changed status (or was created): lists refresh on it.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct TaskChangedEvent {
    pub task: Task,
}

/// A running task's progress; at most [`PROGRESS_PER_SEC`] per task per second reach the window.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct TaskProgressEvent {
    pub task_id: i64,
    pub progress: Progress,
}

/// A pre-check item finished (`task_id` is `null` for a check before the task exists); `total` is
/// how many items the check reports in all, for a progress bar.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct CheckItemEvent {
    pub task_id: Option<i64>,
    pub item: CheckItem,
    pub total: u32,
}

/// How far a task's verify is (at most [`PROGRESS_PER_SEC`] a second, and always its last step).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct VerifyProgressEvent {
    pub task_id: i64,
    pub progress: VerifyProgress,
}

/// The pre-check's big-key scan moved on (`task_id` is `null` for a check before the task exists);
/// at most [`PROGRESS_PER_SEC`] a second reach the window.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct CheckScanEvent {
    pub task_id: Option<i64>,
    pub progress: ScanProgress,
}

/// The window was asked to close while this app runs migration tasks or hot-standby pairs: the UI
/// asks the user (and calls `quit` to go on).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct QuitRequestedEvent {
    /// How many migration tasks this app runs (they pause, resumable).
    pub tasks: u32,
    /// How many pairs this app runs (their proxies stop).
    pub pairs: u32,
}

/// The most progress events per task per second sent to the window.
pub const PROGRESS_PER_SEC: u32 = 10;

/// Drops progress events that follow the previous one of the same task too closely.
#[derive(Debug, Default)]
pub struct Throttle {
    last: HashMap<i64, Instant>,
}

impl Throttle {
    /// Whether a progress event of `task_id` at `now` may go out.
    pub fn allow(&mut self, task_id: i64, now: Instant) -> bool {
        let gap = Duration::from_secs(1) / PROGRESS_PER_SEC;
        match self.last.get(&task_id) {
            Some(prev) if now.duration_since(*prev) < gap => false,
            _ => {
                self.last.insert(task_id, now);
                true
            }
        }
    }
}

/// Forwards console events to the window until the console's channel closes.
pub async fn forward<R: Runtime>(app: AppHandle<R>, mut rx: broadcast::Receiver<ConsoleEvent>) {
    let mut throttle = Throttle::default();
    loop {
        let event = match rx.recv().await {
            Ok(event) => event,
            // The window missed some events: the next ones (and a list refresh) catch it up.
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        let sent = match event {
            ConsoleEvent::TaskChanged { task } => TaskChangedEvent { task }.emit(&app),
            ConsoleEvent::Progress { task_id, progress } => {
                if !throttle.allow(task_id, Instant::now()) {
                    continue;
                }
                TaskProgressEvent { task_id, progress }.emit(&app)
            }
            ConsoleEvent::CheckItem { task_id, item, total } => CheckItemEvent { task_id, item, total }.emit(&app),
            ConsoleEvent::CheckScan { task_id, progress } => {
                // A check before its task exists is throttled as "task 0"; the scan's first step
                // (0 keys) and its last word always go out, so the window shows at once what runs
                // and, however fast it was, what it measured.
                let edge = progress.looked_at == 0 || progress.done;
                if !edge && !throttle.allow(task_id.unwrap_or(0), Instant::now()) {
                    continue;
                }
                CheckScanEvent { task_id, progress }.emit(&app)
            }
        };
        if let Err(e) = sent {
            eprintln!("ferry-desktop: could not send an event to the window: {e}");
        }
    }
}

/// A step of a hot-standby pair (heartbeat, failover, fencing, switchover) for its live timeline.
/// These are rare (a few per failover), so each one is forwarded.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub struct StandbyTimelineEvent {
    pub standby_id: i64,
    pub event: HaEvent,
}

/// Forwards hot-standby events to the window until the console's channel closes.
pub async fn forward_standbys<R: Runtime>(app: AppHandle<R>, mut rx: broadcast::Receiver<StandbyEvent>) {
    loop {
        let StandbyEvent { standby_id, event } = match rx.recv().await {
            Ok(event) => event,
            // The screen reloads a pair's history when it opens; a gap is caught up then.
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        if let Err(e) = (StandbyTimelineEvent { standby_id, event }).emit(&app) {
            eprintln!("ferry-desktop: could not send a hot-standby event to the window: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_allows_ten_per_second_per_task() {
        let mut t = Throttle::default();
        let start = Instant::now();
        let allowed = (0..100).filter(|i| t.allow(1, start + Duration::from_millis(i * 10))).count();
        assert_eq!(allowed, 10);
        // Another task has its own budget.
        assert!(t.allow(2, start + Duration::from_millis(5)));
    }
}

//! Permission to write, renewed from outside: a runner holds a task by a lease in the store, and a
//! runner that stalled (a SIGSTOP, a paused VM) or lost its lease to another must not write one
//! more command, or two runners would apply the same stream.
//!
//! The runner renews [`Lease`] after each successful heartbeat, for a window shorter than the time
//! after which another process may take the task over. The target side checks it before every
//! batch: when the window has passed it waits for a renewal, and when the lease is lost it stops.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::text::Text;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A window in which writing is allowed.
#[derive(Debug, Default)]
pub struct Lease {
    valid_until_ms: AtomicI64,
    lost: AtomicBool,
}

/// How long a renewed lease allows writing: well under the store's 10 s after which another
/// process may take a task over.
pub const WRITE_WINDOW: Duration = Duration::from_secs(5);

/// The lease was lost: another runner holds the task now.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.text())]
pub struct LeaseLost;

impl LeaseLost {
    /// The error as a sentence, in whichever language it is shown (`Display` is its English).
    pub fn text(&self) -> Text {
        Text::new(&crate::text::catalog::run_errors::MIGRATE_LEASE_LOST)
    }
}

impl Lease {
    /// A lease valid for [`WRITE_WINDOW`] from now.
    pub fn new() -> Lease {
        let lease = Lease::default();
        lease.renew();
        lease
    }

    /// Writing is allowed for [`WRITE_WINDOW`] from now.
    pub fn renew(&self) {
        self.valid_until_ms.store(now_ms() + WRITE_WINDOW.as_millis() as i64, Ordering::Release);
    }

    /// Another runner has the task: no more writing.
    pub fn lose(&self) {
        self.lost.store(true, Ordering::Release);
    }

    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Acquire)
    }

    /// Returns once writing is allowed (waiting for a renewal if the window has passed), or
    /// [`LeaseLost`].
    pub async fn allowed(&self) -> Result<(), LeaseLost> {
        loop {
            if self.lost.load(Ordering::Acquire) {
                return Err(LeaseLost);
            }
            if now_ms() <= self.valid_until_ms.load(Ordering::Acquire) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

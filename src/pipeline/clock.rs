//! When the source executed a command, told from its replication offset.
//!
//! Before 7.0 a master propagates `EXPIRE k 100` as written: relative to the moment a replica applies
//! it. During a full sync the source holds the commands back until the whole RDB is sent, so a
//! relative TTL applied on arrival is stretched by the length of the sync (seconds to minutes). To
//! give the target the absolute expiry the source has, Ferry needs the time at which the source ran
//! the command, in the source's clock.
//!
//! The source's offset grows by each command's size as it runs. Sampling `master_repl_offset`
//! together with the source's `TIME` every [`PERIOD`] gives a timeline: a command whose stream ends
//! at offset `x` ran after the last sample that saw less than `x` and no later than the first that
//! saw `x` or more. The middle of that window is within half a period of the truth.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client::{info_field, Client, ClientError};
use crate::resp::Frame;

/// How often the source is sampled.
pub const PERIOD: Duration = Duration::from_millis(100);

/// One distinct offset seen: the first and last time (source clock, unix ms) it was seen.
#[derive(Debug, Clone, Copy)]
struct Sample {
    offset: u64,
    first_ms: i64,
    last_ms: i64,
    /// Local instant of the last sighting, to extrapolate the source's clock to now.
    seen: Instant,
}

/// The source's offset over time.
#[derive(Debug, Default, Clone)]
pub struct SourceClock {
    samples: Arc<Mutex<VecDeque<Sample>>>,
}

impl SourceClock {
    /// Records that the source was at `offset` at `time_ms` (its clock).
    pub fn record(&self, offset: u64, time_ms: i64) {
        let Ok(mut samples) = self.samples.lock() else { return };
        let now = Instant::now();
        match samples.back_mut() {
            Some(last) if last.offset == offset => {
                last.last_ms = time_ms;
                last.seen = now;
            }
            // An offset below the last one: the source restarted or failed over; start again.
            Some(last) if last.offset > offset => {
                samples.clear();
                samples.push_back(Sample { offset, first_ms: time_ms, last_ms: time_ms, seen: now });
            }
            _ => samples.push_back(Sample { offset, first_ms: time_ms, last_ms: time_ms, seen: now }),
        }
    }

    /// When the source ran the command whose stream ends at `end_offset` (source clock, unix ms),
    /// or `None` before the first sample. Forgets what lies before it: commands come in order.
    pub fn time_of(&self, end_offset: u64) -> Option<i64> {
        let mut samples = self.samples.lock().ok()?;
        // Keep one sample below the offset asked about: the lower bound of its window.
        while samples.len() > 1 && samples[1].offset < end_offset {
            samples.pop_front();
        }
        let first = *samples.front()?;
        if first.offset >= end_offset {
            // Ran before the first sample saw it, and after nothing we know of.
            return Some(first.first_ms);
        }
        let upper = samples.iter().find(|s| s.offset >= end_offset).map(|s| s.first_ms);
        // Not seen yet by the sampler: it ran at most now, as the source's clock reads now.
        let newest = *samples.back()?;
        let now = newest.last_ms + newest.seen.elapsed().as_millis() as i64;
        let upper = upper.unwrap_or(now);
        Some(first.last_ms + (upper - first.last_ms).max(0) / 2)
    }
}

/// Reads the source's offset and clock in one round trip (the two commands run back to back).
pub async fn sample(client: &mut Client) -> Result<(u64, i64), ClientError> {
    client.send(&["TIME"]);
    client.send(&["INFO", "replication"]);
    client.flush().await?;
    let time = client.read_reply().await?;
    let info = client.read_reply().await?;
    let ms = match &time {
        Frame::Array(parts) if parts.len() == 2 => {
            let secs = parts[0].as_int().unwrap_or(0);
            let micros = parts[1].as_int().unwrap_or(0);
            secs * 1000 + micros / 1000
        }
        _ => 0,
    };
    let text = info.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    let fields: Vec<(String, String)> =
        text.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.to_string(), v.trim().to_string())).collect();
    let offset = info_field(&fields, "master_repl_offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    Ok((offset, ms))
}

/// Samples the source every [`PERIOD`] into `clock` until aborted.
pub fn spawn(mut client: Client, clock: SourceClock) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PERIOD);
        loop {
            tick.tick().await;
            match sample(&mut client).await {
                Ok((offset, ms)) if ms > 0 => clock.record(offset, ms),
                Ok(_) => {}
                // The replication link reports a lost source; the timeline only has a gap.
                Err(e) => tracing::debug!("could not sample the source's clock: {e}"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_is_placed_between_the_samples_around_its_offset() {
        let clock = SourceClock::default();
        clock.record(100, 1_000);
        clock.record(100, 1_100);
        clock.record(180, 1_200);
        clock.record(260, 1_300);
        // Offset 150 was reached after 1,100 (still 100 then) and by 1,200.
        assert_eq!(clock.time_of(150), Some(1_150));
        assert_eq!(clock.time_of(180), Some(1_150));
        assert_eq!(clock.time_of(200), Some(1_250));
        // Before the first sample: at most its time.
        let clock = SourceClock::default();
        clock.record(500, 2_000);
        assert_eq!(clock.time_of(400), Some(2_000));
        assert_eq!(SourceClock::default().time_of(1), None);
    }

    #[test]
    fn a_command_not_yet_sampled_ran_at_most_now() {
        let clock = SourceClock::default();
        clock.record(100, 10_000);
        let t = clock.time_of(150).unwrap();
        assert!((10_000..10_050).contains(&t), "{t}");
    }
}

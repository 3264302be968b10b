//! How `ferry migrate` shows a migration: bars on a terminal, or JSON lines.

use std::io::IsTerminal;
use std::time::Duration;

use ferry::checks::{CheckReport, Level};
use ferry::model::{Task, TaskEvent};
use ferry::pipeline::{peak_rss_bytes, Phase, Progress};
use ferry::text::Text;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress as bars on a terminal, or as JSON lines.
pub struct View {
    json: bool,
    bar: Option<ProgressBar>,
    phase: Option<Phase>,
    /// The progress's warning and notice last shown.
    warning: Option<Text>,
    notice: Option<Text>,
}

impl View {
    pub fn new(json: bool) -> View {
        View { json, bar: None, phase: None, warning: None, notice: None }
    }

    pub fn show(&mut self, p: &Progress) {
        if !self.json && p.warning != self.warning {
            // Shown once when it starts and once when it ends, whether or not bars are drawn.
            let line = match &p.warning {
                Some(w) => format!("warning: {w}"),
                None => "the warning has cleared: the target answers again".to_string(),
            };
            match &self.bar {
                Some(bar) if !bar.is_hidden() => bar.println(line),
                _ => eprintln!("{line}"),
            }
        }
        self.warning.clone_from(&p.warning);
        if let Some(notice) = p.notice.as_ref().filter(|&n| !self.json && self.notice.as_ref() != Some(n)) {
            let line = format!("note: {notice}");
            match &self.bar {
                Some(bar) if !bar.is_hidden() => bar.println(line),
                _ => eprintln!("{line}"),
            }
        }
        self.notice.clone_from(&p.notice);
        if self.json {
            if let Ok(line) = serde_json::to_string(&serde_json::json!({"event": "progress", "progress": p})) {
                println!("{line}");
            }
            return;
        }
        if self.phase != Some(p.phase) {
            if let Some(bar) = self.bar.take() {
                bar.finish();
            }
            self.phase = Some(p.phase);
            let bar = match (p.phase, p.rdb_total) {
                (Phase::FullSync, Some(total)) => ProgressBar::new(total).with_style(
                    ProgressStyle::with_template("{prefix:>16} [{bar:30}] {bytes}/{total_bytes} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                ),
                _ => ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("{prefix:>16} {spinner} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                ),
            };
            if !std::io::stderr().is_terminal() {
                bar.set_draw_target(ProgressDrawTarget::hidden());
            }
            bar.set_prefix(p.phase.label());
            bar.enable_steady_tick(Duration::from_millis(200));
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(p.rdb_bytes);
            // A cluster source: where each master's stream stands.
            let masters: Vec<String> =
                p.shards.iter().map(|s| format!("{}: {}, lag {} B", s.name, s.phase.label(), s.lag_bytes)).collect();
            let masters = if masters.is_empty() { String::new() } else { format!(" | {}", masters.join("; ")) };
            let message = match p.phase {
                Phase::FullSync | Phase::WaitingForRdb | Phase::Connecting => {
                    let bytes =
                        if p.rdb_total.is_none() { format!("{} MB, ", p.rdb_bytes / 1_000_000) } else { String::new() };
                    {
                        let eta = p.eta_secs.map(|s| format!(", ETA {s} s")).unwrap_or_default();
                        format!("{bytes}{} keys ({:.0}/s{eta}), {} errors", p.keys_written, p.keys_per_sec, p.errors)
                    }
                }
                _ => format!(
                    "lag {} B (applied {}), keys {}/{}, {} errors",
                    p.lag_bytes,
                    p.applied_offset,
                    total(&p.target_keys),
                    total(&p.source_keys),
                    p.errors
                ),
            };
            bar.set_message(message + &masters);
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }

    /// The check's warnings (errors have stopped the run before this).
    pub fn warnings(&self, report: &CheckReport) {
        for item in report.items.iter().filter(|i| i.level == Level::Warning) {
            if self.json {
                println!("{}", serde_json::json!({"event": "warning", "item": item}));
            } else {
                eprintln!("warning: {} ({}): {}", item.id, item.value, item.message);
            }
        }
    }

    pub fn summary(&self, task: &Task, p: &Progress, events: Vec<TaskEvent>) {
        let peak_rss_bytes = peak_rss_bytes();
        if self.json {
            let summary = serde_json::json!({
                "task": task, "progress": p, "mode": p.mode, "peak_rss_bytes": peak_rss_bytes, "events": events,
            });
            if let Ok(line) = serde_json::to_string(&serde_json::json!({"event": "summary", "summary": summary})) {
                println!("{line}");
            }
            return;
        }
        println!("task {} {:?}: {}", task.id, task.spec.name, task.status.label());
        for s in &p.shards {
            println!(
                "  {:<15} {} (master {}): applied {}, lag {} B, {}/{} keys",
                s.name,
                s.phase.label(),
                s.master,
                s.applied_offset,
                s.lag_bytes,
                s.keys_written,
                s.source_keys
            );
        }
        println!("  mode            {}", p.mode.as_deref().unwrap_or("-"));
        println!("  elapsed         {:.1} s", p.elapsed_ms as f64 / 1000.0);
        println!("  RDB bytes       {}", p.rdb_bytes);
        println!("  keys written    {} (expired and skipped: {})", p.keys_written, p.keys_expired);
        println!("  commands        {} sent, {} acknowledged", p.commands_sent, p.commands_acked);
        println!("  offsets         source {} applied {} lag {} B", p.source_offset, p.applied_offset, p.lag_bytes);
        println!("  keys            source {:?} target {:?}", p.source_keys, p.target_keys);
        println!("  errors          {}", p.errors);
        if p.resumes > 0 {
            println!("  link resumes    {} (the source link broke and Ferry continued where it was)", p.resumes);
        }
        if let Some(rss) = peak_rss_bytes {
            println!("  peak memory     {:.1} MB", rss as f64 / 1e6);
        }
        for e in events.iter().filter(|e| e.kind != "status") {
            println!("  {:<7}         {}", e.kind, e.message);
        }
    }

    pub fn error(&self, message: &str) {
        if self.json {
            println!("{}", serde_json::json!({"event": "error", "message": message}));
        }
        eprintln!("error: {message}");
    }
}

fn total(keys: &[(u32, u64)]) -> u64 {
    keys.iter().map(|(_, n)| n).sum()
}

//! How `ferry check` shows its big-key scan, its longest item: a bar on a terminal, else a line on
//! stderr when it starts and when it ends (stdout keeps the items, one per line, or the JSON).

use std::io::IsTerminal;

use ferry::checks::ScanProgress;
use indicatif::{ProgressBar, ProgressStyle};

pub struct ScanView {
    /// `--json`: nothing is drawn.
    quiet: bool,
    bar: Option<ProgressBar>,
    started: bool,
    last: Option<ScanProgress>,
}

impl ScanView {
    pub fn new(json: bool) -> ScanView {
        ScanView { quiet: json, bar: None, started: false, last: None }
    }

    pub fn show(&mut self, p: ScanProgress) {
        if self.quiet {
            return;
        }
        self.last = Some(p);
        if !std::io::stderr().is_terminal() {
            if !self.started {
                eprintln!("big keys: sampling up to {} keys within {} ms", p.of, p.budget_ms);
            }
            self.started = true;
            return;
        }
        self.started = true;
        let bar = self.bar.get_or_insert_with(|| {
            ProgressBar::new(p.of).with_style(
                ProgressStyle::with_template("{prefix:>16} [{bar:30}] {pos}/{len} keys {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            )
        });
        bar.set_prefix("big keys");
        bar.set_position(p.looked_at);
        bar.set_message(format!("({:.1} of {:.1} s)", p.elapsed_ms as f64 / 1000.0, p.budget_ms as f64 / 1000.0));
    }

    /// Clears the bar (or says how the scan ended) before the big-key item prints.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        } else if let (false, Some(p)) = (self.quiet, self.last.take()) {
            eprintln!("big keys: {} keys measured in {} ms", p.looked_at, p.elapsed_ms);
        }
    }
}

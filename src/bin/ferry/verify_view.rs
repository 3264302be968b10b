//! How `ferry verify` and `ferry tasks verify` show how far they are: a bar on a terminal, else a
//! line on stderr when a stage starts and every few seconds, so a long verify (seconds per million
//! keys) never looks hung in a log either.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use ferry::verify::{VerifyProgress, VerifyStage};
use indicatif::{ProgressBar, ProgressStyle};

/// How often a line is written when no bar is drawn.
const LINE_EVERY: Duration = Duration::from_secs(2);

pub struct VerifyView {
    /// `--json`: stdout is for the report only, and nothing is drawn.
    quiet: bool,
    bar: Option<ProgressBar>,
    stage: Option<VerifyStage>,
    last_line: Instant,
}

impl VerifyView {
    pub fn new(json: bool) -> VerifyView {
        VerifyView { quiet: json, bar: None, stage: None, last_line: Instant::now() }
    }

    pub fn show(&mut self, p: VerifyProgress) {
        if self.quiet {
            return;
        }
        let new_stage = self.stage != Some(p.stage);
        self.stage = Some(p.stage);
        if !std::io::stderr().is_terminal() {
            if new_stage || self.last_line.elapsed() >= LINE_EVERY {
                self.last_line = Instant::now();
                eprintln!("verify: {} {} of {} keys", label(p.stage), p.done, p.total);
            }
            return;
        }
        if new_stage {
            if let Some(bar) = self.bar.take() {
                bar.finish();
            }
            let bar = ProgressBar::new(p.total).with_style(
                ProgressStyle::with_template("{prefix:>16} [{bar:30}] {pos}/{len} keys ({eta} left)")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_prefix(label(p.stage));
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            // DBSIZE was read before the scan: writes meanwhile can take `done` past it.
            bar.set_length(p.total.max(p.done));
            bar.set_position(p.done);
        }
    }

    /// Clears the bar before the report prints.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn label(stage: VerifyStage) -> &'static str {
    match stage {
        VerifyStage::Compare => "comparing",
        VerifyStage::Extra => "extra keys",
        VerifyStage::Recheck => "rechecking",
    }
}

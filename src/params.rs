//! The source parameters a migration sets when it starts and puts back when it ends.
//!
//! A full sync of a big source needs room: the replica output buffer must hold the writes that arrive
//! while the RDB is produced and applied, the backlog must be big enough for a partial resync, and the
//! replication timeout long enough for a slow link. The previous values are read (and saved by the
//! caller) before anything changes, so they can be restored even after a crash.

use serde::{Deserialize, Serialize};

use crate::client::{Client, ClientError};
use crate::model::Params;
use crate::resp::Frame;
use crate::server::ServerInfo;
use crate::text::catalog::errors as msg;
use crate::text::Text;

const MB: u64 = 1024 * 1024;

/// A parameter as the parameter-settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ParamRow {
    /// The CONFIG name.
    pub name: String,
    /// The value the migration will set.
    pub value: String,
    /// The source's current value, when it could be read.
    pub current: Option<String>,
}

/// Setting or reading parameters failed.
#[derive(Debug, thiserror::Error)]
pub enum ParamError {
    #[error(transparent)]
    Client(#[from] ClientError),
    /// `message` is the server's reply.
    #[error("{}", self.text())]
    Refused { action: &'static str, name: String, message: String },
}

impl ParamError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            ParamError::Client(e) => e.text(),
            ParamError::Refused { action, name, message } => Text::new(&msg::PARAM_REFUSED)
                .arg("action", *action)
                .arg("name", name)
                .arg("message", Text::raw(message)),
        }
    }
}

/// The values a migration sets on a source of this version: (CONFIG name, value).
pub fn planned(params: &Params, source: &ServerInfo) -> Vec<(String, String)> {
    // Before 5.0 the class is called "slave".
    let class = if source.at_least(5, 0) { "replica" } else { "slave" };
    let mut out = vec![
        (
            "client-output-buffer-limit".to_string(),
            format!(
                "{class} {} {} {}",
                params.output_buffer_hard_mb * MB,
                params.output_buffer_soft_mb * MB,
                params.output_buffer_soft_seconds
            ),
        ),
        ("repl-backlog-size".to_string(), (params.backlog_mb * MB).to_string()),
        ("repl-timeout".to_string(), params.repl_timeout_seconds.to_string()),
    ];
    // From 2.8.18 a diskless master waits this long for more replicas before it streams: 0 for us.
    if source.at_least(2, 8) {
        out.push(("repl-diskless-sync-delay".to_string(), "0".to_string()));
    }
    out
}

/// The values to set, given the source's `current` ones: never lower than what is there (another
/// task on the same source may have raised it), so a buffer, backlog or timeout only grows while
/// migrations run; the diskless delay only shrinks.
pub fn raise(planned: &[(String, String)], current: &[(String, String)]) -> Vec<(String, String)> {
    let now = |name: &str| current.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    planned
        .iter()
        .map(|(name, value)| {
            let merged = match (name.as_str(), now(name)) {
                ("repl-backlog-size" | "repl-timeout", Some(current)) => {
                    match (value.parse::<u64>(), current.parse::<u64>()) {
                        (Ok(v), Ok(c)) => v.max(c).to_string(),
                        _ => value.clone(),
                    }
                }
                ("repl-diskless-sync-delay", Some(current)) => match (value.parse::<u64>(), current.parse::<u64>()) {
                    (Ok(v), Ok(c)) => v.min(c).to_string(),
                    _ => value.clone(),
                },
                ("client-output-buffer-limit", Some(current)) => raise_buffer(value, current),
                _ => value.clone(),
            };
            (name.clone(), merged)
        })
        .collect()
}

/// `<class> <hard> <soft> <seconds>`, each at least what the replica class has in `current` (the
/// whole `client-output-buffer-limit` line: `normal 0 0 0 replica 268435456 67108864 60 ...`).
fn raise_buffer(planned: &str, current: &str) -> String {
    let words: Vec<&str> = planned.split_whitespace().collect();
    let Some((class, limits)) = words.split_first() else { return planned.to_string() };
    let have: Vec<&str> = current.split_whitespace().collect();
    let Some(at) = have.iter().position(|w| *w == "replica" || *w == "slave") else { return planned.to_string() };
    let mut out = vec![class.to_string()];
    for (i, limit) in limits.iter().enumerate() {
        let mine = limit.parse::<u64>().ok();
        let theirs = have.get(at + 1 + i).and_then(|v| v.parse::<u64>().ok());
        out.push(match (mine, theirs) {
            (Some(m), Some(t)) => m.max(t).to_string(),
            _ => limit.to_string(),
        });
    }
    out.join(" ")
}

/// Reads the current values of `names`; a name the server does not know is left out.
pub async fn read(client: &mut Client, names: &[String]) -> Result<Vec<(String, String)>, ParamError> {
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let reply = client.raw_request(&["CONFIG", "GET", name]).await?;
        if let Some(message) = reply.error_message() {
            return Err(ParamError::Refused { action: "GET", name: name.clone(), message });
        }
        let items = match reply {
            Frame::Array(items) | Frame::Map(items) => items,
            _ => Vec::new(),
        };
        if let Some(value) = items.get(1).and_then(Frame::as_bytes) {
            out.push((name.clone(), String::from_utf8_lossy(value).into_owned()));
        }
    }
    Ok(out)
}

/// Sets each value, in order; stops at the first refusal.
pub async fn set(client: &mut Client, values: &[(String, String)]) -> Result<(), ParamError> {
    for (name, value) in values {
        let reply = client.raw_request(&["CONFIG", "SET", name, value]).await?;
        if let Some(message) = reply.error_message() {
            return Err(ParamError::Refused { action: "SET", name: name.clone(), message });
        }
    }
    Ok(())
}

/// The rows of the parameter-settings page: what the migration sets, beside the current values.
pub fn rows(planned: &[(String, String)], current: &[(String, String)]) -> Vec<ParamRow> {
    planned
        .iter()
        .map(|(name, value)| ParamRow {
            name: name.clone(),
            value: value.clone(),
            current: current.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn raising_never_lowers_what_another_task_set() {
        let planned = pairs(&[
            ("client-output-buffer-limit", "replica 268435456 268435456 60"),
            ("repl-backlog-size", "268435456"),
            ("repl-timeout", "120"),
            ("repl-diskless-sync-delay", "0"),
        ]);
        // Another task raised the buffer's hard limit and the backlog higher than this one plans.
        let current = pairs(&[
            ("client-output-buffer-limit", "normal 0 0 0 slave 536870912 67108864 60 pubsub 33554432 8388608 60"),
            ("repl-backlog-size", "536870912"),
            ("repl-timeout", "60"),
            ("repl-diskless-sync-delay", "5"),
        ]);
        assert_eq!(
            raise(&planned, &current),
            pairs(&[
                ("client-output-buffer-limit", "replica 536870912 268435456 60"),
                ("repl-backlog-size", "536870912"),
                ("repl-timeout", "120"),
                ("repl-diskless-sync-delay", "0"),
            ])
        );
        assert_eq!(raise(&planned, &[]), planned);
    }
}

//! Screening the stream's commands before they are queued on the target: the commands the target
//! knows, and where the task's filter sends each one. Both ways of applying the stream use it (one
//! transaction per batch on a standalone target, one per slot on a cluster).

use std::collections::HashSet;

use bytes::Bytes;

use super::MigrateError;
use crate::client::Client;
use crate::filter::{Filter, Route};
use crate::resp::Frame;
use crate::text::catalog::run_errors as errors;
use crate::text::Text;
use crate::writer::{ErrorSample, Writer};

/// The commands the target knows, from `COMMAND` when the session starts: a command it does not
/// know would abort the whole transaction it is queued in, so it is reported before, as data the
/// target cannot hold. Servers before 2.8.13 have no `COMMAND`: then every command counts as known.
pub(super) struct KnownCommands(Option<HashSet<Bytes>>);

impl KnownCommands {
    pub(super) async fn ask(target: &mut Client) -> KnownCommands {
        let names = match target.raw_request(&["COMMAND"]).await {
            Ok(Frame::Array(commands)) => Some(
                commands
                    .iter()
                    .filter_map(|c| match c {
                        Frame::Array(info) => info.first()?.as_bytes().map(|n| Bytes::from(n.to_ascii_lowercase())),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        };
        KnownCommands(names)
    }

    pub(super) fn knows(&self, name: &Bytes) -> bool {
        self.0.as_ref().is_none_or(|names| names.contains(name))
    }
}

/// A command of the stream as the filter routes it: the commands to apply, each in its target db
/// (none when it concerns nothing migrated), or why the migration must stop.
pub(super) fn routed(filter: &Filter, db: u32, argv: Vec<Bytes>) -> Result<Vec<(u32, Vec<Bytes>)>, MigrateError> {
    match filter.route(db, argv) {
        Route::Apply(commands) => Ok(commands),
        Route::Skip => Ok(Vec::new()),
        Route::Stop(why) => Err(MigrateError::Filter(why)),
    }
}

/// A command the target does not know (the source, newer, ran it): reported as data the target
/// cannot hold, before it could abort the transaction it would be queued in.
pub(super) fn unknown_command(writer: &mut Writer, argv: &[Bytes]) -> Result<(), MigrateError> {
    let name = crate::client::command_name(argv);
    let sample = ErrorSample {
        class: "UNSUPPORTED".into(),
        command: name.clone(),
        key: argv.get(1).map(|k| String::from_utf8_lossy(k).into_owned()).unwrap_or_default(),
        message: Text::new(&errors::WRITER_UNKNOWN_COMMAND).arg("name", &name),
    };
    writer.reject(sample)?;
    Ok(())
}

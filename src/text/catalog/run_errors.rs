//! Errors of the migration itself (replication, RDB, writer, pipeline, runner, console): what went
//! wrong and what to do, in both languages.

use super::entries;

entries! {}

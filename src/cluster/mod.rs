//! Redis Cluster: which slot a key hashes to, and which master serves each slot.
//!
//! The writer routes every command to the master of its key's slot ([`crate::writer`]); the
//! topology is read once per session from any node, and a redirection (`MOVED`, `ASK`) ends the
//! session so that the next one reads it again and resumes from the target's per-slot checkpoints
//! ([`crate::pipeline::Checkpoint`]).

mod slot;
mod topology;

pub use slot::{slot, slot_of_command, tag_for, SlotsOf, SLOTS};
pub use topology::{discover, ClusterError, Shard, Topology};

//! Ferry's engine: replicate a live Redis into another one, and keep it available.
//!
//! The pipeline runs Reader → Entry → Writer: [`replica`] speaks replication to the source, [`rdb`]
//! streams the snapshot, [`entry`] is the unit that flows, [`writer`] applies it to the target, and
//! [`pipeline`] wires them and owns the offsets. [`model`] is the vocabulary every layer shares (tasks,
//! instances, statuses), at the bottom of the house. Nothing here knows about a user interface.

pub mod checks;
pub mod client;
pub mod cluster;
pub mod console;
pub mod endpoint;
pub mod entry;
pub mod filter;
pub mod ha;
pub mod model;
pub mod params;
pub mod pause;
pub mod pipeline;
pub mod rdb;
pub mod replica;
pub mod resp;
pub mod secrets;
pub mod sentinel;
pub mod server;
pub mod store;
pub mod tasks;
pub mod text;
pub mod transport;
pub mod vault;
pub mod verify;
pub mod writer;

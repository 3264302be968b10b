//! Migration tasks: the console's unit of work, its statuses and the runner that drives a task
//! through them.

pub mod model;
pub mod runner;

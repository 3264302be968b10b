//! Migration tasks: the runner that drives a task through its statuses (their vocabulary is in
//! [`crate::model`]).

pub mod runner;

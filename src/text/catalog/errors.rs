//! Errors of connections, the store, secrets, parameters and hot standby: what went wrong and what
//! to do, in both languages.

use super::entries;

entries! {}

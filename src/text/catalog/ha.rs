//! The ha area's sentences.

use super::entries;

entries! {}

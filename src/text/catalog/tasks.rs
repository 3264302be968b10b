//! The tasks area's sentences.

use super::entries;

entries! {}

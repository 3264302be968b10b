//! The checks area's sentences.

use super::entries;

entries! {}

//! Sentences every area uses.

use super::entries;

entries! {
    RAW = "raw" { en: "{text}", zh: "{text}" },
}

//! Every sentence the engine says to a person, by code, in English and Chinese.
//!
//! One file per area (`checks`, `tasks`, `ha`, ...), each a list written with [`entries!`]: a
//! constant per sentence (what the code passes to [`super::Text::new`]) and the area's `ENTRIES`.
//! The desktop app gets a generated copy ([`to_typescript`]) so that it renders stored events in
//! whichever language the user picks, without asking the engine.

pub mod checks;
pub mod errors;
pub mod general;
pub mod ha;
pub mod run_errors;
pub mod tasks;

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Lang;

/// One sentence: its stable code and its text in each language, with `{name}` placeholders.
#[derive(Debug)]
pub struct Entry {
    /// The constant's name in the source (for the test that finds unused entries).
    pub name: &'static str,
    pub code: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

impl Entry {
    pub fn text(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// Declares an area's sentences: `NAME = "code" { en: "...", zh: "..." },` each.
macro_rules! entries {
    ($($name:ident = $code:literal { en: $en:expr, zh: $zh:expr $(,)? }),* $(,)?) => {
        $(
            pub const $name: $crate::text::Entry =
                $crate::text::Entry { name: stringify!($name), code: $code, en: $en, zh: $zh };
        )*
        /// Every sentence of this area.
        pub const ENTRIES: &[&$crate::text::Entry] = &[$(&$name),*];
    };
}
pub(crate) use entries;

pub use general::RAW;

/// Every area's sentences.
pub fn all() -> impl Iterator<Item = &'static Entry> {
    #[allow(unused_mut)] // only the tests add an area
    let mut areas: Vec<&'static [&'static Entry]> =
        vec![general::ENTRIES, checks::ENTRIES, tasks::ENTRIES, ha::ENTRIES, errors::ENTRIES, run_errors::ENTRIES];
    #[cfg(test)]
    areas.push(tests_only::ENTRIES);
    areas.into_iter().flatten().copied()
}

/// The entry with this code.
pub fn lookup(code: &str) -> Option<&'static Entry> {
    static INDEX: OnceLock<HashMap<&'static str, &'static Entry>> = OnceLock::new();
    INDEX.get_or_init(|| all().map(|e| (e.code, e)).collect()).get(code).copied()
}

/// The catalog as a TypeScript module for the desktop app (written by its bindings test, checked
/// in, and compared in CI like the bindings).
pub fn to_typescript() -> String {
    let mut entries: Vec<&Entry> = all().collect();
    entries.sort_by_key(|e| e.code);
    let mut out = String::from(
        "// Generated from the engine's message catalog (src/text/catalog) by the desktop app's bindings test. Do not edit.\n\
         export const MESSAGES: Record<string, { en: string; \"zh-CN\": string }> = {\n",
    );
    for e in entries {
        let js = |s: &str| serde_json::to_string(s).expect("a string");
        out.push_str(&format!("  {}: {{ en: {}, \"zh-CN\": {} }},\n", js(e.code), js(e.en), js(e.zh)));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
pub(crate) mod tests_only {
    entries! {
        SAMPLE = "test.sample" { en: "cannot reach {host}: {why}", zh: "无法连接 {host}：{why}" },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::placeholders;
    use super::*;

    /// Walks every code: both languages written, the same placeholders in each, codes unique and
    /// well formed, and the Chinese actually translated (not the English copied).
    #[test]
    fn every_message_has_both_languages_with_the_same_placeholders() {
        let mut codes = HashSet::new();
        let mut problems = Vec::new();
        let mut count = 0;
        for e in all() {
            count += 1;
            if !codes.insert(e.code) {
                problems.push(format!("{}: code used twice", e.code));
            }
            if !e.code.split('.').all(|part| {
                !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            }) {
                problems.push(format!("{}: a code is lowercase words joined by dots", e.code));
            }
            if e.en.trim().is_empty() {
                problems.push(format!("{}: no English text", e.code));
            }
            if e.zh.trim().is_empty() {
                problems.push(format!("{}: no Chinese text", e.code));
            }
            if placeholders(e.en) != placeholders(e.zh) {
                problems.push(format!(
                    "{}: placeholders differ: en {:?}, zh {:?}",
                    e.code,
                    placeholders(e.en),
                    placeholders(e.zh)
                ));
            }
            let words = |s: &str| {
                s.chars().filter(|c| c.is_ascii_alphabetic()).count()
                    > placeholders(s).iter().map(|p| p.len()).sum::<usize>()
            };
            if words(e.en) && !e.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                problems.push(format!("{}: the Chinese text has no Chinese in it", e.code));
            }
        }
        assert!(problems.is_empty(), "{} of {count} messages are wrong:\n{}", problems.len(), problems.join("\n"));
        assert!(count > 1);
    }

    /// An entry nothing says is dead text that translators would keep translating.
    #[test]
    fn every_message_is_used_somewhere() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut source = String::new();
        collect(std::path::Path::new(root), &mut source);
        let uses = |name: &str| {
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            source
                .match_indices(name)
                .filter(|(at, _)| {
                    !word(source[..*at].chars().last()) && !word(source[at + name.len()..].chars().next())
                })
                .count()
        };
        // Declared once; used at least once more.
        let unused: Vec<&str> = all().map(|e| e.name).filter(|name| uses(name) < 2).collect();
        assert!(unused.is_empty(), "messages no code uses: {unused:?}");
    }

    fn collect(dir: &std::path::Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).expect("src is readable") {
            let path = entry.expect("a dir entry").path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).expect("a source file"));
            }
        }
    }

    #[test]
    fn the_typescript_copy_holds_every_code() {
        let ts = to_typescript();
        for e in all() {
            assert!(ts.contains(&format!("\"{}\": {{ en: ", e.code)), "{}", e.code);
        }
    }
}

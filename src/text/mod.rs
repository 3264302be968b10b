//! Sentences for people, kept as a code and its parameters rather than as finished English.
//!
//! Events are stored and read later, maybe by someone who chose another language in between; a
//! sentence frozen into one language at the moment it was written would stay in that language
//! forever. So the engine speaks in [`Text`]: a stable code from the [`catalog`] and named
//! arguments. The desktop app renders it in the language the user chose (from a copy of the
//! catalog generated into the UI), and the CLI renders it in English ([`Text`]'s `Display`).
//!
//! Every code has an English and a Chinese text with the same `{placeholders}`; the catalog's test
//! walks all of them, so a missing translation fails the build's tests rather than reaching a user.
//! Codes are constants ([`catalog::Entry`]), so a sentence without a catalog entry does not compile.

pub mod catalog;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use catalog::Entry;

/// The languages a [`Text`] renders in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Lang {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    Zh,
}

/// A sentence as a code and its named arguments.
///
/// It also reads from a plain JSON string (as [`Text::raw`]): records stored before messages had
/// codes (events, reasons, progress snapshots) held their English as a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Text {
    /// The catalog's code (`check.region.same`).
    pub code: String,
    /// The values of the code's `{placeholders}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Arg>,
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Coded {
                code: String,
                #[serde(default)]
                args: BTreeMap<String, Arg>,
            },
            Old(String),
        }
        Ok(match Stored::deserialize(d)? {
            Stored::Coded { code, args } => Text { code, args },
            Stored::Old(text) => Text::raw(text),
        })
    }
}

/// One argument: a value shown as it is (a host, a number, a server's own error text), a sentence of
/// its own, or several sentences read one after the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(untagged)]
pub enum Arg {
    Plain(String),
    Text(Box<Text>),
    List(Vec<Text>),
}

impl Text {
    /// The sentence `entry` names, arguments to be added with [`Text::arg`].
    pub fn new(entry: &'static Entry) -> Text {
        Text { code: entry.code.to_string(), args: BTreeMap::new() }
    }

    /// Text that has no code: a peer's or the system's own words (a server's error reply, an OS
    /// error), or a record written before messages had codes. Shown as it is in every language.
    pub fn raw(text: impl Into<String>) -> Text {
        Text::new(&catalog::RAW).arg("text", text.into())
    }

    /// Sets a placeholder's value. A name the entry does not use is a bug in the call: debug builds
    /// (the tests) stop on it.
    pub fn arg(mut self, name: &str, value: impl Into<Arg>) -> Text {
        debug_assert!(
            catalog::lookup(&self.code).is_some_and(|e| e.en.contains(&format!("{{{name}}}"))),
            "the message {} has no placeholder {{{name}}}",
            self.code
        );
        self.args.insert(name.to_string(), value.into());
        self
    }

    /// The sentence in `lang`. An unknown code (written by another version) shows the code and its
    /// arguments rather than nothing.
    pub fn render(&self, lang: Lang) -> String {
        let Some(entry) = catalog::lookup(&self.code) else {
            let args: Vec<String> = self.args.iter().map(|(k, v)| format!("{k}={}", v.render(lang))).collect();
            return format!("{} {}", self.code, args.join(" ")).trim_end().to_string();
        };
        fill(entry.text(lang), |name| self.args.get(name).map(|a| a.render(lang)))
    }

    /// A stored message: the JSON of a [`Text`], or (for a record written before messages had
    /// codes) plain text.
    pub fn from_stored(stored: &str) -> Text {
        if stored.starts_with('{') {
            if let Ok(text) = serde_json::from_str(stored) {
                return text;
            }
        }
        Text::raw(stored)
    }

    /// How the store keeps it.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("a Text is plain strings")
    }

    /// Whether this is [`Text::raw`] text.
    pub fn is_raw(&self) -> bool {
        self.code == catalog::RAW.code
    }
}

impl Arg {
    fn render(&self, lang: Lang) -> String {
        match self {
            Arg::Plain(s) => s.clone(),
            Arg::Text(t) => t.render(lang),
            Arg::List(items) => {
                let sep = match lang {
                    Lang::En => "; ",
                    Lang::Zh => "；",
                };
                items.iter().map(|t| t.render(lang)).collect::<Vec<_>>().join(sep)
            }
        }
    }
}

/// English, as the CLI and the logs show it.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl From<Text> for Arg {
    fn from(t: Text) -> Arg {
        Arg::Text(Box::new(t))
    }
}

impl From<Vec<Text>> for Arg {
    fn from(items: Vec<Text>) -> Arg {
        Arg::List(items)
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Plain(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Plain(s.to_string())
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Plain(s.clone())
    }
}

macro_rules! plain_from_display {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Arg {
                Arg::Plain(v.to_string())
            }
        }
    )*};
}
plain_from_display!(u8, u16, u32, u64, usize, i32, i64, f64);

/// `template` with each `{name}` replaced by `value(name)`; a name without a value stays as written.
fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                let name = &after[..close];
                match value(name) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The `{placeholders}` a template uses.
#[cfg(test)]
pub(crate) fn placeholders(template: &str) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                names.insert(after[..close].to_string());
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_each_language_with_nested_arguments() {
        let inner = Text::raw("connection refused");
        let text = Text::new(&catalog::tests_only::SAMPLE).arg("host", "10.0.0.1").arg("why", inner);
        assert_eq!(text.render(Lang::En), "cannot reach 10.0.0.1: connection refused");
        assert_eq!(text.render(Lang::Zh), "无法连接 10.0.0.1：connection refused");
        assert_eq!(text.to_string(), "cannot reach 10.0.0.1: connection refused");
    }

    #[test]
    fn stored_text_round_trips_and_old_plain_records_still_read() {
        let text =
            Text::new(&catalog::tests_only::SAMPLE).arg("host", "h").arg("why", vec![Text::raw("a"), Text::raw("b")]);
        assert_eq!(Text::from_stored(&text.to_stored()), text);
        assert_eq!(text.render(Lang::Zh), "无法连接 h：a；b");
        let old = Text::from_stored("not started → checking");
        assert!(old.is_raw());
        assert_eq!(old.render(Lang::Zh), "not started → checking");
        // A brace that is not JSON is old text too.
        assert_eq!(Text::from_stored("{oops").render(Lang::En), "{oops");
    }

    #[test]
    fn a_plain_string_where_a_sentence_is_expected_reads_as_raw_text() {
        let old: Option<Text> = serde_json::from_str("\"the target answers again\"").unwrap();
        assert_eq!(old, Some(Text::raw("the target answers again")));
        let list: Vec<(Text, u64)> = serde_json::from_str(r#"[["seen times", 3]]"#).unwrap();
        assert_eq!(list, vec![(Text::raw("seen times"), 3)]);
    }

    #[test]
    fn an_unknown_code_shows_itself_and_braces_that_are_not_placeholders_stay() {
        let mut text = Text::raw("x");
        text.code = "from.a.newer.version".into();
        assert_eq!(text.render(Lang::En), "from.a.newer.version text=x");
        assert_eq!(fill("{a} {not a name} {}", |n| (n == "a").then(|| "1".into())), "1 {not a name} {}");
        assert_eq!(fill("{missing}", |_| None), "{missing}");
    }
}

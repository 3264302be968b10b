//! Can the migration set its parameters on the source (replica output buffer, backlog, timeouts)?
//!
//! Without them a big full sync on a busy source overflows the replica output buffer, and the source
//! drops the link and starts over, forever. Managed and hardened servers often rename CONFIG: then the
//! user must make sure by hand that the current values are large enough.

use super::probe::format_bytes;
use super::{CheckItem, Ctx, Spec};
use crate::client::Client;
use crate::params::{self, ParamError};
use crate::resp::Frame;
use crate::text::catalog::checks as msg;
use crate::text::Text;

const CONFIG: Spec = Spec { id: "source.config", title: "Source parameters" };

pub(super) async fn check(ctx: &mut Ctx<'_>) -> CheckItem {
    let s = match ctx.source.up() {
        Ok(s) => s,
        Err(why) => return CONFIG.not_checked([Some(why)]),
    };
    let planned = params::planned(&ctx.input.params, &s.info);
    let names: Vec<String> = planned.iter().map(|(name, _)| name.clone()).collect();
    let current = match params::read(&mut s.client, &names).await {
        Ok(current) => current,
        Err(ParamError::Refused { message, .. }) => {
            return CONFIG
                .warning(Text::new(&msg::CONFIG_UNAVAILABLE), Text::new(&msg::CONFIG_REFUSED).arg("error", message))
        }
        Err(e) => return CONFIG.could_not_check(e.text()),
    };
    let value =
        Text::new(&msg::CHECK_LIST).arg("items", current.iter().map(|(n, v)| describe(n, v)).collect::<Vec<_>>());
    let plan: Vec<Text> = planned.iter().map(|(name, v)| describe(name, v)).collect();
    // CONFIG GET may be allowed where CONFIG SET is not; on 7.0+ the server can say so without a change.
    if s.info.at_least(7, 0) {
        let user = s.endpoint.user.clone().unwrap_or_else(|| "default".to_string());
        if let Some(reason) = set_denied(&mut s.client, &user).await {
            return CONFIG.warning(
                value,
                Text::new(&msg::CONFIG_SET_DENIED).arg("user", user).arg("reason", reason).arg("plan", plan),
            );
        }
    }
    CONFIG.pass(value, Text::new(&msg::CONFIG_PLANNED).arg("plan", plan))
}

/// Why `ACL DRYRUN` says the user may not run CONFIG SET; `None` when it may, or DRYRUN cannot tell.
async fn set_denied(client: &mut Client, user: &str) -> Option<String> {
    match client.raw_request(&["ACL", "DRYRUN", user, "CONFIG", "SET", "repl-timeout", "60"]).await {
        Ok(Frame::Bulk(reason)) => Some(String::from_utf8_lossy(&reason).into_owned()),
        _ => None,
    }
}

/// A parameter as a person reads it: sizes in MB, the replica class of the output buffer limits.
fn describe(name: &str, value: &str) -> Text {
    let mb = |v: &str| v.parse().map(format_bytes).unwrap_or_else(|_| v.to_string());
    match name {
        "repl-backlog-size" => Text::raw(format!("{name} {}", mb(value))),
        "repl-timeout" | "repl-diskless-sync-delay" => {
            Text::new(&msg::CONFIG_SECONDS).arg("name", name).arg("value", value)
        }
        "client-output-buffer-limit" => {
            let words: Vec<&str> = value.split_whitespace().collect();
            match words.iter().position(|w| *w == "replica" || *w == "slave") {
                Some(at) if words.len() >= at + 4 => Text::new(&msg::CONFIG_OUTPUT_BUFFER)
                    .arg("hard", mb(words[at + 1]))
                    .arg("soft", mb(words[at + 2]))
                    .arg("secs", words[at + 3]),
                _ => Text::raw(format!("{name} {value}")),
            }
        }
        _ => Text::raw(format!("{name} {value}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_read_as_people_write_them() {
        let describe = |name, value| describe(name, value).to_string();
        assert_eq!(
            describe(
                "client-output-buffer-limit",
                "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
            ),
            "replica output buffer 256.0 MB hard, 64.0 MB soft for 60 s"
        );
        assert_eq!(
            describe("client-output-buffer-limit", "replica 0 0 0"),
            "replica output buffer 0 B hard, 0 B soft for 0 s"
        );
        assert_eq!(describe("repl-backlog-size", "1048576"), "repl-backlog-size 1.0 MB");
        assert_eq!(describe("repl-timeout", "60"), "repl-timeout 60 s");
        assert_eq!(describe("maxclients", "10000"), "maxclients 10000");
        assert_eq!(
            super::describe("client-output-buffer-limit", "replica 0 0 0").render(crate::text::Lang::Zh),
            "副本输出缓冲区硬限制 0 B、软限制 0 B（持续 0 秒）"
        );
    }
}

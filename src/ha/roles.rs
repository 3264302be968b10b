//! Which server is the master when the proxy starts, asked of the servers themselves (`ROLE`).
//!
//! The arguments (or the registered instances) say which server was the master when the pair was
//! set up; after a failover that is no longer true, and routing writes by them would send every
//! write to a fenced replica (`-READONLY`) while the heartbeat reports all is well. So the proxy
//! starts from what the servers say: the one that reports `master` gets the route. Two masters is a
//! split the proxy cannot settle by itself: it is an error naming both, and nothing is routed.

use std::time::Duration;

use crate::client::Client;
use crate::endpoint::Endpoint;
use crate::resp::Frame;
use crate::text::catalog::errors;
use crate::text::catalog::ha as msg;
use crate::text::Text;

/// How long each server may take to answer at start.
const ASK_TIMEOUT: Duration = Duration::from_secs(3);

/// What a server says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Master,
    /// A replica of this `host:port`.
    Replica(String),
    /// It did not answer (or not with a role); why.
    Unknown(Text),
}

/// Asks one server for its role, with the pair's credentials.
pub async fn ask(server: &Endpoint) -> Role {
    let asked = async {
        let mut client = Client::connect_with_timeout(server, ASK_TIMEOUT).await?;
        client.request(&["ROLE"]).await
    };
    match asked.await {
        Ok(Frame::Array(items)) => {
            let text =
                |i: usize| items.get(i).and_then(Frame::as_bytes).map(|b| String::from_utf8_lossy(b).into_owned());
            match text(0).as_deref() {
                Some("master") => Role::Master,
                Some("slave") => Role::Replica(format!(
                    "{}:{}",
                    text(1).unwrap_or_default(),
                    items.get(2).and_then(Frame::as_int).unwrap_or_default()
                )),
                other => Role::Unknown(Text::new(&msg::ROLE_ANSWERED).arg("reply", format!("{other:?}"))),
            }
        }
        Ok(other) => Role::Unknown(Text::new(&msg::ROLE_ANSWERED).arg("reply", format!("{other:?}"))),
        Err(e) => Role::Unknown(e.text()),
    }
}

/// Two servers that both say they are the master, or neither.
#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error("{}", self.text())]
    TwoMasters(String, String),
    /// The first server, its master, the second server, and what the second is
    /// (`error.roles.no_master.*`).
    #[error("{}", self.text())]
    NoMaster(String, String, String, Text),
}

impl RoleError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            RoleError::TwoMasters(first, second) => {
                Text::new(&errors::ROLES_TWO_MASTERS).arg("first", first).arg("second", second)
            }
            RoleError::NoMaster(first, master, second, state) => Text::new(&errors::ROLES_NO_MASTER)
                .arg("first", first)
                .arg("master", master)
                .arg("second", second)
                .arg("state", state.clone()),
        }
    }
}

/// Where the proxy starts: the master to route to and the standby, with what the servers said.
pub struct Start {
    pub master: Endpoint,
    pub standby: Endpoint,
    /// The standby is a server that was the master and has not been seen as a replica since: it
    /// is fenced before it could take the standby's place.
    pub fence_standby: bool,
    /// What the servers said, for the `roles_checked` event.
    pub said: Text,
}

/// Decides the master from `ROLE` on both servers (`given` is the master the caller named).
pub async fn at_start(given: &Endpoint, other: &Endpoint) -> Result<Start, RoleError> {
    let (a, b) = tokio::join!(ask(given), ask(other));
    let said = Text::new(&msg::ROLES_AT_START)
        .arg("first", given.addr())
        .arg("first_role", describe(&a))
        .arg("second", other.addr())
        .arg("second_role", describe(&b));
    let start = |master: &Endpoint, standby: &Endpoint, fence_standby: bool| Start {
        master: master.clone(),
        standby: standby.clone(),
        fence_standby,
        said: said.clone(),
    };
    match (&a, &b) {
        (Role::Master, Role::Master) => Err(RoleError::TwoMasters(given.addr(), other.addr())),
        // After a failover: the named replica is the master now.
        (Role::Replica(_), Role::Master) => Ok(start(other, given, false)),
        (Role::Unknown(_), Role::Master) => Ok(start(other, given, true)),
        (Role::Replica(of), Role::Replica(its)) => {
            let state = Text::new(&errors::ROLES_IS_REPLICA_OF).arg("master", its);
            Err(RoleError::NoMaster(given.addr(), of.clone(), other.addr(), state))
        }
        (Role::Replica(of), Role::Unknown(why)) => {
            let state = Text::new(&errors::ROLES_DOES_NOT_ANSWER).arg("why", why.clone());
            Err(RoleError::NoMaster(given.addr(), of.clone(), other.addr(), state))
        }
        // As named: the master answers as one, or nothing says otherwise (the heartbeat takes it
        // from there, failing over if the named master is down).
        (Role::Master | Role::Unknown(_), _) => Ok(start(given, other, false)),
    }
}

/// The first element of a ROLE reply (`master`, `slave`, `sentinel`).
pub fn role_name(reply: &Frame) -> Option<&str> {
    match reply {
        Frame::Array(items) => items.first()?.as_bytes().and_then(|b| std::str::from_utf8(b).ok()),
        _ => None,
    }
}

fn describe(role: &Role) -> Text {
    match role {
        Role::Master => Text::new(&msg::ROLE_MASTER),
        Role::Replica(of) => Text::new(&msg::ROLE_REPLICA_OF).arg("master", of),
        Role::Unknown(why) => Text::new(&msg::ROLE_UNKNOWN).arg("why", why.clone()),
    }
}

//! The CT logs an SCT can come from: Chrome's log list (v3 schema), compiled in and parsed on
//! first use, so a run that judges no SCT pays nothing for it. A caller may add logs or replace
//! the list ([`LogList::parse`], `Options::with_ct_logs`), as tests do with a log of their own.
//!
//! Retired, read-only and rejected logs stay in the list: an SCT is judged with the state its
//! log had at the SCT's timestamp and at the evaluation instant, as Chrome does.

use serde::Deserialize;
use std::sync::OnceLock;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Chrome's log list as shipped in Chromium's source tree (see data/ct/README.md).
pub const BUNDLED: &str = include_str!("../../data/ct/log_list.json");

/// The state a log list gives a log, from its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogState {
    Pending,
    Qualified,
    Usable,
    /// Frozen: no new entries, its SCTs still count.
    Readonly,
    /// Distrusted from its timestamp on, except for SCTs issued before (Chrome's
    /// "disqualified").
    Retired,
    Rejected,
}

/// How a log is reached, which decides what Chrome asks of its SCTs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    Rfc6962,
    /// A static CT API ("tiled") log, whose SCTs must carry their leaf index.
    StaticCtApi,
}

/// One log.
#[derive(Clone, Debug)]
pub struct Log {
    /// The list's description without a trailing " log": `Google 'Argon2026h1'`.
    pub name: String,
    pub operator: String,
    pub id: [u8; 32],
    /// DER SubjectPublicKeyInfo.
    pub key: Vec<u8>,
    pub state: LogState,
    /// When the log entered that state.
    pub state_since: OffsetDateTime,
    pub kind: LogKind,
}

impl Log {
    /// Chrome's disqualification instant: when the log was retired, if it was.
    pub fn retired_at(&self) -> Option<OffsetDateTime> {
        (self.state == LogState::Retired).then_some(self.state_since)
    }
}

/// A parsed log list.
#[derive(Clone, Debug)]
pub struct LogList {
    pub version: String,
    pub timestamp: OffsetDateTime,
    pub logs: Vec<Log>,
}

/// Why a log list cannot be used: a defect of the data, caught by its tests.
#[derive(Debug, thiserror::Error)]
pub enum LogListError {
    #[error("the CT log list does not parse: {0}")]
    Syntax(String),
    #[error("the CT log list's timestamp {0:?} is not RFC 3339")]
    Timestamp(String),
    #[error("CT log {log}: {problem}")]
    Log { log: String, problem: String },
}

#[derive(Deserialize)]
struct RawList {
    version: String,
    log_list_timestamp: String,
    operators: Vec<RawOperator>,
}

#[derive(Deserialize)]
struct RawOperator {
    name: String,
    #[serde(default)]
    logs: Vec<RawLog>,
    #[serde(default)]
    tiled_logs: Vec<RawLog>,
}

#[derive(Deserialize)]
struct RawLog {
    description: String,
    log_id: String,
    key: String,
    state: Option<std::collections::BTreeMap<LogState, RawState>>,
}

#[derive(Deserialize)]
struct RawState {
    timestamp: String,
}

impl LogList {
    /// Chrome's list as bundled, parsed once.
    pub fn bundled() -> Result<&'static LogList, &'static LogListError> {
        static LIST: OnceLock<Result<LogList, LogListError>> = OnceLock::new();
        LIST.get_or_init(|| LogList::parse(BUNDLED)).as_ref()
    }

    /// Parses a list in Chrome's v3 schema. Every log id must be the SHA-256 of its key.
    pub fn parse(json: &str) -> Result<LogList, LogListError> {
        let raw: RawList =
            serde_json::from_str(json).map_err(|e| LogListError::Syntax(e.to_string()))?;
        let timestamp = instant(&raw.log_list_timestamp)
            .ok_or_else(|| LogListError::Timestamp(raw.log_list_timestamp.clone()))?;
        let mut logs = Vec::new();
        for operator in &raw.operators {
            let kinds = [(&operator.logs, LogKind::Rfc6962)]
                .into_iter()
                .chain([(&operator.tiled_logs, LogKind::StaticCtApi)]);
            for (list, kind) in kinds {
                for log in list {
                    logs.push(build(log, &operator.name, kind)?);
                }
            }
        }
        Ok(LogList {
            version: raw.version,
            timestamp,
            logs,
        })
    }

    /// The log with this id.
    pub fn find(&self, id: &[u8; 32]) -> Option<&Log> {
        self.logs.iter().find(|l| &l.id == id)
    }

    /// This list with `other`'s logs added (a log already here keeps its entry).
    pub fn with(mut self, other: LogList) -> LogList {
        for log in other.logs {
            if self.find(&log.id).is_none() {
                self.logs.push(log);
            }
        }
        self
    }
}

fn build(raw: &RawLog, operator: &str, kind: LogKind) -> Result<Log, LogListError> {
    let problem = |problem: &str| LogListError::Log {
        log: raw.description.clone(),
        problem: problem.into(),
    };
    if operator.trim().is_empty() {
        return Err(problem("its operator has no name"));
    }
    let b64 = |s: &str| data_encoding::BASE64.decode(s.as_bytes()).ok();
    let key = b64(&raw.key).ok_or_else(|| problem("the key is not base64"))?;
    let id: [u8; 32] = b64(&raw.log_id)
        .and_then(|id| id.try_into().ok())
        .ok_or_else(|| problem("the log id is not 32 bytes of base64"))?;
    if ring::digest::digest(&ring::digest::SHA256, &key).as_ref() != id {
        return Err(problem("the log id is not the SHA-256 of its key"));
    }
    let (state, since) = match raw.state.as_ref().and_then(|s| s.iter().next()) {
        Some((state, at)) => (
            *state,
            instant(&at.timestamp).ok_or_else(|| problem("a state timestamp is not RFC 3339"))?,
        ),
        // No state at all: a log the list does not yet vouch for.
        None => (LogState::Pending, OffsetDateTime::UNIX_EPOCH),
    };
    let name = raw
        .description
        .strip_suffix(" log")
        .unwrap_or(&raw.description);
    Ok(Log {
        name: name.to_string(),
        operator: operator.to_string(),
        id,
        key,
        state,
        state_since: since,
        kind,
    })
}

fn instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

//! What a root program puts on a root beyond including it: a date after which leaves are no
//! longer trusted (Mozilla's and Java's distrust-after, by the leaf's notBefore; Chrome's
//! SCT-not-after, by the earliest embedded SCT) and the browser versions a set applies to.

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One constraint set. Chrome lists several per root and trusts the root when any one holds;
/// Mozilla and Java have at most one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Constraint {
    /// Leaves whose notBefore is after this instant are refused (Mozilla, Java).
    pub distrust_after: Option<OffsetDateTime>,
    /// Leaves whose earliest embedded SCT is after this instant are refused (Chrome).
    pub sct_not_after: Option<OffsetDateTime>,
    /// The set applies to client versions from this one (Chrome's `min_version`).
    pub min_version: Option<u32>,
    /// The set applies to client versions before this one (Chrome's `max_version_exclusive`).
    pub max_version_exclusive: Option<u32>,
    /// The program's name for the rule (Java's `ENTRUST_TLS`).
    pub policy: Option<String>,
    /// Where in the source package the rule is written, when not the manifest's own file.
    pub source: Option<String>,
}

/// A constraint as the manifest writes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConstraint {
    distrust_after: Option<String>,
    sct_not_after: Option<String>,
    min_version: Option<String>,
    max_version_exclusive: Option<String>,
    policy: Option<String>,
    source: Option<String>,
}

/// The facts about a leaf that constraints are judged on.
#[derive(Clone, Copy, Debug)]
pub struct LeafFacts {
    pub not_before: OffsetDateTime,
    /// The earliest timestamp of the leaf's SCTs that verified against a known log, if any.
    pub earliest_sct: Option<OffsetDateTime>,
}

impl Constraint {
    pub(super) fn from_raw(raw: &RawConstraint) -> Result<Constraint, String> {
        let instant = |field: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(|v| {
                    OffsetDateTime::parse(v, &Rfc3339)
                        .map_err(|e| format!("{field} {v:?} is not an RFC 3339 instant: {e}"))
                })
                .transpose()
        };
        let version = |field: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(|v| {
                    v.parse::<u32>()
                        .map_err(|_| format!("{field} {v:?} is not a version number"))
                })
                .transpose()
        };
        let constraint = Constraint {
            distrust_after: instant("distrust_after", &raw.distrust_after)?,
            sct_not_after: instant("sct_not_after", &raw.sct_not_after)?,
            min_version: version("min_version", &raw.min_version)?,
            max_version_exclusive: version("max_version_exclusive", &raw.max_version_exclusive)?,
            policy: raw.policy.clone(),
            source: raw.source.clone(),
        };
        if constraint == Constraint::default() {
            return Err("a constraint set with no constraint".into());
        }
        Ok(constraint)
    }

    /// Whether the set concerns a client of `version`; `None` stands for a current release,
    /// newer than every limit in the data.
    pub fn applies_to(&self, version: Option<u32>) -> bool {
        match version {
            Some(v) => {
                self.min_version.is_none_or(|min| v >= min)
                    && self.max_version_exclusive.is_none_or(|max| v < max)
            }
            None => self.max_version_exclusive.is_none(),
        }
    }

    /// Why the leaf fails this set's date limits, or `None` when it meets them.
    pub fn date_refusal(&self, leaf: &LeafFacts) -> Option<String> {
        let policy = self
            .policy
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        if let Some(after) = self.distrust_after {
            if leaf.not_before > after {
                return Some(format!(
                    "the leaf's notBefore {} is after the root's distrust date {}{policy}",
                    crate::checks::show_time(leaf.not_before),
                    crate::checks::show_time(after)
                ));
            }
        }
        if let Some(after) = self.sct_not_after {
            match leaf.earliest_sct {
                None => {
                    return Some(format!(
                        "the leaf has no SCT that verifies against a known log, and the root is \
                         trusted only for certificates logged by {}{policy}",
                        crate::checks::show_time(after)
                    ));
                }
                Some(sct) if sct > after => {
                    return Some(format!(
                        "the leaf's earliest SCT {} is after the root's SCT-not-after date \
                         {}{policy}",
                        crate::checks::show_time(sct),
                        crate::checks::show_time(after)
                    ));
                }
                Some(_) => {}
            }
        }
        None
    }
}

/// Why a program refuses a leaf under a root with these constraint sets, or `None` when it
/// does not: no set at all, or one set that concerns this client and holds.
pub fn refusal(
    constraints: &[Constraint],
    leaf: &LeafFacts,
    version: Option<u32>,
) -> Option<String> {
    if constraints.is_empty() {
        return None;
    }
    let applicable: Vec<&Constraint> = constraints
        .iter()
        .filter(|c| c.applies_to(version))
        .collect();
    // Chrome: a root with constraints is trusted only when one set is satisfied, and a set
    // whose versions exclude this client is not.
    if applicable.is_empty() {
        return Some("the program trusts this root only in other client versions".into());
    }
    let mut first = None;
    for set in applicable {
        match set.date_refusal(leaf) {
            None => return None,
            Some(why) => {
                first.get_or_insert(why);
            }
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn leaf(not_before: OffsetDateTime, sct: Option<OffsetDateTime>) -> LeafFacts {
        LeafFacts {
            not_before,
            earliest_sct: sct,
        }
    }

    #[test]
    fn distrust_after_cuts_by_not_before() {
        let set = [Constraint {
            distrust_after: Some(datetime!(2024-11-11 23:59:59 UTC)),
            ..Constraint::default()
        }];
        assert!(refusal(&set, &leaf(datetime!(2024-11-11 12:00 UTC), None), None).is_none());
        assert!(refusal(&set, &leaf(datetime!(2024-11-12 00:00 UTC), None), None).is_some());
    }

    #[test]
    fn chrome_sets_by_version_either_holds() {
        // The shape of Chrome's Chunghwa entry: SCT-not-after from 139, nothing before.
        let sets = [
            Constraint {
                sct_not_after: Some(datetime!(2025-07-31 23:59:59 UTC)),
                min_version: Some(139),
                ..Constraint::default()
            },
            Constraint {
                max_version_exclusive: Some(139),
                ..Constraint::default()
            },
        ];
        let late = leaf(
            datetime!(2025-09-01 00:00 UTC),
            Some(datetime!(2025-09-01 00:00 UTC)),
        );
        assert!(refusal(&sets, &late, Some(138)).is_none());
        assert!(refusal(&sets, &late, Some(139)).is_some());
        assert!(refusal(&sets, &late, None).is_some());
        let early = leaf(
            datetime!(2025-01-01 00:00 UTC),
            Some(datetime!(2025-01-01 00:00 UTC)),
        );
        assert!(refusal(&sets, &early, None).is_none());
        assert!(refusal(&sets, &leaf(datetime!(2025-01-01 00:00 UTC), None), None).is_some());
    }
}

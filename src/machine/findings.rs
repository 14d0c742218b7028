//! The findings about installed anchors and about the root asked for: what is wrong with
//! each anchor, and why the system store does not hold the root. Pure judgements over what
//! [`super::inspect()`] read, kept apart so each rule can be read beside its message.

use super::layout::{Family, Layout};
use super::picture::{AnchorReport, Cert, CertSet};
use crate::causes::Cause;
use crate::checks::Finding;
use time::OffsetDateTime;

/// What is wrong with one installed anchor, whatever root is being asked about.
pub(super) fn anchor_findings(anchor: &AnchorReport, layout: &Layout) -> Vec<Finding> {
    let mut out = Vec::new();
    let update = layout.update();
    if !anchor.picked_up {
        let ext = layout.required_extension.unwrap_or(".crt");
        let stem = anchor
            .path
            .rsplit_once('.')
            .map_or(anchor.path.as_str(), |(stem, _)| stem);
        out.push(Finding::new(
            Cause::AnchorWrongExtension,
            format!(
                "{} ({}) is ignored: {} only reads files ending in {ext}; rename it: `sudo mv {} {stem}{ext} && {update}`",
                anchor.path,
                anchor.subject,
                layout.update_command.unwrap_or("the update command"),
                anchor.path
            ),
        ));
    } else if !anchor.compiled && anchor.kind == "root" {
        out.push(Finding::new(
            Cause::AnchorNotCompiled,
            format!(
                "{} ({}) is installed but not in the compiled bundle: run `{update}`",
                anchor.path, anchor.subject
            ),
        ));
    }
    if matches!(anchor.kind, "leaf" | "self-signed leaf" | "intermediate") {
        out.push(Finding::new(
            Cause::AnchorIsLeaf,
            format!(
                "{} holds {}, a {}: clients look for the root CA at the top of the chain, so \
                 install the root that issued it instead",
                anchor.path, anchor.subject, anchor.kind
            ),
        ));
    }
    if anchor.expired {
        out.push(Finding::new(
            Cause::AnchorExpired,
            format!(
                "{} ({}) has expired: replace it with the CA's current root",
                anchor.path, anchor.subject
            ),
        ));
    }
    out
}

/// Whether the system store holds `root`, and if not, why not.
pub(super) fn root_findings(
    root: &Cert,
    now: OffsetDateTime,
    compiled: &CertSet,
    installed: &[(String, Cert)],
    layout: &Layout,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let subject = root.subject();
    if root.kind() != "root" {
        out.push(Finding::new(
            Cause::AnchorIsLeaf,
            format!(
                "the certificate given, {subject}, is a {}, not a root CA: trust the root at the top of its chain instead",
                root.kind()
            ),
        ));
    }
    if root.expired(now) {
        out.push(Finding::new(
            Cause::AnchorExpired,
            format!("the root {subject} has expired: no client accepts chains that end at it"),
        ));
    }
    if compiled.holds(root) || layout.family == Family::Macos || layout.family == Family::Windows {
        return out;
    }
    let as_installed = installed.iter().any(|(_, c)| c.same_as(root));
    let below = installed
        .iter()
        .find(|(_, c)| root.issued(c))
        .map(|(path, c)| (path, c.subject()));
    if !as_installed {
        let mut detail =
            format!("{subject} is neither in the compiled bundle nor among the installed anchors");
        if let Some((path, child)) = below {
            detail.push_str(&format!(
                "; {path} holds {child}, which it issued: install the root itself"
            ));
        }
        let dir = layout
            .anchor_dirs
            .first()
            .cloned()
            .unwrap_or_else(|| "the anchors directory".into());
        let ext = layout.required_extension.unwrap_or(".crt");
        if layout.update_command.is_some() {
            detail.push_str(&format!(
                "; install it: `sudo cp root.pem {dir}/NAME{ext} && {}`",
                layout.update()
            ));
        }
        out.push(Finding::new(Cause::AnchorMissing, detail));
    }
    out
}

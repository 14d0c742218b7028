//! Paths of an inspected filesystem (`--root-dir`) resolved the way `chroot` would see them.
//!
//! An unpacked image is full of symbolic links written for its own `/`: `etc/ssl` may point at
//! `/usr/lib/ssl`, `etc/ssl/certs/a1b2c3d4.0` at `/usr/share/ca-certificates/...`. Left to the
//! operating system, those absolute targets are followed on this machine, and the report
//! describes the host instead of the image. [`resolve_in_root`] walks the path one component at
//! a time with `lstat`, never asking the OS to follow a link: an absolute target starts again at
//! the root, a relative one from the link's directory, and `..` stops at the root. The path it
//! returns holds no symbolic link at all, so opening, listing or stat-ing it reads inside the
//! root only.
//!
//! This is what Linux's `openat2(RESOLVE_IN_ROOT)` does in the kernel; std has no binding for
//! it, and it is Linux-only. Unlike it, this resolver checks first and opens afterwards, so a
//! link swapped in between by someone writing to the tree at that moment would be followed: it
//! protects against what an image contains, not against a concurrent writer.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// How many symbolic links one lookup may follow, as Linux allows (`MAXSYMLINKS`, then
/// `ELOOP`): enough for any real layout, and a loop ends instead of spinning.
pub const MAX_LINK_HOPS: usize = 40;

/// Why a path of the inspected filesystem names nothing that can be read.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// A component does not exist (or is not a directory where one is needed).
    #[error("{path} does not exist")]
    NotFound { path: String },
    /// More links than [`MAX_LINK_HOPS`]: a loop, in practice.
    #[error("{path} could not be resolved: more than {MAX_LINK_HOPS} symbolic links (a loop)")]
    TooManyLinks { path: String },
    /// A component could not be examined (permissions, I/O).
    #[error("{path} could not be examined: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl ResolveError {
    /// True when the path simply names nothing, as opposed to a loop or an unreadable directory.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ResolveError::NotFound { .. })
    }
}

/// Where `path` (a path of the filesystem whose `/` is `root`) is on this machine, with every
/// symbolic link along it, the last component included, resolved inside `root`.
///
/// `root` itself is taken as given. The result is `root` joined with components that were each
/// seen to be a real directory (or, for the last, a non-link); nothing outside `root` is
/// examined.
pub fn resolve_in_root(root: &Path, path: &Path) -> Result<PathBuf, ResolveError> {
    let shown = || path.display().to_string();
    let mut pending: VecDeque<OsString> = VecDeque::new();
    push_front(&mut pending, path);
    // The components below `root` that have been checked, none of them a link.
    let mut resolved: Vec<OsString> = Vec::new();
    let mut hops = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            resolved.pop(); // At the root this does nothing: `..` of `/` is `/`.
            continue;
        }
        if part == "/" {
            resolved.clear();
            continue;
        }
        let here: PathBuf = std::iter::once(root.as_os_str())
            .chain(resolved.iter().map(OsString::as_os_str))
            .chain(std::iter::once(part.as_os_str()))
            .collect();
        let meta = match std::fs::symlink_metadata(&here) {
            Ok(meta) => meta,
            Err(e) if is_absent(&e) => return Err(ResolveError::NotFound { path: shown() }),
            Err(source) => {
                return Err(ResolveError::Io {
                    path: shown(),
                    source,
                });
            }
        };
        if meta.file_type().is_symlink() {
            hops += 1;
            if hops > MAX_LINK_HOPS {
                return Err(ResolveError::TooManyLinks { path: shown() });
            }
            let target = std::fs::read_link(&here).map_err(|source| ResolveError::Io {
                path: shown(),
                source,
            })?;
            // An absolute target starts with "/" and so restarts at the root; a relative one
            // continues from the link's directory, which is what `resolved` holds.
            push_front(&mut pending, &target);
            continue;
        }
        if !meta.is_dir() && !pending.is_empty() {
            // `file/next`: the kernel says ENOTDIR; for a reader it is simply not there.
            return Err(ResolveError::NotFound { path: shown() });
        }
        resolved.push(part);
    }
    Ok(std::iter::once(root.as_os_str())
        .chain(resolved.iter().map(OsString::as_os_str))
        .collect())
}

/// Puts the components of `path` before those still to be resolved; a leading `/` (or a
/// Windows prefix) becomes "/", which sends the walk back to the root.
fn push_front(pending: &mut VecDeque<OsString>, path: &Path) {
    let parts: Vec<OsString> = path
        .components()
        .filter_map(|c| match c {
            Component::Prefix(_) | Component::RootDir => Some(OsString::from("/")),
            Component::CurDir => None,
            Component::ParentDir => Some(OsString::from("..")),
            Component::Normal(name) => Some(name.to_os_string()),
        })
        .collect();
    for part in parts.into_iter().rev() {
        pending.push_front(part);
    }
}

/// Errors that mean "nothing there" rather than "could not look".
fn is_absent(e: &std::io::Error) -> bool {
    // ENOTDIR (a file used as a directory) has no stable ErrorKind on the MSRV; a component
    // that is a file is caught before it is used as a directory, so NotFound covers the rest.
    e.kind() == std::io::ErrorKind::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct Tree(PathBuf);

    impl Tree {
        fn new(label: &str) -> Tree {
            let dir = std::env::temp_dir()
                .join(format!("tlsdoctor-resolve-{label}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).expect("scratch dir");
            Tree(dir)
        }

        fn file(&self, path: &str, text: &str) {
            let full = self.0.join(path);
            fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            fs::write(full, text).expect("write");
        }

        #[cfg(unix)]
        fn link(&self, path: &str, target: &str) {
            let full = self.0.join(path);
            fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::os::unix::fs::symlink(target, full).expect("symlink");
        }

        fn resolve(&self, path: &str) -> Result<PathBuf, ResolveError> {
            resolve_in_root(&self.0, Path::new(path))
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn plain_paths_and_dot_dot_stay_under_the_root() {
        let tree = Tree::new("plain");
        tree.file("etc/os-release", "ID=debian");
        assert_eq!(
            tree.resolve("/etc/os-release").expect("found"),
            tree.0.join("etc/os-release")
        );
        assert_eq!(
            tree.resolve("/../../../etc/./os-release").expect("found"),
            tree.0.join("etc/os-release")
        );
        assert!(
            tree.resolve("/etc/missing")
                .is_err_and(|e| e.is_not_found())
        );
        assert!(
            tree.resolve("/etc/os-release/x")
                .is_err_and(|e| e.is_not_found())
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_absolute_link_is_followed_inside_the_root() {
        let tree = Tree::new("absolute");
        tree.file("usr/lib/ssl/certs/ca.crt", "image");
        tree.link("etc/ssl", "/usr/lib/ssl");
        assert_eq!(
            tree.resolve("/etc/ssl/certs/ca.crt").expect("found"),
            tree.0.join("usr/lib/ssl/certs/ca.crt")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_relative_link_climbing_out_is_clamped_at_the_root() {
        let tree = Tree::new("climb");
        tree.file("etc/ssl/certs/ca-certificates.crt", "image");
        tree.link(
            "etc/ssl/cert.pem",
            "../../../../etc/ssl/certs/ca-certificates.crt",
        );
        assert_eq!(
            tree.resolve("/etc/ssl/cert.pem").expect("found"),
            tree.0.join("etc/ssl/certs/ca-certificates.crt")
        );
        // The last component counts too: a link to a host path absent from the image is absent.
        tree.link("etc/ssl/other.pem", "/etc/hostname-not-in-image");
        assert!(
            tree.resolve("/etc/ssl/other.pem")
                .is_err_and(|e| e.is_not_found())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_an_error_not_a_hang() {
        let tree = Tree::new("loop");
        tree.link("etc/a", "b");
        tree.link("etc/b", "/etc/a");
        let error = tree.resolve("/etc/a/x").expect_err("a loop");
        assert!(
            matches!(error, ResolveError::TooManyLinks { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("symbolic links"), "{error}");
    }
}

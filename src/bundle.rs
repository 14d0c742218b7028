//! Reading certificates from files: PEM bundles or DER, as people actually have them.

use crate::error::Error;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::io::Read;
use std::path::Path;

/// Files larger than this are refused before they are read: no certificate bundle is this big.
pub const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads every certificate in a PEM or DER file, in file order.
pub fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    if meta.is_dir() {
        return Err(Error::Bundle {
            path: path.to_path_buf(),
            reason: "is a directory, not a certificate file".into(),
        });
    }
    if meta.len() > MAX_BUNDLE_BYTES {
        return Err(too_big(path));
    }
    let mut bytes = Vec::new();
    file.take(MAX_BUNDLE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(too_big(path));
    }
    parse_certificates(&bytes).map_err(|reason| Error::Bundle {
        path: path.to_path_buf(),
        reason,
    })
}

fn too_big(path: &Path) -> Error {
    Error::Bundle {
        path: path.to_path_buf(),
        reason: format!(
            "is larger than {} MiB; a certificate bundle never is",
            MAX_BUNDLE_BYTES / (1024 * 1024)
        ),
    }
}

/// Parses PEM (any number of CERTIFICATE blocks, other blocks ignored) or concatenated DER.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("is empty".into());
    }
    if contains(bytes, b"-----BEGIN") {
        let certs = CertificateDer::pem_slice_iter(bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("is not valid PEM: {e}"))?;
        if certs.is_empty() {
            return Err("holds PEM blocks but no CERTIFICATE block".into());
        }
        return Ok(certs);
    }
    split_der(bytes).map(|parts| {
        parts
            .into_iter()
            .map(|p| CertificateDer::from(p.to_vec()))
            .collect()
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Splits concatenated DER SEQUENCEs (one per certificate).
fn split_der(mut bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut parts = Vec::new();
    while !bytes.is_empty() {
        let len = der_element_len(bytes).ok_or_else(|| {
            if parts.is_empty() {
                "is neither PEM nor DER certificate data".to_string()
            } else {
                format!("has unreadable data after certificate {}", parts.len())
            }
        })?;
        let (part, rest) = bytes.split_at(len);
        parts.push(part);
        bytes = rest;
    }
    Ok(parts)
}

/// Total length (header + content) of the DER SEQUENCE at the start of `bytes`.
fn der_element_len(bytes: &[u8]) -> Option<usize> {
    if bytes.first() != Some(&0x30) {
        return None;
    }
    let first = *bytes.get(1)?;
    let (header, content) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let len_bytes = bytes.get(2..2 + n)?;
        let content = len_bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (2 + n, content)
    };
    let total = header.checked_add(content)?;
    (total <= bytes.len()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_junk_are_named() {
        assert_eq!(parse_certificates(b"  \n").unwrap_err(), "is empty");
        assert!(
            parse_certificates(b"hello")
                .unwrap_err()
                .contains("neither PEM nor DER")
        );
    }

    #[test]
    fn truncated_der_is_refused() {
        assert!(parse_certificates(&[0x30, 0x82, 0x10, 0x00, 1, 2, 3]).is_err());
    }
}

//! Reading certificates as people actually have them: PEM bundles, DER, and PKCS#7 (`.p7b`,
//! `.p7c`, what CAs publish at their "CA Issuers" URLs), from files or downloads.

use crate::error::Error;
use rustls::pki_types::CertificateDer;
use std::path::Path;

/// Reads every certificate in a PEM, DER or PKCS#7 file, in file order.
pub fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let bytes = crate::input::read(path)?;
    parse_certificates(&bytes).map_err(|reason| Error::Bundle {
        path: path.to_path_buf(),
        reason,
    })
}

/// Parses PEM (CERTIFICATE and PKCS7 blocks; other blocks such as keys are ignored), a DER
/// PKCS#7 bundle, or concatenated DER certificates.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("is empty".into());
    }
    if contains(bytes, b"-----BEGIN") {
        return parse_pem(bytes);
    }
    if is_pkcs12(bytes) {
        return Err(
            "is a PKCS#12 (.p12/.pfx) bundle, which is not read here; convert it: \
                    openssl pkcs12 -in FILE -nokeys -out certs.pem (and, for a key, \
                    openssl pkcs12 -in FILE -nocerts -nodes -out key.pem)"
                .into(),
        );
    }
    if let Some(certs) = pkcs7_certificates(bytes) {
        return match certs {
            Ok(certs) if certs.is_empty() => Err("is a PKCS#7 bundle with no certificates".into()),
            Ok(certs) => Ok(certs),
            Err(reason) => Err(format!("is a PKCS#7 bundle whose certificates {reason}")),
        };
    }
    split_der(bytes).map(|parts| {
        parts
            .into_iter()
            .map(|p| CertificateDer::from(p.to_vec()))
            .collect()
    })
}

/// PEM decoding for public data. rustls' own PEM reader decodes in constant time, which is right
/// for private keys and seven times slower than needed for the hundreds of roots in a system
/// store; certificates are public, so data-encoding's decoder is used instead.
fn parse_pem(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut certs = Vec::new();
    for (label, body) in pem_blocks(bytes) {
        let kind = match label {
            b"CERTIFICATE" => "CERTIFICATE",
            b"PKCS7" => "PKCS7",
            // Keys, CRLs and anything else next to the certificates are not ours to read.
            _ => continue,
        };
        let der = base64()
            .decode(&body)
            .map_err(|_| format!("holds a {kind} block that is not valid base64"))?;
        if kind == "CERTIFICATE" {
            certs.push(CertificateDer::from(der));
            continue;
        }
        match pkcs7_certificates(&der) {
            Some(Ok(found)) => certs.extend(found),
            Some(Err(reason)) => {
                return Err(format!("holds a PKCS7 block whose certificates {reason}"));
            }
            None => {
                return Err("holds a PKCS7 block that is not a PKCS#7 certificate bundle".into());
            }
        }
    }
    if certs.is_empty() {
        return Err("holds PEM blocks but no CERTIFICATE or PKCS7 block".into());
    }
    Ok(certs)
}

/// Standard base64 that, like OpenSSL, does not insist that unused trailing bits are zero.
fn base64() -> &'static data_encoding::Encoding {
    static LENIENT: std::sync::OnceLock<data_encoding::Encoding> = std::sync::OnceLock::new();
    LENIENT.get_or_init(|| {
        let mut spec = data_encoding::BASE64.specification();
        spec.check_trailing_bits = false;
        spec.encoding()
            .unwrap_or_else(|_| data_encoding::BASE64.clone())
    })
}

/// Every complete PEM block in one pass: its label and its base64 text, whitespace removed.
fn pem_blocks(bytes: &[u8]) -> Vec<(&[u8], Vec<u8>)> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let mut blocks = Vec::new();
    let mut rest = bytes;
    while let Some(start) = find(rest, BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let Some(label_end) = find(after, b"-----") else {
            break;
        };
        let label = &after[..label_end];
        let body = &after[label_end + 5..];
        let end = [b"-----END ", label, b"-----"].concat();
        let Some(stop) = find(body, &end) else {
            break;
        };
        let text = body[..stop]
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        blocks.push((label, text));
        rest = &body[stop + end.len()..];
    }
    blocks
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Reads every certificate file in a directory (not recursively), the way OpenSSL's and Go's
/// hashed-name directories are read: each file once, however many links point at it, and not
/// the files in `already_read` (a bundle that lives in the same directory). Files that hold no
/// certificate are reported, not fatal.
pub fn read_certificate_dir(
    dir: &Path,
    already_read: &[&Path],
) -> Result<(Vec<CertificateDer<'static>>, Vec<String>), Error> {
    let read_error = |source| Error::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_error)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let mut seen = std::collections::HashSet::new();
    for path in already_read {
        if let Ok(meta) = std::fs::metadata(path) {
            seen.insert(file_identity(&meta, path));
        }
    }
    let mut certs = Vec::new();
    let mut problems = Vec::new();
    for path in entries {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() || !seen.insert(file_identity(&meta, &path)) {
            continue;
        }
        match read_certificates(&path) {
            Ok(found) => certs.extend(found),
            Err(e) => problems.push(e.to_string()),
        }
    }
    Ok((certs, problems))
}

#[cfg(unix)]
fn file_identity(meta: &std::fs::Metadata, _path: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_identity(meta: &std::fs::Metadata, path: &Path) -> (u64, u64) {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .hash(&mut hasher);
    (hasher.finish(), meta.len())
}

/// A PKCS#12 PFX: a SEQUENCE that starts with the version INTEGER 3 (a certificate starts with
/// a SEQUENCE, its TBSCertificate).
fn is_pkcs12(der: &[u8]) -> bool {
    use x509_parser::asn1_rs::{Any, FromDer, Tag};
    let Ok((_, outer)) = Any::from_der(der) else {
        return false;
    };
    outer.tag() == Tag::Sequence && outer.data.starts_with(&[0x02, 0x01, 0x03])
}

/// The certificates of a DER PKCS#7 SignedData (RFC 2315 / 5652), or `None` if `der` is not one.
fn pkcs7_certificates(der: &[u8]) -> Option<Result<Vec<CertificateDer<'static>>, String>> {
    use x509_parser::asn1_rs::{Any, Class, FromDer, Oid, Tag};
    const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
    let (_, content_info) = Any::from_der(der).ok()?;
    if content_info.tag() != Tag::Sequence {
        return None;
    }
    let (rest, oid) = Oid::from_der(content_info.data).ok()?;
    if oid.to_id_string() != SIGNED_DATA {
        return None;
    }
    let malformed = || Some(Err("cannot be read (malformed SignedData)".to_string()));
    let Ok((_, explicit)) = Any::from_der(rest) else {
        return malformed();
    };
    let Ok((_, signed_data)) = Any::from_der(explicit.data) else {
        return malformed();
    };
    let mut items = signed_data.data;
    while !items.is_empty() {
        let Ok((rest, item)) = Any::from_der(items) else {
            return malformed();
        };
        // certificates [0] IMPLICIT SET OF Certificate
        if item.class() == Class::ContextSpecific && item.tag() == Tag(0) {
            return Some(split_der(item.data).map(|parts| {
                parts
                    .into_iter()
                    .map(|p| CertificateDer::from(p.to_vec()))
                    .collect()
            }));
        }
        items = rest;
    }
    Some(Ok(Vec::new()))
}

/// PEM text for one certificate, 64 base64 characters a line, as OpenSSL writes it.
pub fn to_pem(der: &[u8]) -> String {
    let encoded = data_encoding::BASE64.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
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

    /// A certs-only PKCS#7 bundle as `openssl crl2pkcs7 -nocrl` makes it, around two fake
    /// "certificates" (any DER SEQUENCE passes through the bundle reader).
    fn pkcs7(certs: &[&[u8]]) -> Vec<u8> {
        fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            if content.len() < 0x80 {
                out.push(content.len() as u8);
            } else {
                out.extend([0x82, (content.len() >> 8) as u8, content.len() as u8]);
            }
            out.extend_from_slice(content);
            out
        }
        let oid_signed_data = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
        ];
        let oid_data = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
        ];
        let mut signed = tlv(0x02, &[1]);
        signed.extend(tlv(0x31, &[]));
        signed.extend(tlv(0x30, &oid_data));
        signed.extend(tlv(0xa0, &certs.concat()));
        signed.extend(tlv(0x31, &[]));
        let mut content_info = oid_signed_data.to_vec();
        content_info.extend(tlv(0xa0, &tlv(0x30, &signed)));
        tlv(0x30, &content_info)
    }

    #[test]
    fn pkcs7_bundles_are_read_as_der_and_pem() {
        let a: &[u8] = &[0x30, 0x01, 0xaa];
        let b: &[u8] = &[0x30, 0x02, 0xbb, 0xcc];
        let der = pkcs7(&[a, b]);
        let certs = parse_certificates(&der).unwrap();
        assert_eq!(
            certs
                .iter()
                .map(|c| c.as_ref().to_vec())
                .collect::<Vec<_>>(),
            vec![a.to_vec(), b.to_vec()]
        );
        let pem = format!(
            "-----BEGIN PKCS7-----\n{}\n-----END PKCS7-----\n",
            data_encoding::BASE64.encode(&der)
        );
        assert_eq!(parse_certificates(pem.as_bytes()).unwrap().len(), 2);
        assert!(
            parse_certificates(&pkcs7(&[]))
                .unwrap_err()
                .contains("no certificates")
        );
    }

    #[test]
    fn pkcs12_is_named_with_the_conversion() {
        // A PFX header: SEQUENCE { INTEGER 3, ... }.
        let pfx = [0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00];
        assert!(
            parse_certificates(&pfx)
                .unwrap_err()
                .contains("openssl pkcs12")
        );
    }

    #[test]
    fn truncated_der_is_refused() {
        assert!(parse_certificates(&[0x30, 0x82, 0x10, 0x00, 1, 2, 3]).is_err());
    }
}

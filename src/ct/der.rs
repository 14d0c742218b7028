//! Just enough DER to take one extension out of a certificate's TBSCertificate and put the rest
//! back together, as RFC 6962 §3.2 defines the precertificate an embedded SCT signs. x509-parser
//! reads DER but does not write it, and re-encoding through a full model could change bytes the
//! log signed, so the elements are copied as they are and only lengths are rewritten.

/// The OID 1.3.6.1.4.1.11129.2.4.2 (embedded SCT list), as DER content bytes.
pub const SCT_LIST_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02];

/// One element: its tag, its whole encoding and its contents.
#[derive(Clone, Copy, Debug)]
pub struct Element<'a> {
    pub tag: u8,
    pub whole: &'a [u8],
    pub contents: &'a [u8],
}

/// Reads the element at the start of `input`, returning it and what follows. Only
/// single-byte tags and definite lengths of up to four bytes, which is all DER certificates use;
/// anything else, or a length past the end, is `None`.
pub fn element(input: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *input.get(1)?;
    let (length, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = input.get(2..2 + count)?;
        let length = bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b));
        (length, 2 + count)
    };
    let end = header.checked_add(length)?;
    let whole = input.get(..end)?;
    Some((
        Element {
            tag,
            whole,
            contents: &whole[header..],
        },
        &input[end..],
    ))
}

/// Every element of `input` in order; `None` if any does not read or bytes are left over.
pub fn elements(mut input: &[u8]) -> Option<Vec<Element<'_>>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (e, rest) = element(input)?;
        out.push(e);
        input = rest;
    }
    Some(out)
}

/// Encodes `contents` under `tag` with a DER length.
pub fn encode(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = contents.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
    out
}

/// The contents of a DER OCTET STRING that fills `input` exactly.
pub fn octet_string(input: &[u8]) -> Option<&[u8]> {
    match element(input)? {
        (e, []) if e.tag == 0x04 => Some(e.contents),
        _ => None,
    }
}

/// The TBSCertificate of `certificate` with the extension `oid` removed, re-encoded: the
/// precertificate TBS an embedded SCT's signature covers. `None` when the certificate does not
/// read as DER or has no such extension.
pub fn tbs_without_extension(certificate: &[u8], oid: &[u8]) -> Option<Vec<u8>> {
    let (outer, _) = element(certificate)?;
    let (tbs, _) = element(outer.contents)?;
    let mut fields = Vec::new();
    let mut removed = false;
    for field in elements(tbs.contents)? {
        // [3] EXPLICIT Extensions: a SEQUENCE of Extension SEQUENCEs, each starting with the OID.
        if field.tag != 0xa3 {
            fields.extend_from_slice(field.whole);
            continue;
        }
        let (list, _) = element(field.contents)?;
        let mut kept = Vec::new();
        for extension in elements(list.contents)? {
            let (id, _) = element(extension.contents)?;
            if id.tag == 0x06 && id.contents == oid {
                removed = true;
            } else {
                kept.extend_from_slice(extension.whole);
            }
        }
        // Extensions is SIZE (1..MAX): with nothing left, the field goes too.
        if !kept.is_empty() {
            fields.extend(encode(0xa3, &encode(0x30, &kept)));
        }
    }
    removed.then(|| encode(tbs.tag, &fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_in_short_and_long_form() {
        for n in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let encoded = encode(0x04, &vec![7u8; n]);
            let (e, rest) = element(&encoded).expect("reads back");
            assert_eq!((e.contents.len(), rest.len()), (n, 0));
        }
    }

    #[test]
    fn truncated_or_oversized_lengths_read_as_nothing() {
        assert!(element(&[0x30, 0x82, 0x01]).is_none());
        assert!(element(&[0x30, 0x05, 1, 2]).is_none());
        assert!(element(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none());
        assert!(element(&[0x1f, 0x01, 0x00]).is_none());
    }
}

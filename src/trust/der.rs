//! The two DER details anchors need: webpki keeps names and keys without their SEQUENCE header.

/// The contents of a DER SEQUENCE (without its tag and length), if `der` is one.
pub(super) fn sequence_contents(der: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = der.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    if first < 0x80 {
        return rest.get(..usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    let len_bytes = rest.get(..n)?;
    let len = len_bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    rest.get(n..)?.get(..len)
}

/// Wraps contents in a DER SEQUENCE header.
pub(crate) fn wrap_sequence(contents: &[u8]) -> Vec<u8> {
    let len = contents.len();
    let mut out = vec![0x30];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(contents);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_round_trip() {
        for len in [0usize, 5, 127, 128, 300, 70_000] {
            let contents = vec![7u8; len];
            let wrapped = wrap_sequence(&contents);
            assert_eq!(sequence_contents(&wrapped), Some(contents.as_slice()));
        }
    }
}

//! Building the ClientHello record for an [`Offer`]: extensions, one key share, the record
//! framing. Writing bytes only; reading the server's answer is [`super::answer`]'s job.

use super::Offer;

/// The ClientHello record for `offer`. With TLS 1.3 offered, the versions go in
/// supported_versions and one key share is sent; without, the highest version is the hello's
/// own, as an old client sends it.
pub(super) fn client_hello(offer: &Offer) -> Vec<u8> {
    let tls13 = offer.versions.contains(&0x0304);
    let mut extensions = Vec::new();
    if let Some(name) = &offer.sni {
        let mut list = vec![0u8];
        push_u16_prefixed(&mut list, name.as_bytes());
        let mut body = Vec::new();
        push_u16_prefixed(&mut body, &list);
        push_extension(&mut extensions, 0x0000, &body);
    }
    push_extension(&mut extensions, 0x000a, &u16_list(&offer.groups));
    push_extension(&mut extensions, 0x000b, &[1, 0]); // ec_point_formats: uncompressed
    push_extension(&mut extensions, 0x000d, &u16_list(&offer.schemes));
    if offer.scts {
        push_extension(&mut extensions, 0x0012, &[]);
    }
    // extended_master_secret and renegotiation_info, which some servers insist on.
    push_extension(&mut extensions, 0x0017, &[]);
    push_extension(&mut extensions, 0xff01, &[0]);
    if tls13 {
        let mut versions: Vec<u16> = offer.versions.clone();
        versions.sort_unstable_by(|a, b| b.cmp(a));
        let bytes: Vec<u8> = versions.iter().flat_map(|v| v.to_be_bytes()).collect();
        let mut body = vec![u8::try_from(bytes.len()).unwrap_or(u8::MAX)];
        body.extend_from_slice(&bytes);
        push_extension(&mut extensions, 0x002b, &body);
        push_extension(&mut extensions, 0x002d, &[1, 1]); // psk_dhe_ke, as every client sends
        let mut shares = Vec::new();
        if let Some((group, public)) = key_share(&offer.groups) {
            shares.extend_from_slice(&group.to_be_bytes());
            push_u16_prefixed(&mut shares, &public);
        }
        let mut body = Vec::new();
        push_u16_prefixed(&mut body, &shares);
        push_extension(&mut extensions, 0x0033, &body);
    }
    let legacy_version = offer
        .versions
        .iter()
        .copied()
        .max()
        .unwrap_or(0x0303)
        .min(0x0303);
    let mut hello = legacy_version.to_be_bytes().to_vec();
    hello.extend_from_slice(&random());
    if tls13 {
        hello.push(32); // a session id, as TLS 1.3 clients send for middleboxes
        hello.extend_from_slice(&random());
    } else {
        hello.push(0);
    }
    let mut suites = offer.suites.clone();
    if !tls13 && !suites.contains(&0x00ff) {
        suites.push(0x00ff);
    }
    push_u16_prefixed(
        &mut hello,
        &suites
            .iter()
            .flat_map(|s| s.to_be_bytes())
            .collect::<Vec<u8>>(),
    );
    hello.extend_from_slice(&[1, 0]); // compression: null
    push_u16_prefixed(&mut hello, &extensions);

    let mut message = vec![1u8];
    message.extend_from_slice(&u24(hello.len()));
    message.extend_from_slice(&hello);
    let mut record = vec![0x16, 0x03, 0x01];
    push_u16_prefixed(&mut record, &message);
    record
}

/// A public key share for the first group ring can make one for. One share per group serves
/// every hello of the run: the probe stops before the key would be used, so the private half is
/// dropped at once.
fn key_share(groups: &[u16]) -> Option<(u16, Vec<u8>)> {
    use ring::agreement::{ECDH_P256, ECDH_P384, EphemeralPrivateKey, X25519};
    static SHARES: std::sync::OnceLock<Vec<(u16, Vec<u8>)>> = std::sync::OnceLock::new();
    let shares = SHARES.get_or_init(|| {
        let rng = ring::rand::SystemRandom::new();
        [
            (0x001d, &X25519),
            (0x0017, &ECDH_P256),
            (0x0018, &ECDH_P384),
        ]
        .into_iter()
        .filter_map(|(group, algorithm)| {
            let key = EphemeralPrivateKey::generate(algorithm, &rng).ok()?;
            let public = key.compute_public_key().ok()?;
            Some((group, public.as_ref().to_vec()))
        })
        .collect()
    });
    groups
        .iter()
        .find_map(|group| shares.iter().find(|(g, _)| g == group).cloned())
}

fn u16_list(values: &[u16]) -> Vec<u8> {
    let mut out = Vec::new();
    push_u16_prefixed(
        &mut out,
        &values
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect::<Vec<u8>>(),
    );
    out
}

fn random() -> [u8; 32] {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 32];
    // The random only has to differ between hellos; a failure leaves zeros, which still works.
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    bytes
}

pub(super) fn u24(n: usize) -> [u8; 3] {
    let [_, a, b, c] = u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
    [a, b, c]
}

pub(super) fn push_u16_prefixed(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(&u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(body);
}

pub(super) fn push_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16_prefixed(out, body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::hello::{group_code, suite_code};

    #[test]
    fn a_profile_hello_carries_its_versions_and_one_key_share() {
        let offer = Offer {
            versions: vec![0x0304, 0x0303],
            suites: vec![0x1301, 0xc02f],
            groups: vec![0x0100, 0x001d],
            schemes: vec![0x0804],
            sni: Some("ok.test".into()),
            scts: false,
        };
        let hello = client_hello(&offer);
        let has = |needle: &[u8]| hello.windows(needle.len()).any(|w| w == needle);
        assert!(has(&[0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03]));
        // key_share: one x25519 share (36 bytes of entry), not one for ffdhe2048.
        assert!(has(&[
            0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20
        ]));
        // A profile's hello asks for SCTs only when that client does.
        assert!(!has(&[0x00, 0x12, 0x00, 0x00]));
        assert_eq!(suite_code("TLS_AES_128_GCM_SHA256"), Some(0x1301));
        assert_eq!(group_code("ffdhe2048"), Some(0x0100));
    }

    #[test]
    fn the_hello_is_a_well_formed_record() {
        let hello = client_hello(&Offer::legacy(Some("ok.test")));
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        assert_eq!(
            usize::from(u16::from_be_bytes([hello[3], hello[4]])),
            hello.len() - 5
        );
        assert_eq!(hello[5], 1);
    }
}

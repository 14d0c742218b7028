//! Reading an OCSP response: which certificate it is about, who signed it, how fresh it is.

use super::*;

/// Reads an OCSP response about `leaf` (with `issuer`, when known, to check the CertID and the
/// signature) and judges its freshness at `now`.
pub fn check_response(
    der: &[u8],
    leaf_der: &[u8],
    issuer_der: Option<&[u8]>,
    now: OffsetDateTime,
) -> Result<OcspReport, OcspError> {
    let leaf = facts_of(leaf_der).map_err(OcspError::BadCertificate)?;
    let issuer = issuer_der.map(facts_of).transpose();
    let issuer = issuer.map_err(OcspError::BadCertificate)?;
    let (basic, tbs) = decode(der)?;
    let data = &basic.tbs_response_data;
    let mut problems = Vec::new();
    let matching = data
        .responses
        .iter()
        .find(|r| identifies(&r.cert_id, &leaf, issuer.as_ref()));
    let Some(single) = matching.or(data.responses.first()) else {
        return Err(OcspError::Unparseable("it lists no certificate".into()));
    };
    let serial = hex(single.cert_id.serial_number.as_bytes());
    if matching.is_none() {
        let expected = leaf.serial.clone();
        problems.push(OcspProblem::WrongCertificate {
            serial: serial.clone(),
            expected,
        });
    }
    let hash = cert_id_hash(&single.cert_id.hash_algorithm.oid);
    if hash.is_none() {
        let algorithm = single.cert_id.hash_algorithm.oid.to_string();
        problems.push(OcspProblem::UnsupportedCertIdHash { algorithm });
    }
    let included: Vec<CertFacts> = basic
        .certs
        .iter()
        .flatten()
        .filter_map(|c| c.to_der().ok().and_then(|d| facts_of(&d).ok()))
        .collect();
    let signed_by = signer(&basic, tbs, issuer.as_ref(), &included, now, &mut problems);
    let this_update = instant(&single.this_update)?;
    let next_update = single.next_update.as_ref().map(instant).transpose()?;
    problems.extend(freshness(this_update, next_update, now));
    Ok(OcspReport {
        status: status(&single.cert_status)?,
        produced_at: instant(&data.produced_at)?,
        this_update,
        next_update,
        responder: responder(&data.responder_id),
        signed_by,
        certificates: included.iter().map(|c| c.subject.clone()).collect(),
        serial,
        cert_id_hash: hash.map_or_else(
            || single.cert_id.hash_algorithm.oid.to_string(),
            |h| h.1.into(),
        ),
        problems,
    })
}

/// Stale once nextUpdate has passed, not yet valid before thisUpdate (no clock-skew allowance:
/// `now` is explicit, so a caller that wants one moves `now`).
fn freshness(
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Vec<OcspProblem> {
    let mut problems = Vec::new();
    if this_update > now {
        problems.push(OcspProblem::NotYetValid { this_update });
    }
    match next_update {
        Some(next_update) if next_update < now => problems.push(OcspProblem::Stale { next_update }),
        Some(_) => {}
        None => problems.push(OcspProblem::NoNextUpdate),
    }
    problems
}

/// The basic response and the exact bytes its signature covers.
fn decode(der: &[u8]) -> Result<(BasicOcspResponse, Vec<u8>), OcspError> {
    let bad = |e: der::Error| OcspError::Unparseable(e.to_string());
    let response = OcspResponse::from_der(der).map_err(bad)?;
    let refusal = match response.response_status {
        OcspResponseStatus::Successful => None,
        OcspResponseStatus::MalformedRequest => Some(Refusal::MalformedRequest),
        OcspResponseStatus::InternalError => Some(Refusal::InternalError),
        OcspResponseStatus::TryLater => Some(Refusal::TryLater),
        OcspResponseStatus::SigRequired => Some(Refusal::SigRequired),
        OcspResponseStatus::Unauthorized => Some(Refusal::Unauthorized),
    };
    if let Some(refusal) = refusal {
        return Err(OcspError::Unsuccessful(refusal));
    }
    let Some(bytes) = response.response_bytes else {
        return Err(OcspError::Unparseable(
            "successful, but with no response".into(),
        ));
    };
    if bytes.response_type.to_string() != OCSP_BASIC {
        return Err(OcspError::UnsupportedType(bytes.response_type.to_string()));
    }
    let basic_der = bytes.response.as_bytes();
    let basic = BasicOcspResponse::from_der(basic_der).map_err(bad)?;
    // Re-encoding could differ from what was signed; take tbsResponseData as sent.
    let mut reader = SliceReader::new(basic_der).map_err(bad)?;
    let tbs = reader
        .sequence(|inner| {
            let tbs = inner.tlv_bytes()?;
            inner.read_slice(inner.remaining_len())?;
            Ok(tbs.to_vec())
        })
        .map_err(bad)?;
    Ok((basic, tbs))
}

/// Whether a CertID names `leaf`: the serial, and with the issuer known, the hashes of its
/// name and key (RFC 6960 4.1.1) in whatever hash the CertID uses.
fn identifies(id: &CertId, leaf: &CertFacts, issuer: Option<&CertFacts>) -> bool {
    if hex(id.serial_number.as_bytes()) != leaf.serial {
        return false;
    }
    let (Some(issuer), Some((algorithm, _))) = (issuer, cert_id_hash(&id.hash_algorithm.oid))
    else {
        return true;
    };
    digest(algorithm, &issuer.subject_der) == id.issuer_name_hash.as_bytes()
        && digest(algorithm, &key_bits(issuer)) == id.issuer_key_hash.as_bytes()
}

/// Finds whose key made the signature; what disqualifies that key goes to `problems`.
fn signer(
    basic: &BasicOcspResponse,
    tbs: Vec<u8>,
    issuer: Option<&CertFacts>,
    included: &[CertFacts],
    now: OffsetDateTime,
    problems: &mut Vec<OcspProblem>,
) -> Option<Signer> {
    let signed = SignedData {
        tbs,
        signature: basic.signature.raw_bytes().to_vec(),
        kind: signature_kind(&basic.signature_algorithm),
    };
    let mut results = Vec::new();
    if let Some(issuer) = issuer {
        let result = signature::verify(&signed, &issuer.spki_der);
        if result == SignatureStatus::Valid {
            return Some(Signer::Issuer);
        }
        results.push(result);
    } else {
        problems.push(OcspProblem::IssuerUnknown);
    }
    for cert in included {
        let result = signature::verify(&signed, &cert.spki_der);
        results.push(result);
        if result != SignatureStatus::Valid {
            continue;
        }
        let subject = cert.subject.clone();
        // RFC 6960 4.2.2.2: a delegate is issued by the CA and carries id-kp-OCSPSigning.
        let reason = match issuer.map(|i| i.signed(cert)) {
            Some(SignatureStatus::Valid) | None => None,
            Some(_) => Some("was not issued by the certificate's issuer"),
        };
        let has_eku = cert.eku.iter().flatten().any(|e| e == "OCSPSigning");
        let reason = reason.or((!has_eku).then_some("lacks the OCSPSigning extended key usage"));
        if let Some(reason) = reason {
            let (subject, reason) = (subject.clone(), reason.to_string());
            problems.push(OcspProblem::UnauthorizedSigner { subject, reason });
        }
        if now < cert.not_before || now > cert.not_after {
            let (subject, not_after) = (subject.clone(), cert.not_after);
            problems.push(OcspProblem::SignerNotValid { subject, not_after });
        }
        return Some(Signer::Delegated { subject });
    }
    if results.contains(&SignatureStatus::Unsupported) {
        let algorithm = signed.kind.name();
        problems.push(OcspProblem::UnsupportedSignature { algorithm });
    } else if !results.is_empty() {
        problems.push(OcspProblem::BadSignature);
    }
    None
}

/// The chain model's reading of an algorithm, through x509-parser's type.
fn signature_kind(algorithm: &AlgorithmIdentifierOwned) -> SignatureKind {
    let der = algorithm.to_der().unwrap_or_default();
    match x509_parser::x509::AlgorithmIdentifier::from_der(&der) {
        Ok((_, parsed)) => SignatureKind::of(&parsed),
        Err(_) => SignatureKind::Other(algorithm.oid.to_string()),
    }
}

fn status(status: &x509_ocsp::CertStatus) -> Result<CertStatus, OcspError> {
    Ok(match status {
        x509_ocsp::CertStatus::Good(_) => CertStatus::Good,
        x509_ocsp::CertStatus::Unknown(_) => CertStatus::Unknown,
        x509_ocsp::CertStatus::Revoked(info) => CertStatus::Revoked {
            time: instant(&info.revocation_time)?,
            reason: info.revocation_reason.map(reason_name),
        },
    })
}

fn reason_name(reason: CrlReason) -> &'static str {
    match reason {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
}

fn responder(id: &ResponderId) -> Responder {
    match id {
        ResponderId::ByKey(hash) => Responder::KeyHash(hex(hash.as_bytes())),
        ResponderId::ByName(name) => {
            let der = name.to_der().unwrap_or_default();
            let text = X509Name::from_der(&der).ok().and_then(|(_, n)| {
                n.to_string_with_registry(x509_parser::objects::oid_registry())
                    .ok()
            });
            Responder::Name(text.unwrap_or_else(|| name.to_string()))
        }
    }
}

fn instant(time: &OcspGeneralizedTime) -> Result<OffsetDateTime, OcspError> {
    let seconds = i64::try_from(time.0.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|e| OcspError::Unparseable(format!("a time out of range: {e}")))
}

/// The SCTs a stapled OCSP response carries for `leaf_der` (RFC 6962 §3.3: the single
/// response's extension 1.3.6.1.4.1.11129.2.4.5); `None` when it carries none or does not read,
/// which the revocation check reports on its own.
pub fn staple_scts(der: &[u8], leaf_der: &[u8]) -> Option<crate::ct::SctList> {
    let leaf = facts_of(leaf_der).ok()?;
    let (basic, _) = decode(der).ok()?;
    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| identifies(&r.cert_id, &leaf, None))?;
    let extension = single
        .single_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == crate::ct::OCSP_SCT_OID)?;
    Some(crate::ct::parse_extension(
        extension.extn_value.as_bytes(),
        crate::ct::SctSource::Ocsp,
    ))
}

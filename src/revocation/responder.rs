//! Asking the responder: the OCSP request, a bounded POST through the shared fetcher, and
//! what a body that is not OCSP is instead.

use super::*;

/// A DER OCSPRequest for `leaf`, with the SHA-1 CertID that every responder understands and
/// no nonce (most CAs serve pre-signed responses and ignore it).
pub fn ocsp_request(leaf_der: &[u8], issuer_der: &[u8]) -> Result<Vec<u8>, QueryError> {
    let (_, leaf) = X509Certificate::from_der(leaf_der)
        .map_err(|e| QueryError::Request(format!("the certificate: {e}")))?;
    let issuer =
        facts_of(issuer_der).map_err(|e| QueryError::Request(format!("the issuer: {e}")))?;
    let sha1 =
        |bytes: &[u8]| OctetString::new(digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes));
    let built = (|| {
        let cert_id = CertId {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: SHA1,
                parameters: Some(Null.into()),
            },
            issuer_name_hash: sha1(&issuer.subject_der)?,
            issuer_key_hash: sha1(&key_bits(&issuer))?,
            serial_number: SerialNumber::new(leaf.raw_serial())?,
        };
        let tbs_request = TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions: None,
        };
        OcspRequest {
            tbs_request,
            optional_signature: None,
        }
        .to_der()
    })();
    built.map_err(|e| QueryError::Request(e.to_string()))
}

/// Asks the responders named in the leaf's AIA extension (the first that answers wins).
pub async fn query(
    leaf_der: &[u8],
    issuer_der: &[u8],
    fetcher: &dyn Fetch,
    now: OffsetDateTime,
) -> Result<OcspReport, QueryError> {
    let mut last = QueryError::NoUrl;
    for url in ocsp_urls(leaf_der).iter().take(MAX_URLS) {
        match query_url(url, leaf_der, issuer_der, fetcher, now).await {
            Ok(report) => return Ok(report),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Asks the responder at `url` about `leaf` with an HTTP POST, within the fetcher's deadline
/// and [`MAX_RESPONSE_BYTES`].
pub async fn query_url(
    url: &str,
    leaf_der: &[u8],
    issuer_der: &[u8],
    fetcher: &dyn Fetch,
    now: OffsetDateTime,
) -> Result<OcspReport, QueryError> {
    let request = ocsp_request(leaf_der, issuer_der)?;
    let answer = fetcher
        .post(url, "application/ocsp-request", request, MAX_RESPONSE_BYTES)
        .await
        .map_err(|error| QueryError::Fetch {
            url: url.to_string(),
            error,
        })?;
    // The Content-Type is not required to be application/ocsp-response: some responders send
    // octet-stream. Whether the body parses decides; the type only helps explain a failure.
    match check_response(&answer.body, leaf_der, Some(issuer_der), now) {
        Ok(report) => Ok(report),
        Err(OcspError::Unparseable(why)) => Err(QueryError::NotOcsp {
            url: url.to_string(),
            detail: describe_body(&answer.body, answer.content_type.as_deref(), &why),
            content_type: answer.content_type,
        }),
        Err(error) => Err(QueryError::Response {
            url: url.to_string(),
            error,
        }),
    }
}

fn describe_body(body: &[u8], content_type: Option<&str>, why: &str) -> String {
    let kind = content_type.unwrap_or("no Content-Type");
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let head = String::from_utf8_lossy(&body[start..body.len().min(start + 64)]).to_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        format!("it sent an HTML page ({kind}, {} bytes)", body.len())
    } else if body.is_empty() {
        format!("it sent an empty body ({kind})")
    } else {
        format!(
            "{} bytes of {kind} that are not DER OCSP ({why})",
            body.len()
        )
    }
}

use super::{Dialogue, UpgradeError, shown};
use std::fmt;
use tokio::io::{AsyncRead, AsyncWrite};

/// RFC 4511 §4.14.1: the StartTLS extended request's name.
const START_TLS_OID: &str = "1.3.6.1.4.1.1466.20037";
const _: () = assert!(START_TLS_OID.len() == 22);

/// LDAPMessage { messageID 1, [APPLICATION 23] ExtendedRequest { [0] requestName } }: every
/// length fits the short form, so the encoding is written out.
fn start_tls_request() -> Vec<u8> {
    let mut request = vec![0x30, 29, 0x02, 1, 1, 0x77, 24, 0x80, 22];
    request.extend_from_slice(START_TLS_OID.as_bytes());
    request
}

/// One BER element with a one-byte tag and a definite length (all LDAP needs, RFC 4511 §5.1):
/// its tag, contents and what follows it.
fn ber_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        let digits = rest.get(..count).filter(|_| (1..=4).contains(&count))?;
        let length = digits.iter().fold(0, |n, b| n << 8 | usize::from(*b));
        (length, &rest[count..])
    };
    let contents = rest.get(..length)?;
    Some((tag, contents, &rest[length..]))
}

/// A BER INTEGER or ENUMERATED of at most eight bytes.
fn ber_integer(contents: &[u8]) -> Option<i64> {
    let (&first, _) = contents.split_first()?;
    if contents.len() > 8 {
        return None;
    }
    let start = if first & 0x80 == 0 { 0 } else { -1 };
    Some(contents.iter().fold(start, |n, b| n << 8 | i64::from(*b)))
}

/// Names of the LDAP result codes a StartTLS answer can carry (RFC 4511 Appendix A).
fn result_name(code: i64) -> &'static str {
    match code {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        8 => "strongerAuthRequired",
        11 => "adminLimitExceeded",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        80 => "other",
        _ => "unknown",
    }
}

/// What an LDAP server answered to StartTLS.
struct Answer {
    message_id: i64,
    result_code: i64,
    diagnostic: String,
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = result_name(self.result_code);
        write!(f, "resultCode {} ({name})", self.result_code)?;
        if !self.diagnostic.is_empty() {
            write!(f, ": {}", self.diagnostic)?;
        }
        Ok(())
    }
}

/// Reads messageID and the ExtendedResponse's resultCode and diagnosticMessage
/// (RFC 4511 §4.1.1, §4.1.9, §4.12); `Err` says what did not fit.
fn parse_answer(message: &[u8]) -> Result<Answer, String> {
    let malformed = || "a malformed LDAP message".to_string();
    let (_, fields, _) = ber_element(message).ok_or_else(malformed)?;
    let (tag, id, rest) = ber_element(fields).ok_or_else(malformed)?;
    let message_id = ber_integer(id)
        .filter(|_| tag == 0x02)
        .ok_or_else(malformed)?;
    let (tag, response, _) = ber_element(rest).ok_or_else(malformed)?;
    if tag != 0x78 {
        return Err(format!(
            "an LDAP message of type [APPLICATION {}] where an ExtendedResponse (24) \
             was expected",
            tag & 0x1f
        ));
    }
    let (tag, code, rest) = ber_element(response).ok_or_else(malformed)?;
    let result_code = ber_integer(code)
        .filter(|_| tag == 0x0a)
        .ok_or_else(malformed)?;
    let (_, _matched_dn, rest) = ber_element(rest).ok_or_else(malformed)?;
    let (_, diagnostic, _) = ber_element(rest).ok_or_else(malformed)?;
    Ok(Answer {
        message_id,
        result_code,
        diagnostic: shown(diagnostic),
    })
}

impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<'_, S> {
    /// One LDAPMessage, header and contents, within the budget.
    async fn ber_message(&mut self) -> Result<Vec<u8>, UpgradeError> {
        if self.pending.is_empty() {
            self.fill().await?;
        }
        if self.pending.first() != Some(&0x30) {
            let detail = format!(
                "a reply that is not an LDAP message: {}",
                shown(&self.pending)
            );
            return Err(self.unexpected(detail));
        }
        let mut message = self.bytes(2).await?;
        let first = message[1];
        let length = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if !(1..=4).contains(&count) {
                let detail = format!("an LDAP message with a length of form {first:#04x}");
                return Err(self.unexpected(detail));
            }
            let digits = self.bytes(count).await?;
            message.extend_from_slice(&digits);
            digits.iter().fold(0, |n, b| n << 8 | usize::from(*b))
        };
        let contents = self.bytes(length).await?;
        message.extend_from_slice(&contents);
        Ok(message)
    }
}

/// RFC 4511 §4.14: the StartTLS extended operation, expect resultCode success.
///
/// §4.14.2 gives protocolError as the answer of a server that does not support TLS (and of
/// one that does not know the operation at all, §4.12), so resultCode 2 is "not offered";
/// OpenLDAP without certificates answers just that ("unsupported extended operation"). Every
/// other failure (unavailable, operationsError, unwillingToPerform, ...) comes from a server
/// that knows StartTLS and declined it now: a refusal, with the server's diagnostic message.
pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
    d: &mut Dialogue<'_, S>,
) -> Result<(), UpgradeError> {
    let described = format!("ExtendedRequest StartTLS ({START_TLS_OID}), messageID 1");
    d.send(&start_tls_request(), &described).await?;
    let message = d.ber_message().await?;
    let answer = match parse_answer(&message) {
        Ok(answer) => answer,
        Err(detail) => {
            d.record.push(format!("S: {} bytes of BER", message.len()));
            return Err(d.unexpected(detail));
        }
    };
    let id = answer.message_id;
    d.record
        .push(format!("S: ExtendedResponse (messageID {id}), {answer}"));
    match (id, answer.result_code) {
        (1, 0) => Ok(()),
        (1, 2) => Err(d.not_offered(format!("LDAP server answering {answer}"))),
        (1, _) => Err(d.refused(answer.to_string())),
        // RFC 4511 §4.4.1: messageID 0 is an unsolicited notice, such as a disconnection.
        (0, _) => Err(d.refused(format!("notice of disconnection, {answer}"))),
        _ => Err(d.unexpected(format!("an answer to messageID {id} where 1 was asked"))),
    }
}

use super::{Dialogue, Reply, UpgradeError};
use tokio::io::{AsyncRead, AsyncWrite};

/// Whether a FEAT reply (RFC 2389: one feature per line, after a space) lists AUTH with TLS
/// among its mechanisms ("AUTH TLS", "AUTH TLS;SSL", ...).
fn lists_auth_tls(feat: &Reply) -> bool {
    feat.lines.iter().skip(1).any(|line| {
        let mut words = line.split_ascii_whitespace();
        let label = words.next().unwrap_or_default();
        label.eq_ignore_ascii_case("AUTH")
            && words.any(|w| w.split(';').any(|m| m.eq_ignore_ascii_case("TLS")))
    })
}

/// RFC 4217: AUTH TLS, expect 234.
///
/// FEAT is asked first, only to name a refusal: a server that answers FEAT lists the AUTH it
/// supports (RFC 4217 §6), and servers without TLS often answer AUTH like any command before
/// login ("530 Please login with USER and PASS", vsftpd), which is "not offered" when FEAT
/// did not list it.
pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
    d: &mut Dialogue<'_, S>,
) -> Result<(), UpgradeError> {
    let mut greeting = d.reply().await?;
    // RFC 959 §5.4: "120 ready in nnn minutes" comes before the 220.
    while greeting.code == 120 {
        greeting = d.reply().await?;
    }
    match greeting.code {
        220 => {}
        400..=599 => return Err(d.refused(greeting.text())),
        _ => {
            return Err(d.unexpected(format!(
                "an FTP greeting that is not 220: {}",
                greeting.text()
            )));
        }
    }
    d.send_line("FEAT").await?;
    let feat = d.reply().await?;
    let unlisted = feat.code == 211 && !lists_auth_tls(&feat);
    d.send_line("AUTH TLS").await?;
    let answer = d.reply().await?;
    match answer.code {
        234 => Ok(()),
        // Command unknown or not implemented (RFC 959), or mechanism unknown (RFC 2228 §4).
        500 | 502 | 504 => Err(d.not_offered(greeting.first_line())),
        400..=599 if unlisted => Err(d.not_offered(greeting.first_line())),
        400..=599 => Err(d.refused(answer.text())),
        _ => Err(d.unexpected(format!(
            "an AUTH TLS reply that is not 234: {}",
            answer.text()
        ))),
    }
}

use super::{Dialogue, UpgradeError};
use tokio::io::{AsyncRead, AsyncWrite};

/// The name EHLO announces: `.invalid` (RFC 2606) cannot belong to anyone.
const CLIENT_NAME: &str = "tlsdoctor.invalid";

/// RFC 3207: EHLO, look for the STARTTLS extension, STARTTLS, expect 220.
pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
    d: &mut Dialogue<'_, S>,
) -> Result<(), UpgradeError> {
    let greeting = d.reply().await?;
    match greeting.code {
        220 => {}
        400..=599 => return Err(d.refused(greeting.text())),
        _ => {
            return Err(d.unexpected(format!(
                "an SMTP greeting that is not 220: {}",
                greeting.text()
            )));
        }
    }
    d.send_line(&format!("EHLO {CLIENT_NAME}")).await?;
    let ehlo = d.reply().await?;
    match ehlo.code {
        250 => {}
        // A server that does not know EHLO speaks no ESMTP, so it has no extensions at all.
        500 | 502 => return Err(d.not_offered(greeting.first_line())),
        400..=599 => return Err(d.refused(ehlo.text())),
        _ => {
            return Err(d.unexpected(format!("an EHLO reply that is not 250: {}", ehlo.text())));
        }
    }
    // The first line is the server's name; each further line starts with an extension keyword.
    let offered = ehlo.lines.iter().skip(1).any(|line| {
        line.get(4..)
            .and_then(|rest| rest.split_ascii_whitespace().next())
            .is_some_and(|keyword| keyword.eq_ignore_ascii_case("STARTTLS"))
    });
    if !offered {
        return Err(d.not_offered(greeting.first_line()));
    }
    d.send_line("STARTTLS").await?;
    let answer = d.reply().await?;
    match answer.code {
        220 => Ok(()),
        400..=599 => Err(d.refused(answer.text())),
        _ => Err(d.unexpected(format!(
            "a STARTTLS reply that is not 220: {}",
            answer.text()
        ))),
    }
}

//! `tlsdoctor explain`: error-message normalisation, rule matching, host/port extraction, and
//! both ways the CLI prints the result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tlsdoctor::causes::Cause;
use tlsdoctor::report::explain as explain_report;

fuzz_target!(|data: &[u8]| {
    let message = String::from_utf8_lossy(data);
    // The CLI first looks the message up as a cause id (`tlsdoctor explain expired`).
    if let Some(cause) = Cause::from_id(message.trim()) {
        let _ = explain_report::write_entry(cause, &mut Vec::new());
        let _ = explain_report::write_entry_json(cause, &mut Vec::new());
    }
    let explanation = tlsdoctor::explain::explain(&message);
    let _ = explain_report::write_explanation(&explanation, &mut Vec::new());
    serde_json::to_writer_pretty(&mut Vec::new(), &explanation).expect("explanation serialises");
});

//! tlsdoctor tells why a TLS connection fails and what to change.

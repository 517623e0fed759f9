//! What a transport failure says about the URL it failed on.
#![allow(clippy::unwrap_used)]

use review_client::{TransportError, TransportErrorKind};

#[test]
fn transport_errors_show_no_userinfo_or_token() {
    let err = TransportError::new(
        TransportErrorKind::Connect,
        "error sending request for url (http://alice:pw-s3cr3t@proxy:3128/x?access_token=T0KEN)",
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("alice"), "{shown}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert!(!shown.contains("T0KEN"), "{shown}");
    assert!(
        shown.contains("http://***@proxy:3128/x?access_token=***"),
        "{shown}"
    );
}

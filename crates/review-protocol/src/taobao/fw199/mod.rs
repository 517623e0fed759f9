//! The fw199 gateway that carries Taobao's API: partner credentials, the signature, and the wire
//! shape every gateway endpoint shares (a signed form in, an envelope out).

mod context;
mod credentials;
mod sign;
pub mod wire;

pub use context::Fw199Context;
pub use credentials::Fw199Credentials;
pub use sign::{SIGN, SignatureError, sign, verify, verify_form};

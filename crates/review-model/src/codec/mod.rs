//! Serde helpers for the shapes the real APIs send rather than the ones their tables promise.
//!
//! Each helper decodes leniently (a number may arrive as a string, an object as `null`) and
//! encodes the documented form, so decoding a real payload and encoding it again yields what the
//! documents describe.

pub(crate) mod flag;
pub(crate) mod int;
pub(crate) mod null;
pub(crate) mod unix;

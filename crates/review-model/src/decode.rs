//! Decoding with the failing field's path in the error.

use serde::de::DeserializeOwned;

/// A payload that did not decode, naming where it went wrong.
///
/// The path uses serde's dotted form (`commentList[0].score`), so a user can find the offending
/// value in the raw body without a debugger.
#[derive(Debug, thiserror::Error)]
#[error("{}{inner}", path_prefix(.path))]
pub struct DecodeError {
    path: String,
    #[source]
    inner: serde_json::Error,
}

fn path_prefix(path: &str) -> String {
    if path.is_empty() || path == "." {
        String::new()
    } else {
        format!("at `{path}`: ")
    }
}

impl DecodeError {
    /// The path of the field that failed (`commentList[0].score`), or `.` for the document itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the bytes were not JSON at all (as opposed to JSON of the wrong shape).
    pub fn is_syntax(&self) -> bool {
        matches!(
            self.inner.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        )
    }

    fn new(err: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = err.path().to_string();
        Self {
            path,
            inner: err.into_inner(),
        }
    }
}

/// Decodes JSON bytes into `T`, reporting the path of the first field that failed.
///
/// ```
/// use review_model::wechat::CommentListPage;
///
/// let err = review_model::from_slice::<CommentListPage>(
///     br#"{"commentList":[{"commentId":"1","score":900,"createTime":"1"}]}"#,
/// )
/// .unwrap_err();
/// assert_eq!(err.path(), "commentList[0].score");
/// ```
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    // Tracking the path costs on every field; decode without it and pay only when it fails.
    // Valid UTF-8 is checked once for the whole body rather than string by string.
    let fast = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    match fast {
        Ok(value) => Ok(value),
        Err(fast) => {
            let de = &mut serde_json::Deserializer::from_slice(bytes);
            match serde_path_to_error::deserialize::<_, T>(de) {
                Err(err) => Err(DecodeError::new(err)),
                // Unreachable for deterministic decoders; report the first error without a path.
                Ok(_) => Err(DecodeError {
                    path: String::new(),
                    inner: fast,
                }),
            }
        }
    }
}

/// Decodes an already-parsed JSON value into `T`, reporting the path of the first field that failed.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(value).map_err(DecodeError::new)
}

//! Reading requests: query parameters, JSON bodies, the access token.

use review_model::wechat::ErrCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::answer::{Refusal, Style};

/// The query string's parameters, first occurrence wins.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a raw query string (absent is empty).
    pub(crate) fn parse(query: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The value of `name`, if given.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// `access_token`.
    pub(crate) fn token(&self) -> Option<&str> {
        self.get("access_token")
    }

    /// A required non-empty parameter, else -10001.
    pub(crate) fn required(&self, name: &str) -> Result<&str, Refusal> {
        match self.get(name).map(str::trim) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(Refusal::param(format_args!("{name} is required"))),
        }
    }

    /// An optional integer parameter, else -10001 when it is not one.
    pub(crate) fn integer<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, Refusal> {
        match self.get(name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(value) => value.parse().map(Some).map_err(|_| {
                Refusal::param(format_args!("{name} must be an integer, not {value:?}"))
            }),
        }
    }
}

/// Why a JSON body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// No body at all.
    Empty,
    /// Not JSON.
    NotJson,
    /// JSON of the wrong shape: a field missing or of the wrong type.
    Invalid(String),
}

impl BodyError {
    /// The refusal of the comment endpoints: -10001 for a missing or wrong field, 47001 for a
    /// body that is not JSON.
    pub(crate) fn comment_refusal(self) -> Refusal {
        match self {
            Self::Empty => Refusal::param("the body is empty"),
            Self::NotJson => Refusal::new(ErrCode::BadPayload, "data format error"),
            Self::Invalid(problem) => Refusal::param(problem),
        }
    }

    /// The refusal of an endpoint that answers in `style`: the comment writes' or the others'.
    pub(crate) fn refusal(self, style: Style) -> Refusal {
        match style {
            Style::Write => self.comment_refusal(),
            Style::Plain => self.cgi_refusal(),
        }
    }

    /// The refusal of the `/cgi-bin/` endpoints: 44002 for an empty body, 47001 otherwise.
    pub(crate) fn cgi_refusal(self) -> Refusal {
        match self {
            Self::Empty => Refusal::new(ErrCode::EmptyBody, "empty post data"),
            Self::NotJson => Refusal::new(ErrCode::BadPayload, "data format error"),
            Self::Invalid(problem) => {
                Refusal::new(ErrCode::BadPayload, format!("data format error: {problem}"))
            }
        }
    }
}

/// The body as JSON.
pub(crate) fn json(bytes: &[u8]) -> Result<Value, BodyError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyError::Empty);
    }
    serde_json::from_slice(bytes).map_err(|_| BodyError::NotJson)
}

/// The body decoded as the model type `T` (leniently, as the model decodes), with its JSON.
pub(crate) fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, Value), BodyError> {
    let value = json(bytes)?;
    let typed = review_model::from_value(value.clone())
        .map_err(|err| BodyError::Invalid(err.to_string()))?;
    Ok((typed, value))
}

/// A text that must not be blank, else -10001.
pub(crate) fn text(name: &str, value: &str) -> Result<(), Refusal> {
    if value.trim().is_empty() {
        return Err(Refusal::param(format_args!("{name} is empty")));
    }
    Ok(())
}

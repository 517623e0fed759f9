//! Just enough `multipart/form-data` to read the `media` part of an upload.

/// One part of the body.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    /// The `filename` of its `Content-Disposition`, if any.
    pub(crate) filename: Option<String>,
    /// Its bytes.
    pub(crate) data: &'a [u8],
}

/// The `boundary` parameter of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    let kind = pieces.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    pieces.find_map(|piece| {
        let (key, value) = piece.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

/// The value of `key` among a header's `; key="value"` parameters.
fn parameter(header: &str, key: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|piece| {
        let (k, v) = piece.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The part whose `Content-Disposition` names it `name`.
pub(crate) fn part<'a>(body: &'a [u8], boundary: &str, name: &str) -> Option<Part<'a>> {
    let delimiter = format!("--{boundary}");
    let closing = format!("\r\n--{boundary}");
    let mut at = find(body, delimiter.as_bytes(), 0)? + delimiter.len();
    loop {
        if body.get(at..at + 2) == Some(b"--".as_slice()) {
            return None;
        }
        let headers_start = find(body, b"\r\n", at)? + 2;
        let headers_end = find(body, b"\r\n\r\n", headers_start.saturating_sub(2))?;
        let headers =
            String::from_utf8_lossy(body.get(headers_start.min(headers_end)..headers_end)?);
        let data_start = headers_end + 4;
        let data_end = find(body, closing.as_bytes(), data_start)?;
        let disposition = headers.split("\r\n").find(|line| {
            line.split(':')
                .next()
                .is_some_and(|h| h.trim().eq_ignore_ascii_case("content-disposition"))
        });
        if let Some(disposition) = disposition
            && parameter(disposition, "name").as_deref() == Some(name)
        {
            return Some(Part {
                filename: parameter(disposition, "filename"),
                data: body.get(data_start..data_end)?,
            });
        }
        at = data_end + closing.len();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_the_named_part() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--XyZ\r\nContent-Disposition: form-data; name=\"media\"; filename=\"proof.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xffdata\r\n--XyZ--\r\n";
        let boundary = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let part = part(body, &boundary, "media").unwrap();
        assert_eq!(part.filename.as_deref(), Some("proof.jpg"));
        assert_eq!(part.data, b"\xff\xd8\xffdata");
    }

    #[test]
    fn no_such_part() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n";
        assert_eq!(part(body, "b", "media"), None);
        assert_eq!(boundary("application/json"), None);
        assert_eq!(
            boundary("multipart/form-data; boundary=\"q\"").as_deref(),
            Some("q")
        );
    }
}

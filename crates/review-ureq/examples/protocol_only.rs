//! Embed `review-protocol` with another HTTP stack, without `review-client`: here a few lines
//! of HTTP/1.1 over `std::net::TcpStream`. The protocol builds the request and parses the
//! answer; everything else (sockets, time, retries) is yours.
//!
//! ```sh
//! cargo run -p review-ureq --example protocol_only
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{Read, Write};
use std::net::TcpStream;

use jiff::{SignedDuration, Timestamp};
use review_protocol::wechat::{GetCommentList, GetToken, WechatContext};
use review_protocol::{BaseUrl, Endpoint};

/// Sends `request` over a fresh connection and reads the whole answer (HTTP/1.1, `Connection: close`).
fn send(request: &http::Request<Vec<u8>>) -> std::io::Result<http::Response<Vec<u8>>> {
    let uri = request.uri();
    let host = uri.authority().map(|a| a.as_str()).unwrap_or("localhost");
    let mut stream = TcpStream::connect(host)?;
    let target = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        request.method(),
        request.body().len()
    );
    for (name, value) in request.headers() {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(request.body())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(raw.get(..split).unwrap_or_default()).into_owned();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let mut body = raw.get(split + 4..).unwrap_or_default().to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    let mut response = http::Response::new(body);
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY);
    Ok(response)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(data.get(..end).unwrap_or_default()).trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(data.get(start..start + size).unwrap_or_default());
        data = data.get(start + size + 2..).unwrap_or_default();
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = review_sandbox::Sandbox::builder()
        .comments(20)
        .start("127.0.0.1:0")?;
    let base: BaseUrl = sandbox.base_url().parse()?;

    let token = GetToken::new(
        sandbox.wechat().appid.clone(),
        sandbox.wechat().secret.clone(),
    );
    let (parts, body) = send(&token.request(&base)?)?.into_parts();
    // `parse` borrows the body: `Response<&[u8]>`.
    let token = token.parse(http::Response::from_parts(parts, body.as_slice()))?;
    let context = WechatContext::new(base, token.access_token);

    let now = Timestamp::now();
    let list = GetCommentList::new(now - SignedDuration::from_hours(24 * 180), now).limit(5);
    let request = list.request(&context)?;
    println!("{}", review_protocol::redact::Request(&request));
    let answer = send(&request)?;
    let (parts, body) = answer.into_parts();
    let page = list.parse(http::Response::from_parts(parts, body.as_slice()))?;
    for comment in page.comments {
        println!(
            "{} {}★ {}",
            comment.comment_id, comment.score, comment.content.text
        );
    }
    Ok(())
}

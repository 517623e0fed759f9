//! A call that waits while another call of the same client refreshes the token goes on when
//! that refresh ends, not at its next poll: here its sleep never ends, so only the wake-up can
//! finish it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use futures_channel::oneshot;
use review_client::{AsyncClient, BoxHttpFuture, ClientConfig, FnTransport};
use review_model::{AppId, CommentId, Secret};

const OK: &str = r#"{"errcode":0,"success":true}"#;

#[test]
fn a_call_waiting_for_a_refresh_goes_on_when_it_ends() {
    let (open, gate) = oneshot::channel::<()>();
    let gate = Arc::new(Mutex::new(Some(gate)));
    let tokens = Arc::new(AtomicUsize::new(0));
    let send = {
        let (gate, tokens) = (Arc::clone(&gate), Arc::clone(&tokens));
        move |request: http::Request<Vec<u8>>, _timeout: Duration| -> BoxHttpFuture {
            let is_token = request.uri().path().starts_with("/cgi-bin/");
            let gate = if is_token {
                tokens.fetch_add(1, Ordering::SeqCst);
                gate.lock().unwrap().take()
            } else {
                None
            };
            Box::pin(async move {
                if let Some(gate) = gate {
                    gate.await.expect("the gate opens");
                    return Ok(http::Response::new(
                        br#"{"access_token":"TOKEN","expires_in":7200}"#.to_vec(),
                    ));
                }
                Ok(http::Response::new(OK.as_bytes().to_vec()))
            })
        }
    };
    // No sleep ever ends: a waiting call can only be woken.
    let sleep = |_: Duration| futures_util::future::pending::<()>();
    let config = ClientConfig::new().wechat(
        "http://127.0.0.1:9".parse().unwrap(),
        AppId::new("wx1"),
        Secret::new("a-secret-of-the-test"),
    );
    let client = AsyncClient::new(FnTransport::new(send, sleep), config);

    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let first = client.reply_add(CommentId::new("1"), "thanks");
        let second = client.reply_add(CommentId::new("2"), "thanks");
        let opener = async move {
            // Both calls are under way (the first refreshing, the second waiting) when the
            // refresh is answered.
            open.send(()).expect("the refresh is waiting");
        };
        let (first, second, ()) =
            futures_executor::block_on(futures_util::future::join3(first, second, opener));
        done.send((first.is_ok(), second.is_ok())).unwrap();
    });
    let outcome = finished
        .recv_timeout(Duration::from_secs(20))
        .expect("the waiting call was never woken");
    assert_eq!(outcome, (true, true));
    assert_eq!(tokens.load(Ordering::SeqCst), 1, "one refresh served both");
}

//! Running out of file descriptors (EMFILE) pauses accepting; it never ends the server.
//!
//! Alone in its own test binary: it lowers this process's open-file limit.
#![cfg(target_os = "linux")]

mod common;

use std::fs::File;
use std::time::Duration;

use common::{Server, limits, read_response};
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
use tokio::io::AsyncWriteExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_errors_pause_the_server_but_never_end_it() {
    let server = Server::start(limits(Duration::from_secs(10), Duration::from_secs(1))).await;
    let original = getrlimit(Resource::Nofile);
    let open = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(open + 32),
            maximum: original.maximum,
        },
    )
    .unwrap();

    // Take every descriptor but one, then connect with it: the kernel completes the
    // handshake, and the server's accept has no descriptor left (EMFILE).
    let mut fillers = Vec::new();
    while let Ok(file) = File::open("/dev/null") {
        fillers.push(file);
    }
    fillers.pop();
    let client = std::net::TcpStream::connect(server.addr).unwrap();
    client.set_nonblocking(true).unwrap();
    let mut client = tokio::net::TcpStream::from_std(client).unwrap();
    client
        .write_all(common::get_request("/").as_bytes())
        .await
        .unwrap();
    let starved = read_response(&mut client, Duration::from_millis(400)).await;
    assert_eq!(
        starved, None,
        "nothing can be accepted without a descriptor"
    );
    assert!(!server.is_finished(), "the server survives EMFILE");

    fillers.truncate(fillers.len().saturating_sub(8));
    let answer = read_response(&mut client, Duration::from_secs(2)).await;
    assert_eq!(
        answer,
        Some((200, "ok".to_owned())),
        "accepted and served once descriptors are free"
    );

    drop(fillers);
    setrlimit(Resource::Nofile, original).unwrap();
    let (served, _) = server.stop().await;
    assert_eq!(served.connections, 1);
}

//! The bare broadcast baseline: a minimal WebSocket fan-out server with no authentication and no
//! storage, run in this process on its own two-thread runtime (like a separate server process).
//! Every text frame a client sends is queued, as the same shared bytes, for every connected
//! client — the least work any chat server must do per delivery. Chat results are quoted as a
//! ratio to it.

use futures::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

type Peers = Arc<Mutex<Vec<mpsc::Sender<Arc<str>>>>>;

/// Starts the server; returns its `ws://` URL. It runs until the process ends.
pub fn start() -> anyhow::Result<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("baseline runtime");
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let _ = tx.send(listener.local_addr().expect("addr"));
            let peers: Peers = Arc::default();
            while let Ok((stream, _)) = listener.accept().await {
                let peers = peers.clone();
                tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
                        return;
                    };
                    let (mut sink, mut stream) = ws.split();
                    let (q, mut rx) = mpsc::channel::<Arc<str>>(4096);
                    peers.lock().expect("peers").push(q);
                    if sink
                        .send(Message::Text(r#"{"type":"hello"}"#.into()))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    let writer = tokio::spawn(async move {
                        while let Some(f) = rx.recv().await {
                            if sink.send(Message::Text(f.as_ref().into())).await.is_err() {
                                return;
                            }
                        }
                    });
                    while let Some(Ok(msg)) = stream.next().await {
                        if let Message::Text(t) = msg {
                            let frame: Arc<str> = t.as_str().into();
                            let mut list = peers.lock().expect("peers");
                            list.retain(|p| !p.is_closed());
                            for p in list.iter() {
                                let _ = p.try_send(frame.clone());
                            }
                        }
                    }
                    writer.abort();
                });
            }
        });
    });
    let addr = rx.recv()?;
    Ok(format!("ws://{addr}/"))
}

//! A scripted HTTP/1.1 server on 127.0.0.1 that records the exact bytes of every request.
//!
//! It answers from a queue of canned responses, so a test states what the service says and then
//! checks what the client sent, byte for byte.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as it arrived on the socket.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub target: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A canned answer.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Canned {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json;charset=utf-8".into(),
            )],
            body: body.to_string(),
        }
    }

    pub fn xml(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "text/xml;charset=utf-8".into())],
            body: body.to_owned(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Computes the answer to a request, for servers whose answers depend on what was asked.
pub type Handler = Arc<dyn Fn(&Recorded) -> Canned + Send + Sync>;

/// The running server.
#[derive(Clone)]
pub struct Scripted {
    pub url: String,
    answers: Arc<Mutex<VecDeque<Canned>>>,
    handler: Option<Handler>,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Scripted {
    pub async fn start(answers: Vec<Canned>) -> Self {
        Self::start_inner(answers, None).await
    }

    /// A server answering every request with `handler`.
    pub async fn handled(handler: impl Fn(&Recorded) -> Canned + Send + Sync + 'static) -> Self {
        Self::start_inner(Vec::new(), Some(Arc::new(handler))).await
    }

    async fn start_inner(answers: Vec<Canned>, handler: Option<Handler>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let server = Self {
            url,
            answers: Arc::new(Mutex::new(answers.into())),
            handler,
            requests: Arc::default(),
        };
        let state = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = state.clone();
                tokio::spawn(async move { state.serve(stream).await });
            }
        });
        server
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }

    async fn serve(&self, mut stream: TcpStream) {
        loop {
            let Some(request) = read_request(&mut stream).await else {
                return;
            };
            self.requests.lock().expect("lock").push(request.clone());
            if let Some(handler) = &self.handler {
                let answer = handler(&request);
                if write_answer(&mut stream, &answer).await.is_err() {
                    return;
                }
                continue;
            }
            let answer = self
                .answers
                .lock()
                .expect("lock")
                .pop_front()
                .unwrap_or(Canned {
                    status: 599,
                    headers: vec![],
                    body: "the test script has no answer left".into(),
                });
            if write_answer(&mut stream, &answer).await.is_err() {
                return;
            }
        }
    }
}

async fn write_answer(stream: &mut TcpStream, answer: &Canned) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
        answer.status,
        answer.body.len()
    );
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(answer.body.as_bytes()).await
}

async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let method = start.next()?.to_owned();
    let target = start.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

//! Real servers for the e-mail tests, on loopback: an SMTP sink that speaks enough SMTP for a
//! real client (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and hands over what it receives, and
//! a DNS responder answering MX questions over UDP from a fixed table.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;

/// One message as the sink received it.
#[derive(Debug)]
pub struct Received {
    pub to: Vec<String>,
    /// Headers and body, dot-stuffing undone and quoted-printable soft breaks joined.
    pub data: String,
}

impl Received {
    /// The first link in the message that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let at = self
            .data
            .find(prefix)
            .unwrap_or_else(|| panic!("no {prefix} link in {}", self.data));
        let rest = &self.data[at..];
        let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        rest[..end].to_owned()
    }
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    rx: mpsc::UnboundedReceiver<Received>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// A sink that answers the first `fail_first` MAIL commands with 451 (try later).
    pub async fn start(fail_first: u32) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let failures = Arc::new(AtomicU32::new(fail_first));
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let tx = tx.clone();
                let failures = Arc::clone(&failures);
                tokio::spawn(async move {
                    let _ = session(conn, tx, failures).await;
                });
            }
        });
        SmtpSink { addr, rx, task }
    }

    /// The next message, waiting at most 20 s.
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
            .await
            .expect("a mail within 20 s")
            .expect("sink running")
    }
}

async fn session(
    conn: tokio::net::TcpStream,
    tx: mpsc::UnboundedSender<Received>,
    failures: Arc<AtomicU32>,
) -> std::io::Result<()> {
    let (read, mut write) = conn.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if command.starts_with("HELO") || command.starts_with("NOOP") {
            b"250 ok\r\n"
        } else if command.starts_with("MAIL FROM:") {
            to.clear();
            let left = failures.load(Ordering::SeqCst);
            if left > 0 {
                failures.store(left - 1, Ordering::SeqCst);
                b"451 4.3.0 try again later\r\n"
            } else {
                b"250 ok\r\n"
            }
        } else if command.starts_with("RCPT TO:") {
            let addr = line.trim_end()[8..].trim();
            to.push(addr.trim_matches(['<', '>']).to_owned());
            b"250 ok\r\n"
        } else if command == "DATA" {
            write.write_all(b"354 end with .\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                let text = line.trim_end_matches(['\r', '\n']);
                if text == "." {
                    break;
                }
                data.push_str(text.strip_prefix('.').unwrap_or(text));
                data.push('\n');
            }
            let data = data.replace("=\n", "").replace("=3D", "=");
            let _ = tx.send(Received {
                to: std::mem::take(&mut to),
                data,
            });
            b"250 queued\r\n"
        } else if command == "RSET" {
            to.clear();
            b"250 ok\r\n"
        } else if command == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// Answers MX questions: names in the table get their MX hosts, `servfail.example` gets
/// SERVFAIL, every other name NXDOMAIN.
pub struct DnsResponder {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DnsResponder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DnsResponder {
    pub async fn start(table: &[(&str, &[&str])]) -> DnsResponder {
        let table: HashMap<String, Vec<String>> = table
            .iter()
            .map(|(d, hosts)| (d.to_string(), hosts.iter().map(|h| h.to_string()).collect()))
            .collect();
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut buf = [0u8; 512];
            while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
                if let Some(answer) = answer(&buf[..n], &table) {
                    let _ = socket.send_to(&answer, peer).await;
                }
            }
        });
        DnsResponder { addr, task }
    }
}

fn encode_name(name: &str, out: &mut Vec<u8>) {
    for label in name.split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
}

fn answer(query: &[u8], table: &HashMap<String, Vec<String>>) -> Option<Vec<u8>> {
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = *query.get(at)? as usize;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(at + 1..at + 1 + len)?).to_lowercase());
        at += 1 + len;
    }
    let question_end = at + 5;
    let qtype = u16::from_be_bytes([*query.get(at + 1)?, *query.get(at + 2)?]);
    let name = labels.join(".");
    let hosts = table.get(&name).filter(|_| qtype == 15);
    let rcode: u8 = match (&hosts, name.as_str()) {
        (_, "servfail.example") => 2,
        (Some(_), _) => 0,
        (None, _) => 3,
    };
    let mut out = query[..2].to_vec();
    out.extend_from_slice(&[0x81, 0x80 | rcode, 0, 1, 0]);
    out.push(hosts.map_or(0, |h| h.len() as u8));
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(query.get(12..question_end)?);
    for host in hosts.into_iter().flatten() {
        let mut rdata = vec![0, 10];
        encode_name(host, &mut rdata);
        out.extend_from_slice(&[0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 60]);
        out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        out.extend_from_slice(&rdata);
    }
    Some(out)
}

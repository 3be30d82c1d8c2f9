//! The MX hosts of an e-mail domain, asked of one DNS server over UDP (RFC 1035): enough to
//! refuse sign-ups whose mail is handled by a blocked provider. A failed lookup is an error
//! the caller tolerates (sign-up goes ahead): DNS trouble must not close sign-ups.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::net::UdpSocket;

const TYPE_MX: u16 = 15;
const CLASS_IN: u16 = 1;
/// How long one lookup may take.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// The first `nameserver` of `/etc/resolv.conf`, on port 53.
pub fn system_resolver() -> Option<SocketAddr> {
    let text = std::fs::read_to_string("/etc/resolv.conf").ok()?;
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .filter_map(|rest| rest.trim().split('%').next()?.parse::<IpAddr>().ok())
        .map(|ip| SocketAddr::new(ip, 53))
        .next()
}

/// The exchange names of `domain`'s MX records, lower-case without the trailing dot. An
/// existing domain without MX records (or NXDOMAIN) gives an empty list.
pub async fn lookup(resolver: SocketAddr, domain: &str) -> Result<Vec<String>, String> {
    tokio::time::timeout(LOOKUP_TIMEOUT, ask(resolver, domain))
        .await
        .map_err(|_| format!("no answer from {resolver} in time"))?
}

async fn ask(resolver: SocketAddr, domain: &str) -> Result<Vec<String>, String> {
    let local = match resolver {
        SocketAddr::V4(_) => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        SocketAddr::V6(_) => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
    };
    let socket = UdpSocket::bind(local).await.map_err(|e| e.to_string())?;
    socket.connect(resolver).await.map_err(|e| e.to_string())?;
    let id: u16 = rand::random();
    let query = build_query(id, domain)?;
    socket.send(&query).await.map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 4096];
    loop {
        let n = socket.recv(&mut buf).await.map_err(|e| e.to_string())?;
        // A datagram with another ID is not our answer (late or spoofed): keep waiting.
        if n >= 2 && u16::from_be_bytes([buf[0], buf[1]]) == id {
            return parse_answer(&buf[..n]);
        }
    }
}

fn build_query(id: u16, domain: &str) -> Result<Vec<u8>, String> {
    let mut q = Vec::with_capacity(32 + domain.len());
    q.extend_from_slice(&id.to_be_bytes());
    // Flags: a standard query, recursion desired. One question.
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in domain.trim_end_matches('.').split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!("{domain:?} is not a domain name"));
        }
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&TYPE_MX.to_be_bytes());
    q.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(q)
}

fn u16_at(msg: &[u8], at: usize) -> Result<u16, String> {
    msg.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or_else(|| "truncated DNS message".to_owned())
}

/// Reads the (possibly compressed) name at `at`; returns it and the offset after it.
fn read_name(msg: &[u8], mut at: usize) -> Result<(String, usize), String> {
    let mut labels: Vec<String> = Vec::new();
    let mut end = None;
    for _ in 0..64 {
        let len = *msg.get(at).ok_or("truncated DNS name")? as usize;
        if len == 0 {
            let after = end.unwrap_or(at + 1);
            return Ok((labels.join(".").to_ascii_lowercase(), after));
        }
        if len & 0xC0 == 0xC0 {
            let pointer = (u16_at(msg, at)? & 0x3FFF) as usize;
            end.get_or_insert(at + 2);
            at = pointer;
            continue;
        }
        let label = msg.get(at + 1..at + 1 + len).ok_or("truncated DNS label")?;
        labels.push(String::from_utf8_lossy(label).into_owned());
        at += 1 + len;
    }
    Err("DNS name with too many labels or a pointer loop".into())
}

fn parse_answer(msg: &[u8]) -> Result<Vec<String>, String> {
    let flags = u16_at(msg, 2)?;
    if flags & 0x8000 == 0 {
        return Err("not a DNS response".into());
    }
    match flags & 0x000F {
        0 => {}
        3 => return Ok(Vec::new()),
        rcode => return Err(format!("DNS error code {rcode}")),
    }
    let questions = u16_at(msg, 4)?;
    let answers = u16_at(msg, 6)?;
    let mut at = 12;
    for _ in 0..questions {
        at = read_name(msg, at)?.1 + 4;
    }
    let mut hosts = Vec::new();
    for _ in 0..answers {
        let after_name = read_name(msg, at)?.1;
        let rtype = u16_at(msg, after_name)?;
        let rdlen = u16_at(msg, after_name + 8)? as usize;
        let rdata = after_name + 10;
        if rdata + rdlen > msg.len() {
            return Err("truncated DNS record".into());
        }
        if rtype == TYPE_MX && rdlen > 2 {
            let (host, _) = read_name(msg, rdata + 2)?;
            if !host.is_empty() {
                hosts.push(host);
            }
        }
        at = rdata + rdlen;
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_compressed_mx_answer() {
        let mut msg = build_query(7, "example.org").unwrap();
        msg[2] = 0x81;
        msg[3] = 0x80;
        msg[7] = 1;
        // Name: pointer to the question's name at 12. MX 10 mx.<pointer to 12>.
        msg.extend_from_slice(&[0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 7, 0, 10]);
        msg.extend_from_slice(&[2, b'm', b'x', 0xC0, 12]);
        assert_eq!(parse_answer(&msg).unwrap(), ["mx.example.org"]);
        msg[3] = 0x83;
        assert!(parse_answer(&msg).unwrap().is_empty());
        msg[3] = 0x82;
        assert!(parse_answer(&msg).is_err());
        assert!(parse_answer(&msg[..20]).is_err());
    }
}

//! `listeners/*`: the TCP ports sociald's sockets hold, from `/proc/net/tcp{,6}` (no `ss`).

use super::context::Context;
use super::probe::Probe;
use super::report::Check;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const CAT: &str = "listeners";
/// sociald.socket's local address (systemd/sociald.socket): health checks and this tool.
pub const LOCAL_PORT: u16 = 8080;

/// Listening sockets (`st` = `0A`) of a `/proc/net/tcp` or `/proc/net/tcp6` table.
pub fn parse_proc_net_tcp(text: &str) -> Vec<(IpAddr, u16)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let local = fields.nth(1)?;
            let state = fields.nth(1)?;
            if state != "0A" {
                return None;
            }
            let (addr, port) = local.split_once(':')?;
            Some((parse_hex_addr(addr)?, u16::from_str_radix(port, 16).ok()?))
        })
        .collect()
}

/// The kernel prints addresses as 32-bit words in host (little-endian) order.
fn parse_hex_addr(hex: &str) -> Option<IpAddr> {
    let words: Option<Vec<[u8; 4]>> = (0..hex.len() / 8)
        .map(|i| {
            let w = u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok()?;
            Some(w.to_le_bytes())
        })
        .collect();
    let bytes: Vec<u8> = words?.concat();
    match bytes.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(
            bytes[0], bytes[1], bytes[2], bytes[3],
        ))),
        16 => {
            let arr: [u8; 16] = bytes.try_into().ok()?;
            let v6 = Ipv6Addr::from(arr);
            Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4))
        }
        _ => None,
    }
}

/// Every listening TCP socket of the host (empty when /proc cannot be read).
pub fn listening(p: &dyn Probe) -> Vec<(IpAddr, u16)> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|f| p.read(f).ok())
        .flat_map(|text| parse_proc_net_tcp(&text))
        .collect()
}

pub fn checks(p: &dyn Probe, ctx: &Context) -> Vec<Check> {
    let mut errors = Vec::new();
    let mut listening = Vec::new();
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        match p.read(file) {
            Ok(text) => listening.extend(parse_proc_net_tcp(&text)),
            // No IPv6 in the kernel is not an error.
            Err(_) if file.ends_with('6') => {}
            Err(e) => errors.push(format!("cannot read {file}: {e}")),
        }
    }
    if let Some(e) = errors.first() {
        return ["http", "https", "local"]
            .iter()
            .map(|n| {
                Check::error(
                    CAT,
                    n,
                    e.clone(),
                    "run socialctl status as root on the host",
                )
            })
            .collect();
    }
    evaluate(&listening, ctx)
}

pub fn evaluate(listening: &[(IpAddr, u16)], ctx: &Context) -> Vec<Check> {
    let on = |port: u16| -> Vec<IpAddr> {
        let mut a: Vec<IpAddr> = listening
            .iter()
            .filter(|(_, p)| *p == port)
            .map(|(a, _)| *a)
            .collect();
        a.sort();
        a.dedup();
        a
    };
    let list = |addrs: &[IpAddr]| {
        addrs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let public = |name: &str, port: u16, unit: &str| {
        let addrs = on(port);
        let hint = format!("systemctl restart {unit}; systemctl status {unit}");
        if addrs.is_empty() {
            Check::error(CAT, name, format!("nothing listens on port {port}"), &hint)
        } else if addrs.iter().all(IpAddr::is_loopback) {
            Check::warn(
                CAT,
                name,
                format!(
                    "port {port} listens on loopback only ({}): unreachable from outside",
                    list(&addrs)
                ),
                &format!("systemctl cat {unit}"),
            )
        } else {
            Check::ok(CAT, name, format!("port {port} open on {}", list(&addrs)))
        }
    };
    let local = on(LOCAL_PORT);
    vec![
        public("http", 80, "sociald.socket"),
        if ctx.tls_on() {
            public("https", 443, "sociald-https.socket")
        } else {
            Check::ok(
                CAT,
                "https",
                format!("not needed: {}", ctx.tls_off_reason()),
            )
        },
        if local.iter().any(IpAddr::is_loopback) {
            Check::ok(
                CAT,
                "local",
                format!("127.0.0.1:{LOCAL_PORT} listening (local health checks)"),
            )
        } else {
            Check::error(
                CAT,
                "local",
                format!(
                    "nothing listens on 127.0.0.1:{LOCAL_PORT} (sociald.socket's local address)"
                ),
                "systemctl restart sociald.socket; systemctl cat sociald.socket",
            )
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::context::Context;
    use crate::status::fixtures;
    use crate::status::report::Level;

    fn ctx(tls: &str) -> Context {
        let toml = format!("[tls]\nmode = \"{tls}\"\ndomains = [\"social.test\"]");
        Context::from_parts(Ok(Some(toml.parse().expect("toml"))), "", "")
    }

    #[test]
    fn proc_net_tcp_parses() {
        let mut all = parse_proc_net_tcp(fixtures::PROC_NET_TCP);
        all.extend(parse_proc_net_tcp(fixtures::PROC_NET_TCP6));
        let has = |a: &str, port| all.contains(&(a.parse().expect("ip"), port));
        assert!(has("127.0.0.1", 8080), "{all:?}");
        assert!(has("0.0.0.0", 22) || has("::", 22), "{all:?}");
        assert!(has("::", 80), "{all:?}");
        assert!(has("127.0.0.1", 5432), "{all:?}");
        // Established connections are not listeners.
        assert!(all.iter().all(|(_, p)| *p != 0));
        assert_eq!(
            parse_hex_addr("0100007F"),
            Some("127.0.0.1".parse().expect("ip"))
        );
        assert_eq!(
            parse_hex_addr("00000000000000000000000001000000"),
            Some("::1".parse().expect("ip"))
        );
        assert_eq!(
            parse_hex_addr("0000000000000000FFFF00000100007F"),
            Some("127.0.0.1".parse().expect("ip"))
        );
    }

    #[test]
    fn ports_evaluate() {
        let mut all = parse_proc_net_tcp(fixtures::PROC_NET_TCP);
        all.extend(parse_proc_net_tcp(fixtures::PROC_NET_TCP6));
        let checks = evaluate(&all, &ctx("self-signed"));
        assert!(checks.iter().all(|c| c.status == Level::Ok), "{checks:?}");
        let none = evaluate(&[], &ctx("self-signed"));
        assert!(none.iter().all(|c| c.status == Level::Error), "{none:?}");
        let off = evaluate(&[], &ctx("off"));
        assert_eq!(off[1].status, Level::Ok, "{off:?}");
        let loopback = evaluate(&[("127.0.0.1".parse().expect("ip"), 80)], &ctx("off"));
        assert_eq!(loopback[0].status, Level::Warn);
    }
}

//! Real outputs of the tools `socialctl status` reads, captured on a container host of the
//! appliance (Debian 12, sociald + social-hardening + PostgreSQL 15 + Redis 7, two addresses
//! banned by fail2ban), for the evaluators' tests.

/// `nft -s list table inet social` on the running host.
pub const NFT_SOCIAL_LIVE: &str = r#"table inet social {
	set mgmt_src4 {
		type ipv4_addr
		flags interval
		elements = { 0.0.0.0/0 }
	}

	set mgmt_src6 {
		type ipv6_addr
		flags interval
		elements = { ::/0 }
	}

	set ssh_meter4 {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 2m
	}

	set ssh_meter6 {
		type ipv6_addr
		size 65535
		flags dynamic,timeout
		timeout 2m
	}

	set ping_meter4 {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 1m
	}

	set ping_meter6 {
		type ipv6_addr
		size 65535
		flags dynamic,timeout
		timeout 1m
	}

	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
		icmpv6 type mld-listener-query ip6 saddr fe80::/10 accept
		icmp type echo-request update @ping_meter4 { ip saddr limit rate 5/second burst 10 packets } accept
		icmpv6 type echo-request update @ping_meter6 { ip6 saddr limit rate 5/second burst 10 packets } accept
		icmp type echo-request drop
		icmpv6 type echo-request drop
		ct state invalid drop
		ct state established,related accept
		icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept
		icmp type { destination-unreachable, time-exceeded, parameter-problem } accept
		ip saddr @mgmt_src4 jump zone_mgmt
		ip6 saddr @mgmt_src6 jump zone_mgmt
		jump zone_public
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
	}

	chain output {
		type filter hook output priority filter; policy accept;
	}

	chain zone_public {
		tcp dport { 80, 443 } accept
	}

	chain zone_mgmt {
		tcp dport 22 ct state new update @ssh_meter4 { ip saddr limit rate over 10/minute burst 10 packets } drop
		tcp dport 22 ct state new update @ssh_meter6 { ip6 saddr limit rate over 10/minute burst 10 packets } drop
		tcp dport 22 accept
	}
}
"#;

/// `nft -s list table inet social_ban` with two bans.
pub const NFT_SOCIAL_BAN_LIVE: &str = r#"table inet social_ban {
	set ban4 {
		type ipv4_addr
		flags timeout
		elements = { 192.0.2.7 timeout 1h }
	}

	set ban6 {
		type ipv6_addr
		flags timeout
		elements = { 2001:db8::7 timeout 1h }
	}

	chain input {
		type filter hook input priority filter - 10; policy accept;
		iif "lo" accept
		ip saddr @ban4 drop
		ip6 saddr @ban6 drop
	}
}
"#;

/// The boot file loaded in `unshare --net` and listed (inet social).
pub const NFT_SOCIAL_FILE: &str = r#"table inet social {
	set mgmt_src4 {
		type ipv4_addr
		flags interval
		elements = { 0.0.0.0/0 }
	}

	set mgmt_src6 {
		type ipv6_addr
		flags interval
		elements = { ::/0 }
	}

	set ssh_meter4 {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 2m
	}

	set ssh_meter6 {
		type ipv6_addr
		size 65535
		flags dynamic,timeout
		timeout 2m
	}

	set ping_meter4 {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 1m
	}

	set ping_meter6 {
		type ipv6_addr
		size 65535
		flags dynamic,timeout
		timeout 1m
	}

	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
		icmpv6 type mld-listener-query ip6 saddr fe80::/10 accept
		icmp type echo-request update @ping_meter4 { ip saddr limit rate 5/second burst 10 packets } accept
		icmpv6 type echo-request update @ping_meter6 { ip6 saddr limit rate 5/second burst 10 packets } accept
		icmp type echo-request drop
		icmpv6 type echo-request drop
		ct state invalid drop
		ct state established,related accept
		icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept
		icmp type { destination-unreachable, time-exceeded, parameter-problem } accept
		ip saddr @mgmt_src4 jump zone_mgmt
		ip6 saddr @mgmt_src6 jump zone_mgmt
		jump zone_public
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
	}

	chain output {
		type filter hook output priority filter; policy accept;
	}

	chain zone_public {
		tcp dport { 80, 443 } accept
	}

	chain zone_mgmt {
		tcp dport 22 ct state new update @ssh_meter4 { ip saddr limit rate over 10/minute burst 10 packets } drop
		tcp dport 22 ct state new update @ssh_meter6 { ip6 saddr limit rate over 10/minute burst 10 packets } drop
		tcp dport 22 accept
	}
}
"#;

/// The same, inet social_ban.
pub const NFT_SOCIAL_BAN_FILE: &str = r#"table inet social_ban {
	set ban4 {
		type ipv4_addr
		flags timeout
	}

	set ban6 {
		type ipv6_addr
		flags timeout
	}

	chain input {
		type filter hook input priority filter - 10; policy accept;
		iif "lo" accept
		ip saddr @ban4 drop
		ip6 saddr @ban6 drop
	}
}
"#;

/// `nft list table inet social` after `nft flush ruleset` (exit 1, stderr).
pub const NFT_NO_TABLE: &str = r#"Error: No such file or directory
list table inet social
                ^^^^^^
"#;

/// `fail2ban-client status`.
pub const F2B_STATUS: &str = r#"Status
|- Number of jail:	3
`- Jail list:	recidive, sociald, sshd
"#;

/// `fail2ban-client status sshd` with one ban.
pub const F2B_STATUS_SSHD: &str = r#"Status for the jail: sshd
|- Filter
|  |- Currently failed:	0
|  |- Total failed:	0
|  `- Journal matches:	_SYSTEMD_UNIT=sshd.service + _COMM=sshd
`- Actions
   |- Currently banned:	1
   |- Total banned:	1
   `- Banned IP list:	192.0.2.7
"#;

/// `fail2ban-client status sociald` with one ban.
pub const F2B_STATUS_SOCIALD: &str = r#"Status for the jail: sociald
|- Filter
|  |- Currently failed:	0
|  |- Total failed:	0
|  `- Journal matches:	_SYSTEMD_UNIT=sociald.service SYSLOG_IDENTIFIER=sociald
`- Actions
   |- Currently banned:	1
   |- Total banned:	1
   `- Banned IP list:	2001:db8::7
"#;

/// `/proc/net/tcp`: sshd, sociald.socket (127.0.0.1:8080), PostgreSQL, Redis; one connection.
pub const PROC_NET_TCP: &str = r#"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     
   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   102        0 674725 1 00000000eae0b437 100 0 0 10 0                    
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 676505 1 00000000844c1a17 100 0 0 10 0                    
   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 676602 1 0000000005a6d026 100 0 0 10 0                    
   3: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 674709 1 0000000026dfd803 100 0 0 10 0                    
   4: 0201E70A:0016 0101E70A:803E 01 00000000:00000000 02:000AC638 00000000     0        0 677168 3 000000009d18f2ac 20 4 27 155 -1                  
   5: 0100007F:E790 0100007F:1F90 06 00000000:00000000 03:000015E5 00000000     0        0 0 3 0000000075693d75                                      
"#;

/// `/proc/net/tcp6`: ports 80 and 443 from the sockets, dual-stack.
pub const PROC_NET_TCP6: &str = r#"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   102        0 674724 1 00000000356b7fc8 100 0 0 10 0
   1: 00000000000000000000000001000000:18EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 674710 1 000000002da6a346 100 0 0 10 0
   2: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 676507 1 00000000d4cafbdc 100 0 0 10 0
   3: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 676601 1 00000000454f314e 100 0 0 10 0
   4: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 676605 1 00000000a7e85f31 100 0 0 10 0
"#;

/// `df -P -k /var/lib/social /var/lib/postgresql /var/log`.
pub const DF: &str = r#"Filesystem     1024-blocks     Used Available Capacity Mounted on
overlay          264212084 24771480  70514408      26% /
overlay          264212084 24771480  70514408      26% /
overlay          264212084 24771480  70514408      26% /
"#;

/// `/proc/meminfo` (head).
pub const MEMINFO: &str = r#"MemTotal:       24683568 kB
MemFree:        17513684 kB
MemAvailable:   24076612 kB
Buffers:           48104 kB
Cached:          6448448 kB
"#;

/// `pg_lsclusters -h`.
pub const PG_LSCLUSTERS: &str = r#"15 main 5432 online postgres /var/lib/postgresql/15/main /var/log/postgresql/postgresql-15-main.log
"#;

/// `systemctl show -p ActiveState,SubState,LoadState,Result sociald.service`, running.
pub const SHOW_SOCIALD_RUNNING: &str = r#"Result=success
LoadState=loaded
ActiveState=active
SubState=running
"#;

/// sociald.service before its first request (socket activation) or after `systemctl stop`.
pub const SHOW_SOCIALD_STOPPED: &str = r#"Result=success
LoadState=loaded
ActiveState=inactive
SubState=dead
"#;

/// A service that exited with an error.
pub const SHOW_SOCIALD_FAILED: &str = r#"Result=exit-code
LoadState=loaded
ActiveState=failed
SubState=failed
"#;

/// sociald.socket.
pub const SHOW_SOCKET_LISTENING: &str = r#"Result=success
LoadState=loaded
ActiveState=active
SubState=listening
"#;

/// sociald.socket after `systemctl stop sociald.socket`.
pub const SHOW_SOCKET_STOPPED: &str = r#"Result=success
LoadState=loaded
ActiveState=inactive
SubState=dead
"#;

/// social-firewall.service (oneshot, RemainAfterExit).
pub const SHOW_FIREWALL_ACTIVE: &str = r#"Result=success
LoadState=loaded
ActiveState=active
SubState=exited
"#;

/// A unit that is not installed.
pub const SHOW_NOT_FOUND: &str = r#"Result=success
LoadState=not-found
ActiveState=inactive
SubState=dead
"#;

/// `sociald tls status --json`, TLS off.
pub const TLS_STATUS_OFF: &str = r#"{"healthy":true,"mode":"off"}
"#;

/// `sociald tls status --json`, self-signed (its clock: 2026-12-02).
pub const TLS_STATUS_SELF_SIGNED: &str = r#"{"certificate":{"issuer":"CN=social.test, O=sociald self-signed (development)","names":["social.test"],"not_after":1827785214,"not_before":1796248914,"serial":"5756d1325aac599014ca52798d7acb1238e5a7e8","subject":"CN=social.test, O=sociald self-signed (development)"},"certificate_file":"/var/lib/social/tls/self-signed.pem","healthy":true,"mode":"self-signed","status":{"certificate":{"issuer":"CN=social.test, O=sociald self-signed (development)","names":["social.test"],"not_after":1827785214,"not_before":1796248914,"serial":"5756d1325aac599014ca52798d7acb1238e5a7e8","subject":"CN=social.test, O=sociald self-signed (development)"},"directory":"","domains":["social.test"],"failures":0,"last_error":null,"last_error_at":null,"last_renewal":null,"mode":"self-signed","next_renewal":null,"next_renewal_reason":"self-signed: replaced at start when it has less than a week left","updated_at":1796249214}}
"#;

/// `sociald tls status --json` (exit 1): ACME mode, the CA unreachable, no certificate yet.
pub const TLS_STATUS_NONE: &str = r#"{"certificate":null,"certificate_file":"/var/lib/social/tls/cert.pem","healthy":false,"mode":"acme","status":{"certificate":null,"directory":"https://127.0.0.1:14000/dir","domains":["social.test"],"failures":1,"last_error":"registering an account at https://127.0.0.1:14000/dir: client error (Connect): tcp connect error: Connection refused (os error 111)","last_error_at":1796249215,"last_renewal":null,"mode":"acme","next_renewal":1796249275,"next_renewal_reason":"retry 1 after a failure","updated_at":1796249215}}
"#;

/// `sociald tls status --json` with an ACME certificate: the shape of TLS_STATUS_NONE (real) with a
/// certificate of the shape of TLS_STATUS_SELF_SIGNED; tests move its dates.
pub const TLS_STATUS_ACME: &str = r#"{"certificate":{"issuer":"CN=Pebble Intermediate CA 1a2b3c","names":["social.test"],"not_after":1799999999,"not_before":1792223999,"serial":"2f0a6c1d9e","subject":"CN=social.test"},"certificate_file":"/var/lib/social/tls/cert.pem","healthy":true,"mode":"acme","status":{"certificate":{"issuer":"CN=Pebble Intermediate CA 1a2b3c","names":["social.test"],"not_after":1799999999,"not_before":1792223999,"serial":"2f0a6c1d9e","subject":"CN=social.test"},"directory":"https://127.0.0.1:14000/dir","domains":["social.test"],"failures":0,"last_error":"finalizing the order: client error (Connect): tcp connect error: connection refused (os error 111)","last_error_at":1796249215,"last_renewal":1792224000,"mode":"acme","next_renewal":1788888888,"next_renewal_reason":"2/3 of the lifetime","updated_at":1796249215}}
"#;

// PostgreSQL 15 and Redis 7.0 (Debian 12's) on private ports, as the live test
// (crates/socialctl/tests/status_databases.rs) sets them up: max_wal_size 32MB,
// max_slot_wal_keep_size 64MB, a physical slot `stale` reserving WAL and one `never` that does
// not, WAL written by INSERT + pg_switch_wal() + CHECKPOINT rounds; the psql output is that of
// `postgresql::psql_args` (stderr left out: the pg_stat_checkpointer query fails on 15).

/// Round 1: `stale` inactive, reserved.
pub const PSQL_SLOT_RESERVED: &str = include_str!("fixtures/psql-slot-reserved.txt");
/// Round 4: `stale` inactive, extended (holds more than max_wal_size).
pub const PSQL_SLOT_EXTENDED: &str = include_str!("fixtures/psql-slot-extended.txt");
/// Round 5: `stale` lost, pg_wal back to max_wal_size.
pub const PSQL_SLOT_LOST: &str = include_str!("fixtures/psql-slot-lost.txt");
/// Slots dropped, restarted with archive_command = '/bin/false', 8 rounds.
pub const PSQL_ARCHIVER_FAILING: &str = include_str!("fixtures/psql-archiver-failing.txt");
/// `INFO` (the bulk string's content) of a Redis with maxmemory 4mb, allkeys-lfu, after 8000
/// SETs of 1000 bytes.
pub const REDIS_INFO_LFU_FULL: &str = include_str!("fixtures/redis-info-allkeys-lfu-full.txt");
/// The same with noeviction and maxclients 3: SETs refused (OOM), 3 connections rejected.
pub const REDIS_INFO_NOEVICTION_FULL: &str =
    include_str!("fixtures/redis-info-noeviction-full.txt");

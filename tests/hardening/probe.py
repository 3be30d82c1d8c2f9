#!/usr/bin/python3
"""Connect to HOST PORT (optionally from source address SRC) and read the listener's banner.

Usage: probe.py [--from SRC] [--timeout SECS] [--times N] HOST PORT
Exit status: 0 connected and read the banner, 1 refused or reset, 2 no answer within the
timeout (what a firewall drop looks like), 3 any other error.
--times N makes N new connections back to back from this one process (a rate limit sees them
within milliseconds, however slow the machine starts a process), prints each one's status on
one line and exits with the last one's.
"""
import argparse
import socket
import sys


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--from", dest="src")
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--times", type=int, default=0)
    p.add_argument("host")
    p.add_argument("port", type=int)
    a = p.parse_args()
    if a.times > 0:
        codes = [connect(a) for _ in range(a.times)]
        print(" ".join(str(c) for c in codes))
        return codes[-1]
    return connect(a)


def connect(a: argparse.Namespace) -> int:
    family = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    try:
        if a.src:
            s.bind((a.src, 0))
        s.connect((a.host, a.port))
        data = s.recv(64)
        return 0 if data.strip() == str(a.port).encode() else 3
    except socket.timeout:
        return 2
    except (ConnectionRefusedError, ConnectionResetError):
        return 1
    except OSError as e:
        print(f"probe: {e}", file=sys.stderr)
        return 3
    finally:
        s.close()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Tiny TCP listeners for the firewall tests: one dual-stack socket per port on [::], each
accepted connection gets "PORT\\n" and is closed. Writes READY_FILE once every port is bound,
so the caller polls for it instead of sleeping. Runs until killed.

Usage: listener.py READY_FILE PORT...
"""
import selectors
import socket
import sys


def main() -> None:
    ready_file, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
    sel = selectors.DefaultSelector()
    for port in ports:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", port))
        s.listen(64)
        sel.register(s, selectors.EVENT_READ, port)
    with open(ready_file, "w") as f:
        f.write("ready\n")
    while True:
        for key, _ in sel.select():
            try:
                conn, _ = key.fileobj.accept()
            except OSError:
                continue
            try:
                conn.sendall(f"{key.data}\n".encode())
            except OSError:
                pass
            conn.close()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""scrape.py unix:PATH|HOST:PORT [URLPATH]: GET memback's metrics over HTTP/1.0,
check the status line and Content-Length, print the body."""
import socket
import sys

where = sys.argv[1]
path = sys.argv[2] if len(sys.argv) > 2 else "/metrics"
if where.startswith("unix:"):
    s = socket.socket(socket.AF_UNIX)
    s.connect(where[5:])
else:
    host, port = where.rsplit(":", 1)
    s = socket.create_connection((host, int(port)))
s.sendall(("GET %s HTTP/1.0\r\nHost: memback\r\n\r\n" % path).encode())
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
head, body = data.split(b"\r\n\r\n", 1)
lines = head.decode().split("\r\n")
length = [l for l in lines if l.lower().startswith("content-length:")]
assert length and int(length[0].split(":")[1]) == len(body), (length, len(body))
if lines[0] != "HTTP/1.0 200 OK":
    sys.exit(lines[0])
sys.stdout.write(body.decode())

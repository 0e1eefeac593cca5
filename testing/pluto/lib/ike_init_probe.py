#!/usr/bin/env python3
"""A bare IKE_SA_INIT sender for host tests: well-formed requests, and the
malformed ones a responder must refuse. One line per STEP, what came back:

    SA KE Nonce N:16388 N:16389            the payloads of the answer
    N:16390 COOKIE:<hex>                  a COOKIE asked for
    N:1:c8                                a notify with its data (hex)
    NO-ANSWER                             nothing within the tries

usage: ike_init_probe.py NONCE STEP...
  NONCE: the Ni to send (hex). STEP: comma-separated KEY=VALUE words:
    src=ADDR dst=ADDR    from and to (required)
    spi=HEX              the initiator SPI (default 0123456789abcdef)
    cookie=N             echo the COOKIE the Nth step got back
    msgid=N              the message ID (default 0)
    flags=HEX            the header flags (default 08, Initiator)
    spir=N               the responder SPI the Nth step's answer gave
    exch=N               the exchange type (default 34, IKE_SA_INIT);
                         another type sends one junk SK payload instead
    critical=T           append an unknown payload of type T with the
                         critical bit set
    tries=N              sends before NO-ANSWER, 1 s apart (default 3)

The proposal is pluto's first default one: AES-GCM-16 256, PRF HMAC-SHA2-512,
Curve25519.
"""
import os
import socket
import struct
import sys

PT_SA, PT_KE, PT_NONCE, PT_N, PT_SK = 33, 34, 40, 41, 46
NAMES = {33: "SA", 34: "KE", 40: "Nonce", 43: "V", 38: "CERTREQ"}
N_COOKIE = 16390
# notifies whose data the tests look at
N_WITH_DATA = {1, 17}   # UNSUPPORTED_CRITICAL_PAYLOAD, INVALID_KE_PAYLOAD


def payload(next_type, body, critical=False):
    return struct.pack("!BBH", next_type, 0x80 if critical else 0, 4 + len(body)) + body


def transform(last, ttype, tid, attrs=b""):
    body = struct.pack("!BBH", ttype, 0, tid) + attrs
    return struct.pack("!BBH", 0 if last else 3, 0, 4 + len(body)) + body


TRANSFORMS = (transform(False, 1, 20, struct.pack("!HH", 0x800E, 256)) + transform(False, 2, 7)
              + transform(True, 4, 31))
PROPOSAL = struct.pack("!BBHBBBB", 0, 0, 8 + len(TRANSFORMS), 1, 1, 0, 3) + TRANSFORMS


def message(opts, nonce, cookie, spir):
    exch = int(opts.get("exch", "34"))
    chain = []   # (type, body, critical)
    if exch == 34:
        if cookie:
            chain.append((PT_N, struct.pack("!BBH", 0, 0, N_COOKIE) + cookie, False))
        chain += [(PT_SA, PROPOSAL, False),
                  (PT_KE, struct.pack("!HH", 31, 0) + os.urandom(32), False),
                  (PT_NONCE, nonce, False)]
    else:
        # an SK payload nobody can decrypt: what matters is the header
        chain.append((PT_SK, os.urandom(64), False))
    if "critical" in opts:
        chain.append((int(opts["critical"]), b"\0" * 4, True))
    body = b""
    for i, (_, b, crit) in enumerate(chain):
        body += payload(chain[i + 1][0] if i + 1 < len(chain) else 0, b, crit)
    spi = bytes.fromhex(opts.get("spi", "0123456789abcdef"))
    flags = int(opts.get("flags", "08"), 16)
    msgid = int(opts.get("msgid", "0"))
    return (spi + spir + struct.pack("!BBBBII", chain[0][0], 0x20, exch, flags, msgid,
                                     28 + len(body)) + body)


def parse(data):
    """-> (the line to print, cookie, responder SPI)"""
    out, cookie = [], b""
    nxt, off = data[16], 28
    while nxt != 0 and off + 4 <= len(data):
        n2, _, ln = struct.unpack("!BBH", data[off:off + 4])
        if nxt == PT_N:
            spisize = data[off + 5]
            ntype = struct.unpack("!H", data[off + 6:off + 8])[0]
            value = data[off + 8 + spisize:off + ln]
            if ntype == N_COOKIE:
                out.append("N:%d COOKIE:%s" % (ntype, value.hex()))
                cookie = value
            elif ntype in N_WITH_DATA:
                out.append("N:%d:%s" % (ntype, value.hex()))
            else:
                out.append("N:%d" % ntype)
        else:
            out.append(NAMES.get(nxt, "P%d" % nxt))
        nxt, off = n2, off + ln
    return " ".join(out), cookie, data[8:16]


def drain(s):
    """drops late answers to an earlier step"""
    s.setblocking(False)
    try:
        while True:
            s.recv(4096)
    except BlockingIOError:
        pass
    s.settimeout(1)


def main():
    nonce = bytes.fromhex(sys.argv[1])
    cookies, spirs = [], []
    sockets = {}   # one socket (one port) per source address, as an initiator has
    for step in sys.argv[2:]:
        opts = dict(w.split("=", 1) for w in step.split(","))
        cookie = cookies[int(opts["cookie"]) - 1] if "cookie" in opts else b""
        spir = spirs[int(opts["spir"]) - 1] if "spir" in opts else bytes(8)
        msg = message(opts, nonce, cookie, spir)
        s = sockets.get(opts["src"])
        if s is None:
            s = sockets[opts["src"]] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((opts["src"], 0))
        drain(s)
        line, cookie, spir = "NO-ANSWER", b"", bytes(8)
        for _ in range(int(opts.get("tries", "3"))):
            s.sendto(msg, (opts["dst"], 500))
            try:
                line, cookie, spir = parse(s.recv(4096))
                break
            except socket.timeout:
                continue
        cookies.append(cookie)
        spirs.append(spir)
        print(line, flush=True)
    for s in sockets.values():
        s.close()


if __name__ == "__main__":
    main()

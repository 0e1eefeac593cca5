#!/usr/bin/env python3
"""A bare IKEv2 initiator for host tests: IKE_SA_INIT, then IKE_AUTH with a
PSK, with or without a Child SA, optionally announcing childless IKE_AUTH
(RFC 6023). One exchange pair per RUN; one line per message answered:

    INIT: SA KE Nonce N(16388) N(16418)      the IKE_SA_INIT answer's payloads
    AUTH: IDr AUTH verified                  IKE_AUTH answer (AUTH checked)
    AUTH: N(7)                               ... or an error
    INIT: NO-ANSWER                          nothing in 3 s (3 sends)

usage: ike_auth_probe.py SRC DST PSK IDI RUN...
  RUN: comma-separated words: notify (send N(CHILDLESS_IKEV2_SUPPORTED) in
  IKE_SA_INIT), child=TSI/TSR (ask for an ESP Child SA with these
  selectors, e.g. child=198.51.100.0/24/203.0.113.0/24; default: no SA,
  TSi or TSr in IKE_AUTH), tsi=A+B... and tsr=C+D... (a Child SA with
  several selectors a side, CIDRs joined by "+"; the answer's selectors
  are printed: "TS: TSi=... TSr=..."), listen=S (then listen S seconds
  for requests from the responder, decrypt them and print each:
  "REQUEST: CREATE_CHILD_SA SA Nonce TSi TSr TSi=... TSr=..."; each is
  refused with NO_PROPOSAL_CHOSEN), or "-" for nothing.

The proposal is pluto's first default one: AES-GCM-16 256, PRF HMAC-SHA2-512,
Curve25519; the Child SA's AES-GCM-16 256. Needs python3-cryptography.
"""
import hashlib
import hmac
import ipaddress
import os
import socket
import struct
import sys
import time

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import serialization

PT_SA, PT_KE, PT_IDI, PT_IDR, PT_AUTH, PT_NONCE, PT_N = 33, 34, 35, 36, 39, 40, 41
PT_TSI, PT_TSR, PT_SK = 44, 45, 46
NAMES = {33: "SA", 34: "KE", 35: "IDi", 36: "IDr", 37: "CERT", 38: "CERTREQ", 39: "AUTH",
         40: "Nonce", 42: "D", 43: "V", 44: "TSi", 45: "TSr", 47: "CP", 48: "EAP"}
N_CHILDLESS = 16418


def prf(key, data):
    return hmac.new(key, data, hashlib.sha512).digest()


def prf_plus(key, seed, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = prf(key, t + seed + bytes([i]))
        out += t
        i += 1
    return out[:n]


def chain(payloads):
    """[(type, body)] -> (first type, bytes)"""
    data = b""
    for i, (_, body) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        data += struct.pack("!BBH", nxt, 0, 4 + len(body)) + body
    return (payloads[0][0] if payloads else 0), data


def transform(last, ttype, tid, attrs=b""):
    body = struct.pack("!BBH", ttype, 0, tid) + attrs
    return struct.pack("!BBH", 0 if last else 3, 0, 4 + len(body)) + body


def proposal(protocol, spi, transforms):
    ts = b"".join(transform(i + 1 == len(transforms), *t) for i, t in enumerate(transforms))
    return struct.pack("!BBHBBBB", 0, 0, 8 + len(spi) + len(ts), 1, protocol, len(spi),
                       len(transforms)) + spi + ts


KEYLEN256 = struct.pack("!HH", 0x800E, 256)
IKE_SA = proposal(1, b"", [(1, 20, KEYLEN256), (2, 7), (4, 31)])


def ts_payload(cidrs):
    sels = b""
    for cidr in cidrs.split("+"):
        net = ipaddress.ip_network(cidr, strict=False)
        sels += struct.pack("!BBHHH", 7, 0, 16, 0, 65535) + net.network_address.packed + \
            net.broadcast_address.packed
    return struct.pack("!BBH", len(cidrs.split("+")), 0, 0) + sels


def ts_text(body):
    """a TS payload's IPv4 selectors as CIDRs (or ranges) joined by +"""
    out, off = [], 4
    for _ in range(body[0] if body else 0):
        if off + 16 > len(body) or body[off] != 7:
            break
        lo = ipaddress.ip_address(body[off + 8:off + 12])
        hi = ipaddress.ip_address(body[off + 12:off + 16])
        nets = list(ipaddress.summarize_address_range(lo, hi))
        out.append(str(nets[0]) if len(nets) == 1 else "%s-%s" % (lo, hi))
        off += 16
    return "+".join(out)


def ts_line(payloads):
    tsi = [b for t, b in payloads if t == PT_TSI]
    tsr = [b for t, b in payloads if t == PT_TSR]
    return "TSi=%s TSr=%s" % (ts_text(tsi[0]) if tsi else "", ts_text(tsr[0]) if tsr else "")


def header(spi_i, spi_r, first, exchange, msgid, length):
    return spi_i + spi_r + struct.pack("!BBBBII", first, 0x20, exchange, 0x08, msgid, length)


def parse(data, first, off):
    out = []
    nxt = first
    while nxt != 0 and off + 4 <= len(data):
        n2, _, ln = struct.unpack("!BBH", data[off:off + 4])
        if ln < 4 or off + ln > len(data):
            break
        out.append((nxt, data[off + 4:off + ln]))
        nxt, off = n2, off + ln
    return out


def describe(payloads):
    words = []
    for t, body in payloads:
        if t == PT_N and len(body) >= 4:
            words.append("N(%d)" % struct.unpack("!H", body[2:4])[0])
        else:
            words.append(NAMES.get(t, "payload-%d" % t))
    return " ".join(words)


def exchange(sock, dst, msg):
    for _ in range(3):
        sock.sendto(msg, (dst, 500))
        try:
            return sock.recv(65535)
        except socket.timeout:
            continue
    return None


def run(src, dst, psk, idi, words):
    notify = "notify" in words
    child = [w[6:] for w in words if w.startswith("child=")]
    opts = dict(w.split("=", 1) for w in words if w.split("=", 1)[0] in ("tsi", "tsr", "listen"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((src, 0))
    sock.settimeout(1)
    spi_i, ni = os.urandom(8), os.urandom(32)
    key = X25519PrivateKey.generate()
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pl = [(PT_SA, IKE_SA), (PT_KE, struct.pack("!HH", 31, 0) + pub), (PT_NONCE, ni)]
    if notify:
        pl.append((PT_N, struct.pack("!BBH", 0, 0, N_CHILDLESS)))
    first, body = chain(pl)
    init_req = header(spi_i, bytes(8), first, 34, 0, 28 + len(body)) + body
    init_resp = exchange(sock, dst, init_req)
    if init_resp is None:
        print("INIT: NO-ANSWER", flush=True)
        return
    rpl = parse(init_resp, init_resp[16], 28)
    print("INIT: " + describe(rpl), flush=True)
    ke = [b for t, b in rpl if t == PT_KE]
    nr = [b for t, b in rpl if t == PT_NONCE]
    if not ke or not nr:
        return
    spi_r = init_resp[8:16]
    gir = key.exchange(X25519PublicKey.from_public_bytes(ke[0][4:]))
    nr = nr[0]
    skeyseed = prf(ni + nr, gir)
    k = prf_plus(skeyseed, ni + nr + spi_i + spi_r, 64 + 36 + 36 + 64 + 64)
    sk_ei, sk_er = k[64:100], k[100:136]
    sk_pi, sk_pr = k[136:200], k[200:264]
    idi_body = bytes([2, 0, 0, 0]) + idi.lstrip("@").encode()
    pad = prf(psk.encode(), b"Key Pad for IKEv2")
    auth = prf(pad, init_req + nr + prf(sk_pi, idi_body))
    inner = [(PT_IDI, idi_body), (PT_AUTH, bytes([2, 0, 0, 0]) + auth)]
    if child:
        tsi, tsr = child[0].split("/")[0:2], child[0].split("/")[2:4]
        esp = proposal(3, os.urandom(4), [(1, 20, KEYLEN256), (5, 0)])
        inner += [(PT_SA, esp), (PT_TSI, ts_payload("/".join(tsi))),
                  (PT_TSR, ts_payload("/".join(tsr)))]
    elif "tsi" in opts:
        esp = proposal(3, os.urandom(4), [(1, 20, KEYLEN256), (5, 0)])
        inner += [(PT_SA, esp), (PT_TSI, ts_payload(opts["tsi"])), (PT_TSR, ts_payload(opts["tsr"]))]
    first, plain = chain(inner)
    plain += b"\x00"   # no padding, pad length 0
    iv = os.urandom(8)
    sk_len = 4 + 8 + len(plain) + 16
    hdr = header(spi_i, spi_r, PT_SK, 35, 1, 28 + sk_len)
    sk_hdr = struct.pack("!BBH", first, 0, sk_len)
    ct = AESGCM(sk_ei[:32]).encrypt(sk_ei[32:] + iv, plain, hdr + sk_hdr)
    resp = exchange(sock, dst, hdr + sk_hdr + iv + ct)
    if resp is None:
        print("AUTH: NO-ANSWER", flush=True)
        return
    if resp[16] != PT_SK:
        print("AUTH: not encrypted", flush=True)
        return
    sk_first, _, ln = struct.unpack("!BBH", resp[28:32])
    try:
        plain = AESGCM(sk_er[:32]).decrypt(sk_er[32:] + resp[32:40], resp[40:28 + ln], resp[:32])
    except Exception:
        print("AUTH: cannot decrypt", flush=True)
        return
    plain = plain[:len(plain) - 1 - plain[-1]]
    rpl = parse(plain, sk_first, 0)
    line = describe(rpl)
    idr = [b for t, b in rpl if t == PT_IDR]
    rauth = [b for t, b in rpl if t == PT_AUTH]
    if idr and rauth:
        want = prf(pad, init_resp + ni + prf(sk_pr, idr[0]))
        line += " verified" if hmac.compare_digest(want, rauth[0][4:]) else " AUTH-WRONG"
    print("AUTH: " + line, flush=True)
    if "tsi" in opts:
        print("TS: " + ts_line(rpl), flush=True)
    deadline = time.monotonic() + float(opts.get("listen", "0"))
    seen = set()
    while time.monotonic() < deadline:
        try:
            req = sock.recv(65535)
        except socket.timeout:
            continue
        msgid = struct.unpack("!I", req[20:24])[0]
        if len(req) < 40 or req[16] != PT_SK or req[19] & 0x20 or msgid in seen:
            continue   # not a request, or a retransmission of one
        seen.add(msgid)
        sk_first, _, ln = struct.unpack("!BBH", req[28:32])
        try:
            plain = AESGCM(sk_er[:32]).decrypt(sk_er[32:] + req[32:40], req[40:28 + ln], req[:32])
        except Exception:
            print("REQUEST: cannot decrypt", flush=True)
            continue
        plain = plain[:len(plain) - 1 - plain[-1]]
        rpl = parse(plain, sk_first, 0)
        name = {36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}.get(req[18], "exchange-%d" % req[18])
        print("REQUEST: %s %s %s" % (name, describe(rpl), ts_line(rpl)), flush=True)
        # refused (NO_PROPOSAL_CHOSEN), so that the responder goes on
        first, plain = chain([(PT_N, struct.pack("!BBH", 0, 0, 14))])
        plain += b"\x00"
        iv = os.urandom(8)
        sk_len = 4 + 8 + len(plain) + 16
        hdr = spi_i + spi_r + struct.pack("!BBBBII", PT_SK, 0x20, req[18], 0x28, msgid, 28 + sk_len)
        sk_hdr = struct.pack("!BBH", first, 0, sk_len)
        ct = AESGCM(sk_ei[:32]).encrypt(sk_ei[32:] + iv, plain, hdr + sk_hdr)
        sock.sendto(hdr + sk_hdr + iv + ct, (dst, 500))
    sock.close()


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    src, dst, psk, idi = sys.argv[1:5]
    for r in sys.argv[5:]:
        run(src, dst, psk, idi, r.split(","))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""rsa_raw_key.py: an RSA public key between the two forms the test hosts
read: ipsec.conf's raw key (leftrsasigkey=0s..., the RFC 3110 key bytes in
base64) and PEM SubjectPublicKeyInfo (RFC 5280), which swanctl's pubkeys=
reads. Standard library only (it also runs inside the UML guest).

  rsa_raw_key.py to-pem 0sBASE64      print the key as PEM
  rsa_raw_key.py to-raw FILE.pem      print the key as 0sBASE64

Bad input: one line on stderr naming what is wrong, exit status 1.
"""
import base64
import re
import sys

RSA_ENCRYPTION = bytes.fromhex("2a864886f70d010101")   # OID 1.2.840.113549.1.1.1


class BadKey(Exception):
    pass


def der(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(size)]) + size
    return bytes([tag]) + head + body


def der_int(value):
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")   # sign bit clear
    return der(0x02, body)


def der_read(buf, pos, want_tag):
    """(body, next position) of the element at pos, which must be want_tag"""
    if pos + 2 > len(buf) or buf[pos] != want_tag:
        raise BadKey(f"expected DER tag 0x{want_tag:02x} at offset {pos}")
    n, pos = buf[pos + 1], pos + 2
    if n & 0x80:
        width = n & 0x7f
        if width == 0 or width > 4 or pos + width > len(buf):
            raise BadKey(f"bad DER length at offset {pos}")
        n, pos = int.from_bytes(buf[pos:pos + width], "big"), pos + width
    if pos + n > len(buf):
        raise BadKey(f"DER element at offset {pos} runs past the end")
    return buf[pos:pos + n], pos + n


def raw_to_pem(text):
    if not text.startswith("0s"):
        raise BadKey("a raw key starts with 0s")
    try:
        raw = base64.b64decode(text[2:], validate=True)
    except ValueError as e:
        raise BadKey(f"the key is not base64: {e}") from None
    if len(raw) < 3:
        raise BadKey("the key is too short")
    if raw[0]:
        elen, pos = raw[0], 1
    else:
        elen, pos = int.from_bytes(raw[1:3], "big"), 3
    if pos + elen >= len(raw):
        raise BadKey("the exponent length runs past the key")
    e = int.from_bytes(raw[pos:pos + elen], "big")
    n = int.from_bytes(raw[pos + elen:], "big")
    rsa = der(0x30, der_int(n) + der_int(e))
    spki = der(0x30, der(0x30, der(0x06, RSA_ENCRYPTION) + der(0x05, b"")) +
               der(0x03, b"\0" + rsa))
    b64 = base64.b64encode(spki).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def pem_to_raw(path):
    with open(path, encoding="ascii") as f:
        text = f.read()
    m = re.search(r"-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", text, re.S)
    if not m:
        raise BadKey(f"{path}: no PUBLIC KEY block")
    spki = base64.b64decode("".join(m.group(1).split()))
    body, _ = der_read(spki, 0, 0x30)
    alg, pos = der_read(body, 0, 0x30)
    oid, _ = der_read(alg, 0, 0x06)
    if oid != RSA_ENCRYPTION:
        raise BadKey(f"{path}: not an RSA key")
    bits, _ = der_read(body, pos, 0x03)
    rsa, _ = der_read(bits[1:], 0, 0x30)
    n, pos = der_read(rsa, 0, 0x02)
    e, _ = der_read(rsa, pos, 0x02)
    n, e = n.lstrip(b"\0"), e.lstrip(b"\0")
    head = bytes([len(e)]) if len(e) < 256 else b"\0" + len(e).to_bytes(2, "big")
    return "0s" + base64.b64encode(head + e + n).decode()


def main(argv):
    if len(argv) != 3 or argv[1] not in ("to-pem", "to-raw"):
        print("usage: rsa_raw_key.py to-pem 0sBASE64 | to-raw FILE.pem", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(raw_to_pem(argv[2]) if argv[1] == "to-pem" else pem_to_raw(argv[2]) + "\n")
    except (BadKey, OSError) as e:
        print(f"rsa_raw_key.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""rsa_raw_key.py: an RSA public key between the two forms the test hosts
read: ipsec.conf's raw key (leftrsasigkey=0s..., the RFC 3110 key bytes in
base64) and PEM SubjectPublicKeyInfo (RFC 5280), which swanctl's pubkeys=
reads. Standard library only (it also runs inside the UML guest, where
every process start counts: one run does all of a scenario's keys).

  rsa_raw_key.py to-pem 0sBASE64      print the key as PEM
  rsa_raw_key.py to-raw FILE.pem      print the key as 0sBASE64
  rsa_raw_key.py write-pem OUT=KEY... write each KEY (0sBASE64, or a PEM
                                      file: a public key or an unencrypted
                                      PKCS#8 private key) to the file OUT as
                                      a PEM public key, and print each KEY
                                      as 0sBASE64, one a line

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


def pem_key(path):
    """(n, e) of the public key in a PEM file: PUBLIC KEY or PKCS#8 PRIVATE KEY"""
    with open(path, encoding="ascii") as f:
        text = f.read()
    try:
        return pem_text_key(text)
    except (BadKey, ValueError) as e:
        raise BadKey(f"{path}: {e}") from None


def pem_text_key(text):
    m = re.search(r"-----BEGIN (PUBLIC|PRIVATE) KEY-----(.*?)-----END \1 KEY-----", text, re.S)
    if not m:
        raise BadKey("no PUBLIC KEY or PRIVATE KEY block")
    blob = base64.b64decode("".join(m.group(2).split()))
    body, _ = der_read(blob, 0, 0x30)
    pos = 0
    if m.group(1) == "PRIVATE":   # PrivateKeyInfo: version, algorithm, key
        _, pos = der_read(body, 0, 0x02)
    alg, pos = der_read(body, pos, 0x30)
    oid, _ = der_read(alg, 0, 0x06)
    if oid != RSA_ENCRYPTION:
        raise BadKey("not an RSA key")
    if m.group(1) == "PRIVATE":   # RSAPrivateKey: version, n, e, ...
        octets, _ = der_read(body, pos, 0x04)
        rsa, _ = der_read(octets, 0, 0x30)
        _, pos = der_read(rsa, 0, 0x02)
    else:                         # RSAPublicKey: n, e
        bits, _ = der_read(body, pos, 0x03)
        rsa, _ = der_read(bits[1:], 0, 0x30)
        pos = 0
    n, pos = der_read(rsa, pos, 0x02)
    e, _ = der_read(rsa, pos, 0x02)
    return int.from_bytes(n, "big"), int.from_bytes(e, "big")


def raw_key(text):
    """(n, e) of a 0s... raw key"""
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
    return int.from_bytes(raw[pos + elen:], "big"), e


def to_raw(n, e):
    nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    eb = e.to_bytes((e.bit_length() + 7) // 8, "big")
    head = bytes([len(eb)]) if len(eb) < 256 else b"\0" + len(eb).to_bytes(2, "big")
    return "0s" + base64.b64encode(head + eb + nb).decode()


def to_pem(n, e):
    rsa = der(0x30, der_int(n) + der_int(e))
    spki = der(0x30, der(0x30, der(0x06, RSA_ENCRYPTION) + der(0x05, b"")) +
               der(0x03, b"\0" + rsa))
    b64 = base64.b64encode(spki).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def any_key(text):
    return raw_key(text) if text.startswith("0s") else pem_key(text)


def write_pems(pairs):
    out = []
    for pair in pairs:
        path, sep, key = pair.partition("=")
        if not sep or not path or not key:
            raise BadKey(f"'{pair}': want OUT=KEY")
        n, e = any_key(key)
        with open(path, "w", encoding="ascii") as f:
            f.write(to_pem(n, e))
        out.append(to_raw(n, e))
    return "\n".join(out) + "\n"


USAGE = "usage: rsa_raw_key.py to-pem 0sBASE64 | to-raw FILE.pem | write-pem OUT=KEY..."


def main(argv):
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    try:
        if cmd == "to-pem" and len(args) == 1:
            sys.stdout.write(to_pem(*raw_key(args[0])))
        elif cmd == "to-raw" and len(args) == 1:
            sys.stdout.write(to_raw(*pem_key(args[0])) + "\n")
        elif cmd == "write-pem" and args:
            sys.stdout.write(write_pems(args))
        else:
            print(USAGE, file=sys.stderr)
            return 2
    except (BadKey, OSError, ValueError) as e:
        print(f"rsa_raw_key.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

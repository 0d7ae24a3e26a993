"""A small, valid PDF with Vietnamese text, written by hand so the tests need no PDF writer.

The text is drawn in Helvetica; every letter outside ASCII gets a code from 128 up, named `uniXXXX` in the
font's /Differences, which is how a PDF reader (pypdf here) maps the codes back to Unicode.
"""

from __future__ import annotations


def pdf_with_text(*lines: str) -> bytes:
    extra = sorted({ch for line in lines for ch in line if ord(ch) > 126})
    if len(extra) > 128:
        raise ValueError("too many distinct letters for one simple font")
    code = {ch: 128 + i for i, ch in enumerate(extra)}

    def encode(line: str) -> bytes:
        out = bytearray()
        for ch in line:
            if ch in code:
                out += b"\\%03o" % code[ch]
            elif ch in "()\\":
                out += b"\\" + ch.encode()
            else:
                out += ch.encode("ascii")
        return bytes(out)

    stream = b"BT /F1 14 Tf 72 760 Td 18 TL " + b" ".join(b"(" + encode(line) + b") '" for line in lines) + b" ET"
    differences = b" ".join(b"/uni%04X" % ord(ch) for ch in extra)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding"
        b" /BaseEncoding /WinAnsiEncoding /Differences [128 " + differences + b"] >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)

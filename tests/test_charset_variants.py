"""Issue 6 item 7: one article served in every encoding a Vietnamese site uses is
one article with one version, fetched through the real ``scraper fetch``.

Browser order: BOM, then the HTTP header, then ``<meta>``, then detection.
windows-1258 writes Vietnamese with base letters (ê, ơ, ư, ă…) plus combining
tone marks, so its bytes are built that way here, as real pages are.
"""

from __future__ import annotations

import codecs
import sqlite3
import unicodedata

import pytest

from scraper.charset import decode_html, detect_encoding
from tests.sites import Route

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng

TITLE = "Hà Giang: Người dân Đồng Văn, Mèo Vạc đón mùa hoa tam giác mạch"
BODY = ("Những ngày cuối thu, cao nguyên đá Đồng Văn rực rỡ sắc hoa tam giác mạch. Người dân các xã "
        "Lũng Cú, Sủng Là, Phố Bảng mở thêm homestay, đón hàng nghìn lượt khách trong và ngoài nước.")
BODY2 = ("Theo Sở Văn hóa, Thể thao và Du lịch, năm nay tỉnh đón hơn ba triệu lượt khách; doanh thu "
         "từ du lịch cộng đồng tăng mạnh, góp phần giảm nghèo bền vững ở vùng cao biên giới.")


def cp1258(text: str) -> bytes:
    """Vietnamese text as windows-1258 pages write it: precomposed base letter
    where the code page has one, tone mark as a separate combining byte."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        marks = unicodedata.normalize("NFD", char)
        tones = "".join(m for m in marks if m in TONES)
        base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in TONES))
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def page(meta: str = "") -> str:
    return f"""<!DOCTYPE html><html lang="vi"><head>{meta}
<title>{TITLE}</title><meta property="og:title" content="{TITLE}"></head><body>
<div class="detail"><h1 class="title-detail">{TITLE}</h1>
<div class="date-detail">Thứ Hai, 01/10/2018, 08:05 (GMT+7)</div>
<div class="content-detail"><p>{BODY}</p><p>{BODY2}</p></div></div></body></html>"""


META_1258 = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
UTF8 = str.encode
BOM8 = lambda text: codecs.BOM_UTF8 + text.encode()  # noqa: E731
BOM16 = lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le")  # noqa: E731
# name -> (the page as text, how it is encoded, the Content-Type header)
VARIANTS = {
    "utf-8, declared in the header": (page('<meta charset="utf-8">'), UTF8, "text/html; charset=utf-8"),
    "windows-1258, declared only in meta": (page(META_1258), cp1258, "text/html"),
    "windows-1258 in meta, <meta charset> form": (page('<meta charset="windows-1258">'), cp1258, "text/html"),
    "utf-8 mislabelled latin-1 in the header": (page(), UTF8, "text/html; charset=ISO-8859-1"),
    "utf-8 mislabelled latin-1 in meta": (page('<meta charset="iso-8859-1">'), UTF8, "text/html"),
    "utf-8, no declaration at all": (page(), UTF8, "text/html"),
    "utf-8 with a BOM, header says latin-1": (page(), BOM8, "text/html; charset=latin-1"),
    "utf-16 with a BOM, no declaration": (page(), BOM16, "text/html"),
    "windows-1258, no declaration at all": (page(), cp1258, "text/html"),
}


def test_cp1258_bytes_are_decomposed_like_real_pages():
    raw = cp1258("Đồng Văn")
    assert raw == "Đ".encode("cp1258") + b"\xf4\xcc" + b"ng V\xe3n"  # ô + combining grave; ă is one byte
    assert raw.decode("cp1258") != "Đồng Văn"  # the codec alone leaves the tone mark apart
    assert decode_html(raw, "text/html; charset=windows-1258") == "Đồng Văn"


@pytest.mark.parametrize("name", list(VARIANTS))
def test_each_variant_decodes_to_the_page_as_written(name):
    text, encode, content_type = VARIANTS[name]
    data = encode(text)
    print(f"{name:45} -> {detect_encoding(data, content_type)}")
    assert decode_html(data, content_type) == text


def test_all_charset_variants_of_one_article_are_one_version(site, test_config, tmp_path, cli):
    db = tmp_path / "archive.db"
    url = site.url("tin/hoa-tam-giac-mach.html")
    outcomes = {}
    for name, (text, encode, content_type) in VARIANTS.items():
        data = encode(text)
        site.routes["/tin/hoa-tam-giac-mach.html"] = Route(body=data, headers={"Content-Type": content_type})
        proc = cli("fetch", url, "--config", str(test_config), "--db", str(db))
        assert proc.returncode == 0, (name, proc.stdout, proc.stderr)
        outcomes[name] = proc.stdout.split("\t", 1)[1].strip()
        print(f"{name:45} {outcomes[name]}")
    assert list(outcomes.values()) == ["new"] + ["unchanged"] * (len(VARIANTS) - 1), outcomes
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM versions").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM pages").fetchone() == (1,)
        title, body = conn.execute("SELECT title, body FROM articles").fetchone()
    assert title == TITLE
    assert BODY in body and unicodedata.is_normalized("NFC", body)

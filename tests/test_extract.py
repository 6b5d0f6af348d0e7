"""Golden pairs: every hand-written page under tests/fixtures/pages extracts
to the JSON beside it (regenerate with ``python -m scraper.extract.golden``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.extract import extract
from scraper.extract.golden import expected_path, page_url, pages
from scraper.models import Article

PAGES = Path(__file__).parent / "fixtures" / "pages"


@pytest.mark.parametrize("page", pages(PAGES), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden(page: Path) -> None:
    html = page.read_bytes()
    expected = json.loads(expected_path(page).read_text(encoding="utf-8"))
    assert extract(html, page_url(html)).to_dict() == expected


def test_every_required_layout_has_a_golden_pair() -> None:
    sites = {p.parent.name for p in pages(PAGES)}
    assert {"baohagiang", "vnexpress", "tuoitre", "generic", "lazy", "nodate"} <= sites
    assert all(expected_path(p).exists() for p in pages(PAGES))


def _golden(site: str) -> tuple[bytes, str, Article]:
    page = next(p for p in pages(PAGES) if p.parent.name == site)
    html = page.read_bytes()
    return html, page_url(html) or "", Article.from_dict(json.loads(expected_path(page).read_text("utf-8")))


def test_seed_page_conventions() -> None:
    _, _, article = _golden("baohagiang")
    assert article.body.startswith("BHG - Để tăng cường")
    assert article.lead_marker == "BHG"
    assert article.published_at.isoformat() == "2017-12-06T08:05:00+07:00"
    assert article.authors == ["Nguyễn Thị Hòa"]
    assert "Nguyễn Thị Hòa" not in article.body and "Chủ tịch CĐVC tỉnh" not in article.body
    assert "Ảnh" not in article.body and "Các tin khác" not in article.body
    captioned = [i for i in article.images if i.caption]
    assert captioned and captioned[0].credit == "C.T.V" and "Ảnh" not in captioned[0].caption


def test_vnexpress_byline_beats_the_organisation_author() -> None:
    _, _, article = _golden("vnexpress")
    assert article.authors == ["Phạm Linh"]
    assert not article.body.rstrip().endswith("Phạm Linh")
    assert "Xem nhiều" not in article.body and "Giá vàng" not in article.body
    assert "Ý kiến" not in article.body and "Mong bà con" not in article.body


def test_organisation_jsonld_author_yields_the_person_in_the_byline() -> None:
    _, _, article = _golden("generic")
    assert article.authors == ["Martha Okafor"]
    assert "Related" not in article.body and "Comments" not in article.body
    assert "Advertisement" not in article.body and "Share on" not in article.body


def test_lazy_images_resolve_to_real_urls() -> None:
    _, _, article = _golden("lazy")
    urls = [i.url for i in article.images]
    assert all(u.startswith("https://") for u in urls)
    assert not any("data:" in u or "placeholder" in u or "gravatar" in u or "logo" in u for u in urls)
    assert not any("ads.example" in u or "icons" in u for u in urls)
    assert "https://riversideweekly.example/2023/11/lanterns.jpg" in urls
    assert any("pottery-1280" in u for u in urls)


def test_page_without_a_date() -> None:
    _, _, article = _golden("nodate")
    assert article.published_at is None and article.modified_at is None
    assert article.body.startswith("The trail follows")
    assert "Upcoming events" not in article.body


def test_generic_engine_alone_reads_the_vietnamese_pages() -> None:
    for site in ("baohagiang", "vnexpress", "tuoitre"):
        html, url, expected = _golden(site)
        generic = extract(html, url, builtin=False)
        assert generic.title == expected.title
        assert generic.published_at == expected.published_at
        assert generic.authors == expected.authors
        assert generic.lead_marker is None


def test_app_shell_body_is_read_from_the_data_script() -> None:
    # a Next.js page: the DOM holds only the headline, the body travels escaped twice in a script
    paragraphs = ["Đồng Văn đón hơn 12.000 lượt khách du lịch trong dịp cuối năm, tăng mạnh so với năm trước.",
                  "Các homestay ở phố cổ kín phòng từ đầu tuần; nhiều đoàn khách phải nghỉ tại Mèo Vạc.",
                  "Huyện mở thêm hai điểm trông giữ xe và tăng cường lực lượng hướng dẫn giao thông."]
    lt, gt, q = "\\\\u003c", "\\\\u003e", '\\\\"'  # "<", ">" and '"', escaped twice
    inner = f"{lt}div class={q}caption{q}{gt}{lt}p{gt}Ảnh minh họa{lt}/p{gt}{lt}/div{gt}"
    inner += "$$ARTICLEAD$$".join(f"{lt}p class={q}editor-p{q}{gt}{p}{lt}/p{gt}" for p in paragraphs)
    html = ('<html><head><title>Đồng Văn đón khách</title></head><body><h1>Đồng Văn đón khách</h1>'
            '<div id="root"></div>'
            f'<script>self.__next_f.push([1,"5:[\\"$\\",\\"div\\",null,{{\\"dangerouslySetInnerHTML\\":'
            f'{{\\"__html\\":\\"{inner}\\"}}}}]"])</script></body></html>')
    article = extract(html, "https://news.example.vn/a", builtin=False)
    assert article.body.split("\n\n") == paragraphs  # no caption, no ad slot


def test_a_page_with_text_in_the_dom_ignores_its_scripts() -> None:
    body = "<p>" + "Bài viết có nội dung thật trong trang, đủ dài để được chọn làm thân bài. " * 5 + "</p>"
    escaped = "".join(f"\\u003cp\\u003e{letter}\\u003c/p\\u003e" for letter in "ABC")
    script = f'<script>var x = "{escaped}";</script>'
    html = f"<html><body><article><h1>Tiêu đề</h1>{body}</article>{script}</body></html>"
    assert "A\n\nB" not in extract(html, "https://news.example.vn/b", builtin=False).body

"""Content hashes: stable under cosmetic changes, sensitive to edits."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.dedup import changed_fields, content_fields, content_hash
from scraper.models import Article, Image
from scraper.text import clean, fold

ICT = timezone(timedelta(hours=7))
BASE = Article(title="Công đoàn Viên chức tỉnh", published_at=datetime(2017, 12, 6, 8, 5, tzinfo=ICT),
               authors=["Nguyễn Thị Hòa"], body="BHG - Đoạn một.\n\nĐoạn hai.",
               images=[Image("https://baohagiang.vn/a.jpg", "Lãnh đạo trao Bằng khen", "C.T.V")])


def test_whitespace_and_nfd_do_not_change_the_hash():
    cosmetic = Article(title="  Công đoàn   Viên chức tỉnh ", published_at=BASE.published_at,
                       authors=[unicodedata.normalize("NFD", "Nguyễn Thị Hòa")],
                       body=unicodedata.normalize("NFD", "BHG -  Đoạn một.\n \n\n  Đoạn hai.  \n"),
                       images=[Image("https://baohagiang.vn/a.jpg ", "Lãnh đạo trao  Bằng khen", "C.T.V")])
    assert content_hash(cosmetic) == content_hash(BASE)


def test_each_edit_changes_the_hash_and_is_named():
    edits = {
        "title": Article(**{**BASE.__dict__, "title": "Công đoàn Viên chức tỉnh Hà Giang"}),
        "body": Article(**{**BASE.__dict__, "body": "BHG - Đoạn một.\n\nĐoạn hai đã sửa."}),
        "authors": Article(**{**BASE.__dict__, "authors": ["Nguyễn Thị Hoà", "Lê Văn A"]}),
        "published_at": Article(**{**BASE.__dict__, "published_at": BASE.published_at + timedelta(minutes=1)}),
        "images": Article(**{**BASE.__dict__, "images": []}),
    }
    for name, edited in edits.items():
        assert content_hash(edited) != content_hash(BASE), name
        assert changed_fields(content_fields(BASE), content_fields(edited)) == [name]


def test_fold_makes_every_spelling_of_dong_van_equal():
    assert fold("Đồng Văn") == fold("ĐỒNG VĂN") == fold("dong van") == fold(unicodedata.normalize("NFD", "Đồng Văn"))
    assert fold("Hà Giang, Việt Nam") == "ha giang, viet nam"


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=300)
@given(_text, _text, st.lists(_text, max_size=3))
def test_hash_is_stable_under_whitespace_and_normalisation(title, body, authors):
    article = Article(title=title, body=body, authors=authors)
    for form in ("NFC", "NFD"):
        variant = Article(
            title=" " + unicodedata.normalize(form, title) + "\t",
            body="\n" + unicodedata.normalize(form, body).replace(" ", "  ") + " \n",
            authors=[unicodedata.normalize(form, a) + " " for a in authors])
        assert content_hash(variant) == content_hash(article)


@settings(max_examples=200)
@given(_text)
def test_clean_is_idempotent(text):
    assert clean(clean(text)) == clean(text)

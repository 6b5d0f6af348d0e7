"""Canonical URLs: one spelling per article."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls as url_strategy

from scraper.errors import BlockedURL
from scraper.urls import article_url
from scraper.urls import canonical, check, same_site, site_of


@pytest.mark.parametrize("variant", [
    "https://baohagiang.vn/xa-hoi/bai-viet-123.html?utm_source=facebook&utm_medium=social",
    "https://baohagiang.vn/xa-hoi/bai-viet-123.html?fbclid=IwAR0abc",
    "https://baohagiang.vn/xa-hoi/bai-viet-123.html?gclid=xyz#comments",
    "HTTPS://BaoHaGiang.VN:443/xa-hoi/./bai-viet-123.html",
    "https://baohagiang.vn/tin/../xa-hoi/bai-viet-123.html",
])
def test_tracking_parameters_ports_case_and_fragments_do_not_make_a_new_url(variant):
    assert canonical(variant) == "https://baohagiang.vn/xa-hoi/bai-viet-123.html"


def test_meaningful_query_parameters_are_kept_and_sorted():
    assert canonical("http://x.vn/a?id=2&cat=1&utm_campaign=z") == "http://x.vn/a?cat=1&id=2"


def test_userinfo_is_dropped_and_encoded_dots_are_resolved():
    assert canonical("https://user:pw@x.vn/a/%2e%2e/%2E%2E/b") == "https://x.vn/b"


@pytest.mark.parametrize("bad", ["ftp://x.vn/a", "javascript:alert(1)", "file:///etc/passwd",
                                 "data:text/html,hi", "http:///nohost", "x.vn/no-scheme",
                                 "https://x.vn/" + "a" * 3000])
def test_unsupported_or_malformed_urls_are_refused(bad):
    with pytest.raises(BlockedURL):
        check(bad)


def test_site_of_knows_second_level_country_domains():
    assert site_of("https://nld.com.vn/x") == "nld.com.vn"
    assert site_of("https://www.vnexpress.net/x") == "vnexpress.net"
    assert same_site("https://m.tuoitre.vn/a", "https://tuoitre.vn/b")
    assert not same_site("https://a.com.vn/", "https://b.com.vn/")


def test_article_identity_follows_same_site_canonical_only():
    page = "https://www.baohagiang.vn/amp/bai-viet-123.html?utm_source=zalo"
    assert article_url(page, "https://baohagiang.vn/bai-viet-123.html") == "https://baohagiang.vn/bai-viet-123.html"
    assert article_url(page, "/bai-viet-123.html") == "https://www.baohagiang.vn/bai-viet-123.html"
    assert article_url(page, "https://aggregator.example/copy") == "https://www.baohagiang.vn/amp/bai-viet-123.html"
    assert article_url(page, "javascript:alert(1)") == "https://www.baohagiang.vn/amp/bai-viet-123.html"


@settings(max_examples=300)
@given(url_strategy())
def test_canonical_is_idempotent(url):
    once = canonical(url)
    assert canonical(once) == once


_segment = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x1EFF,
                                          blacklist_characters="/?#"), max_size=12)


@settings(max_examples=300)
@given(st.lists(_segment, max_size=5), st.dictionaries(_segment, _segment, max_size=4), _segment)
def test_canonical_is_idempotent_on_unicode_paths_and_queries(segments, query, fragment):
    from urllib.parse import urlencode
    url = "https://báo.vn/" + "/".join(segments) + "?" + urlencode(query) + "#" + fragment
    once = canonical(url)
    assert canonical(once) == once
    assert "#" not in once

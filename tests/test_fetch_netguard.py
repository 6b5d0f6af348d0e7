"""The address and scheme checks of scraper.netguard, without a network."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.errors import BlockedURL
from scraper.netguard import Resolver, check_scheme, is_public, literal_ip


@pytest.mark.parametrize("host,address", [
    ("127.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"),
    ("0x7f.0.0.1", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("127.1", "127.0.0.1"),
    ("017700000001", "127.0.0.1"), ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"), ("0", "0.0.0.0"),
    ("[fe80::1%25eth0]", "fe80::1"),
])
def test_every_written_form_of_an_address_is_read(host, address):
    assert literal_ip(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["baohagiang.vn", "cafe.be", "1.2.3.com", "deadbeef", "0x.example"])
def test_names_are_not_addresses(host):
    assert literal_ip(host) is None


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.64.0.1",
    "100.127.255.255", "0.0.0.0", "255.255.255.255", "224.0.0.251", "198.18.0.1", "192.0.2.1",
    "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "2002:7f00:1::1", "2001:db8::1",
])
def test_non_global_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "203.162.4.190", "2606:4700::1111",
                                     "::ffff:8.8.8.8"])
def test_global_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_decimal_and_hex_forms_name_the_same_address(number):
    address = ipaddress.IPv4Address(number)
    assert literal_ip(str(number)) == address
    assert literal_ip(hex(number)) == address
    octal = ".".join("0" + format(int(part), "o") for part in str(address).split("."))
    assert literal_ip(octal) == address


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_mapped_address_is_judged_like_its_ipv4(number):
    address = ipaddress.IPv4Address(number)
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert is_public(mapped) == is_public(address)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/html,x", "ftp://x/", "javascript:alert(1)",
                                 "gopher://x/", "//example.com/a", "example.com/a", "mailto:a@b.c"])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(BlockedURL) as caught:
        check_scheme(url)
    assert "is not http or https" in caught.value.reason


@pytest.mark.parametrize("url", ["http://example.com/", "HTTPS://example.com/", "https://example.com"])
def test_http_and_https_pass(url):
    assert check_scheme(url) in ("http", "https")


def test_resolver_checks_names_and_permits_single_addresses():
    async def go():
        strict = Resolver()
        with pytest.raises(BlockedURL) as caught:
            await strict.check_url("http://localhost:8080/")
        permissive = Resolver(permit={"127.0.0.1"})
        with pytest.raises(BlockedURL):
            await permissive.check_url("http://127.0.0.2/")
        return caught.value.reason, await permissive.addresses("127.0.0.1", 80)
    reason, addresses = asyncio.run(go())
    assert reason.startswith("blocked: localhost resolves to ")
    assert reason.endswith("which is not a public address")
    assert addresses == ["127.0.0.1"]


def test_allow_private_lets_everything_through():
    async def go():
        resolver = Resolver(allow_private=True)
        await resolver.check_url("http://127.0.0.1/")
        await resolver.check_url("http://[::1]:8080/")
        return await resolver.addresses("10.0.0.1", 80)
    assert asyncio.run(go()) == ["10.0.0.1"]

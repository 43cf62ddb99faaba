"""What the fake servers read of a URL, kept per parse (harness/backends/_urls.py)."""

from __future__ import annotations

import httpx
import pytest

from harness.backends import _urls
from harness.backends._urls import url_facts


@pytest.mark.parametrize(
    "text",
    [
        "https://api.example.com/status",
        "HTTPS://API.Example.com:8443/a%20b/c?x=1&y=%C3%A9&x=2",
        "http://localhost/",
        "https://api.example.com",
        "https://api.example.com/items?page=2&limit=5#frag",
    ],
)
def test_facts_are_what_the_url_reads(text: str) -> None:
    """A URL's facts are its ``str``, its decoded ``path``, ``scheme://netloc`` and ``params``,
    as httpx reads them."""
    url = httpx.URL(text)
    facts = url_facts(url)
    assert facts.text == str(url)
    assert facts.path == url.path
    assert facts.origin == f"{url.scheme}://{url.netloc.decode()}"
    assert facts.params == url.params


def test_requests_to_one_parsed_url_share_its_facts() -> None:
    """Every request built from one parsed URL (a device client parses each text once) reads
    the facts worked out for the first."""
    url = httpx.URL("https://api.example.com/shared?q=1")
    first = httpx.Request("GET", url)
    second = httpx.Request("POST", url, content=b"x")
    assert first.url is not second.url
    assert url_facts(second.url) is url_facts(first.url)


def test_the_cache_starts_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its size the cache is emptied rather than grown; facts stay right after."""
    monkeypatch.setattr(_urls, "_FACTS", {})
    for number in range(_urls._CACHE_SIZE + 3):
        url = httpx.URL(f"https://api.example.com/n/{number}")
        assert url_facts(url).path == f"/n/{number}"
    assert len(_urls._FACTS) <= _urls._CACHE_SIZE

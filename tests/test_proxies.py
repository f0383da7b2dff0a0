"""TREATY_TRUSTED_PROXIES: whose X-Forwarded-For is believed, and which address then counts.

Against a real server (uvicorn on loopback, the peer is 127.0.0.1): with no trusted proxy or
an untrusted peer, a forged header changes nothing (the peer is the key); behind a trusted
proxy the right-most untrusted address is the key, so forging the left part does not help.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from assistant.web.security import parse_networks, resolve_client

from .web_fixtures import serve_app, web_container

pytestmark = pytest.mark.slow
QUESTION = {"question": "What does Article 25 say?"}


def ask(url: str, forwarded: str | None) -> int:
    headers = {"Content-Type": "application/json", **({"X-Forwarded-For": forwarded} if forwarded else {})}
    req = urllib.request.Request(f"{url}/api/ask", json.dumps(QUESTION).encode(), headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("trusted", ["", "10.0.0.0/8"], ids=["no proxy trusted", "untrusted peer"])
def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(settings, embedder, trusted):
    from assistant.web import build_app

    app = build_app(web_container(settings, embedder, rate_limit="3/minute", trusted_proxies=trusted), chat=False)
    with serve_app(app) as url:
        codes = [ask(url, f"203.0.113.{i}") for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_counts(settings, embedder):
    from assistant.web import build_app

    app = build_app(web_container(settings, embedder, rate_limit="2/minute", trusted_proxies="127.0.0.1"), chat=False)
    with serve_app(app) as url:
        # one client, 198.51.100.7, forging different left parts: one key
        same = [ask(url, f"{forged}, 198.51.100.7") for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3")]
        other = ask(url, "198.51.100.8")  # a different client behind the same proxy has its own quota
    assert same == [200, 200, 429]
    assert other == 200


def test_resolve_client_rules():
    nets = parse_networks("127.0.0.1, 10.0.0.0/8")
    assert resolve_client("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", nets) == "198.51.100.7"
    assert resolve_client("192.0.2.9", "6.6.6.6", nets) == "192.0.2.9"  # untrusted peer: header ignored
    assert resolve_client("127.0.0.1", None, nets) == "127.0.0.1"
    assert resolve_client("127.0.0.1", "10.0.0.5, 10.0.0.6", nets) == "10.0.0.5"  # all trusted: the first
    assert resolve_client("127.0.0.1", "6.6.6.6", []) == "127.0.0.1"


def test_a_bad_trusted_proxies_value_names_the_setting():
    from assistant.errors import TreatyError

    with pytest.raises(TreatyError) as exc:
        parse_networks("10.0.0.1,not-an-ip")
    assert str(exc.value) == ("TREATY_TRUSTED_PROXIES has 'not-an-ip', which is not an address or network: "
                              "use a form like 10.0.0.1,192.168.0.0/24.")

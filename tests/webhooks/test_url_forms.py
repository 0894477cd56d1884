"""The SSRF guard against addresses that hide a private one: IPv4 embedded in IPv6, site-local, the
IETF protocol block; the port allow-list; and the connection going to the very address that was checked
(DNS rebinding). Each form is refused when the endpoint is registered and again when a delivery connects."""

from __future__ import annotations

import pytest

from app.core.config import Settings
from app.webhooks import client as webhook_client
from app.webhooks import sender, urls

pytestmark = pytest.mark.usefixtures("centres")

ENDPOINT = {"description": "School MIS", "event_types": ["learner.created"]}

# Each hides (or is) an address Verity must not reach; several are `is_global` to the ipaddress module.
EMBEDDING_FORMS = [
    "https://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
    "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "https://[64:ff9b::5db8:d70e]/hook",  # NAT64 of a public address: still a translator's address
    "https://[64:ff9b:1::a00:1]/hook",  # local-use NAT64
    "https://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
    "https://[2002:a9fe:a9fe::1]/hook",  # 6to4 of 169.254.169.254 (cloud metadata)
    "https://[2002:5db8:d70e::1]/hook",  # 6to4 of a public address
    "https://[::7f00:1]/hook",  # IPv4-compatible 127.0.0.1
    "https://[::a9fe:a9fe]/hook",  # IPv4-compatible metadata address
    "https://[::ffff:7f00:1]/hook",  # IPv4-mapped loopback
    "https://[::ffff:5db8:d70e]/hook",  # IPv4-mapped public: the mapped form itself is refused
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",  # Teredo
    "https://[2001::1]/hook",  # Teredo prefix
    "https://[fec0::1]/hook",  # site-local (deprecated, still routed inside some networks)
    "https://192.0.0.1/hook",  # IETF protocol assignments
    "https://192.0.0.9/hook",  # 192.0.0.9 is `is_global` in Python, but in 192.0.0.0/24
    "https://192.0.0.170/hook",  # NAT64 discovery
    "https://198.18.0.1/hook",  # benchmarking
    "https://[100::1]/hook",  # discard-only
    "https://[2001:db8::1]/hook",  # documentation
]


@pytest.mark.parametrize("url", EMBEDDING_FORMS)
async def test_registration_refuses_hidden_private_forms(production_client, auth, url):
    async with production_client() as client:
        r = await client.post("/v1/webhook-endpoints", json={**ENDPOINT, "url": url}, headers=auth("hoc"))
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("body.url", "url_not_allowed")]


@pytest.mark.parametrize("url", EMBEDDING_FORMS)
async def test_delivery_refuses_hidden_private_forms(test_settings: Settings, url, monkeypatch):
    connected: list[str] = []

    async def record(address, port, **kwargs):
        connected.append(address)
        raise OSError("not in tests")

    monkeypatch.setattr(webhook_client, "open_connection", record)
    async with sender.make_client(test_settings, 1) as http:
        outcome = await sender.send(http, test_settings, url, "msg_1", b"{}", ["whsec_" + "A" * 44])
    assert not outcome.succeeded and outcome.error.startswith("url_not_allowed"), outcome.error
    assert connected == []


@pytest.mark.parametrize(
    "url, code",
    [
        ("https://93.184.215.14:8080/hook", "url_port_not_allowed"),
        ("https://93.184.215.14:22/hook", "url_port_not_allowed"),
        ("https://93.184.215.14:6379/hook", "url_port_not_allowed"),
    ],
)
async def test_registration_refuses_ports_outside_the_allow_list(production_client, auth, url, code):
    async with production_client() as client:
        r = await client.post("/v1/webhook-endpoints", json={**ENDPOINT, "url": url}, headers=auth("hoc"))
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("body.url", code)]


@pytest.mark.parametrize("url", ["https://93.184.215.14/hook", "https://93.184.215.14:8443/hook"])
async def test_registration_accepts_the_allowed_ports(production_client, auth, url):
    async with production_client() as client:
        r = await client.post("/v1/webhook-endpoints", json={**ENDPOINT, "url": url}, headers=auth("hoc"))
    assert r.status_code == 201, r.text


async def test_the_port_allow_list_is_a_setting(test_settings: Settings):
    settings = test_settings.model_copy(update={"webhooks_allowed_ports": [9443]})
    target = await urls.check("https://93.184.215.14:9443/hook", settings)
    assert target.port == 9443
    with pytest.raises(urls.UrlRefused) as refused:
        await urls.check("https://93.184.215.14/hook", settings)
    assert refused.value.code == "url_port_not_allowed"


async def test_loopback_testing_mode_allows_any_port_on_loopback_only(test_settings: Settings):
    dev = test_settings.model_copy(update={"webhooks_allow_loopback": True, "webhooks_allow_http": True})
    assert (await urls.check("http://127.0.0.1:54321/hook", dev)).port == 54321
    with pytest.raises(urls.UrlRefused) as refused:
        await urls.check("https://93.184.215.14:8080/hook", dev)
    assert refused.value.code == "url_port_not_allowed"


async def test_delivery_refuses_a_port_outside_the_allow_list(test_settings: Settings, monkeypatch):
    connected: list[str] = []

    async def record(address, port, **kwargs):
        connected.append(address)
        raise OSError("not in tests")

    monkeypatch.setattr(webhook_client, "open_connection", record)
    async with sender.make_client(test_settings, 1) as http:
        outcome = await sender.send(
            http, test_settings, "https://93.184.215.14:8080/hook", "msg_1", b"{}", ["whsec_" + "A" * 44]
        )
    assert outcome.error.startswith("url_port_not_allowed"), outcome.error
    assert connected == []


async def test_rebinding_after_registration_is_refused_at_connect(
    production_client, auth, test_settings: Settings, monkeypatch
):
    """The name answered a public address when it was registered and a private one when delivered to."""
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])

    async def resolve(host, port):
        import ipaddress

        return [ipaddress.ip_address(a) for a in next(answers)]

    monkeypatch.setattr(urls, "resolve", resolve)
    async with production_client() as client:
        r = await client.post(
            "/v1/webhook-endpoints",
            json={**ENDPOINT, "url": "https://rebind.example.test/hook"},
            headers=auth("hoc"),
        )
    assert r.status_code == 201, r.text

    connected: list[str] = []

    async def record(address, port, **kwargs):
        connected.append(address)
        raise OSError("not in tests")

    monkeypatch.setattr(webhook_client, "open_connection", record)
    async with sender.make_client(test_settings, 1) as http:
        outcome = await sender.send(
            http, test_settings, "https://rebind.example.test/hook", "msg_1", b"{}", ["whsec_" + "A" * 44]
        )
    assert outcome.error.startswith("url_not_allowed"), outcome.error
    assert connected == []


async def test_the_connection_goes_to_the_checked_address_with_the_name_for_tls(
    test_settings: Settings, monkeypatch
):
    """Resolved once at connect time: the socket opens to that address, not to a second lookup's answer."""
    import ipaddress

    lookups: list[str] = []

    async def resolve(host, port):
        lookups.append(host)
        return [ipaddress.ip_address("93.184.215.14")]

    connected: list[tuple[str, int]] = []

    async def record(address, port, **kwargs):
        connected.append((address, port, kwargs["server_hostname"]))
        raise OSError("not in tests")

    monkeypatch.setattr(urls, "resolve", resolve)
    monkeypatch.setattr(webhook_client, "open_connection", record)
    async with sender.make_client(test_settings, 1) as http:
        await sender.send(
            http, test_settings, "https://hooks.example.test:8443/h", "msg_1", b"{}", ["whsec_" + "A" * 44]
        )
    assert lookups == ["hooks.example.test"]
    assert connected == [("93.184.215.14", 8443, "hooks.example.test")]

from tests.fakes import slack_requests as sr


def test_health_and_url_verification(bot):
    import httpx

    assert httpx.get(f"{bot.url}/healthz").json()["status"] == "ok"
    reply = bot.post(sr.url_verification("abc123"))
    assert reply.status_code == 200
    assert "abc123" in reply.text

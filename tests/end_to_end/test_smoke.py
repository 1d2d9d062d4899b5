from tests.fakes import slack_requests as sr


def test_health_and_url_verification(bot):
    assert bot.get("/healthz").json()["status"] == "ok"
    reply = bot.post(sr.url_verification("abc123"))
    assert reply.status_code == 200
    assert "abc123" in reply.text

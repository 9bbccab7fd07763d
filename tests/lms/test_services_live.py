"""The same behaviour against the real services CI starts: Redis as the broker, a Celery worker
process. Skipped locally without them; a failure in CI (LMS_REQUIRE_SERVICES=1)."""

import time

import pytest
from django.core.mail import EmailMessage

from lms.mail import message_to_data
from lms.tasks import email_deliver

pytestmark = pytest.mark.broker


def test_a_real_worker_delivers_mail_queued_through_redis(celery_worker_process, celery_conf):
    celery_conf(task_always_eager=False)
    message = EmailMessage(
        "Напоминание о семинаре",
        "Семинар начнётся завтра в 10:00.",
        "noreply@example.org",
        ["learner@example.org"],
    )
    email_deliver.apply_async(args=[message_to_data(message)], queue=celery_worker_process["queue"])

    mail_dir = celery_worker_process["mail_dir"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(mail_dir.iterdir()):
        if celery_worker_process["process"].poll() is not None:
            output = celery_worker_process["process"].stdout.read().decode(errors="replace")
            pytest.fail(f"the worker exited early:\n{output}")
        time.sleep(0.2)
    files = list(mail_dir.iterdir())
    assert len(files) == 1, "the worker delivered nothing within 60 s"
    text = files[0].read_text()
    assert "learner@example.org" in text
    assert "Subject: =?utf-8?" in text


def test_healthz_sees_the_real_broker(db, client, broker_url, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = broker_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_the_redis_cache_survives_a_lost_connection(broker_url):
    """Rate limits and kept pieces live in this cache in production: it must answer after
    Redis dropped its connections."""
    import redis
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

    from lms.cache import RedisCache
    from lms.settings.base import cache_from_url

    config = cache_from_url(broker_url)
    assert config["BACKEND"] == "lms.cache.RedisCache"
    cache = RedisCache(config["LOCATION"], {"KEY_PREFIX": "lms-test-cache"})
    assert isinstance(cache, DjangoRedisCache)
    cache.set("greeting", "здравствуйте", 30)
    assert cache.get("greeting") == "здравствуйте"

    admin = redis.Redis.from_url(broker_url)
    assert admin.client_kill_filter(_type="normal", skip_me=True) >= 1
    assert cache.get("greeting") == "здравствуйте"
    cache.delete("greeting")
    assert cache.get("greeting") is None


def test_a_cache_that_lost_writes_empties_itself_when_it_reaches_redis_again(broker_url):
    """While Redis could not be reached an invalidation may have been lost: the first call
    that reaches it again empties the cache's database, so nothing stale is served."""
    import time

    from lms.cache import RedisCache

    location = broker_url.rsplit("/", 1)[0] + "/13"  # a database of its own: it is emptied
    cache = RedisCache(location, {"KEY_PREFIX": "lms-test-lost"})
    cache.set("piece", "old", 60)
    cache._reach.down_until = time.monotonic() + 60  # as after a failed call
    cache.delete("piece")  # the invalidation that cannot reach Redis
    assert cache.get("piece") is None  # served as a miss meanwhile
    cache._reach.down_until = 0.0  # Redis answers again
    other_thread = RedisCache(location, {"KEY_PREFIX": "lms-test-lost"})  # same process
    assert other_thread.get("piece") is None  # whichever thread reaches it first empties it
    cache.set("piece", "new", 60)
    assert cache.get("piece") == "new"

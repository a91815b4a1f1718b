from django.db import models


class FallbackCacheEntry(models.Model):
    """The table of the database cache that serves while Redis is down (coproduction.cache).

    Django's DatabaseCache reads and writes it with its own SQL; the model exists so that a
    migration creates the table (the same columns `createcachetable` would make) and no deploy
    step can be forgotten.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "cache_fallback"

    def __str__(self) -> str:
        return "cache entry"

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduction.settings")

app = Celery("coproduction")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Packages inside the core that hold tasks of their own (not apps, so not discovered above).
app.autodiscover_tasks(["coproduction.notifications"])

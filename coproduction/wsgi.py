import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduction.settings")
application = get_wsgi_application()

# Imports and font set-up at boot, not in the first visitor's request (see coproduction/warmup.py).
from coproduction.warmup import warm_up  # noqa: E402

warm_up()

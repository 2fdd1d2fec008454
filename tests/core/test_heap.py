"""A server worker hides what it built at start-up from the cycle collector (core/heap.py):
Django, the apps, every view module, the URL tables and both catalogues. A full collection
then walks only what requests have made since, not about 100,000 objects with every request
thread stopped."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import gc, json, sys
import config.asgi
frozen, left = gc.get_freeze_count(), len(gc.get_objects())
from django.urls import reverse
from django.utils import translation
with translation.override("en"):
    path = reverse("intake:report")
print(json.dumps({"frozen": frozen, "left": left, "path": path,
                  "views": "intake.public.views" in sys.modules,
                  "after_reverse": len(gc.get_objects())}))
"""


def test_a_server_worker_freezes_what_it_built_at_start_up(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "SHUGEL_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["frozen"] > 50_000, found
    assert found["left"] < 100, found
    # The views and the URL tables were built before the freeze, not by the first request.
    assert found["views"] and found["path"] == "/en/report/", found
    assert found["after_reverse"] < 1_000, found

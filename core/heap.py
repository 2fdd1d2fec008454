"""What a served process builds once (Django, the apps, the URL tree, the translation
catalogues) lives as long as the process. Python's cycle collector would still walk all of it
at every full collection: about 100,000 objects, 50 ms on this kind of machine, with every
request thread of the process stopped, which showed as the slowest requests of the list pages
(bench/lists.py). Once the process is ready, `startup_heap_freeze` builds what the first
request would otherwise build and moves all of it out of the collector's sight
(gc.freeze): a full collection then walks only what requests made since.

Called at the end of config/asgi.py, in each server worker. What is frozen lives as long as
the worker anyway, so nothing that would have been freed is kept: the collection just before
the freeze frees what start-up left over."""

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def startup_heap_freeze() -> None:
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            # The URL tree with every view module behind it and its reverse table (one a
            # language, under i18n_patterns), and the language's catalogue.
            len(get_resolver().reverse_dict)
            translation.gettext("Mongolian")
    gc.collect()
    gc.freeze()

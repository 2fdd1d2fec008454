from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def language_links(request):
    """Links to the same page in the other languages. Plain links rather than a form, so the
    switch needs no JavaScript, no cookie and no CSRF token on every page."""
    current = get_language()
    path = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        target = translate_url(path, code)
        if target == path:  # a page that does not resolve (404): go to the language's start
            target = "/" if code == settings.LANGUAGE_CODE else f"/{code}/"
        links.append({"code": code, "url": target,
                      "label": "Монгол" if code == "mn" else "English"})
    return {"language_links": links}

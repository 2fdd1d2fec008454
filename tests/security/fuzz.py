"""Hypothesis strategies for hostile form input, and the forms' fields as a page shows them.

A fuzzed body starts from what the page itself offers (hidden values, the options of each
select, a known valid body) and then, field by field, keeps the value, drops the field,
sends garbage, or sends the field twice. Whether the result was valid is read from the
response, never guessed.
"""

from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ_SETTINGS = dict(
    deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)


def fuzz_settings(examples: int):
    return settings(max_examples=examples, **FUZZ_SETTINGS)


CYRILLIC = st.characters(min_codepoint=0x400, max_codepoint=0x4FF)
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F)
SPECIAL = [
    "", " ", "\x00", "a\x00b", "\u202e", "\ufeff", "\r\n", "<script>alert(1)</script>",
    "' OR 1=1 --", "-1", "0", "1e309", "NaN", "null", "[]", "{}", "true", "DG", "DU", "UBEG",
    "2026-13-45", "2026.03.20", "2026-02-30", "0000-00-00", "99999999999999999999",
    "%s%s%n", "../../etc/passwd", "+97699112233", "7052-2200", "Хээл хахууль авсан.",
    "авилга", "1234 5678 9012 3456", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "😀" * 50,
]
HUGE = [
    "Ө" * 20_001, "a" * 100_001, "\x00" * 5_000, "1" * 10_000, ("Авлига " * 3000).strip(),
]
SHORT_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=CYRILLIC, max_size=120),
    st.text(alphabet=st.one_of(CYRILLIC, CONTROL), min_size=1, max_size=30),
    st.sampled_from(SPECIAL),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
TEXT = st.one_of(SHORT_TEXT, st.sampled_from(HUGE))


@st.composite
def random_file(draw):
    name = draw(st.sampled_from(["slip.pdf", "photo.jpg", "a.png", "x.exe", "", "Ө.pdf",
                                 "../../x.pdf", "a" * 300 + ".pdf"]))
    content = draw(st.one_of(
        st.binary(max_size=200),
        st.sampled_from([b"%PDF-1.7 not really", b"\xff\xd8\xff\xe0 broken jpeg",
                         b"\x89PNG\r\n\x1a\n broken png", b"", b"MZ\x90\x00"]),
    ))
    kind = draw(st.sampled_from(["application/pdf", "image/jpeg", "image/png",
                                 "text/html", "application/octet-stream", ""]))
    return SimpleUploadedFile(name or "file", content, content_type=kind)


def value_for(field: "Field"):
    """A strategy for one field: its own value, nothing, garbage, or several values."""
    if field.kind == "file":
        return st.one_of(st.just(None), st.lists(random_file(), min_size=1, max_size=6))
    own = [field.value] if field.value is not None else []
    choices = st.sampled_from(field.options) if field.options else TEXT
    return st.one_of(
        st.sampled_from(own) if own else choices,
        choices,
        st.just(None),  # the field left out
        TEXT,
        st.lists(st.one_of(choices, TEXT), min_size=2, max_size=3),  # sent twice or more
    )


@st.composite
def form_body(draw, fields: dict):
    """A POST body for a form with `fields` (name -> Field)."""
    body = {}
    for name, field in fields.items():
        value = draw(value_for(field))
        if value is not None:
            body[name] = value
    if draw(st.booleans()):
        body[draw(st.text(min_size=1, max_size=12))] = draw(TEXT)
    return body


class Field:
    def __init__(self, kind: str, value=None, options=None):
        self.kind, self.value, self.options = kind, value, list(options or [])

    def __repr__(self):
        return f"Field({self.kind!r}, {self.value!r}, {self.options!r})"


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict]] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}))
            return
        if not self.forms:
            return
        fields = self.forms[-1][1]
        if tag in ("button", "input") and attrs.get("formaction"):
            # A button that sends the same form elsewhere: another action, with every field
            # of the form, as a browser sends them (the dict is shared).
            self.forms.append((attrs["formaction"], fields))
            return
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                field = fields.setdefault(name, Field(kind))
                field.options.append(attrs.get("value", "on"))
                if field.value is None and ("checked" in attrs or kind == "radio"):
                    field.value = attrs.get("value", "on")
            elif kind not in ("submit", "button", "reset", "image"):
                fields[name] = Field("file" if kind == "file" else kind, attrs.get("value"))
        elif tag == "textarea" and name:
            fields[name] = Field("textarea", "")
        elif tag == "select" and name:
            self._select = fields[name] = Field("select")
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select.options.append(value)
            if "selected" in attrs or self._select.value is None:
                self._select.value = value

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_on(html: str) -> list[tuple[str, dict]]:
    """(action, {name: Field}) for every form of a page."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def fields_for(html: str, action: str, known: dict | None = None, *,
               page_url: str = "") -> dict:
    """The fields of the form on the page (at `page_url`) that posts to `action`, with the
    values of a known valid body in place of the page's."""
    fields: dict = {}
    for form_action, found in forms_on(html):
        if (form_action.split("?")[0] or page_url) == action:
            fields.update(found)
    for name, value in (known or {}).items():
        if name in fields and fields[name].kind in ("select", "checkbox", "radio"):
            fields[name].value = value if not isinstance(value, list) else value[0]
        else:
            fields[name] = Field("text", value if not isinstance(value, list) else value[0])
    return fields

"""Django's own messages that its Mongolian catalogue leaves in English or gets wrong.

Nothing imports this module. Marking the messages here, word for word as Django writes them,
puts them into Shugel's catalogue (`make messages`), which Django reads before its own
(LOCALE_PATHS), so every form's length checks speak Mongolian without each field repeating
its own message. tests/core/test_form_messages.py finds any other such message.
"""

from django.utils.translation import gettext_lazy, ngettext_lazy

# Django's Mongolian "at most" is the English text; its "at least" says "at most".
MAX_LENGTH = ngettext_lazy(
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)
MIN_LENGTH = ngettext_lazy(
    "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)

# The sizes of attachments on the case pages (the filesizeformat filter): Django's Mongolian
# keeps the Latin KB, MB, GB.
FILE_SIZES = [gettext_lazy("%s KB"), gettext_lazy("%s MB"), gettext_lazy("%s GB")]

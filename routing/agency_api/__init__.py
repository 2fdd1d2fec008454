"""The agency's API: the signed callback by which an agency answers a referral (views.py),
and its URLs (urls.py). Requests are signed as outbox.signing describes."""

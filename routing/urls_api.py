"""The agencies' side: the signed callback by which an agency answers a referral."""

urlpatterns = []

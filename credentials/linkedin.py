"""LinkedIn's "Add license or certification" link, filled in from a credential."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def add_to_profile_url(*, name: str, organization: str, issued: datetime, expires: datetime | None, url: str, credential_id: str) -> str:
    params: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organization,
        "issueYear": issued.year,
        "issueMonth": issued.month,
    }
    if expires is not None:
        params |= {"expirationYear": expires.year, "expirationMonth": expires.month}
    params |= {"certUrl": url, "certId": credential_id}
    return f"{ADD_TO_PROFILE}?{urlencode(params, quote_via=quote)}"

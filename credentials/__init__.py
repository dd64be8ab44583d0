"""Open Badges 3.0 credentials: define, award, sign, verify, publish and revoke.

Built so far: the award rules (`awarding.py`), the OpenBadgeCredential builder (`issuing.py`),
Data Integrity signing and verification with `eddsa-rdfc-2022` (`data_integrity.py`, with
bundled JSON-LD contexts in `documents.py`), issuer keys and DIDs (`keys.py`) and the 1EdTech
schema check (`schema.py`). Not yet wired into awards: issuing on award, status lists,
revocation, public pages (issue 3)."""

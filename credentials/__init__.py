"""Open Badges 3.0 credentials: define, award, sign, verify, publish and revoke.

Built so far: the award rules (`awarding.py`). Signing, verifying and publishing are in
progress (issue 3); badge and certificate definitions are content files loaded by `content/`."""

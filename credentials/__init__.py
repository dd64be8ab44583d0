"""Open Badges 3.0 credentials: define, award, sign, verify, publish and revoke.

Not built yet (issue 3). Badge and certificate *definitions* are content files, loaded by
`content/`; what each still needs is shown to learners by the core (`/path`, `/badges`)."""

"""The one ASGI web app: public credential pages, the issuer's DID document and status list.
Built by `web.app.create_app` from collaborators passed in; nothing is created at import time."""

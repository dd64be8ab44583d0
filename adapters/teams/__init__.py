"""Microsoft Teams: Adaptive Cards in a personal chat, through the Teams SDK (microsoft-teams-apps)."""

import os

# The Teams SDK loads a `.env` file from the working folder when it is imported (python-dotenv), which
# would put whatever lies there into this process's environment. The bot's configuration is its own
# environment only (bot/config.py): python-dotenv is told not to, before any module here imports the SDK.
os.environ.setdefault("PYTHON_DOTENV_DISABLED", "1")

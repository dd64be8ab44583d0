"""Microsoft Teams: Adaptive Cards in a personal chat, through the Teams SDK (microsoft-teams-apps)."""

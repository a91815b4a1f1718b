from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No public sign-up: accounts are made only by accepting a coordinator's invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False

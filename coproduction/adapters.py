from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from coproduction.models import User
from coproduction.notifications import outbox


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No public sign-up: accounts are made only by accepting a coordinator's invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (password reset, verification, security notices) go through the
        outbox like every other message: the request never waits on SMTP, a failure is
        retried and shown on the coordinators' Undelivered messages page. The reset link is a
        secret: the outbox keeps the rendered message encrypted until it is sent."""
        request = allauth_context.request
        site = get_current_site(request)
        message = self.render_mail(template_prefix, email, {"request": request, "email": email, "current_site": site, **context})
        html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        text = message.body
        if message.content_subtype == "html":  # allauth found only an HTML template
            html, text = message.body, ""
        outbox.send_email(
            to=email,
            subject=message.subject,
            text=text,
            html=html,
            template=template_prefix.rsplit("/", 1)[-1],
            recipient=User.objects.filter(email__iexact=email).first(),
        )

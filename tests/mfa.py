"""Signing staff in for tests as allauth does after the password and the authenticator code.

`Client.force_login` logs a user in with no record of how; `RequireTwoFactorMiddleware` then (rightly) keeps
staff out until the session passes the second factor. `mfa_login` does what allauth's login with a TOTP code
leaves behind: the user logged in, and the session's authentication records holding the password step and the
"mfa" step of the user's TOTP authenticator (activated first, through allauth's API, if staff has none yet).

`_force_login_passes_second_factor` is an autouse fixture that makes every `client.force_login(user)` in the
suite do this; tests/conftest.py imports it. `plain_force_login` is the unpatched one, for the tests that need a
password-only session.
"""

import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.flows.login import _AUTHENTICATION_METHODS_USER_SESSION_KEY
from allauth.account.internal.userkit import user_id_to_str
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from marketplace.middleware import needs_second_factor

_plain_force_login = Client.force_login


def plain_force_login(client, user, backend=None):
    """`Client.force_login` as Django has it: a session with no authentication records at all."""
    _plain_force_login(client, user, backend)


def record_steps(client, user, *steps: dict) -> None:
    """Write allauth's authentication records of this session, as `record_authentication` does."""
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"at": now, **step} for step in steps]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


def password_step(user) -> dict:
    return {"method": "password", "email": user.email}


def mfa_step(authenticator) -> dict:
    return {"method": "mfa", "id": authenticator.pk, "type": authenticator.type}


def mark_second_factor_passed(client, user) -> None:
    """Record the password and TOTP steps for a logged-in `user`; staff without an authenticator get one first."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None and needs_second_factor(user):
        totp = TOTP.activate(user, generate_totp_secret()).instance
    steps = [password_step(user)]
    if totp is not None:
        steps.append(mfa_step(totp))
    record_steps(client, user, *steps)


def mfa_login(client, user, backend=None) -> None:
    """Log `user` in as if they gave their password and then their authenticator code."""
    _plain_force_login(client, user, backend)
    mark_second_factor_passed(client, user)


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    monkeypatch.setattr(Client, "force_login", mfa_login)

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from accounts import demo as accounts_demo
from kohtaamo import demo


class Command(BaseCommand):
    help = "Load the demo data once (a second run changes nothing) and list the demo accounts."

    def handle(self, *args, **options):
        created = demo.seed()
        if created:
            summary = ", ".join(f"{name}: {count}" for name, count in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({summary})."))
        else:
            self.stdout.write("Demo data is already loaded.")
        self.stdout.write(f"Demo accounts (password: {accounts_demo.DEMO_PASSWORD}):")
        for email, _name, role in accounts_demo.DEMO_ACCOUNTS:
            label = (
                role.value
                if role
                else ("administrator" if email.startswith("admin") else "network member")
            )
            self.stdout.write(f"  {email:32} {label}")
        self.stdout.write(
            "Staff accounts sign in with a second step: add the secret below to an authenticator"
            " app (Google/Microsoft Authenticator, FreeOTP, KeePassXC...: 'enter a setup key',"
            " time-based), or open the otpauth:// link on the phone, and type the app's 6-digit"
            " code after the password."
        )
        for email, _name, _role in accounts_demo.DEMO_ACCOUNTS:
            if secret := accounts_demo.demo_totp_secret(email):
                self.stdout.write(f"  {email:32} secret {secret}  code now {demo_code(secret)}")
                self.stdout.write(f"  {'':32} {accounts_demo.demo_totp_uri(email)}")


def demo_code(secret: str) -> str:
    """The code an authenticator app shows right now (for a quick trial)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))

from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from accounts.services import UnknownPersonError, grant_role_by_email


class Command(BaseCommand):
    help = "Grant a role (organiser, communications, reporting) to the person with this e-mail."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("role", choices=[r.value for r in Role])

    def handle(self, *args, email: str, role: str, **options):
        try:
            user = grant_role_by_email(email=email, role=Role(role))
        except UnknownPersonError:
            raise CommandError(f"No account with the e-mail {email}.") from None
        self.stdout.write(self.style.SUCCESS(f"{user.email} is now {role}."))

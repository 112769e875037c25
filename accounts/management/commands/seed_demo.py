from django.core.management.base import BaseCommand

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
        self.stdout.write(f"Demo accounts (password: {demo.DEMO_PASSWORD}):")
        for email, _name, role in demo.DEMO_ACCOUNTS:
            label = (
                role.value
                if role
                else ("administrator" if email.startswith("admin") else "network member")
            )
            self.stdout.write(f"  {email:32} {label}")

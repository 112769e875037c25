"""The Django admin, where staff work daily, in a real browser: axe (WCAG 2.1 A and AA) with
zero violations on the admin's own pages and on the changelist, add and change pages of every
model the project's apps register; the pages the sweep found failing in fi, sv and en."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.db.models import Model
from django.urls import reverse

from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The pages the independent sweep found failing (breadcrumbs, the help tooltip), plus the
# admin's own index pages.
ADMIN_PAGES = [
    "/admin/",
    "/admin/auth/",
    "/admin/accounts/",
    "/admin/auth/group/",
    "/admin/auth/group/add/",
    "/admin/password_change/",
]


def _project_model_admins() -> list[tuple[type[Model], admin.ModelAdmin]]:
    apps = {app.rsplit(".", 1)[-1] for app in settings.PROJECT_APPS}
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in apps
        ),
        key=lambda pair: pair[0]._meta.label,
    )


def _model_pages(model: type[Model], model_admin: admin.ModelAdmin) -> list[str]:
    """The changelist, the add page (unless the admin is read-only) and an object's change
    page when the world has one."""
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    urls = [reverse(f"{name}_changelist")]
    if model_admin.has_add_permission(_SuperuserRequest()):
        urls.append(reverse(f"{name}_add"))
    if (obj := model._default_manager.first()) is not None:
        urls.append(reverse(f"{name}_change", args=[obj.pk]))
    return urls


class _SuperuserRequest:
    """Just enough of a request for ModelAdmin.has_add_permission."""

    class user:  # noqa: N801 - an attribute standing in for request.user
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(*_args) -> bool:
            return True


def _walk(page, urls: list[str]) -> list[str]:
    failures = []
    for url in urls:
        response = page.goto(url)
        if response.status != 200:
            failures.append(f"{url}: HTTP {response.status}")
            continue
        failures += [f"{url}: {problem}" for problem in axe_violations(page)]
    return failures


def test_every_project_model_admin_passes_axe(world, page, sign_in_as):
    """Staff (signed in with their second factor) see every project model's admin pages."""
    sign_in_as(world.admin)
    model_admins = _project_model_admins()
    assert len(model_admins) >= 28, "the project's model admins were not found"
    urls = [url for model, model_admin in model_admins for url in _model_pages(model, model_admin)]
    failures = _walk(page, ADMIN_PAGES + urls)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_admin_breadcrumbs_and_help_pass_axe_in_every_language(
    language, world, page, live_server, sign_in_as
):
    sign_in_as(world.admin)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    failures = _walk(page, ADMIN_PAGES)
    assert page.locator("html").get_attribute("lang") == language
    assert failures == [], "\n".join(failures)


def test_admin_breadcrumb_links_are_underlined(world, page, sign_in_as):
    """Links in the breadcrumb text are told apart by more than colour."""
    sign_in_as(world.admin)
    page.goto("/admin/auth/group/")
    link = page.locator(".breadcrumbs a").first
    assert "underline" in link.evaluate("a => getComputedStyle(a).textDecorationLine")

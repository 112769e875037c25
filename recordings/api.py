"""API endpoints of this app, registered on the /api/v1/ router."""

urlpatterns: list = []


def register(router) -> None:
    pass

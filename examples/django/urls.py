"""The example's routes (the same in every example server of this repository)."""

from __future__ import annotations

import views
from django.urls import path

urlpatterns = [
    path("api/hygraph", views.hygraph_webhook),
    path("api/action", views.greet),
    path("api/auth", views.auth),
    path("api/hasura/event", views.hasura_event),
    path("api/hasura/action", views.hasura_greet),
    path("api/hasura/auth", views.hasura_auth_v2),
    path("api/hasura/auth-ddn", views.hasura_auth_ddn),
]

"""The partner portal: what partner admins and reps see on the vendor's host."""

from django.urls import path

from partners import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("users/", portal_views.users, name="users"),
    path("users/<int:pk>/active/", portal_views.user_active, name="user_active"),
    path("users/<int:pk>/role/", portal_views.user_role, name="user_role"),
    path("invitations/<int:pk>/revoke/", portal_views.invitation_revoke, name="invitation_revoke"),
    path("agreement/", portal_views.agreement, name="agreement"),
]

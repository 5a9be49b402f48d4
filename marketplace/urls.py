from django.urls import path, re_path

from .converters import ID_PATTERN  # also registers <id:…>, the converter for ids
from .views import dashboard, directory, operator, organisations

app_name = "marketplace"

urlpatterns = [
    path("providers/", directory.provider_list, name="provider_list"),
    path("providers/<id:pk>/", directory.provider_detail, name="provider_detail"),
    path("offices/", directory.office_list, name="office_list"),
    path("offices/<id:pk>/", directory.office_detail, name="office_detail"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/organisations/apply/", organisations.apply_start, name="apply_start"),
    path("dashboard/organisations/apply/registered/", organisations.apply_registered, name="apply_registered"),
    path("dashboard/organisations/apply/filed/", organisations.apply_filed, name="apply_filed"),
    path("dashboard/organisations/<id:pk>/", dashboard.organisation_detail, name="organisation_detail"),
    path("dashboard/organisations/<id:pk>/profile/", organisations.profile_edit, name="organisation_profile"),
    path("dashboard/organisations/<id:pk>/resubmit/", organisations.resubmit, name="organisation_resubmit"),
    path("dashboard/organisations/<id:pk>/certificate/", organisations.certificate_download,
         name="organisation_certificate"),
    path("dashboard/organisations/<id:pk>/members/invite/", organisations.member_invite, name="member_invite"),
    path("dashboard/organisations/<id:pk>/members/<id:membership_pk>/role/", organisations.member_role,
         name="member_role"),
    path("dashboard/organisations/<id:pk>/members/<id:membership_pk>/remove/", organisations.member_remove,
         name="member_remove"),
    path("dashboard/invitations/<str:token>/", organisations.invitation_accept, name="invitation_accept"),
    path("dashboard/operator/queue/", operator.queue, name="operator_queue"),
    path("dashboard/operator/queue/<id:pk>/verify/", operator.queue_verify, name="operator_verify"),
    path("dashboard/operator/queue/<id:pk>/reject/", operator.queue_reject, name="operator_reject"),
    path("dashboard/operator/organisations/<id:pk>/", operator.organisation_govern, name="operator_organisation"),
    re_path(
        rf"^dashboard/operator/organisations/(?P<pk>{ID_PATTERN})/(?P<action>suspend|reinstate|remove|grade)/$",
        operator.organisation_govern_action,
        name="operator_organisation_action",
    ),
]

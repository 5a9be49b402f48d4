"""Catalogue state changes: each office's purchase-list folder, its Wagtail groups, page permissions and the
approval workflow of its purchase lists."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

from marketplace.audit import audit_record
from marketplace.models import OfficeStaff, StreetOffice, User

from .models import OfficeEditorGroups, OfficePurchaseListsPage, PurchaseListIndexPage

EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")
APPROVER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def _page_permissions(codenames):
    return list(Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=codenames))


def _group(name: str) -> Group:
    group, _created = Group.objects.get_or_create(name=name[:150])
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    return group


@transaction.atomic
def office_catalogue_setup(*, actor, office: StreetOffice) -> OfficePurchaseListsPage | None:
    """Give the office its purchase-list folder and Wagtail groups with page permissions on that folder only.

    Idempotent. Returns None while the catalogue tree has no purchase-list index yet; the demo data and the
    catalogue set-up call this again for every office once it has.
    """
    groups = OfficeEditorGroups.objects.filter(office=office).first()
    if groups is None:
        groups = OfficeEditorGroups.objects.create(
            office=office,
            editors=_group(f"{office.name} · 采购经办 (editors)"),
            approvers=_group(f"{office.name} · 审批 (approvers)"),
        )
    index_page = PurchaseListIndexPage.objects.first()
    if index_page is None:
        return None
    folder = OfficePurchaseListsPage.objects.filter(office=office).first()
    if folder is None:
        folder = index_page.add_child(instance=OfficePurchaseListsPage(title=office.name, slug=f"office-{office.pk}",
                                                                       office=office))
        audit_record(actor=actor, verb="catalogue.office_folder", obj=office, after={"page": folder.pk})
    for group, codenames in ((groups.editors, EDITOR_PAGE_PERMISSIONS), (groups.approvers, APPROVER_PAGE_PERMISSIONS)):
        for permission in _page_permissions(codenames):
            GroupPagePermission.objects.get_or_create(group=group, page=folder, permission=permission)
    _office_workflow(office=office, folder=folder, approvers=groups.approvers)
    for post in OfficeStaff.objects.filter(office=office).select_related("user"):
        office_editor_sync(office=office, user=post.user)
    return folder


def _office_workflow(*, office: StreetOffice, folder: OfficePurchaseListsPage, approvers: Group) -> Workflow:
    """The office's purchase lists are submitted by its procurement officers and approved by its heads.

    The workflow sits on the office's folder, so it is closer to the lists than Wagtail's default workflow on the
    root page and wins over it. Idempotent: an existing assignment is kept, and its approval task is given the
    office's approvers again.
    """
    assignment = WorkflowPage.objects.filter(page=folder).select_related("workflow").first()
    if assignment is not None:
        workflow = assignment.workflow
    else:
        workflow = Workflow.objects.create(name=f"{office.name} · 采购清单审批 (purchase-list approval)"[:255])
        task = GroupApprovalTask.objects.create(name=f"{office.name} · 主任审批 (head approves)"[:255])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(page=folder, workflow=workflow)
    for workflow_task in WorkflowTask.objects.filter(workflow=workflow).select_related("task"):
        task = workflow_task.task.specific
        if isinstance(task, GroupApprovalTask):
            task.groups.add(approvers)
    return workflow


def office_editor_sync(*, office: StreetOffice, user: User) -> None:
    """Put the person in the office's Wagtail groups that match their posts, and out of the others."""
    groups = OfficeEditorGroups.objects.filter(office=office).select_related("editors", "approvers").first()
    if groups is None:
        return
    roles = set(OfficeStaff.objects.filter(office=office, user=user).values_list("role", flat=True))
    wanted = {
        groups.editors: OfficeStaff.Role.PROCUREMENT in roles,
        groups.approvers: OfficeStaff.Role.HEAD in roles,
    }
    for group, member in wanted.items():
        (user.groups.add if member else user.groups.remove)(group)

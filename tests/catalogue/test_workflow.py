"""Each office's purchase lists go through its own approval workflow in the Wagtail admin: the procurement officer
submits, the head approves (which publishes and opens draft tenders) or rejects with a comment. Staff of one office
can neither edit nor approve another office's lists."""

import pytest
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowState

from bids.models import Tender
from catalogue.models import OfficeEditorGroups, PurchaseListPage
from catalogue.services import office_catalogue_setup
from marketplace import services as marketplace_services
from marketplace.models import OfficeStaff
from tests.conftest import give_totp
from tests.factories import UserFactory

from .conftest import add_url, assert_refused, edit_url, folder_of, line, list_form


@pytest.fixture
def staff(world):
    """office → (procurement officer, head), for both offices."""
    head_y = UserFactory(email="head_y@example.cn")
    marketplace_services.office_staff_add(actor=world.operator, office=world.office_y, user=head_y,
                                          role=OfficeStaff.Role.HEAD)
    give_totp(head_y)
    return {"x": (world.office_x, world.procurement_x, world.head_x),
            "y": (world.office_y, world.procurement_y, head_y)}


def submit_list(client, office, officer, item, *, year=2027):
    client.force_login(officer)
    response = client.post(add_url("purchaselistpage", folder_of(office)),
                           list_form(lines=[line(item)], year=year, action="submit"))
    assert response.status_code == 302, response.context["form"].errors
    return PurchaseListPage.objects.get(office=office, year=year)


def workflow_action(client, page, action, data=None):
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])
    return client.post(url, data or {})


def test_each_office_folder_has_its_own_workflow_that_wins_over_the_default(world):
    # given Wagtail's initial migration puts "Moderators approval" on the root page
    assert WorkflowPage.objects.filter(page__depth=1).exists()
    for office in (world.office_x, world.office_y):
        folder = folder_of(office)
        groups = OfficeEditorGroups.objects.get(office=office)
        # then
        workflow = WorkflowPage.objects.get(page=folder).workflow
        assert office.name in workflow.name
        (task,) = [task.specific for task in workflow.tasks]
        assert isinstance(task, GroupApprovalTask)
        assert list(task.groups.all()) == [groups.approvers]
        folder.add_child(instance=PurchaseListPage(title="清单", slug="list", year=2030, office=office))
        page = PurchaseListPage.objects.get(office=office, year=2030)
        assert page.get_workflow() == workflow


def test_setting_up_an_office_again_creates_nothing_new(world):
    workflows, tasks = Workflow.objects.count(), GroupApprovalTask.objects.count()
    office_catalogue_setup(actor=world.operator, office=world.office_x)
    assert (Workflow.objects.count(), GroupApprovalTask.objects.count()) == (workflows, tasks)
    assert WorkflowPage.objects.filter(page=folder_of(world.office_x)).count() == 1


@pytest.mark.parametrize("office_key", ["x", "y"])
def test_the_officer_submits_and_the_head_approves_which_publishes_and_opens_tenders(client, world, staff,
                                                                                     office_key):
    office, officer, head = staff[office_key]
    # when the officer submits
    page = submit_list(client, office, officer, world.item)
    # then it waits for the head
    assert not page.live
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow == WorkflowPage.objects.get(page=folder_of(office)).workflow
    assert not Tender.objects.filter(purchase_list=page).exists()
    # when the head approves
    client.force_login(head)
    response = workflow_action(client, page, "approve", {"comment": "同意"})
    # then
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    tender = Tender.objects.get(purchase_list=page)
    assert (tender.status, tender.office) == (Tender.Status.DRAFT, office)
    assert tender.title == "居家养老上门服务"


@pytest.mark.parametrize("office_key", ["x", "y"])
def test_the_head_rejects_with_a_comment(client, world, staff, office_key):
    office, officer, head = staff[office_key]
    page = submit_list(client, office, officer, world.item)
    # when
    client.force_login(head)
    response = workflow_action(client, page, "reject", {"comment": "预算偏高，请调整"})
    # then
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "预算偏高，请调整"
    assert not Tender.objects.filter(purchase_list=page).exists()


def test_staff_of_the_other_office_can_neither_edit_nor_approve(client, world, staff):
    # given office X's list waits for approval
    page = submit_list(client, world.office_x, world.procurement_x, world.item)
    _office_y, officer_y, head_y = staff["y"]
    for outsider in (officer_y, head_y):
        client.force_login(outsider)
        # when
        edit_get = client.get(edit_url(page))
        edit_post = client.post(edit_url(page), list_form(lines=[line(world.item, title="改掉")], action="publish"))
        approve = workflow_action(client, page, "approve")
        add = client.get(add_url("purchaselistpage", folder_of(world.office_x)))
        # then
        for response in (edit_get, edit_post, approve, add):
            assert_refused(response)
    page.refresh_from_db()
    assert not page.live
    assert page.get_latest_revision_as_object().lines.get().title == "居家养老上门服务"
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_IN_PROGRESS


def test_the_officer_cannot_publish_directly_nor_approve(client, world):
    # given
    client.force_login(world.procurement_x)
    # when the officer asks to publish
    response = client.post(add_url("purchaselistpage", folder_of(world.office_x)),
                           list_form(lines=[line(world.item)], action="publish"))
    # then the list is only a draft
    page = PurchaseListPage.objects.get(office=world.office_x)
    assert not page.live
    assert not Tender.objects.exists()
    assert response.status_code == 302
    # and the officer cannot approve their own submission
    response = client.post(edit_url(page), list_form(lines=[line(world.item, pk=page.get_latest_revision_as_object()
                                                                   .lines.get().pk or "")],
                                                     initial=1, action="submit"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert_refused(workflow_action(client, page, "approve"))
    page.refresh_from_db()
    assert not page.live

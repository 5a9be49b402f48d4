"""Load realistic Chinese demo data. Idempotent: running it again changes nothing that is already there.

The story is played through the real services, with the clock moved back (time-machine) for the parts
that happened in the past, so every tender, contract and review has its audit trail.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bids import services as bids
from bids.models import Bid, Tender
from catalogue.models import (
    CatalogueIndexPage,
    OfficePurchaseListsPage,
    PurchaseLine,
    PurchaseListPage,
    ServiceCategoryPage,
    ServiceItemPage,
)
from cms.demo.catalogue_data import CATEGORIES, DISTRICT, OFFICES, ORGANISATIONS
from cms.services import site_setup
from contracts import services as contracts
from contracts.models import Contract, Payment
from marketplace import services as marketplace
from marketplace.eligibility import bid_eligibility
from marketplace.models import (
    District,
    Membership,
    OfficeStaff,
    Organisation,
    ServiceCategory,
    StreetOffice,
    User,
)
from ratings import services as ratings

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "demo-pass-2026"  # noqa: S105 - printed on purpose: these are demo logins
# Street-office staff and operators must use two-factor sign-in. The demo accounts share this authenticator
# secret (printed, and `manage.py demo_totp_code` prints the current code): demo data only, never real accounts.
DEMO_TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"  # noqa: S105

# One login per role; printed by the command and listed in the README.
LOGINS = [
    ("admin@demo.cn", "platform operator (superuser) · 平台运营方（民政局）"),
    ("procurement@demo.cn", "procurement officer, 长河街道 · 采购经办人"),
    ("evaluator@demo.cn", "evaluator, 长河街道 · 评审专家"),
    ("head@demo.cn", "head of office, 长河街道 · 街道主任（审批）"),
    ("xixing@demo.cn", "procurement officer and head, 西兴街道"),
    ("org@demo.cn", "admin of a registered organisation · 登记社会组织管理员"),
    ("filed@demo.cn", "admin of a filed organisation · 备案社区社会组织管理员"),
    ("resident@demo.cn", "resident · 居民"),
]


def _user(email: str, **fields) -> User:
    from allauth.account.models import EmailAddress

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=PASSWORD, **fields)
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _with_totp(user: User) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        # Demo logins have a published password and one is a superuser: never under production settings.
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(_("demo_data creates accounts with a published password, a superuser among them, so "
                                 "it runs only under the local and test settings (DEMO_DATA_ALLOWED), never under "
                                 "production settings. Nothing was changed."))
        # time-machine is a development dependency: the demo story replays last year through the services.
        import time_machine

        with transaction.atomic():
            site_setup()
            admin = _user("admin@demo.cn", is_platform_operator=True, is_staff=True, is_superuser=True,
                          display_name="民政局 王科长")
            offices = self._offices(admin)
            self._staff(admin, offices)
            items = self._catalogue()
            orgs = self._organisations(admin, offices)
        now = timezone.now()
        this_year = timezone.localdate().year
        # Last year's lists: published, fully delivered, paid and reviewed.
        if not PurchaseListPage.objects.filter(year=this_year - 1).exists():
            with time_machine.travel(dt.datetime(this_year - 1, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False) as clock:
                self._past_year(clock, offices, items, orgs, this_year - 1)
        # This year's lists: published with open tenders, one draft list waiting for the head's approval.
        if not PurchaseListPage.objects.filter(year=this_year).exists():
            self._this_year(now, offices, items, orgs, this_year)
        self._print_logins()

    # --- People and parties -------------------------------------------------------------------------

    def _offices(self, admin) -> list[StreetOffice]:
        district, _ = District.objects.get_or_create(name=DISTRICT["name"], defaults={"name_en": DISTRICT["name_en"]})
        offices = []
        for data in OFFICES:
            office = StreetOffice.objects.filter(name=data["name"]).first()
            if office is None:
                fields = {**data, "filed_budget_threshold": Decimal(data["filed_budget_threshold"])}
                office = marketplace.office_create(actor=admin, district=district, **fields)
            offices.append(office)
        return offices

    def _staff(self, admin, offices):
        changhe, xixing = offices[0], offices[1]
        for email, office, role, name in [
            ("procurement@demo.cn", changhe, OfficeStaff.Role.PROCUREMENT, "长河街道 李经办"),
            ("evaluator@demo.cn", changhe, OfficeStaff.Role.EVALUATOR, "评审专家 陈老师"),
            ("head@demo.cn", changhe, OfficeStaff.Role.HEAD, "长河街道 周主任"),
            ("xixing@demo.cn", xixing, OfficeStaff.Role.PROCUREMENT, "西兴街道 吴主任"),
            ("xixing@demo.cn", xixing, OfficeStaff.Role.HEAD, "西兴街道 吴主任"),
        ]:
            marketplace.office_staff_add(actor=admin, office=office, user=_user(email, display_name=name), role=role)
        _user("resident@demo.cn", display_name="居民 赵阿姨")

    def _catalogue(self) -> dict[str, ServiceItemPage]:
        catalogue = CatalogueIndexPage.objects.get()
        if not catalogue.intro:
            catalogue.intro = "<p>滨江区政府向社会组织购买服务指导目录：7大类、25项服务。</p>"
            catalogue.save_revision().publish()
        items = {}
        for order, cat in enumerate(CATEGORIES):
            category, _ = ServiceCategory.objects.get_or_create(
                code=cat["code"], defaults={"name": cat["name"], "name_en": cat["name_en"], "sort_order": order}
            )
            page = ServiceCategoryPage.objects.filter(category=category).first()
            if page is None:
                page = catalogue.add_child(instance=ServiceCategoryPage(
                    title=cat["name"], slug=cat["code"], category=category, intro=f"<p>{cat['intro']}</p>"))
                page.save_revision().publish()
            for data in cat["items"]:
                item = ServiceItemPage.objects.filter(code=data["code"]).first()
                if item is None:
                    item = ServiceItemPage(
                        title=data["title"], title_en=data["title_en"], slug=data["code"].lower(), code=data["code"],
                        description=f"<p>{data['description']}</p>",
                        service_standard=f"<p>{data['service_standard']}</p>",
                        unit=data["unit"], price_min=Decimal(data["price_min"]), price_max=Decimal(data["price_max"]),
                        allow_registered=data["allow_registered"], allow_filed=data["allow_filed"],
                        min_grade=data["min_grade"],
                        indicators=[("indicator", ind) for ind in data["indicators"]],
                    )
                    page.add_child(instance=item)
                    item.save_revision().publish()
                items[data["code"]] = item
        return items

    def _organisations(self, admin, offices) -> dict[str, Organisation]:
        orgs = {}
        filed_admins = iter(["filed@demo.cn"])
        registered_admins = iter(["org@demo.cn"])
        for n, data in enumerate(ORGANISATIONS):
            org = Organisation.objects.filter(name=data["name"]).first()
            categories = list(ServiceCategory.objects.filter(code__in=data["categories"]))
            if org is None:
                track_admins = registered_admins if data["track"] == "registered" else filed_admins
                email = next(track_admins, f"org{n}@demo.cn")
                applicant = _user(email, display_name=f"{data['name'][:12]} 负责人")
                common = {"name_en": data["name_en"], "description": data["description"], "categories": categories}
                if data["track"] == "registered":
                    org = marketplace.organisation_apply_registered(
                        actor=applicant, name=data["name"], uscc=data["uscc"],
                        legal_representative=data["legal_representative"],
                        registration_authority=data["registration_authority"], **common,
                    )
                    marketplace.organisation_verify(actor=admin, organisation=org)
                else:
                    org = marketplace.organisation_apply_filed(
                        actor=applicant, name=data["name"], home_office=offices[data["office"]], **common,
                    )
                    office_head = OfficeStaff.objects.filter(office=offices[data["office"]],
                                                             role=OfficeStaff.Role.HEAD).first()
                    marketplace.organisation_verify(actor=office_head.user if office_head else admin,
                                                    organisation=org)
                if data.get("grade", "0") != "0":
                    marketplace.organisation_set_grade(actor=admin, organisation=org, grade=data["grade"],
                                                       graded_on=dt.date(2025, 12, 1))
            orgs[data["name"]] = Organisation.objects.get(pk=org.pk)
        return orgs

    # --- Purchase lists and tenders ---------------------------------------------------------------------

    def _list(self, office, year, lines, *, publish=True) -> PurchaseListPage:
        folder = OfficePurchaseListsPage.objects.get(office=office)
        page = PurchaseListPage(title=f"{year}年度{office.name.removesuffix('办事处')}购买服务清单",
                                slug=f"{year}", office=office, year=year, live=publish,
                                intro="<p>依据区购买服务指导目录编制，经街道主任审批后发布。</p>")
        for item, title, qty, budget, month in lines:
            page.lines.add(PurchaseLine(item=item, title=title, quantity=qty, budget=Decimal(budget),
                                        planned_month=month))
        folder.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        elif (workflow := page.get_workflow()) is not None:
            # Submitted by the office and waiting in the head's approval task.
            workflow.start(page, User.objects.get(email="admin@demo.cn"))
        return page

    def _publish_tender(self, tender, officer, *, days: int):
        opens = timezone.localtime().replace(hour=17, minute=0, second=0, microsecond=0)
        bids.tender_update(
            actor=officer, tender=tender,
            description=tender.description or "详见服务标准与绩效指标。",
            clarification_deadline=opens + dt.timedelta(days=days // 2),
            submission_deadline=opens + dt.timedelta(days=days),
        )
        return bids.tender_publish(actor=officer, tender=tender)

    def _bid(self, tender, org, price, proposal):
        member = Membership.objects.filter(organisation=org).select_related("user").first().user
        draft = bids.bid_save_draft(actor=member, tender_id=tender.pk, organisation=org, price=Decimal(price),
                                    proposal=proposal)
        return bids.bid_submit(actor=member, bid_id=draft.pk)

    def _past_year(self, clock, offices, items, orgs, year):
        changhe = offices[0]
        officer = User.objects.get(email="procurement@demo.cn")
        head = User.objects.get(email="head@demo.cn")
        evergreen, *_ = [o for o in orgs.values() if o.track == "registered"]
        others = [o for o in orgs.values() if o.track == "registered"][1:]
        page = self._list(changhe, year, [
            (items["YL-01"], "长河街道居家养老上门服务", 120, "216000.00", 3),
            (items["WT-01"] if "WT-01" in items else list(items.values())[15], "长河街道社区文化活动", 12, "60000.00", 4),
        ])
        for n, tender in enumerate(Tender.objects.filter(purchase_list=page).order_by("id")):
            tender = self._publish_tender(tender, officer, days=14)
            eligible = [o for o in [evergreen, *others]
                        if not bid_eligibility(o, bids.tender_requirements(tender))][:3]
            for k, org in enumerate(eligible):
                price = (tender.budget_ceiling * Decimal(("0.93", "0.88", "0.97")[k])).quantize(Decimal("0.01"))
                self._bid(tender, org, price, f"{org.name}服务方案：配备专职社工，按月提交服务记录。")
            clock.move_to(tender.submission_deadline + dt.timedelta(minutes=1))
            bids.tender_close(tender_id=tender.pk)
            tender.refresh_from_db()
            if tender.status != Tender.Status.CLOSED:
                continue
            # Only the declared panel qualifies bids (the panel rule).
            evaluator = User.objects.get(email="evaluator@demo.cn")
            bids.panel_add(actor=officer, tender_id=tender.pk, evaluator=evaluator)
            bids.tender_start_evaluation(actor=officer, tender_id=tender.pk)
            bids.panel_declare(actor=evaluator, tender_id=tender.pk)
            for bid in Bid.objects.filter(tender=tender, status=Bid.Status.OPENED):
                bids.bid_qualify(actor=evaluator, bid_id=bid.pk, qualified=True)
            best = bids.bid_ranking(tender)[0]
            bids.tender_propose_award(actor=head, tender_id=tender.pk, bid_id=best.pk)
            tender.refresh_from_db()
            clock.move_to(tender.standstill_ends_at + dt.timedelta(minutes=1))
            bids.tender_finalise_award(tender_id=tender.pk)
            contract = Contract.objects.get(tender=tender)
            provider_user = Membership.objects.filter(organisation=contract.provider).first().user
            contracts.contract_send_for_signature(actor=officer, contract_id=contract.pk)
            contracts.contract_sign(actor=head, contract_id=contract.pk, ip="10.0.0.8")
            contracts.contract_sign(actor=provider_user, contract_id=contract.pk, ip="10.0.0.9")
            for milestone in contract.milestones.order_by("sequence"):
                clock.move_to(dt.datetime.combine(milestone.due_on, dt.time(10), tzinfo=SHANGHAI))
                contracts.milestone_submit_evidence(actor=provider_user, milestone_id=milestone.pk,
                                                    report="服务台账、签到表、满意度回访记录及活动照片。")
                clock.shift(dt.timedelta(days=3))
                contracts.milestone_accept(actor=officer, milestone_id=milestone.pk)
                clock.shift(dt.timedelta(days=5))
                payment = Payment.objects.get(milestone=milestone)
                contracts.payment_record_offline(actor=officer, payment_id=payment.pk,
                                                 reference=f"GK{year}{contract.pk:03d}{milestone.sequence:02d}")
            clock.shift(dt.timedelta(days=2))
            ratings.review_submit(
                actor=head, contract_id=contract.pk, comment="服务规范，台账齐全，居民反映良好。",
                scores={"quality": 5, "timeliness": 4 + n % 2, "compliance": 5, "communication": 4, "satisfaction": 5},
            )
            ratings.review_submit(
                actor=provider_user, contract_id=contract.pk, comment="需求清晰，验收及时，付款按期。",
                scores={"policy_support": 4, "funding": 5, "guidance": 4, "requirements": 5, "fair_acceptance": 5},
            )
        self._list(offices[1], year, [(items["YL-02"] if "YL-02" in items else items["YL-01"],
                                       "西兴街道老年助餐服务", 1, "80000.00", 5)])

    def _this_year(self, now, offices, items, orgs, year):
        officer = User.objects.get(email="procurement@demo.cn")
        xixing_officer = User.objects.get(email="xixing@demo.cn")
        item_list = list(items.values())
        changhe_page = self._list(offices[0], year, [
            (items["YL-01"], "长河街道居家养老上门服务（续）", 130, "234000.00", 3),
            (item_list[4], "长河街道助残康复服务", 40, "90000.00", 4),
            (item_list[8], "长河街道“四点半课堂”", 200, "45000.00", 5),
            (item_list[13], "长河街道社区运动会", 1, "38000.00", 9),
        ])
        xixing_page = self._list(offices[1], year, [(item_list[20], "西兴街道社区社会组织培育", 1, "150000.00", 6)])
        # 白马湖 (or the last office) has drafted this year's list and is waiting for its head's approval.
        self._list(offices[-1], year, [(item_list[12], "社区文体活动", 10, "30000.00", 7)], publish=False)
        tenders = list(Tender.objects.filter(purchase_list=changhe_page).order_by("id"))
        # Open for bids, with sealed bids already in.
        open_tender = self._publish_tender(tenders[0], officer, days=21)
        registered = [o for o in orgs.values() if o.track == "registered"]
        for k, org in enumerate(registered[:2]):
            if not bid_eligibility(org, bids.tender_requirements(open_tender)):
                self._bid(open_tender, org, open_tender.budget_ceiling * Decimal(("0.95", "0.9")[k]),
                          "服务方案详见附件。")
        # Open, no bids yet.
        self._publish_tender(tenders[1], officer, days=14)
        # tenders[2] stays a draft for the officer to complete.
        xixing_tender = Tender.objects.filter(purchase_list=xixing_page).first()
        self._publish_tender(xixing_tender, xixing_officer, days=10)
        # One cancelled, with its public reason.
        bids.tender_cancel(actor=officer, tender_id=tenders[3].pk, reason="需求调整，并入下一年度清单。")

    def _print_logins(self):
        for email in ("admin@demo.cn", "procurement@demo.cn", "evaluator@demo.cn", "head@demo.cn", "xixing@demo.cn"):
            _with_totp(User.objects.get(email=email))
        self.stdout.write(self.style.SUCCESS("Demo data ready · 演示数据已就绪"))
        self.stdout.write(f"Password for every demo login · 所有演示账号密码: {PASSWORD}")
        self.stdout.write(
            "Office staff and the operator sign in with a one-time code · 街道与运营账号需两步验证: "
            f"authenticator secret {DEMO_TOTP_SECRET}, or run `.venv/bin/python manage.py demo_totp_code`"
        )
        for email, role in LOGINS:
            self.stdout.write(f"  {email:<22} {role}")

"""Backups that restore (issue 12, item 7): `manage.py backup`, then a restore into a FRESH database and folders,
and every receipt digest and stored file hash verified again in the restored copy by the project's own code.

Runs on SQLite (the online backup API) and, with DATABASE_URL=postgres://…, on PostgreSQL (pg_dump/pg_restore into
a database of its own, dropped at the end). The verification runs in a separate process on the restored copy
(`config.settings.local` pointed at it): the opening of the tender (`bids.services.tender_close`) hashes every bid
file again from the restored folder and recomputes each receipt digest, and each contract PDF is hashed again.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from bids import services as bids
from bids.models import Bid, BidAttachment, Tender
from contracts import services as contracts
from contracts.models import Contract, ContractDocument
from contracts.tasks import contract_generate_document
from marketplace.backup import BackupError, Target, read_manifest, restore_backup

pytestmark = pytest.mark.django_db(transaction=True)

VERIFY = r"""
import hashlib, json, sys
import time_machine
from bids import services
from bids.models import Bid, Tender
from contracts.models import ContractDocument
tender_id, deadline = int(sys.argv[1]), sys.argv[2]
with time_machine.travel(deadline, tick=True):
    services.tender_close(tender_id=tender_id)
bids = [{"pk": b.pk, "digest_verified": b.digest_verified, "status": b.status,
         "files": [a.verified for a in b.attachments.all()]} for b in Bid.objects.filter(tender_id=tender_id,
         status="opened")]
docs = [{"pk": d.pk, "ok": hashlib.sha256(d.file.open("rb").read()).hexdigest() == d.sha256}
        for d in ContractDocument.objects.all()]
print("RESULT " + json.dumps({"bids": bids, "docs": docs, "tender": Tender.objects.get(pk=tender_id).status}))
"""


def _pdf(name: str, body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n" + body + b"\n%%EOF\n", content_type="application/pdf")


def _world_with_bids_and_a_contract(world):
    now = timezone.now()
    tender = Tender.objects.create(  # fixture rows: an open tender, then bids through the services
        office=world.office_x, category=world.category, title="备份恢复测试", budget_ceiling=Decimal("100000"),
        status=Tender.Status.PUBLISHED, published_at=now - dt.timedelta(days=7),
        clarification_deadline=now + dt.timedelta(days=1), submission_deadline=now + dt.timedelta(days=2),
        allow_filed=False)
    for n, (member, org) in enumerate([(world.member_a, world.org_a), (world.member_b, world.org_b)]):
        draft = bids.bid_save_draft(actor=member, tender_id=tender.pk, organisation=org,
                                    price=Decimal(90000 - n), proposal=f"服务方案{n}")
        for k in range(2):
            bids.bid_attachment_add(actor=member, bid_id=draft.pk, file=_pdf(f"方案{n}-{k}.pdf", f"{n}{k}".encode()))
        bids.bid_submit(actor=member, bid_id=draft.pk)
    # A signed contract with its generated PDF (the task at activation, run here in process).
    awarded = Tender.objects.create(office=world.office_x, category=world.category, title="居家养老上门服务",
                                    budget_ceiling=Decimal("120000.00"), status=Tender.Status.AWARDED,
                                    indicators=world.item.indicator_snapshot())
    bid = Bid.objects.create(tender=awarded, organisation=world.org_a, created_by=world.member_a,
                             price=Decimal("98000.00"), status=Bid.Status.AWARDED)
    contract = contracts.contract_create_from_award(tender=awarded, bid=bid)
    contracts.contract_send_for_signature(actor=world.procurement_x, contract_id=contract.pk)
    contracts.contract_sign(actor=world.head_x, contract_id=contract.pk, ip="10.1.1.1")
    contracts.contract_sign(actor=world.member_a, contract_id=contract.pk, ip="10.1.1.2")
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACTIVE
    contract_generate_document.apply(args=[contract.pk]).get()
    assert ContractDocument.objects.filter(contract=contract).exists()
    return tender


def _postgres_url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _fresh_target(tmp_path: Path) -> tuple[Target, str]:
    if connection.vendor == "sqlite":
        name = tmp_path / "restored.sqlite3"
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(name)}
        url = f"sqlite:///{name}"
    else:
        name = f"{connection.settings_dict['NAME']}_restored"
        env = {**os.environ, "PGHOST": connection.settings_dict["HOST"] or "127.0.0.1",
               "PGUSER": connection.settings_dict["USER"] or "postgres"}
        subprocess.run(["dropdb", "--if-exists", name], env=env, check=True)
        subprocess.run(["createdb", name], env=env, check=True)
        database = {**connection.settings_dict, "NAME": name}
        url = _postgres_url(name)
    return Target(database=database, private_root=tmp_path / "private", media_root=tmp_path / "media"), url


def _drop(target: Target) -> None:
    if connection.vendor == "postgresql":
        env = {**os.environ, "PGHOST": connection.settings_dict["HOST"] or "127.0.0.1",
               "PGUSER": connection.settings_dict["USER"] or "postgres"}
        subprocess.run(["dropdb", "--if-exists", target.database["NAME"]], env=env, check=False)


def _verify_in_restored_copy(url: str, target: Target, tmp_path: Path, tender: Tender) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": url,
                "DJANGO_SECRET_KEY": settings.SECRET_KEY, "DJANGO_PRIVATE_ROOT": str(target.private_root),
                "DJANGO_MEDIA_ROOT": str(target.media_root), "CELERY_FILESYSTEM_ROOT": str(tmp_path / "celery"),
                "DJANGO_LOG_LEVEL": "WARNING"})
    deadline = (tender.submission_deadline + dt.timedelta(hours=1)).isoformat()
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", VERIFY.replace("sys.argv[1]", str(tender.pk))
                           .replace("sys.argv[2]", repr(deadline))],
                          cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout[-2000:] + done.stderr[-4000:]
    return json.loads(lines[-1][len("RESULT "):])


def test_backup_restores_into_a_fresh_database_and_every_digest_and_file_hash_verifies(world, tmp_path):
    tender = _world_with_bids_and_a_contract(world)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))

    manifest = read_manifest(archive)
    assert manifest["database"] == connection.vendor
    files = BidAttachment.objects.count() + ContractDocument.objects.count()
    assert manifest["files"]["private"]["referenced"] >= files
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    for attachment in BidAttachment.objects.all():
        assert f"files/private/{attachment.file.name}" in names
    for document in ContractDocument.objects.all():
        assert f"files/private/{document.file.name}" in names

    target, url = _fresh_target(tmp_path)
    try:
        restore_backup(archive, target)
        result = _verify_in_restored_copy(url, target, tmp_path, tender)
    finally:
        _drop(target)
    assert result["tender"] == Tender.Status.CLOSED
    assert len(result["bids"]) == 2
    for bid in result["bids"]:
        assert bid["digest_verified"] is True and bid["files"] == [True, True], bid
    assert result["docs"] and all(doc["ok"] for doc in result["docs"]), result["docs"]


def test_restore_refuses_a_database_or_folder_that_is_not_empty_without_force(world, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))  # the test database itself is not empty
    target, _url = _fresh_target(tmp_path)
    try:
        (target.private_root / "old").mkdir(parents=True)
        (target.private_root / "old" / "file.pdf").write_bytes(b"old")
        with pytest.raises(BackupError, match="not empty"):
            restore_backup(archive, target)
        restore_backup(archive, target, force=True)
        assert not (target.private_root / "old" / "file.pdf").exists()
    finally:
        _drop(target)


def test_a_tampered_archive_is_refused(world, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    manifest = read_manifest(archive)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == "manifest.json":
                changed = json.loads(data)
                first = sorted(changed["members"])[0]
                changed["members"][first]["sha256"] = "0" * 64
                data = json.dumps(changed).encode()
                member.size = len(data)
            import io

            target.addfile(member, io.BytesIO(data) if data is not None else None)
    assert manifest["members"]
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(tampered), "--check")

"""Benchmark of a large tender's close, opening and scoring, on SQLite or PostgreSQL (issue 5, section 11).

For each run it makes a published tender of comprehensive scoring (3 technical criteria, price weight 40) whose
deadline has passed, with 1,000 submitted bids of 1,000 organisations (one member each), then times through the
real code:

1. close + opening: the task queued at publication (`bids.tasks.tender_close_at_deadline`), which locks the
   tender, closes it, opens every bid and recomputes its receipt digest, writes the audit events, and queues the
   opening email to every bidder's member after commit;
2. scoring and ranking: `bids.services.tender_ranking` over 1,000 qualified bids with 5 evaluators' points on each
   criterion (15,000 scores): price scores, criterion means, totals and the tie rules.

Target: under 2 s for both together. Rows the services would take minutes to make one by one (organisations,
bids, qualification and the 15,000 scores) are written in bulk; the start of the evaluation goes through its
service. The figures and the machine go into bench/RESULTS.md (one section per engine, replaced on each run).

    .venv/bin/python bench/tender.py                    # SQLite file under bench/out/
    .venv/bin/python bench/tender.py --database-url postgres://postgres@127.0.0.1:5432/h_seal_bench
"""

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import statistics
import sys
import time
from decimal import Decimal

from directory import (
    BASE_DIR,
    OUT_DIR,
    RESULTS,
    database_description,
    load_average,
    machine,
    make_uscc,
    postgres_drop,
    postgres_recreate,
    setup_django,
)

N_BIDS = 1_000
N_EVALUATORS = 5
CRITERIA = [("服务方案", 20), ("团队与资质", 20), ("项目管理与风险控制", 20)]
PRICE_WEIGHT = 40
TARGET_S = 2.0
SEED = 20260312


def prepare_database(database_url: str | None) -> str:
    if database_url:
        if not database_url.startswith(("postgres://", "postgresql://")):
            sys.exit("--database-url must be a PostgreSQL URL; without it the benchmark uses SQLite.")
        postgres_recreate(database_url)
        return database_url
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for stale in OUT_DIR.glob("tender.sqlite3*"):
        stale.unlink()
    return f"sqlite:///{OUT_DIR / 'tender.sqlite3'}"


def make_people(rng: random.Random) -> dict:
    """The office with its staff and 1,000 verified organisations with one member each (bulk)."""
    from django.core.management import call_command
    from django.db import transaction

    from marketplace.models import District, Membership, OfficeStaff, Organisation, StreetOffice, Track, User

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    with transaction.atomic():
        district = District.objects.create(name="滨江区", name_en="Binjiang District")
        office = StreetOffice.objects.create(district=district, name="长河街道办事处", name_en="Changhe Office")
        staff = {}
        for key, role in [("procurement", OfficeStaff.Role.PROCUREMENT), ("head", OfficeStaff.Role.HEAD),
                          *[(f"evaluator{i}", OfficeStaff.Role.EVALUATOR) for i in range(N_EVALUATORS)]]:
            staff[key] = User.objects.create(username=f"{key}@bench.cn", email=f"{key}@bench.cn", password="!")  # noqa: S106 - unusable
            OfficeStaff.objects.create(office=office, user=staff[key], role=role)
        members = User.objects.bulk_create(  # "!" is an unusable password
            User(username=f"member{i}@bench.cn", email=f"member{i}@bench.cn", password="!")  # noqa: S106
            for i in range(N_BIDS))
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"第{i + 1}社会工作服务中心", track=Track.REGISTERED, uscc=make_uscc(i + 1),
                         status=Organisation.Status.VERIFIED, legal_representative=rng.choice(["王芳", "李强"]))
            for i in range(N_BIDS))
        Membership.objects.bulk_create(Membership(organisation=o, user=u)
                                       for o, u in zip(organisations, members, strict=True))
    return {"office": office, "staff": staff, "organisations": organisations, "members": members,
            "migrate_s": migrated - started, "people_s": time.perf_counter() - migrated}


def make_tender(world: dict, rng: random.Random, run: int):
    """A published tender past its deadline with 1,000 sealed bids, each with its receipt digest."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from bids import services
    from bids.models import Bid, Criterion, PanelMember, Tender

    now = timezone.now()
    deadline = now - dt.timedelta(seconds=settings.TENDER_CLOSE_GRACE_SECONDS + 1)  # closed at deadline + grace
    with transaction.atomic():
        tender = Tender.objects.create(
            office=world["office"], title=f"居家养老上门服务（第{run + 1}次）", budget_ceiling=Decimal("1200000.00"),
            method=Tender.Method.COMPREHENSIVE, price_weight=PRICE_WEIGHT, status=Tender.Status.PUBLISHED,
            published_at=deadline - dt.timedelta(days=10), submission_deadline=deadline,
            clarification_deadline=deadline - dt.timedelta(days=4))
        Criterion.objects.bulk_create(Criterion(tender=tender, name=n, weight=w, order=i)
                                      for i, (n, w) in enumerate(CRITERIA))
        PanelMember.objects.bulk_create(
            PanelMember(tender=tender, evaluator=world["staff"][f"evaluator{i}"], added_by=world["staff"]["procurement"],
                        declared_at=now) for i in range(N_EVALUATORS))
        bids = Bid.objects.bulk_create(
            Bid(tender=tender, organisation=org, created_by=member, status=Bid.Status.SUBMITTED,
                price=Decimal(rng.randrange(60_000_00, 1_200_000_00)) / 100, proposal="我方服务方案：" + "上门服务。" * 200,
                submitted_at=deadline - dt.timedelta(minutes=rng.randrange(1, 14_000)))
            for org, member in zip(world["organisations"], world["members"], strict=True))
        for bid in bids:
            bid.receipt_digest = services.bid_digest(bid)
        Bid.objects.bulk_update(bids, ["receipt_digest"], batch_size=500)
    return tender


def qualify_and_score(world: dict, tender, rng: random.Random) -> None:
    """The evaluation starts through its service; qualification and 15,000 scores are written in bulk."""
    from django.db import transaction

    from bids import services
    from bids.models import Bid, Score

    services.tender_start_evaluation(actor=world["staff"]["procurement"], tender_id=tender.pk)
    with transaction.atomic():
        Bid.objects.filter(tender=tender, status=Bid.Status.OPENED).update(status=Bid.Status.QUALIFIED)
        criteria = list(tender.criteria.all())
        bid_ids = list(Bid.objects.filter(tender=tender).values_list("pk", flat=True))
        Score.objects.bulk_create(
            (Score(bid_id=b, criterion=c, evaluator=world["staff"][f"evaluator{i}"],
                   points=Decimal(rng.randrange(0, c.weight * 100 + 1)) / 100)
             for b in bid_ids for c in criteria for i in range(N_EVALUATORS)),
            batch_size=2000)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(call, profile: bool):
    """(result, wall seconds, this process's CPU seconds, queries, profile report) of one call."""
    from django.db import connection

    profiler = cProfile.Profile() if profile else None
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = call()
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    report = ""
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        report = out.getvalue()
    return result, elapsed, cpu, counter.count, report


def one_run(world: dict, rng: random.Random, run: int, profile: bool) -> dict:
    from bids import services, tasks
    from bids.models import Bid

    tender = make_tender(world, rng, run)
    bids = list(Bid.objects.filter(tender=tender).prefetch_related("responses", "attachments"))
    # The digest part of the opening on its own (responses and files prefetched, as the close does).
    digest_started = time.perf_counter()
    assert all(services.bid_digest(b) == b.receipt_digest for b in bids)
    digest_s = time.perf_counter() - digest_started

    status, close_s, close_cpu, close_queries, close_profile = timed(
        lambda: tasks.tender_close_at_deadline(tender.pk), profile)
    assert status == "closed", status
    assert Bid.objects.filter(tender=tender, status=Bid.Status.OPENED, digest_verified=True).count() == N_BIDS

    qualify_and_score(world, tender, rng)
    ranking, rank_s, rank_cpu, rank_queries, rank_profile = timed(lambda: services.tender_ranking(tender), profile)
    assert len(ranking) == N_BIDS
    totals = [entry.total for _bid, entry in ranking]
    assert totals == sorted(totals, reverse=True) and totals[0] <= 100
    return {"close_s": close_s, "rank_s": rank_s, "digest_s": digest_s, "close_cpu": close_cpu, "rank_cpu": rank_cpu,
            "close_queries": close_queries,
            "rank_queries": rank_queries, "profiles": (close_profile, rank_profile)}


def write_results(engine: str, runs: list[dict], info: dict, args) -> None:
    start, end = f"<!-- bench:tender-{engine}:start -->", f"<!-- bench:tender-{engine}:end -->"
    m = info["machine"]

    def cell(key, cpu_key=None):
        values = [r[key] * 1000 for r in runs]
        cpu = f"{statistics.median(r[cpu_key] * 1000 for r in runs):.0f}" if cpu_key else "—"
        return f"{statistics.median(values):.0f} | {max(values):.0f} | {cpu}"

    together = [r["close_s"] + r["rank_s"] for r in runs]
    lines = [
        start,
        f"### {info['database']}",
        "",
        f"Run {info['when']} · {len(runs)} runs, each on a fresh tender · in-process (no HTTP) · "
        f"broker `{info['broker']}` · load average (1 min) before / after: {info['load_before']} / "
        f"{info['load_after']}.",
        "",
        f"Machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, {m['ram']} RAM, {m['os']}; Python {m['python']}, "
        f"Django {m['django']}. Other agents were using the CPUs at the same time, so the figures are pessimistic.",
        "",
        f"Data: {N_BIDS:,} submitted bids of {N_BIDS:,} organisations (one member each), {len(CRITERIA)} criteria "
        f"+ price weight {PRICE_WEIGHT}, {N_EVALUATORS} evaluators, {N_BIDS * len(CRITERIA) * N_EVALUATORS:,} scores. "
        f"Migrate {info['migrate_s']:.0f} s, people {info['people_s']:.1f} s.",
        "",
        "| step | median ms | max ms | CPU ms (this process, median) | queries |",
        "|---|---:|---:|---:|---:|",
        f"| close + opening (`tender_close_at_deadline`; {N_BIDS:,} digests, audit events, emails queued) | "
        f"{cell('close_s', 'close_cpu')} | {runs[0]['close_queries']} |",
        f"| … of which recomputing {N_BIDS:,} digests (measured alone, prefetched) | {cell('digest_s')} | 3 |",
        f"| scoring and ranking (`tender_ranking`) | {cell('rank_s', 'rank_cpu')} | {runs[0]['rank_queries']} |",
        f"| **together** (target < {TARGET_S:.0f} s) | **{statistics.median(together) * 1000:.0f}** | "
        f"{max(together) * 1000:.0f} | {statistics.median(r['close_cpu'] + r['rank_cpu'] for r in runs) * 1000:.0f} | |",
        end,
    ]
    section = "\n".join(lines)
    text = RESULTS.read_text()
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        heading = "# Tender benchmark"
        if heading not in text:
            text = (text.rstrip("\n") + f"\n\n{heading}\n\nWritten by `bench/tender.py` (see its docstring). "
                    "Each database engine has its own section, replaced on each run.\n")
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="PostgreSQL URL of a database the script may drop and create (default: SQLite)")
    parser.add_argument("--runs", type=int, default=3, help="tenders closed and ranked, one after another (default 3)")
    parser.add_argument("--broker-url", default="memory://",
                        help="Celery broker for the queued emails (default memory://; e.g. redis://127.0.0.1:6379/9)")
    parser.add_argument("--profile", action="store_true", help="print the cProfile of each timed step")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--no-write", action="store_true", help="print the figures but leave RESULTS.md alone")
    args = parser.parse_args()
    if not 1 <= args.runs <= 20:
        sys.exit("--runs must be 1..20")

    os.environ["CELERY_BROKER_URL"] = args.broker_url
    database_url = prepare_database(args.database_url)
    setup_django(database_url)
    rng = random.Random(SEED)
    print("migrating and making 1,000 organisations…", flush=True)
    world = make_people(rng)
    engine = "postgresql" if database_url.startswith("postgres") else "sqlite"
    load_before = load_average()
    runs = []
    for run in range(args.runs):
        result = one_run(world, rng, run, args.profile)
        runs.append(result)
        print(f"run {run + 1}: close + opening {result['close_s'] * 1000:.0f} ms (CPU {result['close_cpu'] * 1000:.0f} ms, "
              f"{result['close_queries']} queries, "
              f"digests alone {result['digest_s'] * 1000:.0f} ms), ranking {result['rank_s'] * 1000:.0f} ms "
              f"(CPU {result['rank_cpu'] * 1000:.0f} ms, {result['rank_queries']} queries)", flush=True)
        if args.profile:
            print(*result["profiles"], sep="\n")
    info = {"database": database_description(), "machine": machine(), "broker": args.broker_url,
            "when": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M UTC%z"), "load_before": load_before,
            "load_after": load_average(), "migrate_s": world["migrate_s"], "people_s": world["people_s"]}
    together = statistics.median(r["close_s"] + r["rank_s"] for r in runs)
    print(f"together (median): {together * 1000:.0f} ms; target {TARGET_S * 1000:.0f} ms: "
          f"{'met' if together < TARGET_S else 'MISSED'}")
    if not args.no_write:
        write_results(engine, runs, info, args)
    if engine == "postgresql" and not args.keep:
        from django.db import connections

        connections.close_all()
        postgres_drop(database_url)


if __name__ == "__main__":
    sys.path.insert(0, str(BASE_DIR))
    main()

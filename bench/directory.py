"""Benchmark of the public provider directory (/providers/) under gunicorn, on SQLite or PostgreSQL.

It builds a database of its own (100 street offices, 10,000 organisations of which 8,000 are filed),
starts gunicorn with 2 workers on loopback against it, times sequential requests to filtered, sorted and
paginated directory URLs, and writes the median and p95 latency with the machine's description into
bench/RESULTS.md (one section per database engine, replaced on each run).

    .venv/bin/python bench/directory.py                       # SQLite file under bench/out/
    .venv/bin/python bench/directory.py --database-url postgres://postgres@127.0.0.1:5432/bench_directory

The PostgreSQL database named in the URL is dropped and created by the script, and dropped again at the end
(unless --keep). Names that the test suite or the server itself use are refused.
"""

import argparse
import datetime as dt
import http.client
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "bench" / "out"
RESULTS = BASE_DIR / "bench" / "RESULTS.md"
SETTINGS = "config.settings.local"
REFUSED_DATABASES = {"postgres", "template0", "template1", "test_postgres"}

N_OFFICES = 100
N_ORGANISATIONS = 10_000
N_FILED = 8_000
SEED = 20260301
ROW_LINK = re.compile(rb'href="(?:/en)?/(?:providers|offices)/\d+/"')

DISTRICTS = [("上城区", "Shangcheng"), ("拱墅区", "Gongshu"), ("西湖区", "Xihu"), ("滨江区", "Binjiang"),
             ("萧山区", "Xiaoshan"), ("余杭区", "Yuhang"), ("临平区", "Linping"), ("钱塘区", "Qiantang"),
             ("富阳区", "Fuyang"), ("临安区", "Lin'an")]
PLACE_FIRST = "长西浦翠文古北灵蒋闲仓良五东南新湖清紫白金凤星春明德和安宁平乐福康"
PLACE_SECOND = "河兴沿苑新荡溪山村林前渚常塘桥港湾岭桂园坝浦"
BRANDS = ["阳光", "夕阳红", "暖心", "彩虹", "向日葵", "启明", "春晖", "益起来", "同心", "邻里", "红枫", "和谐",
          "爱心", "微光", "善行", "绿荫", "晨曦", "乐龄", "童心", "桑榆", "蒲公英", "知行", "共享", "安康",
          "睦邻", "星火", "守望", "银龄", "青禾", "德馨"]
KINDS_REGISTERED = ["社会工作服务中心", "社工事务所", "社会工作服务社", "养老服务中心", "助残服务中心",
                    "青少年发展中心", "公益服务中心", "社区发展促进会", "心理咨询服务中心", "文体发展中心"]
KINDS_FILED = ["志愿服务队", "邻里互助会", "文体协会", "社工服务站", "老年协会", "读书会", "调解工作室",
               "巾帼志愿队", "儿童之家", "健康促进会", "楼道自治小组", "手工艺协会"]
CATEGORIES = [("elderly-care", "养老服务", "Elderly care"), ("disability", "助残服务", "Disability support"),
              ("children-youth", "儿童青少年服务", "Children and youth"),
              ("correction", "社区矫正与戒毒康复", "Community correction and rehabilitation"),
              ("culture-sport", "文化体育", "Culture and sport"),
              ("self-governance", "社区自治支持", "Community self-governance support"),
              ("capacity-building", "社会组织能力建设", "Capacity building")]


# --- The database ---------------------------------------------------------------------------------------


def postgres_admin(url: str):
    """A connection to the server's maintenance database, to drop and create the benchmark database."""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    return psycopg.connect(admin, autocommit=True), parts.path.lstrip("/")


def postgres_recreate(url: str) -> None:
    from psycopg import sql

    conn, name = postgres_admin(url)
    if not name or name in REFUSED_DATABASES or name.startswith("test_"):
        sys.exit(f"Refusing to use the database {name!r}: pick a name of its own, e.g. bench_directory.")
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def postgres_drop(url: str) -> None:
    from psycopg import sql

    conn, name = postgres_admin(url)
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def prepare_database(database_url: str | None) -> str:
    if database_url:
        if not database_url.startswith(("postgres://", "postgresql://")):
            sys.exit("--database-url must be a PostgreSQL URL; without it the benchmark uses SQLite.")
        postgres_recreate(database_url)
        return database_url
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / "directory.sqlite3"
    for stale in OUT_DIR.glob("directory.sqlite3*"):
        stale.unlink()
    return f"sqlite:///{path}"


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DEBUG"] = "False"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def make_uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = f"51330108MJ{n:07d}"
    return body + uscc.calc_check_digit(body)


def generate(rng: random.Random) -> dict:
    """Fixture data written in bulk: this measures reads, so rows are made directly, not through services."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count

    from cms.services import site_setup
    from marketplace.models import District, Grade, Organisation, ServiceCategory, StreetOffice, Track

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    with transaction.atomic():
        site_setup(hostname="127.0.0.1", port=80)
        districts = District.objects.bulk_create(District(name=n, name_en=f"{e} District") for n, e in DISTRICTS)
        places = [a + b for a in PLACE_FIRST for b in PLACE_SECOND]
        rng.shuffle(places)
        office_places = places[:N_OFFICES]
        offices = StreetOffice.objects.bulk_create(
            StreetOffice(district=districts[i % len(districts)], name=f"{place}街道办事处",
                         name_en=f"Sub-district Office {i + 1}", address=f"{place}路{rng.randint(1, 300)}号")
            for i, place in enumerate(office_places)
        )
        categories = ServiceCategory.objects.bulk_create(
            ServiceCategory(code=code, name=name, name_en=en, sort_order=i)
            for i, (code, name, en) in enumerate(CATEGORIES)
        )
        grades = [Grade.NONE] * 12 + [Grade.A1, Grade.A2, Grade.A2, Grade.A3, Grade.A3, Grade.A3, Grade.A4, Grade.A5]
        organisations = []
        for i in range(N_ORGANISATIONS):
            filed = i < N_FILED
            place = rng.choice(places)
            kind = rng.choice(KINDS_FILED if filed else KINDS_REGISTERED)
            rated = rng.random() < 0.35
            status = Organisation.Status.VERIFIED
            roll = rng.random()
            if roll < 0.03:
                status = Organisation.Status.PENDING
            elif roll < 0.04:
                status = Organisation.Status.SUSPENDED
            office = rng.choice(offices)
            organisations.append(Organisation(
                name=f"{office.name[:-5] if filed else place}{rng.choice(BRANDS)}{kind}",
                track=Track.FILED if filed else Track.REGISTERED,
                uscc=None if filed else make_uscc(i + 1),
                filing_number=f"BA-{office.pk:03d}-2025-{i + 1:05d}" if filed else None,
                home_office=office if filed else None,
                legal_representative="" if filed else rng.choice(["王芳", "李强", "张敏", "陈静", "刘洋", "赵磊"]),
                registration_authority="" if filed else f"杭州市{rng.choice(DISTRICTS)[0]}民政局",
                status=status,
                grade=Grade.NONE if filed and rng.random() < 0.8 else rng.choice(grades),
                grade_date=dt.date(2025, rng.randint(1, 12), rng.randint(1, 28)),
                rating_score=Decimal(f"{rng.uniform(2.5, 5.0):.3f}") if rated else None,
                rating_count=rng.randint(1, 40) if rated else 0,
                contracts_completed=rng.randint(1, 25) if rated else (rng.randint(0, 2) if not filed else 0),
            ))
        Organisation.objects.bulk_create(organisations, batch_size=1000)
        through = Organisation.categories.through
        links = []
        for org in Organisation.objects.only("pk"):
            for category in rng.sample(categories, rng.choice((1, 1, 2, 2, 3))):
                links.append(through(organisation_id=org.pk, servicecategory_id=category.pk))
        through.objects.bulk_create(links, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a long-running database would have
    busiest = (Organisation.objects.filter(status="verified", track="filed").values("home_office")
               .annotate(n=Count("pk")).order_by("-n").first())
    return {
        "migrate_s": migrated - started,
        "generate_s": time.perf_counter() - migrated,
        "office": busiest["home_office"],
        "office_orgs": busiest["n"],
        "links": len(links),
    }


def database_description() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]} (127.0.0.1, psycopg {__import__('psycopg').__version__})"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]} (WAL, file under bench/out/)"


# --- The server and the clock ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": database_url,
           "DJANGO_DEBUG": "False", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = open(OUT_DIR / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logfile", "-", "--error-logfile", "-", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def fetch(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Language": "zh-hans"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_up(port: int, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {OUT_DIR / 'gunicorn.log'}")
        try:
            if fetch(port, "/providers/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    sys.exit(f"gunicorn did not answer within {timeout_s:.0f} s; see {OUT_DIR / 'gunicorn.log'}")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def measure(port: int, path: str, n: int, warmup: int) -> dict:
    for _ in range(warmup):
        fetch(port, path)
    timings = []
    status, body = 0, b""
    for _ in range(n):
        started = time.perf_counter()
        status, body = fetch(port, path)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            sys.exit(f"{path} answered {status}")
    return {"median": statistics.median(timings), "p95": percentile(timings, 95), "max": max(timings),
            "rows": len(ROW_LINK.findall(body)), "bytes": len(body)}


def explain(query: str) -> str:
    """The plan of the page's row query, as the directory view would run it."""
    from django.http import QueryDict

    from marketplace import selectors
    from marketplace.views.directory import PAGE_SIZE

    params = QueryDict(query)
    qs = selectors.provider_filterset(filters=params).qs
    page = int(params.get("page", 1))
    return qs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE].explain()


# --- The report -------------------------------------------------------------------------------------------


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def machine() -> dict:
    import django

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip() or os.cpu_count()
    return {"nproc": nproc, "cpu": cpu, "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
            "python": platform.python_version(), "django": django.get_version(),
            "os": f"{platform.system()} {platform.release()}"}


def write_results(engine: str, rows: list[tuple[str, str, dict]], info: dict, args) -> None:
    start, end = f"<!-- bench:{engine}:start -->", f"<!-- bench:{engine}:end -->"
    m = info["machine"]
    lines = [
        start,
        f"## {info['database']}",
        "",
        f"Run {info['when']} · {args.requests} sequential requests per URL after {args.warmup} warm-up requests · "
        f"gunicorn {args.workers} sync workers on 127.0.0.1 · `{SETTINGS}` with `DJANGO_DEBUG=False`.",
        "",
        f"Machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, {m['ram']} RAM, {m['os']}; "
        f"Python {m['python']}, Django {m['django']}; {info['database']}. "
        f"Load average (1 min) before / after the timed requests: {info['load_before']} / {info['load_after']} "
        "(other work on the machine shares its CPUs with gunicorn and inflates the figures).",
        "",
        f"Data: {N_OFFICES} street offices in {len(DISTRICTS)} districts, {N_ORGANISATIONS:,} organisations "
        f"({N_FILED:,} filed; ~96 % verified, ~35 % rated), {info['links']:,} organisation–category links. "
        f"Migrate {info['migrate_s']:.0f} s, generate {info['generate_s']:.0f} s.",
        "",
        "| request | URL | median ms | p95 ms | max ms | rows on page |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, path, r in rows:
        lines.append(f"| {label} | `{path}` | {r['median']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['rows']} |")
    lines.append(end)
    section = "\n".join(lines)
    if RESULTS.exists():
        text = RESULTS.read_text()
    else:
        text = ("# Provider directory benchmark\n\nWritten by `bench/directory.py` (see bench/README.md). "
                "Each database engine has its own section, replaced on each run.\n\n")
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="PostgreSQL URL of a database the script may drop and create (default: SQLite)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per URL (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per URL first (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--explain", action="store_true", help="print the query plan of each URL's page query")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--no-write", action="store_true", help="print the figures but leave RESULTS.md alone")
    args = parser.parse_args()
    if not 1 <= args.requests <= 10_000 or not 0 <= args.warmup <= 1000:
        sys.exit("--requests must be 1..10000 and --warmup 0..1000")

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    database_url = prepare_database(args.database_url)
    setup_django(database_url)
    rng = random.Random(SEED)
    print("migrating and generating data…", flush=True)
    info = generate(rng)
    engine = "postgresql" if database_url.startswith("postgres") else "sqlite"
    info.update(database=database_description(), machine=machine(),
                when=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M UTC%z"))
    print(f"  migrate {info['migrate_s']:.1f} s, generate {info['generate_s']:.1f} s", flush=True)

    from marketplace.models import ServiceCategory

    elderly = ServiceCategory.objects.get(code="elderly-care").code
    urls = [
        ("plain", "/providers/"),
        ("by category", f"/providers/?category={elderly}"),
        ("by office", f"/providers/?office={info['office']}"),
        ("filed, grade ≥ 3A", "/providers/?track=filed&grade=3"),
        ("sorted by rating", "/providers/?sort=-rating"),
        ("sorted by completed", "/providers/?sort=-completed"),
        ("name search 社工", f"/providers/?q={quote('社工')}"),
        ("page 50", "/providers/?page=50"),
        ("combined, page 2", f"/providers/?category={elderly}&min_rating=4&has_completed=true&sort=name&page=2"),
        ("English, sorted by name, page 50", "/en/providers/?sort=-name&page=50"),
        ("offices", "/offices/"),
    ]
    if args.explain:
        for label, path in urls:
            if path.split("?")[0].endswith("/providers/"):
                print(f"\n== {label}: {path}\n{explain(path.partition('?')[2])}")

    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_gunicorn(database_url, port, args.workers)
    rows = []
    try:
        wait_until_up(port, server)
        info["load_before"] = load_average()
        print(f"gunicorn up on 127.0.0.1:{port}; {args.requests} requests per URL", flush=True)
        for label, path in urls:
            result = measure(port, path, args.requests, args.warmup)
            rows.append((label, path, result))
            print(f"  {label:<34} median {result['median']:7.1f} ms  p95 {result['p95']:7.1f} ms  "
                  f"max {result['max']:7.1f} ms  rows {result['rows']}", flush=True)
        info["load_after"] = load_average()
    finally:
        stop(server)
        connections.close_all()
        if engine == "postgresql" and not args.keep:
            postgres_drop(database_url)
    if not args.no_write:
        write_results(engine, rows, info, args)
        print(f"written to {RESULTS.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()

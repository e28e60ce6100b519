# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The machine and the Odoo server under test: its configuration, start,
warm-up and stop, the ``odoo shell`` for set-up scripts, and the memory of
its workers."""

import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import requests


def machine():
    """The machine, in one line: CPU, cores, memory, system, Python."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(
            re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1]
        )
    except OSError:
        mem_kb = 0
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_kb / 1024 / 1024:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


class Odoo:
    """The Odoo server under test, and the odoo shell for set-up scripts."""

    def __init__(self, args, workdir, name="odoo", port=None):
        """``args``: the command line; ``workdir``: where the configuration
        files and the server's log (``<name>.log``) go; ``port``: its HTTP
        port (``--port`` unless given; the gevent port is the next one)."""
        self.args = args
        self.workdir = workdir
        self.name = name
        self.port = port or args.port
        self.process = None
        self.log_path = workdir / f"{name}.log"
        self.db = psycopg2.connect(dbname=args.db)
        self.db.autocommit = True

    def conf(self, job_workers, sim_urls, jobs_port=None):
        """Write the server's configuration with ``job_workers`` job workers,
        the simulated stores' ``sim_urls`` allowed as API hosts; its path.
        With ``jobs_port``, the server is the web tier of two: its job
        runner sends the jobs to the job tier on that port."""
        return self._write_conf(
            f"{'web' if jobs_port else self.name}-{job_workers}.conf",
            self.args.http_workers,
            "base,web,queue_job",
            sim_urls,
            [f"channels = root:{job_workers},root.bigcommerce:{job_workers}"]
            + (["host = 127.0.0.1", f"port = {jobs_port}"] if jobs_port else []),
        )

    def jobs_conf(self, job_workers, sim_urls):
        """Write the configuration of the job tier of two (README's
        ``jobs.conf``): ``job_workers`` jobs at once in workers of its own
        (one more, as a spare), no job runner; its path."""
        return self._write_conf(
            f"{self.name}-{job_workers}.conf",
            job_workers + 1,
            "base,web",
            sim_urls,
            [],
        )

    def _write_conf(self, file_name, workers, server_wide, sim_urls, queue_job):
        """Write the configuration file ``file_name``: ``workers`` HTTP
        workers, ``server_wide`` modules, the ``queue_job`` section's lines."""
        path = self.workdir / file_name
        path.write_text(
            "\n".join(
                [
                    "[options]",
                    f"addons_path = {self.args.addons_path}",
                    f"db_name = {self.args.db}",
                    f"dbfilter = ^{self.args.db}$",
                    "list_db = False",
                    "http_interface = 127.0.0.1",
                    f"http_port = {self.port}",
                    f"gevent_port = {self.port + 1}",
                    f"workers = {workers}",
                    "max_cron_threads = 0",
                    f"server_wide_modules = {server_wide}",
                    "limit_time_cpu = 600",
                    "limit_time_real = 1200",
                    "limit_memory_soft = 4294967296",
                    "limit_memory_hard = 5368709120",
                    "limit_request = 1000000",
                    f"logfile = {self.log_path}",
                    "",
                    "[bigcommerce_connector]",
                    f"api_hosts = {', '.join(sim_urls)}",
                    "",
                    "[queue_job]",
                    *queue_job,
                    "",
                ]
            )
        )
        return path

    def shell(self, conf, script, env=None):
        """Run ``script`` in an ``odoo shell`` on the database, with ``env``
        added to the environment; its standard output."""
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "odoo",
                "shell",
                "-c",
                str(conf),
                "-d",
                self.args.db,
                "--no-http",
                "--log-level=warn",
                "--logfile=",
            ],
            input=script,
            capture_output=True,
            text=True,
            env=dict(os.environ, **(env or {})),
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"odoo shell failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def run_script(self, conf, script, env):
        """Run ``script`` (a path) in an ``odoo shell``, as
        :meth:`shell`; the JSON it prints after ``BENCH``."""
        out = self.shell(conf, Path(script).read_text(), env)
        return json.loads(out.split("BENCH", 1)[1].splitlines()[0])

    def start(self, conf, nice=0):
        """Start the server (prefork) with ``conf``, at CPU priority ``nice``
        (``nice -n``); return once it answers its health check, within two
        minutes."""
        command = [sys.executable, "-m", "odoo", "server", "-c", str(conf)]
        if nice:
            command = ["nice", "-n", str(nice), *command]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url("/web/health"), timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo stopped; see {self.log_path}")
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not start; see {self.log_path}")

    def warm_up(self):
        """Load the registry in every worker, and refresh PostgreSQL's
        statistics: what a server that has been running would have."""
        self.query_autocommit("VACUUM ANALYZE")

        def login(_index):
            """Ask for the login page (a worker loads the registry)."""
            try:
                requests.get(self.url("/web/login"), timeout=60)
            except requests.RequestException:
                pass

        with ThreadPoolExecutor(2 * self.args.http_workers) as pool:
            list(pool.map(login, range(4 * self.args.http_workers)))

    def query_autocommit(self, sql):
        """Run ``sql`` outside a transaction (``VACUUM``)."""
        with self.db.cursor() as cr:
            cr.execute(sql)

    def stop(self):
        """Stop the server and its workers, if it runs."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def url(self, path):
        """The server's address of ``path``."""
        return f"http://127.0.0.1:{self.port}{path}"

    def query(self, sql, params=()):
        """The rows of ``sql`` on the benchmark's database."""
        with self.db.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()

    def worker_pids(self):
        """The server's worker processes (children of the prefork master)."""
        pids = []
        master = self.process.pid if self.process else None
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if master and int(fields[1]) == master:
                pids.append(int(stat.parent.name))
        return pids


def rss_mb(pid):
    """The resident memory of process ``pid`` in MB; None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match[1]) / 1024 if match else None


class MemorySampler(threading.Thread):
    """Samples the RSS of every worker process twice a second."""

    def __init__(self, odoo):
        """Sample the workers of ``odoo`` (an :class:`Odoo`)."""
        super().__init__(daemon=True)
        self.odoo = odoo
        self.samples = {}  # pid -> [(t, MB)]
        self.stopping = threading.Event()

    def run(self):
        """Sample until :meth:`stop`."""
        while not self.stopping.is_set():
            now = time.monotonic()
            for pid in self.odoo.worker_pids():
                value = rss_mb(pid)
                if value:
                    self.samples.setdefault(pid, []).append((now, value))
            self.stopping.wait(0.5)

    def stop(self):
        """Stop sampling."""
        self.stopping.set()
        self.join(timeout=5)

    def summary(self, warm_after):
        """Peak RSS of any worker, and the largest growth of one worker from
        its first sample after ``warm_after`` (monotonic) to its last."""
        peak = max(
            (mb for series in self.samples.values() for _t, mb in series), default=0
        )
        growth = 0.0
        for series in self.samples.values():
            warm = [mb for t, mb in series if t >= warm_after]
            if len(warm) >= 2:
                growth = max(growth, warm[-1] - warm[0])
        return peak, growth

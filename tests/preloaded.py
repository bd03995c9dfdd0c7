"""Real child processes without paying Python's start-up and the toolkit's imports each time.

A test that runs hundreds of short toolkit processes (the corpus tests) spends most of
its CPU importing the same modules again. :class:`Preloaded` starts one plain Python
process that imports the given modules once and then, for each job, forks a fresh child
that does the work: a real process with its own memory limit, its own stdout/stderr and
exit code, killed when it runs past its time limit. Nothing is shared back: the child
is the one that reads the file, writes the ledger and exits.

    with Preloaded(["toolkit.cli"]) as pre:
        done = pre.run(CODE, ["process", str(path), ...], timeout=20)
        done.returncode, done.stdout, done.stderr, done.timed_out

``CODE`` runs in the child as ``python -c CODE argv…`` would (``sys.argv[1:]`` is argv);
it ends like such a process: normal interpreter exit (atexit handlers run), or SystemExit.
One :class:`Preloaded` runs one job at a time; use one per thread to run several at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The fork server: imports the modules, then for each job line forks a child and reports
# how it ended. The child leaves the loop by raising SystemExit out of the whole script,
# so it exits as any `python -c` process does.
SERVER = r"""
import json, os, resource, select, signal, sys, time
for name in sys.argv[1:]:
    try:
        __import__(name)
    except ImportError:  # a module renamed since the list was written: the child imports it
        pass
# Objects made by the imports move out of the collector's sight: a child's collections would
# otherwise touch (and so copy) every page of them, which cost more than the child's work.
import gc
gc.collect()
gc.freeze()
jobs, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "w")
null = os.open(os.devnull, os.O_RDWR)
os.dup2(null, 1)  # the server prints nothing; children get their own files
for line in jobs:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 0)
        for fd, path in ((1, job["stdout"]), (2, job["stderr"])):
            f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(f, fd)
            os.close(f)
        os.close(null)
        answers.close()
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        if job["memory"]:
            resource.setrlimit(resource.RLIMIT_AS, (job["memory"], job["memory"]))
        if job["cpu"]:  # SIGXCPU past the limit of its own work, however busy the machine
            resource.setrlimit(resource.RLIMIT_CPU, (job["cpu"], job["cpu"] + 1))
        os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        sys.argv = ["-c", *job["argv"]]
        del jobs, answers, job, line, pid
        exec(compile(__CODE__, "<string>", "exec"), {"__name__": "__main__"})
        raise SystemExit(0)
    timed_out = False
    deadline = time.monotonic() + job["timeout"]
    fd = os.pidfd_open(pid)
    if not select.select([fd], [], [], job["timeout"])[0]:
        timed_out = True
        os.kill(pid, signal.SIGKILL)
    os.close(fd)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    spent = usage.ru_utime + usage.ru_stime
    timed_out = timed_out or bool(job["cpu"]) and (
        code == -signal.SIGXCPU or code == -signal.SIGKILL and spent >= job["cpu"])
    answers.write(json.dumps({"status": code, "timed_out": timed_out,
                              "peak_kb": usage.ru_maxrss,
                              "cpu": usage.ru_utime + usage.ru_stime}) + "\n")
    answers.flush()
"""


# ``python -m toolkit ARGS`` as the job's code, and what such a run imports before its work
# (the CLI imports its commands' modules only when run).
TOOLKIT_MAIN = "import runpy\nrunpy.run_module('toolkit', run_name='__main__', alter_sys=True)\n"
TOOLKIT_MODULES = ["toolkit.cli", "toolkit.pipeline", "toolkit.plugins", "toolkit.outputs", "toolkit.annotate",
                   "toolkit.returns", "toolkit.schema", "toolkit.documents.issue", "toolkit.documents.pdf",
                   "toolkit.reports.catalog", "toolkit.ruleset.hook", "toolkit.packs.property",
                   "toolkit.packs.car", "toolkit.packs.dealer", "toolkit.status", "toolkit.jsonout",
                   "toolkit.documents.hook", "python_calamine"]


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    peak_kb: int  # the child's peak resident memory (wait4)
    cpu: float  # the child's user + system seconds, its waited-for children included


class Preloaded:
    def __init__(self, modules: list[str]):
        self.modules = modules
        self._server: subprocess.Popen | None = None
        self._code: str | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="preloaded-")

    def _start(self, code: str) -> subprocess.Popen:
        if self._server is not None and self._code == code and self._server.poll() is None:
            return self._server
        self.close_server()
        server = SERVER.replace("__CODE__", repr(code))
        self._server = subprocess.Popen([sys.executable, "-c", server, *self.modules], cwd=REPO,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._code = code
        return self._server

    def run(self, code: str, argv: list[str], *, timeout: float, memory: int = 0, cpu: int = 0,
            cwd: Path = REPO, env: dict[str, str] | None = None) -> Done:
        """Run ``code`` in a forked child; killed after ``timeout`` s of wall time, or
        (``cpu``) after that many seconds of its own CPU time (``timed_out`` either way)."""
        server = self._start(code)
        out, err = Path(self._dir.name, "out"), Path(self._dir.name, "err")
        job = {"argv": argv, "timeout": timeout, "memory": memory, "cpu": cpu, "cwd": str(cwd),
               "env": dict(os.environ if env is None else env), "stdout": str(out), "stderr": str(err)}
        server.stdin.write(json.dumps(job).encode() + b"\n")
        server.stdin.flush()
        answer = server.stdout.readline()
        if not answer:
            raise RuntimeError(f"the fork server died (exit {server.wait()})")
        result = json.loads(answer)
        return Done(result["status"], out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace"),
                    result["timed_out"], result["peak_kb"], result["cpu"])

    def close_server(self) -> None:
        if self._server is not None:
            self._server.stdin.close()
            self._server.wait(timeout=30)
            self._server.stdout.close()
            self._server = None

    def close(self) -> None:
        self.close_server()
        self._dir.cleanup()

    def __enter__(self) -> Preloaded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

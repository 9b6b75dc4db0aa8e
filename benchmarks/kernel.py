"""Run notebooks and code in a fresh Jupyter kernel, and read that kernel's CPU and memory.

The kernel's own process is measured through Linux /proc: ``VmHWM`` (peak resident set size,
kept by the kernel so nothing can be missed between samples), ``VmRSS`` and the proportional set
size at the end (``smaps_rollup``), and CPU seconds (``utime + stime``), which a busy machine
disturbs far less than wall time.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def read_status_kb(pid: int, fields: tuple[str, ...] = ("VmHWM", "VmRSS")) -> dict[str, int]:
    """Memory fields (kB) from /proc/<pid>/status; an empty dict where /proc is missing."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                name, _, rest = line.partition(":")
                if name in fields:
                    found[name] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return found


def read_pss_kb(pid: int) -> int | None:
    """Proportional set size (kB) of a process now, from /proc/<pid>/smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def parse_stat_cpu_seconds(stat_line: str, clk_tck: int = _CLK_TCK) -> float:
    """utime + stime in seconds from the text of /proc/<pid>/stat.

    The command name (field 2) may hold spaces and parentheses, so split after the last ')'.

    >>> parse_stat_cpu_seconds("42 (a (b) c) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0", clk_tck=100)
    2.0
    """
    rest = stat_line.rsplit(")", 1)[1].split()
    # rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(rest[11]) + int(rest[12])) / clk_tck


def read_cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return parse_stat_cpu_seconds(fh.read())
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class NotebookRun:
    """One Run-All of a notebook in a fresh kernel."""

    startup_s: float
    run_s: float
    cpu_s: float | None
    peak_rss_kb: int | None
    rss_kb_end: int | None
    pss_kb_end: int | None
    nb: nbformat.NotebookNode = field(repr=False)
    #: per code cell: index, seconds, and the kernel's peak RSS (kB) after it ran
    cells: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in
               ("startup_s", "run_s", "cpu_s", "peak_rss_kb", "rss_kb_end", "pss_kb_end")}
        out["cells"] = self.cells
        return out


def kernel_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a measured kernel gets: this one, without debugger noise."""
    env = dict(os.environ)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    if extra:
        env.update(extra)
    return env


def run_notebook(nb: nbformat.NotebookNode, cwd: str | os.PathLike, *, timeout: int = 600,
                 kernel_name: str = "python3", env: dict[str, str] | None = None,
                 store_widget_state: bool = True) -> NotebookRun:
    """Execute every cell of ``nb`` (a copy) in a new kernel started in ``cwd``.

    ``startup_s`` is the time to start the kernel and see it ready; ``run_s`` is Run-All, from
    the first cell sent to the last cell's reply; ``cpu_s`` is the kernel process's CPU time
    over Run-All. Memory is read from the kernel process just before it is shut down. A cell
    error raises nbclient's ``CellExecutionError``.
    """
    from nbclient import NotebookClient
    from traitlets.config import Config

    nb = nbformat.from_dict(nb)  # a deep copy: the caller's notebook keeps no outputs
    with tempfile.TemporaryDirectory(prefix="pp-bench-k-") as sockets:
        config = Config()
        # Unix sockets: no TCP port races between kernels, and no unencrypted-TCP warning.
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(Path(sockets) / "k")
        client = NotebookClient(
            nb, timeout=timeout, kernel_name=kernel_name, allow_errors=False,
            # Always track widget state: nbclient 0.11 fails on Output widgets without it. It is
            # written into the notebook's metadata only when asked for.
            store_widget_state=True, config=config,
            resources={"metadata": {"path": str(cwd)}},
        )
        started = time.perf_counter()
        with client.setup_kernel(env=kernel_env(env)):
            client.wait_for_reply(client.kc.kernel_info())
            startup = time.perf_counter() - started
            pid = client.km.provisioner.pid
            client.reset_execution_trackers()
            cpu0 = read_cpu_seconds(pid)
            cells = []
            t0 = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                c0 = time.perf_counter()
                client.execute_cell(cell, index)
                cells.append({"index": index, "s": time.perf_counter() - c0,
                              "hwm_kb": read_status_kb(pid, ("VmHWM",)).get("VmHWM")})
            run = time.perf_counter() - t0
            cpu1 = read_cpu_seconds(pid)
            status = read_status_kb(pid)
            pss = read_pss_kb(pid)
            if store_widget_state:
                client.set_widgets_metadata()
    cpu = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    return NotebookRun(startup_s=startup, run_s=run, cpu_s=cpu, peak_rss_kb=status.get("VmHWM"),
                       rss_kb_end=status.get("VmRSS"), pss_kb_end=pss, nb=nb, cells=cells)


def stdout_of(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook's cells printed to stdout, in order."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                parts.append(output.get("text", ""))
    return "".join(parts)


def run_code(code: str, cwd: str | os.PathLike, *, timeout: int = 600,
             env: dict[str, str] | None = None) -> tuple[str, NotebookRun]:
    """Run ``code`` as one cell in a fresh kernel; return what it printed and the run."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    run = run_notebook(nb, cwd, timeout=timeout, env=env)
    return stdout_of(run.nb), run

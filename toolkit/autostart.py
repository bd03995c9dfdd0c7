"""Running ``toolkit watch`` all day and after a reboot: a systemd unit, a Windows task.

``toolkit autostart`` writes either file for this machine: the Python that runs the
toolkit now, the workspace given, the user who runs the command. The examples in
``deploy/`` are the same output for example paths.
"""

from __future__ import annotations

import getpass
import os
import shlex
import sys
from pathlib import Path, PureWindowsPath
from xml.sax.saxutils import escape

UNIT_NAME = "toolkit.service"
TASK_NAME = "toolkit-watch"


def _systemd_quote(text: str) -> str:
    """A word of ExecStart: quoted when it has spaces, % doubled (systemd specifiers)."""
    text = text.replace("%", "%%")
    return f'"{text}"' if any(c in text for c in " \t\"'\\") else text


def systemd_unit(python: str, home: str, user: str | None = None, poll: float | None = None) -> str:
    """A system unit (``/etc/systemd/system/toolkit.service``); ``user=None`` makes a user
    unit (``~/.config/systemd/user/``)."""
    args = [python, "-m", "toolkit", "watch", "--home", home]
    if poll:
        args += ["--poll", f"{poll:g}"]
    lines = [
        "# 物业服务中心登记表工具：一直监视收件箱，按时出报表；开机自动启动，出错 10 秒后重启。",
        "[Unit]",
        "Description=toolkit watch (登记表处理与定时报表)",
        "After=network-online.target local-fs.target remote-fs.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=simple",
    ]
    if user:
        lines.append(f"User={user}")
    lines += [
        f"WorkingDirectory={home.replace('%', '%%')}",  # the rest of the line, unquoted
        f"Environment={_systemd_quote('TOOLKIT_HOME=' + home)}",
        "Environment=PYTHONUNBUFFERED=1",
        f"ExecStart={' '.join(_systemd_quote(a) for a in args)}",
        "Restart=on-failure",
        "RestartSec=10",
        "# 输出文件同组可读写（办公室同事共用文件夹）。",
        "UMask=0002",
        "KillSignal=SIGTERM",
        "TimeoutStopSec=60",
        "",
        "[Install]",
        f"WantedBy={'multi-user.target' if user else 'default.target'}",
        "",
    ]
    return "\n".join(lines)


def windows_task(pythonw: str, home: str, user: str, poll: float | None = None) -> str:
    """A Task Scheduler task (``schtasks /Create /XML``): at the user's logon, restarted
    every minute if it stops, no time limit, hidden (pythonw)."""
    args = f'-m toolkit watch --home "{home}"' + (f" --poll {poll:g}" if poll else "")
    workdir = str(PureWindowsPath(home))
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>物业服务中心登记表工具：一直监视收件箱，按时出报表（toolkit watch）</Description>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>{escape(user)}</UserId>
      <Delay>PT1M</Delay>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>{escape(user)}</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{escape(pythonw)}</Command>
      <Arguments>{escape(args)}</Arguments>
      <WorkingDirectory>{escape(workdir)}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
"""


def this_python(windowless: bool = False) -> str:
    """The interpreter running now (the project's .venv when started through dev.py)."""
    exe = Path(sys.executable)
    if windowless and os.name == "nt":
        quiet = exe.with_name("pythonw.exe")
        if quiet.exists():
            return str(quiet)
    return str(exe)


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): the unit runs as root then
        return "root"


def exec_start_argv(unit_text: str) -> list[str]:
    """The command line of a unit's ExecStart, as systemd would split it (quotes, %%)."""
    line = next(ln for ln in unit_text.splitlines() if ln.startswith("ExecStart="))
    return [a.replace("%%", "%") for a in shlex.split(line[len("ExecStart="):])]

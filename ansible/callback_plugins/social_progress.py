# socialctl's progress feed: one JSON object per line, appended to the file named by the
# environment variable SOCIALCTL_EVENTS (socialctl install sets it and reads the file as it
# grows). Without that variable the plugin does nothing, so plain ansible-playbook runs of the
# same playbook are unaffected.
"""Progress events of a playbook run for socialctl install."""

from __future__ import annotations

import json
import os
import time

from ansible.playbook.block import Block
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: social_progress
type: notification
short_description: progress events for socialctl install
description:
  - Writes one JSON object per line to the file named by SOCIALCTL_EVENTS
    (play start with its task count, task start, each host's result, the final stats).
  - Does nothing when SOCIALCTL_EVENTS is unset.
requirements:
  - enabled in callbacks_enabled (ansible.cfg of the playbook)
"""

META_ACTIONS = frozenset(("meta", "ansible.builtin.meta", "ansible.legacy.meta"))


def _count_tasks(blocks) -> int:
    """Tasks a play will start, not counting meta tasks (dynamic includes count as one)."""
    count = 0
    for block in blocks:
        for part in (block.block, block.rescue, block.always):
            for item in part:
                if isinstance(item, Block):
                    count += _count_tasks([item])
                elif item.action not in META_ACTIONS:
                    count += 1
    return count


def _message(result: dict) -> str:
    for key in ("msg", "stderr", "reason", "module_stderr", "stdout"):
        value = result.get(key)
        if value:
            return str(value).strip()
    return ""


class CallbackModule(CallbackBase):
    """Writes the progress feed."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "social_progress"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        path = os.environ.get("SOCIALCTL_EVENTS")
        # Line-buffered: socialctl reads every event as soon as it is written.
        self._out = open(path, "a", buffering=1, encoding="utf-8") if path else None

    def _emit(self, event: str, **fields) -> None:
        if self._out is None:
            return
        fields["event"] = event
        fields["time"] = round(time.time(), 3)
        self._out.write(json.dumps(fields, default=str) + "\n")

    @staticmethod
    def _task_fields(task) -> dict:
        role = task._role.get_name(include_role_fqcn=False) if task._role else ""
        name = task.get_name().strip()
        # get_name() prefixes a role's tasks with "ROLE : "; the role is a field of its own.
        if role and name.startswith(role + " : "):
            name = name[len(role) + 3:]
        return {"task": name, "role": role, "action": task.action}

    def v2_playbook_on_play_start(self, play):
        try:
            tasks = _count_tasks(play.compile())
        except Exception:  # a count is only for display: never fail the run over it
            tasks = 0
        self._emit("play", name=play.get_name().strip(), tasks=tasks)

    def v2_playbook_on_task_start(self, task, is_conditional):
        if task.action not in META_ACTIONS:
            self._emit("task", **self._task_fields(task))

    def v2_playbook_on_handler_task_start(self, task):
        self._emit("handler", **self._task_fields(task))

    def _result(self, status: str, result, **extra) -> None:
        fields = self._task_fields(result._task)
        fields.update(extra)
        self._emit("result", status=status, host=result._host.get_name(), **fields)

    def v2_runner_on_ok(self, result):
        changed = bool(result._result.get("changed"))
        self._result("changed" if changed else "ok", result)

    def v2_runner_on_skipped(self, result):
        self._result("skipped", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(
            "ignored" if ignore_errors else "failed",
            result,
            message=_message(result._result),
        )

    def v2_runner_on_unreachable(self, result):
        self._result("unreachable", result, message=_message(result._result))

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for host in sorted(stats.processed.keys()):
            summary = stats.summarize(host)
            hosts[host] = {
                key: summary.get(key, 0)
                for key in ("ok", "changed", "failures", "unreachable", "skipped", "rescued", "ignored")
            }
        self._emit("stats", hosts=hosts)
        if self._out is not None:
            self._out.flush()

#!/usr/bin/python3
"""The postgresql role's tuning, rendered and compared (tests/ansible/postgresql, container).

  pg_tuning.py docs-inventory FILE         the hosts of docs/ansible.md's "PostgreSQL tuning"
                                           table as an inventory (their facts as host variables,
                                           local connection) in FILE
  pg_tuning.py render INVENTORY OUT [--gather] [-e VAR=VALUE]...
                                           renders the role's settings (OUT/HOST.conf) and unit
                                           drop-in (OUT/HOST.hardening.conf) for every host, on
                                           this machine, with the role's defaults; --gather reads
                                           the hosts' facts first (else they are host variables)
  pg_tuning.py docs-check OUT COLUMN       the settings rendered for the table's COLUMN (0, 1,
                                           2) are the table's, and every rendered setting has a
                                           row; differences on stderr
  pg_tuning.py live CONF                   stdin: `name|setting|unit` rows of pg_settings; every
                                           setting of CONF has that value live

Exit status 0 when the check holds. Values compare by meaning: '1GB' is '1024MB', '15min' is
'900s', a number without a unit takes the unit pg_settings gives it.
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROLE = ROOT / "ansible/roles/postgresql"
DOCS = ROOT / "docs/ansible.md"
GIB = 1024**3

MEMORY = {"B": 1 / 1024, "kB": 1, "MB": 1024, "GB": 1024**2, "TB": 1024**3}
TIME = {"us": 0.001, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
BOOLEAN = {"on": True, "off": False, "true": True, "false": False, "yes": True, "no": False}


def value(text, unit=""):
    """A setting's meaning: ('memory', kB), ('time', ms), ('number', n), ('bool', b) or
    ('text', s). A bare number takes `unit` (pg_settings' unit, e.g. '8kB', 'ms')."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1].replace("''", "'")
    match = re.fullmatch(r"(-?[0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)", text)
    if match:
        number, suffix = float(match[1]), match[2]
        if not suffix and unit:
            factor, suffix = re.fullmatch(r"([0-9]*)([a-zA-Z]+)", unit).groups()
            number *= int(factor or 1)
        if suffix in MEMORY:
            return ("memory", number * MEMORY[suffix])
        if suffix in TIME:
            return ("time", number * TIME[suffix])
        if not suffix:
            return ("number", number)
    if text.lower() in BOOLEAN:
        return ("bool", BOOLEAN[text.lower()])
    return ("text", text)


def same(a, b):
    if a[0] != b[0]:
        return False
    if a[0] in ("memory", "time", "number"):
        return abs(a[1] - b[1]) <= 1e-9 * max(1, abs(a[1]))
    return a[1] == b[1]


def conf(path):
    """name -> value text of a rendered postgresql.conf drop-in."""
    settings = {}
    for line in pathlib.Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, text = line.partition("=")
        settings[name.strip()] = text.strip()
    return settings


def docs_table():
    """The tuning table: (hosts, rows). hosts: one dict per column (memory_mb, vcpus, disk_gb,
    label); rows: setting name -> [value text per column]."""
    text = DOCS.read_text()
    start = text.index("\n### PostgreSQL tuning\n")
    lines = text[start:].splitlines()[2:]
    end = next((i for i, line in enumerate(lines) if line.startswith("#")), len(lines))
    table = [line for line in lines[:end] if line.startswith("| setting | formula |")]
    if len(table) != 1:
        sys.exit("docs/ansible.md: no (or more than one) `| setting | formula |` table under PostgreSQL tuning")
    first = lines.index(table[0])
    cells = []
    for line in lines[first:end]:
        if not line.startswith("|"):
            break
        cells.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    labels = cells[0][2:]
    hosts = [{"label": label} for label in labels]
    rows = {}
    facts = {"RAM": "memory_mb", "vCPUs": "vcpus", "disk": "disk_gb"}
    for row in cells[2:]:
        head, values = row[0], row[2:]
        if len(values) != len(labels):
            sys.exit(f"docs/ansible.md: row {head!r} has {len(values)} values for {len(labels)} hosts")
        fact = next((key for word, key in facts.items() if head.startswith(word)), None)
        if fact:
            for host, cell in zip(hosts, values):
                host[fact] = int(cell)
            continue
        name = re.fullmatch(r"`([a-z_.]+)`", head)
        if not name:
            sys.exit(f"docs/ansible.md: tuning row {head!r} is neither a fact nor a `setting`")
        rows[name[1]] = values
    for host in hosts:
        missing = {"memory_mb", "vcpus", "disk_gb"} - set(host)
        if missing:
            sys.exit(f"docs/ansible.md: tuning table lacks the rows {sorted(missing)}")
    return hosts, rows


def mounts(index, disk_gb):
    """ansible_mounts with the data filesystem at a different depth per host, among others
    that must not be taken (the role picks the longest mount point above the data)."""
    other = {"size_total": 8 * GIB, "device": "/dev/vda1", "fstype": "ext4"}
    data = {"size_total": disk_gb * GIB, "device": "/dev/vdb", "fstype": "ext4"}
    layouts = [
        [dict(data, mount="/")],
        [dict(other, mount="/"), dict(data, mount="/var"), dict(other, mount="/srv")],
        [dict(other, mount="/"), dict(other, mount="/var"), dict(data, mount="/var/lib/postgresql"),
         dict(other, mount="/var/lib/postgresql-old")],
    ]
    return layouts[index % len(layouts)]


def docs_inventory(path):
    hosts, _ = docs_table()
    inventory = {"all": {"hosts": {}}}
    for index, host in enumerate(hosts):
        inventory["all"]["hosts"][f"column{index}"] = {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "ansible_memtotal_mb": host["memory_mb"],
            "ansible_processor_vcpus": host["vcpus"],
            "ansible_mounts": mounts(index, host["disk_gb"]),
        }
    pathlib.Path(path).write_text(json.dumps(inventory, indent=1) + "\n")


def render(inventory, out, gather, extra):
    out = pathlib.Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    tasks = [
        {"name": f"Render {src}", "delegate_to": "localhost",
         "ansible.builtin.template": {"src": str(ROLE / "templates" / src),
                                      "dest": f"{out}/{{{{ inventory_hostname }}}}{suffix}",
                                      "mode": "0644"}}
        for src, suffix in [("50-social.conf.j2", ".conf"),
                            ("50-social-hardening.conf.j2", ".hardening.conf")]
    ]
    play = [{"name": "Render the postgresql role's templates", "hosts": "all",
             "gather_facts": gather, "become": False,
             "vars_files": [str(ROLE / "defaults/main.yml")], "tasks": tasks}]
    with tempfile.TemporaryDirectory() as work:
        (pathlib.Path(work) / "render.yml").write_text(json.dumps(play))
        args = ["ansible-playbook", "-i", str(pathlib.Path(inventory).resolve()), "render.yml"]
        for item in extra:
            args += ["-e", item]
        env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
        done = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-2000:])
        sys.exit(done.returncode)


def docs_check(out, column):
    hosts, rows = docs_table()
    rendered = conf(pathlib.Path(out) / f"column{column}.conf")
    rendered.pop("listen_addresses", None)
    bad = 0
    for name in sorted(set(rendered) | set(rows)):
        if name not in rows:
            print(f"    {name} = {rendered[name]} is rendered but not in the table", file=sys.stderr)
            bad += 1
        elif name not in rendered:
            print(f"    {name} is in the table but not rendered", file=sys.stderr)
            bad += 1
        elif not same(value(rendered[name]), value(rows[name][column])):
            print(f"    {name}: rendered {rendered[name]}, table {rows[name][column]}", file=sys.stderr)
            bad += 1
    return bad == 0


def live(path):
    expected = conf(path)
    seen = {}
    for line in sys.stdin.read().splitlines():
        name, setting, unit = (line.split("|") + ["", ""])[:3]
        seen[name] = (setting, unit)
    bad = 0
    for name, text in sorted(expected.items()):
        if name not in seen:
            print(f"    {name}: not in pg_settings", file=sys.stderr)
            bad += 1
            continue
        setting, unit = seen[name]
        if not same(value(text, unit), value(setting, unit)):
            print(f"    {name}: {text} in the file, {setting} {unit} live", file=sys.stderr)
            bad += 1
    return bad == 0


def main(argv):
    if len(argv) == 2 and argv[0] == "docs-inventory":
        docs_inventory(argv[1])
        return 0
    if len(argv) >= 3 and argv[0] == "render":
        rest, extra, gather = argv[3:], [], False
        while rest:
            if rest[0] == "--gather":
                gather, rest = True, rest[1:]
            elif rest[0] == "-e" and len(rest) > 1:
                extra, rest = extra + [rest[1]], rest[2:]
            else:
                sys.exit(__doc__)
        render(argv[1], argv[2], gather, extra)
        return 0
    if len(argv) == 3 and argv[0] == "docs-check":
        return 0 if docs_check(argv[1], int(argv[2])) else 1
    if len(argv) == 2 and argv[0] == "live":
        return 0 if live(argv[1]) else 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

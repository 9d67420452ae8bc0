#!/usr/bin/env python3
"""Checks the optimisation level each named source was compiled at (ctest sweep_opt_flags).

    check-opt-flags.py compile_commands.json NAME=-OX...

For each NAME (a source file's base name, which must occur exactly once in the compile
database), the last -O option of its compile command must be -OX. When the object file exists
and carries DWARF (RelWithDebInfo: -g), the producer string GCC records in it (DW_AT_producer,
"GNU C11 12.2.0 -mtune=generic -O2 -O3 ...") is checked too: that is what the object was
really compiled with, not what the build files say. Exit 0 when every check holds, 1 with the
reasons otherwise, 2 on bad usage.
"""
import json
import os
import re
import shlex
import sys


def last_opt(args):
    """The last -O option of a list of arguments, or None."""
    opts = [a for a in args if re.fullmatch(r"-O[0-3sgz]?|-Ofast", a)]
    return opts[-1] if opts else None


def producer_opts(path):
    """The last -O option of every DWARF producer string in an object file ([] without -g)."""
    with open(path, "rb") as f:
        data = f.read()
    found = []
    for m in re.finditer(rb"GNU C[0-9]+ [^\0]*", data):
        o = last_opt(m.group(0).decode("utf-8", "replace").split())
        if o:
            found.append(o)
    return found


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        db = json.load(f)
    bad = []
    for spec in argv[2:]:
        name, want = spec.split("=", 1)
        entries = [e for e in db if os.path.basename(e["file"]) == name]
        if len(entries) != 1:
            bad.append("%s: %d entries in the compile database, expected 1" % (name, len(entries)))
            continue
        e = entries[0]
        args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
        got = last_opt(args)
        if got != want:
            bad.append("%s: compile command's last -O is %s, expected %s" % (name, got, want))
        out = e.get("output") or (args[args.index("-o") + 1] if "-o" in args[:-1] else "")
        obj = os.path.join(e["directory"], out)
        if out and os.path.isfile(obj):
            prod = producer_opts(obj)
            if prod and set(prod) != {want}:
                bad.append("%s: object %s was compiled at %s, expected %s"
                           % (name, obj, ",".join(sorted(set(prod))), want))
            print("%s: %s (command), %s (object)" % (name, got, ",".join(sorted(set(prod)))
                                                     or "no DWARF"))
        else:
            print("%s: %s (command), object not built" % (name, got))
    for b in bad:
        print("FAIL " + b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

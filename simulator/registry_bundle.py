"""The registry bundle an issuing side hands over: agencies, specimens, officers, templates.

Written in the CLI contract's formats so ``cusdep registry import`` registers it whole, and
``cusdep registry add-agency|add-seal|add-officer`` and ``cusdep templates add`` load the files
as they are (``commands.sh`` lists those calls, one per record).
Forged seals and unregistered officers are never in the bundle.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from simulator import seal as seal_mod
from simulator import signature as sig_mod
from simulator.layouts import LAYOUTS, template_json
from simulator.world import World


def write_bundle(root: Path, world: World) -> dict[str, Any]:
    for sub in ("seals", "signatures", "templates"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    agencies = [{"id": a.id, "country": a.country, "name": a.name} for a in world.agencies.values()]
    seals = []
    for spec in world.seals.values():
        path = f"seals/{spec.id}.png"
        (root / path).write_bytes(seal_mod.specimen_png(spec))
        seals.append(
            {
                "id": spec.id,
                "agency": spec.agency,
                "image": path,
                "shape": spec.shape,
                "ink": spec.ink,
            }
        )
    officers = []
    for off in world.officers.values():
        path = f"signatures/{off.id}.png"
        (root / path).write_bytes(sig_mod.specimen_png(off.style_seed, off.name))
        officers.append(
            {
                "id": off.id,
                "agency": off.agency,
                "name": off.name,
                "signature": path,
                "valid_from": off.valid_from,
                "valid_to": off.valid_to,
            }
        )
    templates = []
    for layout in LAYOUTS:
        path = f"templates/{layout.id}.json"
        (root / path).write_text(
            json.dumps(template_json(layout), indent=2) + "\n", encoding="utf-8"
        )
        templates.append(path)
    bundle = {
        "format_version": 1,
        "seed": world.seed,
        "agencies": agencies,
        "seals": seals,
        "officers": officers,
        "templates": templates,
    }
    (root / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n", encoding="utf-8")
    (root / "commands.sh").write_text(commands_sh(bundle), encoding="utf-8")
    (root / "commands.sh").chmod(0o755)
    return bundle


def commands(bundle: dict[str, Any]) -> list[list[str]]:
    """The cusdep argument vectors that register ``bundle`` (paths relative to registry/)."""
    out: list[list[str]] = []
    for a in bundle["agencies"]:
        out.append(
            [
                "registry",
                "add-agency",
                "--id",
                a["id"],
                "--country",
                a["country"],
                "--name",
                a["name"],
            ]
        )
    for s in bundle["seals"]:
        out.append(
            [
                "registry",
                "add-seal",
                "--agency",
                s["agency"],
                "--id",
                s["id"],
                "--image",
                s["image"],
            ]
        )
    for o in bundle["officers"]:
        out.append(
            [
                "registry",
                "add-officer",
                "--agency",
                o["agency"],
                "--id",
                o["id"],
                "--name",
                o["name"],
                "--signature",
                o["signature"],
                "--valid-from",
                o["valid_from"],
                "--valid-to",
                o["valid_to"],
            ]
        )
    for t in bundle["templates"]:
        out.append(["templates", "add", t])
    return out


def commands_sh(bundle: dict[str, Any]) -> str:
    lines = [
        "#!/bin/sh",
        "# Register this bundle with a node, one command per record: CUSDEP=cusdep ./commands.sh",
        "# (or all at once, checked first: cusdep registry import <this directory>)",
        "set -e",
        'cd "$(dirname "$0")"',
        'CUSDEP="${CUSDEP:-cusdep}"',
    ]
    lines += ["$CUSDEP " + " ".join(shlex.quote(a) for a in argv) for argv in commands(bundle)]
    return "\n".join(lines) + "\n"

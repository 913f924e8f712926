"""Two customs nodes on one consortium chain: the admin deploys and authorises the other."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image


def _cusdep(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CUSDEP_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "node", *args], capture_output=True, text=True, env=env, check=False
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_partner_node_joins_the_consortium(tmp_path: Path, anvil_url: str) -> None:
    cn, au = tmp_path / "cn", tmp_path / "au"
    cn_init = json.loads(
        _cusdep(cn, "init", "--country", "CN", "--name", "Shanghai", "--rpc-url", anvil_url).stdout
    )
    au_init = json.loads(
        _cusdep(
            au,
            "init",
            "--country",
            "AU",
            "--name",
            "Sydney",
            "--rpc-url",
            anvil_url,
            "--anchor-contract",
            cn_init["anchor_contract"],
            "--registry-contract",
            cn_init["registry_contract"],
        ).stdout
    )
    assert au_init["anchor_contract"] == cn_init["anchor_contract"]
    doc = tmp_path / "cert.txt"
    doc.write_text("AU phyto 1")
    denied = _cusdep(au, "anchor", str(doc), "--json", check=False)
    assert denied.returncode == 2 and "NotWriter" in denied.stderr
    assert "cusdep consortium authorise-anchor" in denied.stderr  # the remedy, not raw data
    assert len(denied.stderr.strip().splitlines()) == 1 and "('0x" not in denied.stderr
    refused = _cusdep(
        au,
        "registry",
        "add-agency",
        "--id",
        "AU-DAFF",
        "--country",
        "AU",
        "--name",
        "Dept",
        check=False,
    )
    assert refused.returncode == 2 and "NotAuthority" in refused.stderr
    assert "cusdep consortium add-authority" in refused.stderr

    account = json.loads(_cusdep(au, "consortium", "account").stdout)["account"]
    not_admin = _cusdep(au, "consortium", "authorise-anchor", "--account", account, check=False)
    assert not_admin.returncode == 2 and "NotAdmin" in not_admin.stderr
    _cusdep(cn, "consortium", "add-authority", "--country", "AU", "--account", account)
    _cusdep(cn, "consortium", "authorise-anchor", "--account", account)

    anchored = json.loads(_cusdep(au, "anchor", str(doc), "--json").stdout)[0]
    assert anchored["block_number"] > 0
    # the registry write that was refused stayed pending; registering again now succeeds
    agency = json.loads(
        _cusdep(
            au, "registry", "add-agency", "--id", "AU-DAFF", "--country", "AU", "--name", "Dept"
        ).stdout
    )
    assert agency["authoritative"] is True and agency["registrar"] == "AU"
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buf, "PNG")
    (tmp_path / "seal.png").write_bytes(buf.getvalue())
    seal = json.loads(
        _cusdep(
            au,
            "registry",
            "add-seal",
            "--agency",
            "AU-DAFF",
            "--id",
            "S1",
            "--image",
            str(tmp_path / "seal.png"),
        ).stdout
    )
    assert seal["state"] == "confirmed" and seal["authoritative"] is True

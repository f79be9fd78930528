"""The deployment files in deploy/ as a newsroom engineer installs them: the systemd unit's command
line really serves (and stops on SIGTERM), the units pass ``systemd-analyze verify``, the backup unit's
command line writes a backup, and the nginx example really passes the client's address and scheme to
the app (a real nginx, with a throwaway certificate, in front of a real server on loopback)."""

from __future__ import annotations

import datetime
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port, serve_app, stop_process

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/benarkah/.venv/bin/benarkah"  # where docs/deploy.md installs it
BENARKAH = str(Path(sys.executable).parent / "benarkah")


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's keys (a key may repeat), sections flattened."""
    keys: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The example environment file, with the database and key pointed at the test's folder."""
    values = {}
    for line in (DEPLOY / "benarkah.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    values.update(BENARKAH_DB=str(tmp_path / "benarkah.db"), BENARKAH_SEMANTIC="false", **overrides)
    return {**{k: v for k, v in os.environ.items() if not k.startswith("BENARKAH_")}, **values,
            "PYTHONPATH": str(ROOT / "src")}


def test_the_units_name_what_docs_deploy_md_installs():
    service = unit("benarkah.service")
    assert service["ExecStart"][0].startswith(INSTALLED + " serve ")
    assert service["EnvironmentFile"] == ["/etc/benarkah/benarkah.env"] and service["User"] == ["benarkah"]
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for name in ("benarkah.service", "benarkah-backup.service", "benarkah-backup.timer", "nginx.conf", "Caddyfile",
                 "benarkah.env.example"):
        assert f"deploy/{name}" in guide
    assert "docs/deploy.md" in (ROOT / "README.md").read_text()


def test_the_service_command_line_serves_and_stops_on_sigterm(tmp_path):
    service = unit("benarkah.service")
    port = free_port()
    argv = shlex.split(service["ExecStart"][0].replace(INSTALLED, BENARKAH).replace("--port 8000", f"--port {port}"))
    process = subprocess.Popen(argv, cwd=tmp_path, env=environment(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.stdout.read().decode()[-2000:]  # type: ignore[union-attr]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not answer /healthz"
            time.sleep(0.3)
        assert httpx.get(f"http://127.0.0.1:{port}/chat").status_code == 200
        process.send_signal(signal.SIGTERM)  # what systemd sends (KillSignal=SIGTERM)
        timeout = float(service["TimeoutStopSec"][0])
        assert process.wait(timeout) == 0
    finally:
        stop_process(process)


def test_the_backup_units_command_line_writes_a_backup(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    env = environment(tmp_path)
    subprocess.run([BENARKAH, "ingest", str(ROOT / "src/benarkah/data/demo_articles.jsonl"), "--no-embed"],
                   env=env, check=True, capture_output=True)
    command = unit("benarkah-backup.service")["ExecStart"][0]
    command = command.replace(INSTALLED, BENARKAH).replace("/var/backups/benarkah", str(backups)).replace("%%", "%")
    done = subprocess.run(shlex.split(command), env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [written] = [p for p in backups.iterdir() if p.suffix == ".db"]
    assert re.fullmatch(r"benarkah-\d{8}-\d{6}\.db", written.name)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze (systemd)")
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """Checked as installed, with only what this machine lacks (the user, the install path) filled in."""
    for name in ("benarkah.service", "benarkah-backup.service", "benarkah-backup.timer"):
        text = (DEPLOY / name).read_text().replace(INSTALLED, BENARKAH)
        text = re.sub(r"^(User|Group)=.*$", "", text, flags=re.M)
        text = text.replace("EnvironmentFile=/etc/benarkah/benarkah.env", f"EnvironmentFile={DEPLOY / 'benarkah.env.example'}")
        (tmp_path / name).write_text(text)
    done = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / n) for n in ("benarkah.service",
                           "benarkah-backup.service", "benarkah-backup.timer"))], capture_output=True, text=True)
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if str(tmp_path) in line and "Failed to" not in line]  # (no systemd as PID 1 in a container)
    assert done.returncode == 0 or not problems, done.stderr


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cekfakta.example.id")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Echo:
    """Stands behind nginx and records the headers each request arrived with."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        self.seen.append({k.decode(): v.decode() for k, v in scope["headers"]} | {"_client": scope["client"][0]})
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.skipif(not shutil.which("nginx"), reason="needs nginx (Debian: apt-get install nginx-light)")
def test_the_nginx_example_passes_the_clients_address_and_scheme(tmp_path):
    cert, key = _certificate(tmp_path)
    upstream_port, https_port, http_port = free_port(), free_port(), free_port()
    site = (DEPLOY / "nginx.conf").read_text()
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{upstream_port}")
    site = site.replace("/etc/letsencrypt/live/cekfakta.example.id/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/cekfakta.example.id/privkey.pem", str(key))
    site = re.sub(r"listen \[::\]:\d+[^;]*;", "", site)  # no IPv6 in every container
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/logs/error.log; daemon off; master_process off;\n"
        f"events {{}}\nhttp {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"fastcgi_temp_path {tmp_path}/f; uwsgi_temp_path {tmp_path}/u; scgi_temp_path {tmp_path}/s;\n{site}\n}}\n")
    check = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    echo = Echo()
    with serve_app(echo, port=upstream_port, lifespan="off"):
        proxy = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    response = httpx.get(f"https://127.0.0.1:{https_port}/chat", verify=False,
                                         headers={"host": "cekfakta.example.id", "x-forwarded-for": "6.6.6.6"})
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline and proxy.poll() is None, proxy.stderr.read()  # type: ignore[union-attr]
                    time.sleep(0.1)
            assert response.status_code == 200 and response.text == "ok"
            redirect = httpx.get(f"http://127.0.0.1:{http_port}/x", headers={"host": "cekfakta.example.id"})
            assert redirect.status_code == 301 and redirect.headers["location"] == "https://cekfakta.example.id/x"
            too_big = httpx.post(f"https://127.0.0.1:{https_port}/chat", verify=False, content=b"x" * 2_000_000)
            assert too_big.status_code == 413
        finally:
            proxy.send_signal(signal.SIGTERM)
            proxy.wait(10)
    [seen] = echo.seen
    assert seen["x-forwarded-for"] == "127.0.0.1"  # the real client, not the forged 6.6.6.6
    assert seen["x-forwarded-proto"] == "https" and seen["host"] == "cekfakta.example.id"
    assert seen["_client"] == "127.0.0.1"  # the proxy itself: what BENARKAH_TRUSTED_PROXIES names

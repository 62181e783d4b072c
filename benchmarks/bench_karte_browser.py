"""/karte in headless Chromium: seconds until the map has drawn, and the app process's peak memory.

Run: ``.venv/bin/python benchmarks/bench_karte_browser.py [FOLDER]`` with a GeoPackage store folder
(default: the demo in ``data/``; large pools: ``benchmarks/generate.py N FOLDER`` where it exists).
Starts ``serve.py`` offline on that folder, opens /karte three times (cold: the first run reads the
store and builds the tile index; warm; a filter), and prints the time from navigation until MapLibre
has loaded every tile and drawn features, the tiles fetched, the browser's JS heap and the peak
resident memory of the app process (``VmHWM``). Needs Debian's chromium (as the browser tests).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, Response, sync_playwright

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
DRAWN = ("() => window.fpMap && window.fpMap.loaded() && window.fpMap.areTilesLoaded() && !window.fpMap.isMoving()"
         " && window.fpMap.queryRenderedFeatures().length > 0")
VISITS = (("cold", "/karte"), ("warm", "/karte"), ("filter", "/karte?gemeinde=wurzen&status=verf%C3%BCgbar"))


def peak_gb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1e6
    return 0.0


def tile_requests(page: Page) -> list[str]:
    """The tile URLs *page* fetches from now on (filled as it goes)."""
    urls: list[str] = []

    def seen(response: Response) -> None:
        if "/kacheln/" in response.url:
            urls.append(response.url)

    page.on("response", seen)
    return urls


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "FLAECHENPOOL_DATA": str(folder), "FLAECHENPOOL_OFFLINE": "1"}
    with tempfile.TemporaryFile("w+") as log:
        app = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.5)
            print(f"/karte on {folder} (1440×900, offline)")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                for name, path in VISITS:
                    page = browser.new_page(viewport={"width": 1440, "height": 900})
                    tiles = tile_requests(page)
                    start = time.perf_counter()
                    page.goto(url + path, timeout=900_000)
                    page.wait_for_function(DRAWN, timeout=900_000, polling=100)
                    seconds = time.perf_counter() - start
                    heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0") / 1e6
                    print(f"  {name:<7} drawn after {seconds:6.1f} s   {len(tiles):3d} tiles   JS heap {heap:5.0f} MB"
                          f"   app peak {peak_gb(app.pid):4.2f} GB")
                    page.close()
                browser.close()
        finally:
            app.terminate()
            app.wait(timeout=30)


if __name__ == "__main__":
    main()

"""The live path: the book's widgets in JupyterLab, with a kernel behind them.

The static site runs the widgets without Python; in Jupyter, Colab and Binder they are anywidgets
talking to a kernel. This test starts JupyterLab from the project's environment (loopback only, a
random token, a scratch folder), opens it in Chromium with every request outside that server
blocked, writes a notebook that shows each widget of the book (those of the widget gallery), runs
it, and for every widget: moves its first slider from the page, checks that the drawing changed,
then asks the kernel for the widget's ``index`` and checks that it is the one the page shows.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import REPO

WIDGETS = ["lstm_gates", "gru_gates", "vanishing_gradients", "unit_vs_cell", "param_counter"]
STARTUP_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """(base URL, token, folder) of a JupyterLab server started from this environment."""
    folder = tmp_path_factory.mktemp("live")
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": "import json\nimport widgets"}]
    cells += [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
               "source": f"w_{name} = widgets.{name}()\nw_{name}"} for name in WIDGETS]
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (folder / "live.ipynb").write_text(json.dumps(notebook))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(folder / ".config"),
           "JUPYTER_RUNTIME_DIR": str(folder / ".run"), "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}", "--expose-app-in-browser",
         "--LabApp.news_url=", "--LabApp.extension_manager=readonly", "--allow-root"],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(1)
    yield base, token, folder
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


RUN_IN_KERNEL = """async (code) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  const future = panel.sessionContext.session.kernel.requestExecute({code});
  let text = "";
  future.onIOPub = (msg) => { if (msg.header.msg_type === "stream") text += msg.content.text; };
  await future.done;
  return text;
}"""


def test_every_widget_moves_and_the_kernel_sees_it(jupyterlab, browser):
    base, token, _ = jupyterlab
    blocked, errors = [], []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.set_default_timeout(180_000)
        page = context.new_page()

        def route(route):
            if route.request.url.startswith((base, "data:", "blob:")):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/lab/tree/live.ipynb?token={token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext"
                               " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                               " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel")
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.ready")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        roots = page.locator(".jp-OutputArea-output .uw")
        page.wait_for_function("(n) => document.querySelectorAll('.jp-OutputArea-output .uw').length >= n"
                               " && Array.from(document.querySelectorAll('.jp-OutputArea-output .uw'))"
                               ".every(el => el.dataset.index !== undefined)", arg=len(WIDGETS))
        shown_count = roots.count()
        assert shown_count == len(WIDGETS), f"expected {len(WIDGETS)} widgets, JupyterLab shows {shown_count}"

        for position, name in enumerate(WIDGETS):
            root = roots.nth(position)
            root.scroll_into_view_if_needed()
            slider = root.locator("input[type=range]:not(:disabled)").first
            drawing = "(el) => Array.from(el.querySelectorAll('figure')).map(f => f.innerHTML).join('')"
            before_drawing = root.evaluate(drawing)
            before_index = root.evaluate("(el) => el.dataset.index")
            slider.evaluate("""(input) => {
              input.value = String(+input.value > +input.min ? +input.value - 1 : +input.value + 1);
              input.dispatchEvent(new Event('input', {bubbles: true}));
              input.dispatchEvent(new Event('change', {bubbles: true}));
            }""")
            page.wait_for_function("([el, before]) => el.dataset.index !== before",
                                   arg=[root.element_handle(), before_index])
            after_drawing = root.evaluate(drawing)
            assert after_drawing != before_drawing, f"{name}: moving a slider did not change the drawing"
            shown = [int(i) for i in root.evaluate("(el) => el.dataset.index").split(",")]
            kernel = None
            for _ in range(50):  # the change travels to the kernel over the websocket
                kernel = json.loads(page.evaluate(RUN_IN_KERNEL, f"print(json.dumps(w_{name}.index))"))
                if kernel == shown:
                    break
                page.wait_for_timeout(200)
            assert kernel == shown, f"{name}: the page shows index {shown}, the kernel's widget has {kernel}"
    finally:
        context.close()
    assert blocked == [], f"JupyterLab asked for outside resources: {blocked}"
    assert errors == [], f"uncaught errors in JupyterLab: {errors}"
